"""Evaluating from Python: DataFrames, typed objects, JSON and CSV agree with the output contract."""

from __future__ import annotations

import datetime
import json
import threading
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import carerules

CONTRACT_TASK_FIELDS = ["scheme", "obligation", "subject_kind", "subject", "practice", "home", "opens", "due",
                        "status", "completed_on", "missing", "evidence", "because"]
CONTRACT_PAYMENT_FIELDS = ["scheme", "practice", "resident", "home", "financial_year", "quarter", "kind",
                           "amount_pence", "status", "tariff", "because"]


def test_care_plan_task_reads_as_the_design_says(small_population_file: Path) -> None:
    result = carerules.evaluate(small_population_file, "care-homes-es", "2025-02-01")
    care_plan = result.tasks[result.tasks.obligation == "care-plan"].iloc[0]
    assert care_plan.status == "done"
    assert care_plan.completed_on == pd.Timestamp("2025-01-20")
    assert care_plan.due == pd.Timestamp("2025-04-10")
    assert list(care_plan.evidence) == ["E1"]
    ppod = result.tasks[result.tasks.obligation == "preferred-place-of-death"].iloc[0]
    assert ppod.status == "open"
    assert ppod.because == "Preferred place of death recorded due by 2025-04-10: admitted to Oak Lodge on 2025-01-10; none recorded" \
        or ppod.because.startswith("Preferred place of death recorded due by 2025-04-10: permanent resident of Oak Lodge from 2025-01-10")


def test_json_document_has_the_contract_fields(small_population_file: Path) -> None:
    result = carerules.evaluate(small_population_file, ["care-homes-es"], datetime.date(2025, 6, 30))
    doc = json.loads(result.to_json())
    assert set(doc) == {"as_of", "schemes", "tasks", "payments", "findings", "input"}
    assert doc["as_of"] == "2025-06-30"
    assert doc["schemes"] == [{"id": "care-homes-es", "version": "uplift"}]
    assert doc["input"] == {"read": 6, "accepted": 6, "rejected": 0}
    assert doc["tasks"]
    for task in doc["tasks"]:
        assert list(task) == CONTRACT_TASK_FIELDS
    for line in doc["payments"]:
        assert list(line) == CONTRACT_PAYMENT_FIELDS
    # The resident arrived in 2024-25 Q4 (new) and stayed through 2025-26 Q1 (existing).
    kinds = [(p["financial_year"], p["quarter"], p["kind"], p["amount_pence"]) for p in doc["payments"]]
    assert kinds == [("2024-25", 4, "new", 10353), ("2025-26", 1, "existing", 6090)]


def test_dataframes_match_the_json_document(demo_population: carerules.Population) -> None:
    result = carerules.Evaluator(demo_population, ["care-homes-es", "case-management-les"]).evaluate("2026-11-01")
    doc = json.loads(result.to_json())
    assert len(result.tasks) == len(doc["tasks"]) > 0
    assert len(result.payments) == len(doc["payments"]) > 0
    assert list(result.tasks.columns) == CONTRACT_TASK_FIELDS
    assert result.tasks.opens.dtype.kind == "M"
    assert result.tasks.status.tolist() == [t["status"] for t in doc["tasks"]]
    pence = [p["amount_pence"] for p in doc["payments"]]
    assert [None if pd.isna(a) else int(a) for a in result.payments.amount_pence] == pence
    for pounds, p in zip(result.payments.amount_pounds, pence):
        assert (pounds is None and p is None) or pounds == Decimal(p) / 100
    typed = result.task_list()
    assert [(t.scheme, t.obligation, t.subject, t.status) for t in typed] == [
        (t["scheme"], t["obligation"], t["subject"], t["status"]) for t in doc["tasks"]]


def test_csv_files_are_written(small_population_file: Path, tmp_path: Path) -> None:
    result = carerules.evaluate(small_population_file, "care-homes-es", "2025-06-30")
    out = tmp_path / "out"
    result.write_csv(out)
    tasks = pd.read_csv(out / "tasks.csv")
    assert list(tasks.columns) == CONTRACT_TASK_FIELDS
    assert len(tasks) == len(result.tasks)
    payments = pd.read_csv(out / "payments.csv")
    assert payments.amount_pence.tolist() == [10353, 6090]
    assert (out / "findings.csv").exists()


def test_threads_evaluating_at_once_agree_with_one(demo_population: carerules.Population) -> None:
    evaluator = carerules.Evaluator(demo_population, ["care-homes-es", "case-management-les"])
    expected = evaluator.evaluate("2026-06-30").to_json()
    results: list[str] = []

    def run() -> None:
        results.append(evaluator.evaluate("2026-06-30").to_json())

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4
    assert carerules.Evaluator(demo_population, ["care-homes-es", "case-management-les"], threads=2).evaluate(
        "2026-06-30").to_json() == expected


def test_bad_input_raises_carerules_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "carerules.population/1",\n  "practices": [}', encoding="utf-8")
    with pytest.raises(carerules.ParseError) as err:
        carerules.load_population(bad)
    assert err.value.line == 2
    assert isinstance(err.value, carerules.CareRulesError)
    with pytest.raises(carerules.SchemeError):
        carerules.scheme("no-such-scheme")
    with pytest.raises(carerules.DateError):
        carerules.add_months("2025-02-30", 1)


def test_append_event_then_evaluate_one_resident(small_population_file: Path) -> None:
    population = carerules.load_population(small_population_file)
    evaluator = carerules.Evaluator(population, "care-homes-es")
    before = evaluator.evaluate_resident("R1", "2025-03-01").tasks
    assert before[before.obligation == "preferred-place-of-death"].status.iloc[0] == "open"
    population.append_event({"id": "E2", "date": "2025-02-01", "resident": "R1",
                             "activity": "preferred_place_of_death", "performer": "C1"})
    after = evaluator.evaluate_resident("R1", "2025-03-01").tasks
    row = after[after.obligation == "preferred-place-of-death"].iloc[0]
    assert row.status == "done" and list(row.evidence) == ["E2"]
    with pytest.raises(carerules.InputError) as err:
        population.append_event({"id": "E3", "date": "2025-02-01", "resident": "R9", "activity": "care_plan"})
    assert err.value.collection == "events" and err.value.field == "resident" and err.value.value == "R9"


def test_dates_and_money_helpers_follow_the_library_rules() -> None:
    assert carerules.add_months("2024-11-30", 3) == datetime.date(2025, 2, 28)
    assert carerules.add_months("2024-01-31", 1, "roll_forward") == datetime.date(2024, 3, 1)
    assert carerules.financial_year("2025-03-31") == "2024-25"
    assert carerules.quarter("2025-04-01") == ("2025-26", 1)
    assert carerules.parse_pounds("103.53") + 3 * carerules.parse_pounds("60.90") == 28623
    assert carerules.format_pounds(28623) == "£286.23"
