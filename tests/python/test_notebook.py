"""The analyst's documents run as written: docs/notebook.ipynb from top to bottom, showing what carerules
computes, and every Python example of docs/python.md."""

from __future__ import annotations

import base64
import re
import shutil
import struct
from pathlib import Path
from typing import Any

import nbclient
import nbformat
import pandas as pd
import pytest

import carerules

# ipykernel runs the notebook and matplotlib draws its chart: requirements-dev.txt installs all four, so a
# missing one is a broken environment that must fail here, not skip.

DOCS = Path(__file__).resolve().parents[2] / "docs"
NOTEBOOK = DOCS / "notebook.ipynb"
AS_OF = "2026-11-01"
SCHEMES = ["care-homes-es", "case-management-les"]


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    work = tmp_path_factory.mktemp("notebook")
    copy = work / "notebook.ipynb"
    shutil.copy(NOTEBOOK, copy)
    nb = nbformat.read(copy, as_version=4)
    # Raises CellExecutionError, naming the cell, if any cell fails.
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(work)}}).execute()
    return nb


def tagged(nb: Any, tag: str) -> Any:
    cells = [c for c in nb.cells if tag in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"one cell tagged {tag!r}"
    return cells[0]


def shown(cell: Any, mime: str) -> Any:
    data = [o["data"][mime] for o in cell.outputs if mime in o.get("data", {})]
    assert data, f"the cell shows no {mime}"
    return data[-1]


def test_the_committed_notebook_has_no_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_every_cell_runs_without_error(executed: Any) -> None:
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.get("output_type") == "error"]
    assert errors == []


def as_shown(frame: pd.DataFrame) -> str:
    """A DataFrame's text as a notebook kernel shows it (pandas' defaults where there is no terminal to fit)."""
    with pd.option_context("display.max_columns", 20, "display.width", 80, "display.max_rows", 60):
        return repr(frame)


def direct() -> carerules.Result:
    # Straight from the JSON file: the notebook goes through CSV extracts, and must arrive at the same answer.
    return carerules.evaluate(carerules.demo_population_path(), SCHEMES, AS_OF)


def test_overdue_by_home_is_what_carerules_computes(executed: Any) -> None:
    tasks = direct().tasks
    overdue = tasks[(tasks["status"] == "overdue") & tasks["home"].notna()]
    names = carerules.frames_from_json(carerules.demo_population_path())["homes"].set_index("id")["name"]
    expected = overdue.groupby(["home", "scheme"]).size().unstack("scheme", fill_value=0).reindex(columns=SCHEMES, fill_value=0)
    expected.insert(0, "name", names.reindex(expected.index))
    expected["total"] = expected[SCHEMES].sum(axis=1)
    expected.columns.name = None
    assert int(expected["total"].sum()) == int(overdue.shape[0]) > 0
    assert shown(tagged(executed, "overdue-by-home"), "text/plain") == as_shown(expected)


def test_payments_by_quarter_are_what_carerules_computes(executed: Any) -> None:
    payments = direct().payments
    rows = []
    for (fy, q), lines in payments.groupby(["financial_year", "quarter"]):
        pence = {s: int(lines.loc[lines["status"] == s, "amount_pence"].sum()) for s in ("payable", "pending", "withheld")}
        rows.append({"financial_year": fy, "quarter": q, "payable_pence": pence["payable"],
                     "pending_pence": pence["pending"], "withheld_pence": pence["withheld"], "lines": len(lines),
                     "payable_pounds": carerules.format_pounds(pence["payable"], thousands=True)})
    expected = pd.DataFrame(rows).set_index(["financial_year", "quarter"])
    assert expected["payable_pence"].sum() > 0
    assert shown(tagged(executed, "payments-by-quarter"), "text/plain") == as_shown(expected)


def test_the_chart_is_an_image(executed: Any) -> None:
    png = base64.b64decode(shown(tagged(executed, "chart"), "image/png"))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert (width, height) == (800, 400)  # figsize (8, 4) at 100 dpi


def test_every_example_of_the_python_guide_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", (DOCS / "python.md").read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) >= 10
    monkeypatch.chdir(tmp_path)  # the guide's examples run in an empty folder, one after the other
    namespace: dict[str, Any] = {"__name__": "python_guide"}
    for number, block in enumerate(blocks):
        exec(compile(block, f"docs/python.md, Python example {number + 1}", "exec"), namespace)
    printed = capsys.readouterr().out
    # What the guide's comments say it prints.
    for shown_text in ("<carerules.Result as of 2026-11-01: 2831 tasks, 817 payment lines>",
                       "residents 1 born 1929-02-30", "314458 £3,144.58", "Decimal('33912.77')",
                       "events E-new-2 resident R999", "broken.json 1 52", "2025-12-30", "28623 £286.23",
                       "25500000 24468000 -1032000"):
        assert shown_text in printed
    assert (tmp_path / "dashboard" / "dashboard-all.html").is_file()
