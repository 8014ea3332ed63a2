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


# The README's C++ example (docs/examples/evaluate.cpp) is compared by ctest with this kept file, so the two
# tests together say that the C++ path and the command print the same document.
EXAMPLE_EXTRACT = ROOT / "docs" / "examples" / "data" / "extract.json"
EXAMPLE_AS_OF = "2025-06-30"
EXAMPLE_GOLDEN = GOLDEN / f"example-extract-{EXAMPLE_AS_OF}.json"


def evaluate_file(population: Path, as_of: str) -> bytes:
    """What `carerules evaluate` prints for `population` on `as_of` with both schemes."""
    args = [sys.executable, "-m", "carerules", "evaluate", "-p", str(population), "--as-of", as_of]
    for s in SCHEMES:
        args += ["-s", s]
    return subprocess.run(args, check=True, capture_output=True).stdout


def evaluate_demo(as_of: str) -> bytes:
    """What `carerules evaluate` prints for the bundled demo population on `as_of`."""
    return evaluate_file(ROOT / "python" / "carerules" / "data" / "demo_population.json", as_of)


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


def test_the_example_extract_output_is_the_kept_one_the_cpp_example_prints() -> None:
    assert evaluate_file(EXAMPLE_EXTRACT, EXAMPLE_AS_OF) == EXAMPLE_GOLDEN.read_bytes()


def test_the_example_extract_has_rejected_records_and_their_findings() -> None:
    # What the C++ example must not lose: the loader's invalid-record findings and counts.
    import json

    doc = json.loads(EXAMPLE_GOLDEN.read_bytes())
    invalid = [f for f in doc["findings"] if f["code"] == "invalid-record"]
    assert doc["input"]["rejected"] == len(invalid) == 3
    assert doc["input"]["read"] == doc["input"]["accepted"] + 3
    assert {f["collection"] for f in invalid} == {"residents", "stays", "events"}
    assert len(doc["tasks"]) > 10
