"""The analyst's alternatives of the benchmarks (benchmarks/alternatives: pandas and SQL on DuckDB) give
carerules' answer for entry-assessment, care-plan, medication-review-6-monthly and the capitation lines, row
for row: on the demo at several as-of dates, and on random small populations built to hit the rules' edges
(contiguous stays, conversion to permanent, leaving on the due date, month ends, the scheme's start, every kind
of performer, coded events, homes aligned elsewhere). The benchmark compares speed only because this holds."""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from typing import Any, Iterator

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import carerules
from carerules import synthetic

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from alternatives import common, duckdb_rules, pandas_rules  # noqa: E402

DEMO_DATES = ["2015-03-31", "2023-09-30", "2024-02-29", "2024-12-31", "2025-06-30", "2026-11-01"]


class Alternatives:
    """Both alternatives prepared once from a population's frames, evaluated at any as-of date."""

    def __init__(self, frames: dict[str, pd.DataFrame]) -> None:
        self.prepared = pandas_rules.prepare(frames)
        self.con = duckdb_rules.load(frames)

    def answers(self, as_of: datetime.date) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
        p = pandas_rules.evaluate(self.prepared, as_of)
        d = duckdb_rules.evaluate(self.con, as_of)
        return {
            "pandas": (common.canonical_tasks(p.tasks), common.canonical_payments(p.payments)),
            "duckdb": (common.canonical_tasks(d.tasks.to_pandas()), common.canonical_payments(d.payments.to_pandas())),
        }

    def assert_agree(self, population: carerules.Population, as_of: datetime.date) -> None:
        tasks, payments = common.reference(carerules.Evaluator(population, [common.SCHEME]).evaluate(as_of))
        for name, (t, p) in self.answers(as_of).items():
            common.compare(f"{name} tasks on {as_of}", tasks, t)
            common.compare(f"{name} payment lines on {as_of}", payments, p)

    def close(self) -> None:
        self.con.close()


@pytest.fixture(scope="module")
def demo_alternatives() -> Iterator[Alternatives]:
    alternatives = Alternatives(carerules.frames_from_json(carerules.demo_population_path()))
    yield alternatives
    alternatives.close()


@pytest.mark.parametrize("day", DEMO_DATES)
def test_alternatives_equal_carerules_on_the_demo(demo_population: carerules.Population,
                                                  demo_alternatives: Alternatives, day: str) -> None:
    demo_alternatives.assert_agree(demo_population, datetime.date.fromisoformat(day))


def test_alternatives_equal_carerules_on_a_synthetic_population() -> None:
    params = synthetic.Parameters.practice(residents=150)
    frames = synthetic.generate(params, seed=7)
    population = carerules.population_from_frames(**frames)
    assert population.counts["total"]["rejected"] == 0
    alternatives = Alternatives(frames)
    try:
        for as_of in (params.end, params.start, params.start + datetime.timedelta(days=100)):
            alternatives.assert_agree(population, as_of)
    finally:
        alternatives.close()


def test_the_demo_has_every_status_the_rules_can_give(demo_population: carerules.Population) -> None:
    # So that agreement on the demo means agreement on each kind of row, not on a few easy ones.
    tasks, payments = common.reference(carerules.Evaluator(demo_population, [common.SCHEME]).evaluate("2025-06-30"))
    assert {"done", "late", "open", "overdue", "missed", "cancelled"} <= set(tasks.status)
    assert set(tasks.obligation) == set(common.OBLIGATIONS)
    assert {"new", "existing", "temporary"} <= set(payments.kind)
    assert {"payable", "pending", "withheld"} <= set(payments.status)


def test_a_difference_is_caught(demo_population: carerules.Population) -> None:
    as_of = datetime.date(2025, 6, 30)
    tasks, payments = common.reference(carerules.Evaluator(demo_population, [common.SCHEME]).evaluate(as_of))
    changed = tasks.copy()
    changed.loc[0, "status"] = "done" if changed.loc[0, "status"] != "done" else "late"
    with pytest.raises(common.Mismatch, match="1 only in carerules, 1 only in the alternative"):
        common.compare("tasks", tasks, changed)
    with pytest.raises(common.Mismatch, match="only in carerules"):
        common.compare("payments", payments, payments.iloc[1:].reset_index(drop=True))


def test_rules_scheme_gives_the_full_schemes_rows(demo_population: carerules.Population) -> None:
    # The benchmark times carerules on the four rules alone; their rows are those of the shipped scheme.
    for day in ("2024-02-29", "2026-11-01"):
        full = common.reference(carerules.Evaluator(demo_population, [common.SCHEME]).evaluate(day))
        four = common.reference(carerules.Evaluator(demo_population, [common.rules_scheme()]).evaluate(day))
        common.compare(f"tasks on {day}", full[0], four[0])
        common.compare(f"payment lines on {day}", full[1], four[1])


