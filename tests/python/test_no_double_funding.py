"""Issue 13: no double funding between case-management-les and care-homes-es (seed 004, lines 140-149), and
the due day (leaving scope on the due date misses a task; no sentence contradicts its own dates)."""

from __future__ import annotations

import datetime
import json
import re
import subprocess
import sys

import pandas as pd
import pytest

import carerules
from carerules import synthetic
from carerules._api import records

AS_OF = "2026-11-01"
BOTH = ["care-homes-es", "case-management-les"]


@pytest.fixture(scope="module")
def demo() -> carerules.Population:
    return carerules.load_population(carerules.demo_population_path())


@pytest.fixture(scope="module")
def both(demo: carerules.Population) -> carerules.Result:
    return carerules.evaluate(demo, BOTH, AS_OF)


def case_management(result: carerules.Result) -> pd.DataFrame:
    pay = result.payments
    return pay[pay.scheme == "case-management-les"]


def test_no_case_management_line_is_payable_for_a_care_home_patient_of_a_practice_in_care_homes_es(
        both: carerules.Result, demo: carerules.Population) -> None:
    cm = case_management(both)
    care_home = cm[cm.home.notna() & (cm.home != "")]
    # Every practice takes part in care-homes-es from its start (2015-04-01: no participation records), and the
    # demo's case management lines all fall after it.
    assert len(care_home) > 0
    assert set(care_home.status) == {"superseded"}
    assert (care_home.amount_pence == 0).all()
    names = demo.practice_names()
    for line in care_home.itertuples():
        assert f"superseded: {names[str(line.practice)]} takes part in care-homes-es from 2015-04-01, which pays for this " \
               f"care home resident in {line.financial_year} Q{line.quarter} instead" in str(line.because), line.because
    # Community patients are paid as before.
    community = cm[cm.home.isna() | (cm.home == "")]
    assert "superseded" not in set(community.status)
    assert (community.status == "payable").any()


def test_without_care_homes_es_in_the_run_the_same_lines_are_paid(
        both: carerules.Result, demo: carerules.Population) -> None:
    alone = case_management(carerules.evaluate(demo, ["case-management-les"], AS_OF))
    keys = ["resident", "financial_year", "quarter", "kind"]
    superseded = case_management(both)
    superseded = superseded[superseded.status == "superseded"]
    same = superseded[keys].merge(alone, on=keys, how="left")
    assert len(same) == len(superseded)
    assert "superseded" not in set(alone.status)
    assert set(same.status) <= {"payable", "withheld"}
    assert (same[same.status == "payable"].amount_pence > 0).all()


def test_carerules_payments_prints_the_superseded_lines_apart(both: carerules.Result, demo: carerules.Population) -> None:
    args = ["-p", str(carerules.demo_population_path()), "-s", BOTH[0], "-s", BOTH[1], "--as-of", AS_OF]
    text = subprocess.run([sys.executable, "-m", "carerules", "payments", *args], capture_output=True, text=True, check=True).stdout
    doc = json.loads(subprocess.run([sys.executable, "-m", "carerules", "payments", *args, "--format", "json"],
                                    capture_output=True, text=True, check=True).stdout)
    lines = [p for p in doc["payments"] if p["status"] == "superseded"]
    # What they would have paid: the same lines' amounts when case-management-les is evaluated alone.
    alone = case_management(carerules.evaluate(demo, ["case-management-les"], AS_OF))
    paid_alone = {(p["resident"], p["financial_year"], p["quarter"], p["kind"]): p for p in records(alone)}
    would_have_paid = sum(int(paid_alone[(p["resident"], p["financial_year"], p["quarter"], p["kind"])]["amount_pence"])
                          for p in lines
                          if paid_alone[(p["resident"], p["financial_year"], p["quarter"], p["kind"])]["status"] == "payable")
    assert len(lines) > 0 and would_have_paid > 0
    years = [t for t in doc["totals"] if t["quarter"] == "year"]
    assert sum(t["superseded_lines"] for t in years) == len(lines)
    assert sum(t["superseded_pence"] for t in years) == would_have_paid
    # Never in a payable total: the payable total is the sum of the payable lines only.
    assert sum(t["payable_pence"] for t in years) == sum(p["amount_pence"] or 0 for p in doc["payments"] if p["status"] == "payable")
    pounds = carerules.format_pounds(would_have_paid, True)
    assert f"Superseded, not paid (another scheme evaluated here pays for these care home residents instead): " \
           f"{len(lines):,} lines, {pounds}; in no payable total" in text
    assert "superseded lines" in text.splitlines()[1]


ISO = r"(\d{4}-\d{2}-\d{2})"


def test_no_sentence_of_a_synthetic_population_says_it_left_before_it_was_due_on_or_after_the_due_date() -> None:
    params = synthetic.Parameters(residents=3000)
    frames = synthetic.generate(params, seed=13)
    result = carerules.evaluate(carerules.population_from_frames(**frames), BOTH, params.end)
    tasks = result.tasks
    day = datetime.date.fromisoformat
    before = tasks[tasks.because.str.contains("before it was due", regex=False)]
    assert len(before) > 100
    for t in records(before):
        m = re.search(r" on " + ISO + r", before it was due on " + ISO, str(t["because"]))
        assert m, t["because"]
        assert t["status"] == "cancelled", t["because"]
        assert day(m.group(1)) < day(m.group(2)), t["because"]
    missed = tasks[tasks.status == "missed"]
    assert len(missed) > 100
    for t in records(missed):
        m = re.search(r"missed: due by " + ISO + r" and never completed \(.*?\); [^:]*? on " + ISO + ":", str(t["because"]))
        assert m, t["because"]
        assert day(m.group(2)) >= day(m.group(1)), t["because"]
