"""Regenerates tests/golden/: the demo population's whole JSON output at the as-of dates the test checks, and
the output the C++ example must print for docs/examples/data/extract.json.

Run after a change that is meant to alter the output; say in the commit what changed and why.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))

from test_golden import (  # noqa: E402
    AS_OF_DATES, EXAMPLE_AS_OF, EXAMPLE_EXTRACT, EXAMPLE_GOLDEN, evaluate_demo, evaluate_file, golden_path,
)


def main() -> int:
    for as_of in AS_OF_DATES:
        data = evaluate_demo(as_of)
        golden_path(as_of).write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
        print(f"{golden_path(as_of).relative_to(ROOT)}: {len(data):,} bytes")
    # The C++ example's expected output (not gzipped: ctest compares it as it is).
    data = evaluate_file(EXAMPLE_EXTRACT, EXAMPLE_AS_OF)
    EXAMPLE_GOLDEN.write_bytes(data)
    print(f"{EXAMPLE_GOLDEN.relative_to(ROOT)}: {len(data):,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