def test_the_alternatives_facts_are_the_shipped_schemes() -> None:
    shipped = carerules.scheme(common.SCHEME)
    assert shipped.start == common.SCHEME_START
    assert [(v["version"], v["effective"], v["tariff_pence"]) for v in shipped.versions] == [
        (t.version, t.effective, t.pence) for t in common.TARIFFS]
    doc = json.loads(shipped.text)
    obligations = {o["id"]: o for o in doc["obligations"]}
    assert obligations["entry-assessment"]["due"] == f"{common.ENTRY_DAYS} days"
    assert obligations["care-plan"]["due"] == f"{common.CARE_PLAN_MONTHS} months"
    assert obligations["medication-review-6-monthly"]["every"] == f"{common.MEDICATION_REVIEW_MONTHS} months"
    assert obligations["medication-review-6-monthly"]["requires"] == [
        {"any_of": ["medication_review"], "performers": ["gp", "pharmacist"]}]
    components = [sorted(r["any_of"]) for r in obligations["entry-assessment"]["requires"]]
    assert components == [sorted(a for a, i in common.ENTRY_COMPONENTS.items() if i == n) for n in range(5)]
    assert set(doc["performer_groups"]["qualified_nurse"]["nurse_qualifications"]) == common.QUALIFIED_NURSE
    assert doc["month_end"] == "clamp"


# --- random small populations -------------------------------------------------------------------------------

BASE = datetime.date(2014, 11, 30)  # month ends and the scheme's start (2015-04-01) fall in the range
CLINICIANS = [
    {"id": "G1", "practice": "P1", "role": "gp", "qualifications": []},
    {"id": "N1", "practice": "P1", "role": "nurse", "qualifications": ["primary-health-care-diploma"]},
    {"id": "N2", "practice": "P2", "role": "nurse", "qualifications": ["district-nurse-pgdip"]},
    {"id": "N3", "practice": "P1", "role": "nurse", "qualifications": []},
    {"id": "F1", "practice": "P2", "role": "pharmacist", "qualifications": []},
    {"id": "O1", "practice": "P1", "role": "other", "qualifications": []},
]
HOMES = [("H1", "P1"), ("H2", "P2"), ("H3", None), ("H4", "P1")]
ACTIVITIES = [*common.RULE_ACTIVITIES, "dementia_assessment", "gp_review", "care_plan_printed"]
CODES = {act: code for code, act in sorted(common.load_code_map().items(), reverse=True)}  # one code an activity


def day(offset: int) -> str:
    return (BASE + datetime.timedelta(days=offset)).isoformat()


@st.composite
def populations(draw: Any) -> tuple[dict[str, Any], datetime.date]:
    residents, stays, events = [], [], []
    for r in range(draw(st.integers(1, 4))):
        rid = f"R{r}"
        residents.append({"id": rid, "born": "1930-01-01", "practice": draw(st.sampled_from(["P1", "P2"])),
                          "declined_aligned_practice": False})
        cursor = draw(st.integers(0, 500))
        n_stays = draw(st.integers(0, 3))
        for s in range(n_stays):
            # The next stay starts on the previous end, the day after (both contiguous) or later.
            cursor += draw(st.sampled_from([0, 1, 2, 30]))
            length = draw(st.sampled_from([0, 1, 13, 14, 15, 40, 91, 92, 200, 400]))
            open_ended = s == n_stays - 1 and draw(st.booleans())
            stays.append({"id": f"S{r}_{s}", "resident": rid, "home": draw(st.sampled_from([h for h, _ in HOMES])),
                          "start": day(cursor), "end": None if open_ended else day(cursor + length),
                          "residency": draw(st.sampled_from(["permanent", "temporary"])),
                          "end_reason": None if open_ended else draw(st.sampled_from(["death", "discharge", "transfer"]))})
            cursor += length
        for e in range(draw(st.integers(0, 25))):
            activity = draw(st.sampled_from(ACTIVITIES))
            event: dict[str, Any] = {"id": f"E{r}_{e}", "date": day(draw(st.integers(0, cursor + 250))), "resident": rid,
                                     "performer": draw(st.sampled_from([None, "G1", "N1", "N2", "N3", "F1", "O1"]))}
            if activity in CODES and draw(st.booleans()):
                event["code"] = CODES[activity]
            else:
                event["activity"] = activity
            events.append(event)
    doc = {
        "format": "carerules.population/1",
        "practices": [{"id": "P1", "name": "Park", "list_size": 9000}, {"id": "P2", "name": "River", "list_size": 8000}],
        "clinicians": CLINICIANS,
        "homes": [{"id": h, "name": h, "kind": "nursing", "beds": 30, "practice": p, "lead_gp": "G1" if p == "P1" else None}
                  for h, p in HOMES],
        "residents": residents, "stays": stays, "admissions": [], "events": events,
    }
    # As-of dates near the edges: stay starts and ends, a day either side, and anywhere in the range.
    edges = [datetime.date.fromisoformat(s[k]) for s in stays for k in ("start", "end") if s[k]]
    near = st.sampled_from(edges).flatmap(lambda d: st.sampled_from([d - datetime.timedelta(1), d, d + datetime.timedelta(1),
                                                                     d + datetime.timedelta(14), d + datetime.timedelta(15)]))
    anywhere = st.integers(-60, 1500).map(lambda o: BASE + datetime.timedelta(days=o))
    as_of = draw(st.one_of(near, anywhere) if edges else anywhere)
    return doc, as_of


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(populations())
def test_alternatives_equal_carerules_on_random_populations(example: tuple[dict[str, Any], datetime.date]) -> None:
    doc, as_of = example
    frames = carerules.frames_from_json(doc)
    population = carerules.population_from_frames(**frames)
    assert population.counts["total"]["rejected"] == 0, population.findings
    alternatives = Alternatives(frames)
    try:
        alternatives.assert_agree(population, as_of)
    finally:
        alternatives.close()
