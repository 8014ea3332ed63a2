"""Reports: the clinic list, the manager meeting pack and the quarterly activity report, in every output format,
from Python and from the command line; cross-checked against the evaluation's own tasks and payment lines."""

from __future__ import annotations

import csv
import datetime
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import carerules
from carerules import reports
from carerules.reports import Quarter


def population_dict() -> dict[str, Any]:
    """Practices P1 and P2; homes H1 and H2 (P1, the first with a name to escape) and H3 (P2).

    R1 permanent in H1 from 2025-01-10, care plan on 2025-01-20, an emergency admission in May reviewed on
    time; R2 permanent in H1 from 2025-06-20, in hospital from 2025-06-25; R3 permanent in H1 from 2025-04-05,
    assessed on 2025-04-10, died on 2025-06-10 with a preferred place recorded;
    R4 temporary in H1 in February 2025; R5 of P2 in H3. Manager meetings at H1 on 2025-03-01 and 2025-05-01.
    """
    def ev(i: int, day: str, activity: str, resident: str | None = None, home: str | None = None) -> dict[str, Any]:
        e: dict[str, Any] = {"id": f"E{i}", "date": day, "activity": activity, "performer": "C1"}
        if resident:
            e["resident"] = resident
        if home:
            e["home"] = home
        return e

    entry = ["holistic_assessment", "mca_assessment", "medication_review", "falls_assessment", "care_planning"]
    events = [ev(1, "2025-01-20", "care_plan", "R1"), ev(2, "2025-03-01", "manager_meeting", home="H1"),
              ev(3, "2025-05-01", "manager_meeting", home="H1"), ev(4, "2025-05-20", "admission_review", "R1"),
              ev(5, "2025-06-01", "ooh_contact", "R1"), ev(6, "2025-06-22", "significant_event", "R2"),
              ev(7, "2025-04-12", "preferred_place_of_death", "R3"), ev(8, "2025-04-20", "ooh_contact", "R1")]
    events += [ev(10 + i, "2025-04-10", a, "R3") for i, a in enumerate(entry)]
    return {
        "format": "carerules.population/1",
        "practices": [{"id": "P1", "name": "Park Surgery", "list_size": 9500},
                      {"id": "P2", "name": "Hill Surgery", "list_size": 8000}],
        "clinicians": [{"id": "C1", "practice": "P1", "role": "gp", "qualifications": []},
                       {"id": "C2", "practice": "P2", "role": "gp", "qualifications": []}],
        "homes": [{"id": "H1", "name": "Oak <Lodge> & Co", "kind": "nursing", "beds": 42, "practice": "P1", "lead_gp": "C1"},
                  {"id": "H2", "name": "Elm House", "kind": "residential", "beds": 20, "practice": "P1", "lead_gp": "C1"},
                  {"id": "H3", "name": "Ash Court", "kind": "nursing", "beds": 30, "practice": "P2", "lead_gp": "C2"}],
        "residents": [{"id": r, "born": "1935-03-15", "practice": p} for r, p in
                      [("R1", "P1"), ("R2", "P1"), ("R3", "P1"), ("R4", "P1"), ("R5", "P2")]],
        "stays": [
            {"id": "S1", "resident": "R1", "home": "H1", "start": "2025-01-10", "end": None, "residency": "permanent"},
            {"id": "S2", "resident": "R2", "home": "H1", "start": "2025-06-20", "end": None, "residency": "permanent"},
            {"id": "S3", "resident": "R3", "home": "H1", "start": "2025-04-05", "end": "2025-06-10", "residency": "permanent",
             "end_reason": "death"},
            {"id": "S4", "resident": "R4", "home": "H1", "start": "2025-02-01", "end": "2025-02-28", "residency": "temporary",
             "end_reason": "discharge"},
            {"id": "S5", "resident": "R5", "home": "H3", "start": "2025-05-01", "end": None, "residency": "permanent"},
        ],
        "admissions": [{"id": "A1", "resident": "R1", "start": "2025-05-10", "end": "2025-05-15", "method": "emergency"},
                       {"id": "A2", "resident": "R2", "start": "2025-06-25", "end": None, "method": "emergency"}],
        "events": events,
    }


