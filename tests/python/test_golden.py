"""The demo population's whole JSON output, byte for byte, at three as-of dates (tests/golden/README.md)."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
AS_OF_DATES = ("2024-04-01", "2025-06-30", "2026-11-01")
SCHEMES = ("care-homes-es", "case-management-les")


def golden_path(as_of: str) -> Path:
    return GOLDEN / f"demo-{as_of}.json.gz"


def evaluate_demo(as_of: str) -> bytes:
    """What `carerules evaluate` prints for the bundled demo population on `as_of`."""
    demo = ROOT / "python" / "carerules" / "data" / "demo_population.json"
    args = [sys.executable, "-m", "carerules", "evaluate", "-p", str(demo), "--as-of", as_of]
    for s in SCHEMES:
        args += ["-s", s]
    return subprocess.run(args, check=True, capture_output=True).stdout


@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_demo_output_is_byte_for_byte_the_kept_one(as_of: str) -> None:
    expected = gzip.decompress(golden_path(as_of).read_bytes())
    actual = evaluate_demo(as_of)
    if actual != expected:
        at = next(i for i, (a, b) in enumerate(zip(actual, expected)) if a != b) if len(actual) == len(expected) else min(len(actual), len(expected))
        pytest.fail(f"output differs from {golden_path(as_of).name} at byte {at} "
                    f"(lengths {len(actual)} and {len(expected)}): ...{actual[max(0, at - 200):at + 200]!r}")


def test_each_kept_output_holds_tasks_payments_and_findings() -> None:
    # The kept files are real evaluations, not empty documents that any output would match.
    import json

    for as_of in AS_OF_DATES:
        doc = json.loads(gzip.decompress(golden_path(as_of).read_bytes()))
        assert doc["as_of"] == as_of
        assert len(doc["tasks"]) > 100 and len(doc["payments"]) > 10 and doc["findings"]
