"""The output table: the columns of tasks, payment lines and findings are declared once in C++
(src/results/columns.cpp); the DataFrames, the JSON and CSV output, the typed objects and the docs follow them."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import carerules
from carerules import _api, _core

ROOT = Path(__file__).resolve().parents[2]
PYTHON_DOC = ROOT / "docs" / "python.md"
TABLES = ("tasks", "payments", "findings")
DOC_HEADINGS = {"tasks": "**Tasks**", "payments": "**Payment lines**", "findings": "**Findings**"}
# Columns the DataFrames add to a declared table (made from a declared column in Python).
PYTHON_ONLY = {"payments": {"amount_pounds": ("object (`decimal.Decimal`, None when unpriced)", "the same amount in pounds, exactly")}}


def dtype_text(column: dict[str, Any]) -> str:
    """The dtype a declared column has in a DataFrame, as docs/python.md writes it."""
    kind, nullable = column["type"], column["nullable"]
    if kind in ("category", "id", "text"):
        return "str (NaN when none)" if nullable else "str"
    if kind == "date":
        return "datetime64[s] (NaT when none)" if nullable else "datetime64[s]"
    if kind in ("integer", "pence"):
        return "Int64 (`<NA>` when none)" if nullable else "int64"
    assert kind == "text_list", kind
    return "object (list of str)"


def expected_rows(table: str) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    for c in _api.output_columns(table):
        rows.append((f"`{c['name']}`", dtype_text(c), c["description"]))
        if c["name"] == "amount_pence":
            dtype, meaning = PYTHON_ONLY["payments"]["amount_pounds"]
            rows.append(("`amount_pounds`", dtype, meaning))
    return rows


def doc_rows(table: str) -> list[tuple[str, str, str]]:
    """The rows of the column table that follows the table's heading in docs/python.md."""
    text = PYTHON_DOC.read_text(encoding="utf-8")
    after = text[text.index(DOC_HEADINGS[table]):]
    lines = after.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| column |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
        rows.append((cells[0], cells[1], cells[2]))
    return rows


@pytest.mark.parametrize("table", TABLES)
def test_the_docs_column_tables_are_the_declared_columns(table: str) -> None:
    expected = expected_rows(table)
    shown = "\n".join(f"| {a} | {b} | {c} |" for a, b, c in expected)
    assert doc_rows(table) == expected, f"docs/python.md's {table} table should read:\n{shown}"


def test_every_table_declares_named_typed_described_columns() -> None:
    types = {"category", "id", "text", "date", "integer", "pence", "text_list"}
    for table in TABLES:
        columns = _api.output_columns(table)
        names = [c["name"] for c in columns]
        assert len(names) == len(set(names)) and len(names) >= 11
        assert all(c["type"] in types and c["description"] for c in columns)
    with pytest.raises(ValueError, match="tasks, payments or findings"):
        _core.output_columns("stays")


@pytest.fixture(scope="module")
def example_result() -> carerules.Result:
    # The example extract has rejected records (invalid-record findings) as well as tasks and payment lines.
    population = carerules.load_population(ROOT / "docs" / "examples" / "data" / "extract.json")
    return carerules.evaluate(population, ["care-homes-es", "case-management-les"], "2025-06-30")


def test_frames_json_and_csv_have_the_declared_columns_in_order(example_result: carerules.Result, tmp_path: Path) -> None:
    doc = json.loads(example_result.to_json())
    example_result.write_csv(tmp_path)
    frames = {"tasks": example_result.tasks, "payments": example_result.payments, "findings": example_result.findings}
    for table in TABLES:
        names = [c["name"] for c in _api.output_columns(table)]
        assert len(frames[table]) > 0
        assert [n for n in frames[table].columns if n != "amount_pounds"] == names
        with open(tmp_path / f"{table}.csv", newline="", encoding="utf-8") as f:
            assert next(csv.reader(f)) == names
        always = [c["name"] for c in _api.output_columns(table) if table != "findings" or c["name"] in names[:6]]
        for row in doc[table]:
            assert list(row)[:len(always)] == always
            assert set(row) <= set(names)