@pytest.fixture
def population_file(tmp_path: Path) -> Path:
    path = tmp_path / "population.json"
    path.write_text(json.dumps(population_dict()), encoding="utf-8")
    return path


@pytest.fixture
def r(population_file: Path) -> reports.Reports:
    return reports.Reports(population_file, ["care-homes-es"], as_of="2025-06-30")


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


# ------------------------------------------------------------------------------------------------------------
# Quarters, percentages and rates


def test_quarters_parse_and_name_financial_year_quarters() -> None:
    for text in ("2025-26 Q1", "2025-26Q1", "2025-26-Q1", "2025-26/q1"):
        assert Quarter.parse(text) == Quarter(2025, 1)
    q4 = Quarter.parse("2025-26 Q4")
    assert (q4.first_day, q4.last_day) == (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    assert Quarter(2024, 4).last_day == datetime.date(2025, 3, 31)
    assert Quarter.of(datetime.date(2026, 3, 31)) == Quarter(2025, 4)
    assert Quarter.of(datetime.date(2026, 4, 1)) == Quarter(2026, 1)
    assert Quarter(2025, 4).next() == Quarter(2026, 1) and Quarter(2026, 1).previous() == Quarter(2025, 4)
    assert reports.last_ended_quarter(datetime.date(2026, 11, 1)) == Quarter(2026, 2)
    assert reports.last_ended_quarter(datetime.date(2026, 9, 30)) == Quarter(2026, 2)
    for bad in ("2025-27 Q1", "2025 Q1", "2025-26 Q5"):
        with pytest.raises(ValueError):
            Quarter.parse(bad)


def test_the_facade_gives_the_libraries_quarters_calendar_and_due_dates() -> None:
    from carerules import _api

    assert _api.quarter_of("2026-02-01") == (2025, 4) and _api.quarter_of(datetime.date(2025, 4, 1)) == (2025, 1)
    assert _api.quarter_bounds(2025, 3) == (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
    assert (_api.quarter_label(2025, 3), _api.financial_year_label(1999)) == ("2025-26 Q3", "1999-00")
    assert (_api.parse_financial_year("2025-26"), _api.parse_financial_year("2025-27")) == (2025, None)
    with pytest.raises(carerules.ArgumentError, match="quarter number"):
        _api.quarter_bounds(2025, 5)
    # 2025-12-26 is Boxing Day, 2025-12-27 a Saturday, 2025-12-29 a Monday.
    assert [carerules.is_working_day(f"2025-12-{day}") for day in (24, 26, 27, 29)] == [True, False, False, True]
    care_homes = carerules.scheme("care-homes-es")
    assert care_homes.interval("care-plan") == (3, "months") and care_homes.interval("admission-review") == (14, "days")
    assert care_homes.due_after("care-plan", "2024-11-30") == datetime.date(2025, 2, 28)  # clamped to the month's end
    with pytest.raises(carerules.ArgumentError, match="no obligation"):
        care_homes.due_after("care-plan-3-monthly", "2024-11-30")


def test_percentages_and_rates_are_worked_out_from_integer_counts() -> None:
    assert reports.rounded_percent(1, 8) == 13  # 12.5 rounds half up
    assert reports.rounded_percent(2, 3) == 67
    assert reports.rounded_percent(0, 0) is None
    # 5 admissions in 1,512 resident-days: 5 x 365.25 / 1512 = 1.2078 per resident-year.
    assert reports.per_resident_year_hundredths(5, 1512) == 121
    assert reports.per_resident_year_hundredths(1, 0) is None


# ------------------------------------------------------------------------------------------------------------
# Clinic list


def test_clinic_list_rows_are_most_urgent_first(r: reports.Reports) -> None:
    c = r.clinic_list("H1", visit_date="2025-06-30", days=14)
    assert c.home_name == "Oak <Lodge> & Co" and c.practice == "P1" and c.residents_in_home == 2
    rows = c.rows
    assert list(rows.columns) == reports.CLINIC_COLUMNS
    assert list(dict.fromkeys(rows.resident)) == ["R1", "R2"]  # R1 is the longest overdue
    assert rows["rank"].tolist() == sorted(rows["rank"].tolist())
    r1 = rows[rows.resident == "R1"]
    assert r1.obligation.tolist()[:3] == ["entry-assessment", "care-plan-printed", "seen-2-monthly"]
    assert r1.due.is_monotonic_increasing
    first = r1.iloc[0]
    assert first.status == "overdue" and first.days_overdue == 157 and first.due == pd.Timestamp("2025-01-24")
    assert first.missing == ["holistic_assessment", "mca_assessment", "medication_review", "falls_assessment"]
    assert str(rows.due.dtype).startswith("datetime64")
    # Nothing listed is due after the visit + 14 days.
    assert (rows.due <= pd.Timestamp("2025-07-14")).all()
    assert set(c.home_items.obligation) == {"clinic-fortnightly", "manager-meeting-2-monthly"}


def test_clinic_list_csv_json_and_html(r: reports.Reports, tmp_path: Path) -> None:
    c = r.clinic_list("H1", visit_date="2025-06-30")
    rows = read_csv(c.to_csv())
    assert list(rows[0]) == reports.CLINIC_COLUMNS
    assert rows[0]["resident"] == "R1" and rows[0]["due"] == "2025-01-24" and rows[0]["born"] == "1935-03-15"
    assert rows[0]["missing"] == "holistic_assessment;mca_assessment;medication_review;falls_assessment"
    assert len(rows) == len(c.rows)

    doc = json.loads(c.to_json())
    assert doc["format"] == "carerules.clinic-list/1"
    assert doc["visit_date"] == "2025-06-30" and doc["as_of"] == "2025-06-30"
    assert [x["resident"] for x in doc["residents"]] == ["R1", "R2"]
    assert doc["residents"][0]["items"][0]["due"] == "2025-01-24"

    html = c.to_html()
    assert html.startswith("<!doctype html>")
    assert "@media print" in html and "@page" in html
    assert "Oak &lt;Lodge&gt; &amp; Co" in html and "Oak <Lodge>" not in html  # escaped
    assert html.index("1. R1") < html.index("2. R2")
    assert "157 days overdue" in html

    for name in ("list.csv", "list.json", "list.html"):
        assert c.write(tmp_path / name).read_text(encoding="utf-8")
    assert json.loads((tmp_path / "list.json").read_text(encoding="utf-8"))["home"] == "H1"
    with pytest.raises(ValueError, match="format"):
        c.write(tmp_path / "list.pdf")


def test_clinic_list_unknown_home_and_one_call_function(population_file: Path) -> None:
    c = reports.clinic_list(population_file, "H1", "2025-06-30", days=0)
    assert c.as_of == datetime.date(2025, 6, 30)
    assert (c.rows.due <= pd.Timestamp("2025-06-30")).all()
    with pytest.raises(ValueError, match="no home"):
        reports.clinic_list(population_file, "H9", "2025-06-30")


# ------------------------------------------------------------------------------------------------------------
# Manager meeting pack


def test_meeting_pack_since_the_previous_meeting(r: reports.Reports) -> None:
    p = r.meeting_pack("H1")
    assert p.previous_meeting == datetime.date(2025, 5, 1) and p.since == datetime.date(2025, 5, 1)
    assert p.admissions.admission.tolist() == ["A1", "A2"]
    a1 = p.admissions.iloc[0]
    assert bool(a1.reviewed) and a1.reviewed_on == pd.Timestamp("2025-05-20") and a1.review_status == "done"
    a2 = p.admissions.iloc[1]
    assert not bool(a2.reviewed) and pd.isna(a2.end) and a2.review_status == "upcoming"
    assert p.deaths.resident.tolist() == ["R3"]
    assert bool(p.deaths.iloc[0].preferred_place_recorded)
    assert p.deaths.iloc[0].preferred_place_recorded_on == pd.Timestamp("2025-04-12")
    assert p.ooh_contacts.event.tolist() == ["E5"]  # E8 (2025-04-20) was before the previous meeting
    assert p.significant_events.resident.tolist() == ["R2"]
    assert p.reviews.admission.tolist() == ["A1", "A2"]
    earlier = r.meeting_pack("H1", since="2025-04-01")
    assert earlier.ooh_contacts.event.tolist() == ["E8", "E5"]


def test_meeting_pack_html_and_csv(r: reports.Reports, tmp_path: Path) -> None:
    p = r.meeting_pack("H1")
    html = p.to_html()
    for heading in ("Unplanned (emergency) admissions", "Deaths", "Out-of-hours contacts", "Significant events",
                    "Admission reviews to discuss"):
        assert heading in html
    assert "still in hospital" in html and "recorded 12 Apr 2025" in html
    paths = p.write_csv(tmp_path / "pack")
    assert sorted(x.name for x in paths) == sorted(f"{s}.csv" for s in reports.MEETING_SECTIONS)
    admissions = read_csv((tmp_path / "pack" / "admissions.csv").read_text(encoding="utf-8"))
    assert admissions[0]["admission"] == "A1" and admissions[0]["reviewed_on"] == "2025-05-20"
    assert admissions[1]["end"] == ""
    empty = r.meeting_pack("H2")
    assert empty.admissions.empty and "No emergency admission" in empty.to_html()
    assert read_csv(_csv_of(empty.admissions)) == []


def _csv_of(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False)


# ------------------------------------------------------------------------------------------------------------
# Quarterly activity report


def test_quarterly_report_figures(r: reports.Reports) -> None:
    q = r.quarterly("2025-26 Q1")
    assert q.practice is None and q.columns == ["P1", "P2", "all"]
    reg = q.register.set_index("practice")
    assert reg.loc["P1", "residents"] == 3  # R1, R2 and R3 (R4 left in February)
    assert (reg.loc["P1", "permanent"], reg.loc["P1", "temporary"]) == (2, 0)  # R1 and R2 on 2025-06-30
    assert reg.loc["P1", "deaths"] == 1 and reg.loc["P1", "new_entries"] == 2 and reg.loc["P1", "leavers"] == 0
    assert reg.loc["P1", "resident_days"] == 91 + 11 + 67
    assert reg.loc["P1", "emergency_admissions"] == 2 and reg.loc["P2", "emergency_admissions"] == 0
    assert reg.loc["all", "residents"] == 4 and reg.loc["all", "resident_days"] == 91 + 11 + 67 + 61
    assert reg.loc["P1", "admissions_per_resident_year"] == pytest.approx(4.32)  # 2 x 365.25 / 169
    comp = q.completion.set_index(["practice", "obligation"])
    entry = comp.loc[("P1", "entry-assessment")]
    assert (entry.due, entry.on_time) == (1, 1)  # R3's, done on 2025-04-10
    assert entry.on_time_percent == 100
    assert pd.isna(comp.loc[("P1", "mca-training-3-yearly")].on_time_percent)
    for col in ("due", "on_time", "late", "overdue", "missed"):
        assert q.completion[col].dtype == "int64"
    pay = q.payments
    p1_new = pay[(pay.practice == "P1") & (pay.kind == "new")].set_index("status")
    assert p1_new.loc["payable", "amount_pence"] == 10353  # R3's (entry assessment on time)
    assert p1_new.loc["pending", "amount_pence"] == 10353  # R2's (entry assessment not yet due)
    assert pay[pay.practice == "all"].amount_pence.sum() == pay[pay.practice != "all"].amount_pence.sum()


def test_quarterly_report_for_one_practice_csv_and_html(r: reports.Reports, tmp_path: Path) -> None:
    q = r.quarterly("2025-26 Q1", practice="P1")
    assert q.columns == ["P1"] and set(q.register.practice) == {"P1"}
    paths = q.write_csv(tmp_path / "q")
    assert [p.name for p in paths] == ["register.csv", "completion.csv", "payments.csv"]
    reg = read_csv(paths[0].read_text(encoding="utf-8"))
    assert reg[0]["last_day"] == "2025-06-30" and reg[0]["resident_days"] == "169"
    html = q.to_html()
    assert "Quarterly activity report: Park Surgery" in html and "1 of 1" in html and "(100%)" in html
    across = r.quarterly(first="2024-25 Q4", last="2025-26 Q1").to_html()
    assert "2024-25 Q4" in across and "All practices" in across and "Hill Surgery" in across
    with pytest.raises(ValueError, match="no practice"):
        r.quarterly("2025-26 Q1", practice="P9")


def test_quarterly_figures_agree_with_the_evaluation(demo_population: carerules.Population) -> None:
    """Completion counts and payment totals equal what the tasks and payment lines of the same evaluation say."""
    as_of = datetime.date(2026, 11, 1)
    schemes = ["care-homes-es", "case-management-les"]
    r = reports.Reports(demo_population, schemes, as_of)
    q = r.quarterly(first="2025-26 Q1", last="2026-27 Q3")
    result = carerules.evaluate(demo_population, schemes, as_of)
    tasks = result.tasks[result.tasks.due.notna() & (result.tasks.due <= pd.Timestamp(as_of))].copy()
    tasks["q"] = [Quarter.of(d.date()) for d in tasks.due]
    decided = tasks[tasks.status.isin(["done", "late", "overdue", "missed"])]
    for quarter in q.quarters():
        in_q = decided[decided.q == quarter]
        for practice in ("P1", "P2"):
            mine = q.completion[(q.completion.practice == practice) & (q.completion.financial_year == quarter.financial_year)
                                & (q.completion.quarter == quarter.number)]
            theirs = in_q[in_q.practice == practice]
            assert int(mine.due.sum()) == len(theirs)
            assert int(mine.on_time.sum()) == int((theirs.status == "done").sum())
        pay = result.payments
        lines = pay[(pay.financial_year == quarter.financial_year) & (pay.quarter == quarter.number)]
        figures = q.payments[(q.payments.practice == "all") & (q.payments.financial_year == quarter.financial_year)
                             & (q.payments.quarter == quarter.number)]
        assert int(figures.lines.sum()) == len(lines)
        assert int(figures.amount_pence.sum()) == int(lines.amount_pence.fillna(0).sum())


def test_payment_totals_are_the_sums_of_their_lines(demo_population: carerules.Population) -> None:
    from carerules._reports import payment_totals

    result = carerules.evaluate(demo_population, ["case-management-les", "care-homes-es"], "2026-11-01")
    totals = payment_totals(result)
    pay = result.payments
    assert len(totals) >= 8 and {"Q1", "Q2", "Q3", "Q4", "year"} <= set(totals.quarter)
    # Schemes in the order evaluated; within each, a year's quarters and then the year.
    assert list(dict.fromkeys(totals.scheme)) == [s for s, _ in result.schemes]
    seen_lines = 0
    for r in totals.to_dict("records"):
        mine = pay[(pay.scheme == r["scheme"]) & (pay.financial_year == r["financial_year"])
                   & (pay.practice.isna() if r["practice"] is None else pay.practice == r["practice"])]
        if r["quarter"] != "year":
            mine = mine[mine.quarter == int(r["quarter"][1])]
            seen_lines += len(mine)
        assert r["lines"] == len(mine), r
        for status in ("payable", "pending", "withheld"):
            assert r[f"{status}_pence"] == int(mine.amount_pence[mine.status == status].fillna(0).sum()), (r, status)
        assert r["unpriced_lines"] == int((mine.amount_pence.isna() | (mine.status == "unpriced")).sum()), r
    assert seen_lines == len(pay) > 0  # every line is in exactly one quarter row


# ------------------------------------------------------------------------------------------------------------
# Command line


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "carerules", "report", *args], capture_output=True, text=True,
                          check=False, cwd=cwd)


