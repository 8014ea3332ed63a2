"""The case management cohort summary in Python and on the command line: seed 004's "912 of 1,500 care home
patients have a case management plan (61%)" from a population built to match it, totals over practices, the
as-of date, and the command's formats."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import carerules
from carerules.cli import cli

AS_OF = datetime.date(2015, 2, 28)


def seed_population(tmp_path: Path) -> Path:
    """Practice P1 (list 30,000): 1,500 care home patients of whom 912 are in the cohort with a care plan,
    plus 40 risk-tool and 10 clinical-judgement members at home (5 of them with a care plan), and one patient
    who joins the cohort the day after the as-of date. Practice P2 (no list size): 3 care home patients, one in
    the cohort with a care plan."""
    residents, stays, events = [], [], []

    def resident(rid: str, practice: str, reason: str | None = None, joined: str = "2014-04-01") -> None:
        r: dict[str, object] = {"id": rid, "born": "1930-01-01", "practice": practice}
        if reason:
            r["cohort"] = {"reason": reason, "from": joined}
        residents.append(r)

    def care_home(rid: str, home: str) -> None:
        stays.append({"id": f"S-{rid}", "resident": rid, "home": home, "start": "2014-01-10", "residency": "permanent"})

    def care_plan(rid: str, date: str = "2014-06-01") -> None:
        events.append({"id": f"E-{rid}", "date": date, "resident": rid, "activity": "care_plan"})

    for i in range(1500):
        rid = f"R{i:04d}"
        resident(rid, "P1", "care_home" if i < 912 else None)
        care_home(rid, "H1")
        if i < 912:
            care_plan(rid)
    for i in range(50):
        rid = f"Q{i:03d}"
        resident(rid, "P1", "risk_tool" if i < 40 else "clinical_judgement")
        if i < 5:
            care_plan(rid)
    resident("LATE", "P1", "risk_tool", joined="2015-03-01")
    care_plan("LATE", "2015-03-02")
    for i in range(3):
        rid = f"T{i}"
        resident(rid, "P2", "care_home" if i == 0 else None)
        care_home(rid, "H2")
    care_plan("T0")
    doc = {
        "format": "carerules.population/1",
        "practices": [{"id": "P1", "name": "Park Surgery", "list_size": 30000}, {"id": "P2", "name": "Hill Surgery"}],
        "homes": [{"id": "H1", "name": "Oak Lodge", "kind": "residential", "beds": 1600, "practice": "P1"},
                  {"id": "H2", "name": "Elm House", "kind": "nursing", "beds": 10, "practice": "P2"}],
        "residents": residents, "stays": stays, "events": events,
    }
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture()
def population(tmp_path: Path) -> carerules.Population:
    pop = carerules.load_population(seed_population(tmp_path))
    assert pop.counts["total"]["rejected"] == 0, pop.findings
    return pop


def test_the_seed_figures_per_practice(population: carerules.Population) -> None:
    frame = carerules.cohort_summary(population, AS_OF)
    p1 = frame.set_index("practice").loc["P1"]
    assert p1.practice_name == "Park Surgery"
    assert p1.list_size == 30000
    assert p1.cohort == 912 + 50                       # LATE joins after the as-of date
    assert (p1.members_care_home, p1.members_risk_tool, p1.members_clinical_judgement) == (912, 40, 10)
    assert p1.intended_cohort == 1500                  # 5% of 30,000
    assert p1.care_home_patients == 1500
    assert p1.care_home_patients_in_cohort == 912
    assert p1.care_home_patients_with_care_plan == 912
    assert p1.care_plans_of_care_home_patients_percent == 61
    assert p1.care_plans_of_care_home_patients_basis_points == 6080
    assert p1.members_with_care_plan == 917
    assert p1.cohort_share_basis_points == 321         # 962 / 30,000 = 3.2067%
    assert p1.cohort_share_percent == 3
    assert p1.clinical_judgement_share_basis_points == 3  # 10 / 30,000 = 0.033%
    assert p1.care_plans_of_intended_cohort_percent == 61  # 917 / 1,500 = 61.1%


def test_a_practice_without_a_list_size_has_no_shares_of_it(population: carerules.Population) -> None:
    p2 = carerules.cohort_summary(population, AS_OF).set_index("practice").loc["P2"]
    assert pd.isna(p2.list_size) and pd.isna(p2.intended_cohort) and pd.isna(p2.cohort_share_percent)
    assert (p2.cohort, p2.care_home_patients, p2.care_home_patients_with_care_plan) == (1, 3, 1)
    assert p2.care_plans_of_care_home_patients_percent == 33


def test_the_last_row_adds_up_the_practices(population: carerules.Population) -> None:
    frame = carerules.cohort_summary(population, AS_OF)
    assert list(frame.practice) == ["P1", "P2", ""]
    total, practices = frame.iloc[-1], frame.iloc[:-1]
    for column in ("cohort", "care_home_patients", "care_home_patients_with_care_plan", "members_with_care_plan",
                   "members_risk_tool"):
        assert total[column] == practices[column].sum()
    assert total.list_size == 30000                    # only the practices that give one
    assert total.care_plans_of_care_home_patients_basis_points == 6075  # 913 / 1,503


def test_the_summary_sees_the_population_as_it_stood_on_the_day(population: carerules.Population) -> None:
    before = carerules.cohort_summary(population, "2014-03-31").set_index("practice").loc["P1"]
    assert (before.cohort, before.care_home_patients, before.members_with_care_plan) == (0, 1500, 0)
    after = carerules.cohort_summary(population, "2015-03-02").set_index("practice").loc["P1"]
    assert (after.cohort, after.members_risk_tool, after.members_with_care_plan) == (963, 41, 918)


def test_columns_and_types_analysts_rely_on(population: carerules.Population) -> None:
    frame = carerules.cohort_summary(population, AS_OF)
    assert frame.as_of.tolist() == [AS_OF] * 3
    assert str(frame.list_size.dtype) == "Int64" and str(frame.cohort.dtype) == "int64"
    assert str(frame.care_plans_of_cohort_percent.dtype) == "Int64"


def test_the_command_prints_the_seed_sentence(tmp_path: Path) -> None:
    path = seed_population(tmp_path)
    run = CliRunner().invoke(cli, ["cohort", "-p", str(path), "--as-of", AS_OF.isoformat()])
    assert run.exit_code == 0, run.output
    assert "Case management cohort on 2015-02-28 (case-management-les)" in run.output
    assert "912 of 1,500 care home patients have a care plan (61%)" in run.output
    assert "All practices" in run.output
    assert "list size not given" in run.output


def test_the_command_writes_json_and_csv(tmp_path: Path) -> None:
    path = seed_population(tmp_path)
    as_json = CliRunner().invoke(cli, ["cohort", "-p", str(path), "--as-of", "2015-02-28", "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    doc = json.loads(as_json.output)
    assert doc["as_of"] == "2015-02-28" and doc["scheme"] == "case-management-les"
    assert [p["practice"] for p in doc["practices"]] == ["P1", "P2", ""]
    assert doc["practices"][0]["care_home_patients_with_care_plan"] == 912
    assert doc["practices"][1]["list_size"] is None
    out = tmp_path / "cohort.csv"
    as_csv = CliRunner().invoke(cli, ["cohort", "-p", str(path), "--as-of", "2015-02-28", "--format", "csv", "-o", str(out)])
    assert as_csv.exit_code == 0, as_csv.output
    table = pd.read_csv(out, keep_default_na=False)
    assert table.care_plans_of_care_home_patients_basis_points.tolist()[:2] == [6080, 3333]


def test_the_command_refuses_bad_arguments(tmp_path: Path) -> None:
    path = seed_population(tmp_path)
    bad_date = CliRunner().invoke(cli, ["cohort", "-p", str(path), "--as-of", "2015-02-30"])
    assert bad_date.exit_code != 0 and "2015-02-30" in bad_date.output
    missing = CliRunner().invoke(cli, ["cohort", "-p", str(tmp_path / "nope.json"), "--as-of", "2015-02-28"])
    assert missing.exit_code != 0 and "not found" in missing.output
    bad_scheme = CliRunner().invoke(cli, ["cohort", "-p", str(path), "--as-of", "2015-02-28", "-s", "no-such-scheme"])
    assert bad_scheme.exit_code != 0 and "no-such-scheme" in bad_scheme.output