def test_frame_dtypes_are_those_the_docs_give(example_result: carerules.Result) -> None:
    for table, frame in (("tasks", example_result.tasks), ("payments", example_result.payments)):
        for c in _api.output_columns(table):
            dtype = str(frame[c["name"]].dtype)
            assert dtype_text(c).startswith(dtype + " ") or dtype_text(c) == dtype, (table, c["name"], dtype)


def test_typed_objects_have_every_declared_column() -> None:
    assert [f.name for f in dataclasses.fields(carerules.Finding)] == _api.FINDING_COLUMNS
    assert [f.name for f in dataclasses.fields(carerules.Task)] == _api.TASK_COLUMNS
    assert [f.name for f in dataclasses.fields(carerules.PaymentLine)] == [n for n in _api.PAYMENT_COLUMNS if n != "amount_pounds"]


def test_findings_carry_the_facts_their_message_states(example_result: carerules.Result) -> None:
    findings = example_result.findings
    invalid = findings[findings["code"] == "invalid-record"]
    assert sorted(invalid["collection"]) == ["events", "residents", "stays"]
    assert invalid["index"].notna().all() and str(invalid["index"].dtype) == "Int64"

    demo = carerules.evaluate(carerules.demo_population_path(), ["care-homes-es", "case-management-les"], "2025-06-30")
    rows = demo.finding_list()
    unmapped = [f for f in rows if f.code == "unmapped-code"]
    assert unmapped
    for f in unmapped:
        assert f.code_system in ("snomed", "read2", "ctv3") and f.count is not None and f.count >= 1
        events = "event" if f.count == 1 else "events"
        assert f.message.startswith(f"{f.code_system} code {f.subject} in {f.count} {events} maps")
    structural = [f for f in rows if f.code in ("home-not-aligned", "no-lead-gp", "care-home-resident-not-in-cohort")]
    assert structural and all(f.rule in ("home_aligned", "home_lead_gp", "care_home_residents_in_cohort") for f in structural)
    assert all(f.rule is None for f in unmapped)


def test_a_share_finding_has_its_count_list_size_and_limit() -> None:
    frames = carerules.frames_from_json(carerules.demo_population_path())
    practices = frames["practices"].copy()
    practices["list_size"] = 100  # every cohort is then far over 5% of its list
    frames["practices"] = practices
    result = carerules.evaluate(carerules.population_from_frames(**frames), "case-management-les", "2025-06-30")
    shares = [f for f in result.finding_list() if f.code == "cohort-over-5-percent"]
    assert shares
    for f in shares:
        assert f.rule == "cohort_share" and f.list_size == 100 and f.limit_basis_points == 500
        assert f.count is not None and f.count * 10000 > 100 * 500
        assert f"has {f.count} patients in its case management cohort" in f.message
    doc = json.loads(result.to_json())
    share = next(f for f in doc["findings"] if f["code"] == "cohort-over-5-percent")
    assert {k: share[k] for k in ("rule", "list_size", "limit_basis_points")} == {
        "rule": "cohort_share", "list_size": 100, "limit_basis_points": 500}


def test_finding_frame_from_dicts_equals_the_result_frame(example_result: carerules.Result) -> None:
    pd.testing.assert_frame_equal(_api.finding_frame(example_result.core.findings()), example_result.findings)


def test_unmapped_code_finding_is_the_engines(example_result: carerules.Result) -> None:
    made = _core.unmapped_code_finding("snomed", "999999", 2)
    assert made["message"] == "snomed code 999999 in 2 events maps to no activity of the evaluated schemes: kept, counted and not used"
    assert (made["code"], made["subject_kind"], made["subject"], made["count"], made["code_system"]) == (
        "unmapped-code", "code", "999999", 2, "snomed")
    with pytest.raises(ValueError, match="no code system"):
        _core.unmapped_code_finding("icd10", "X", 1)