def test_cli_clinic_list_in_each_format(population_file: Path, tmp_path: Path) -> None:
    base = ["clinic-list", "-p", str(population_file), "--home", "H1", "--visit-date", "2025-06-30"]
    out = run(*base)
    assert out.returncode == 0, out.stderr
    assert read_csv(out.stdout)[0]["obligation"] == "entry-assessment"
    out = run(*base, "--format", "json", "--days", "0")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["days"] == 0
    out = run(*base, "--out", str(tmp_path / "c.html"))
    assert out.returncode == 0, out.stderr
    assert "Clinic list" in (tmp_path / "c.html").read_text(encoding="utf-8")


def test_cli_meeting_pack_quarterly_and_dashboard(population_file: Path, tmp_path: Path) -> None:
    p = ["-p", str(population_file)]
    out = run("meeting-pack", *p, "--home", "H1", "--as-of", "2025-06-30")
    assert out.returncode == 0, out.stderr
    assert "Meeting with the home manager" in out.stdout
    out = run("meeting-pack", *p, "--home", "H1", "--as-of", "2025-06-30", "--format", "csv", "--out", str(tmp_path / "m"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "m" / "admissions.csv").exists()
    out = run("meeting-pack", *p, "--practice", "P1", "--as-of", "2025-06-30", "--out", str(tmp_path / "packs"))
    assert out.returncode == 0, out.stderr
    assert sorted(x.name for x in (tmp_path / "packs").iterdir()) == ["meeting-pack-H1.html", "meeting-pack-H2.html"]
    out = run("quarterly", *p, "--as-of", "2025-06-30", "--quarter", "2025-26Q1", "--practice", "P1", "--out", str(tmp_path / "q.html"))
    assert out.returncode == 0, out.stderr
    assert "Park Surgery" in (tmp_path / "q.html").read_text(encoding="utf-8")
    out = run("quarterly", *p, "--as-of", "2025-07-01", "--format", "csv", "--out", str(tmp_path / "q"))
    assert out.returncode == 0, out.stderr
    assert read_csv((tmp_path / "q" / "register.csv").read_text(encoding="utf-8"))[0]["quarter"] == "1"
    out = run("dashboard", *p, "--as-of", "2025-06-30", "--practice", "P1", "--out", str(tmp_path / "d"))
    assert out.returncode == 0, out.stderr
    assert [x.name for x in (tmp_path / "d").iterdir()] == ["dashboard-P1.html"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["clinic-list", "-p", "{pop}", "--home", "H9", "--visit-date", "2025-06-30"], "no home"),
        (["clinic-list", "-p", "{pop}", "--home", "H1", "--visit-date", "2025-06-31"], "YYYY-MM-DD"),
        (["clinic-list", "-p", "{pop}", "--home", "H1", "--visit-date", "2025-06-30", "--days", "-1"], "--days"),
        (["clinic-list", "-p", "missing.json", "--home", "H1", "--visit-date", "2025-06-30"], "not found"),
        (["meeting-pack", "-p", "{pop}", "--home", "H1", "--as-of", "2025-06-30", "--format", "csv"], "--out"),
        (["meeting-pack", "-p", "{pop}", "--practice", "P9", "--as-of", "2025-06-30", "--out", "x"], "no practice"),
        (["quarterly", "-p", "{pop}", "--as-of", "2025-06-30", "--quarter", "2025 Q1"], "2025-26 Q1"),
        (["quarterly", "-p", "{pop}", "--as-of", "2025-06-30", "--practice", "P9"], "no practice"),
        (["quarterly", "-p", "{pop}", "--as-of", "2025-06-30", "--format", "csv"], "--out"),
        (["dashboard", "-p", "{pop}", "--as-of", "2025-06-30", "--practice", "P9", "--out", "d"], "no practice"),
        (["clinic-list", "-p", "{pop}", "-s", "nope", "--home", "H1", "--visit-date", "2025-06-30"], "unknown scheme"),
    ],
)
def test_cli_bad_arguments_fail_with_a_clear_message(population_file: Path, tmp_path: Path, args: list[str], message: str) -> None:
    out = run(*[a.replace("{pop}", str(population_file)) for a in args], cwd=tmp_path)
    assert out.returncode != 0
    assert message in out.stderr


def test_cli_help_lists_the_four_reports() -> None:
    out = run("--help")
    assert out.returncode == 0
    for name in ("clinic-list", "meeting-pack", "quarterly", "dashboard"):
        assert name in out.stdout
