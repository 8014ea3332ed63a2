"""The bundled demo population: well formed, consistent, as documented in docs/demo.md, and exactly what
tools/make_demo_population.py writes (the generator reads the schemes' intervals and the bank holidays
through carerules)."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "python" / "carerules" / "data" / "demo_population.json"
GENERATOR = ROOT / "tools" / "make_demo_population.py"
LAST_DAY = date(2026, 10, 31)

COLLECTIONS = ("practices", "homes", "clinicians", "residents", "stays", "admissions", "events")
ROLES = {"gp", "nurse", "pharmacist", "other"}
QUALIFICATIONS = {"gpn-specialist-practitioner", "primary-health-care-diploma",
                  "cardiovascular-respiratory-diploma", "district-nurse-pgdip"}
RESIDENT_ACTIVITIES = {
    "holistic_assessment", "mca_assessment", "medication_review", "falls_assessment", "dementia_assessment",
    "care_planning", "care_plan", "gp_review", "clinic_review", "admin_review", "preferred_place_of_death",
    "admission_review", "care_plan_printed", "ooh_contact", "significant_event", "case_management_review",
    "health_review",
}
HOME_ACTIVITIES = {"clinic_visit", "manager_meeting"}
CLINICIAN_ACTIVITIES = {"safeguarding_training", "mca_training"}
KNOWN_CODES = {"314530002", "1239511000000100", "889311000000109", "1187911000000105", "22298006"}
ID_PREFIX = {"practices": "P", "homes": "H", "clinicians": "C", "residents": "R", "stays": "S",
             "admissions": "A", "events": "E"}


@pytest.fixture(scope="module")
def text() -> str:
    return DEMO.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pop(text: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def d(s: str) -> date:
    return date.fromisoformat(s)  # raises on an impossible date


def ids(pop: dict[str, Any], collection: str) -> set[str]:
    return {r["id"] for r in pop[collection]}


def test_regenerates_identically(text: str) -> None:
    spec = importlib.util.spec_from_file_location("make_demo_population", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it runs
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    generated, _ = module.generate()
    assert generated == text, "run: python tools/make_demo_population.py"


def test_shape_and_size(text: str, pop: dict[str, Any]) -> None:
    assert pop["format"] == "carerules.population/1"
    assert pop["extract_date"] == "2026-11-01"
    for c in COLLECTIONS:
        assert isinstance(pop[c], list) and pop[c], c
    assert len(text.encode("utf-8")) < 2_000_000
    # one record a line, so that diffs stay readable
    assert text.count("\n") == sum(len(pop[c]) for c in COLLECTIONS) + 2 * len(COLLECTIONS) + 4


def test_ids_unique_and_readable(pop: dict[str, Any]) -> None:
    for c in COLLECTIONS:
        got = [r["id"] for r in pop[c]]
        assert len(got) == len(set(got)), c
        assert all(i.startswith(ID_PREFIX[c]) and i[1:].isdigit() for i in got), c


def test_references_resolve(pop: dict[str, Any]) -> None:
    practices, homes, clinicians = ids(pop, "practices"), ids(pop, "homes"), ids(pop, "clinicians")
    residents = ids(pop, "residents")
    for h in pop["homes"]:
        assert h["practice"] is None or h["practice"] in practices
        assert h["lead_gp"] is None or h["lead_gp"] in clinicians
        assert 10 <= h["beds"] <= 60
    for c in pop["clinicians"]:
        assert c["practice"] in practices and c["role"] in ROLES
        assert set(c["qualifications"]) <= QUALIFICATIONS
    for r in pop["residents"]:
        assert r["practice"] in practices
    for s in pop["stays"]:
        assert s["resident"] in residents and s["home"] in homes
        assert s["residency"] in {"permanent", "temporary"}
        assert s["end_reason"] in {"death", "discharge", "transfer", None}
        assert (s["end"] is None) == (s["end_reason"] is None)
    for a in pop["admissions"]:
        assert a["resident"] in residents and a["method"] in {"emergency", "elective"}
    for e in pop["events"]:
        subjects = [k for k in ("resident", "home", "clinician") if k in e]
        assert len(subjects) == 1, e
        assert ("activity" in e) != ("code" in e), e
        if "performer" in e:
            assert e["performer"] in clinicians, e
        kind = subjects[0]
        assert e[kind] in {"resident": residents, "home": homes, "clinician": clinicians}[kind], e
        if "activity" in e:
            allowed = {"resident": RESIDENT_ACTIVITIES, "home": HOME_ACTIVITIES,
                       "clinician": CLINICIAN_ACTIVITIES}[kind]
            assert e["activity"] in allowed, e
        else:
            assert e["code"] in KNOWN_CODES, e


def test_dates_exist_and_nothing_after_the_extract(pop: dict[str, Any]) -> None:
    for r in pop["residents"]:
        assert date(1925, 1, 1) <= d(r["born"]) <= date(1965, 12, 31)
        if r["cohort"] is not None:
            assert d(r["cohort"]["from"]) <= LAST_DAY
    for c in ("stays", "admissions"):
        for x in pop[c]:
            assert d(x["start"]) <= LAST_DAY, x
            if x["end"] is not None:
                assert d(x["start"]) <= d(x["end"]) <= LAST_DAY, x
    for e in pop["events"]:
        assert d(e["date"]) <= LAST_DAY, e


def test_stays_and_admissions_are_consistent(pop: dict[str, Any]) -> None:
    stays: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in pop["stays"]:
        stays[s["resident"]].append(s)
    for rid, ss in stays.items():
        ss.sort(key=lambda s: s["start"])
        for prev, nxt in zip(ss, ss[1:]):
            assert prev["end"] is not None and d(nxt["start"]) >= d(prev["end"]), (rid, prev, nxt)
            assert prev["end_reason"] != "death", (rid, prev)
        assert all(s["end_reason"] != "transfer" or s is not ss[-1] for s in ss)
    admissions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in pop["admissions"]:
        admissions[a["resident"]].append(a)
        start = d(a["start"])
        assert any(d(s["start"]) <= start and (s["end"] is None or start <= d(s["end"]))
                   for s in stays[a["resident"]]), a
    for rid, aa in admissions.items():
        aa.sort(key=lambda a: a["start"])
        for prev, nxt in zip(aa, aa[1:]):
            assert prev["end"] is not None and d(prev["end"]) < d(nxt["start"]), (rid, prev, nxt)


def test_resident_events_fit_the_stays(pop: dict[str, Any]) -> None:
    stays: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in pop["stays"]:
        stays[s["resident"]].append(s)
    died = {s["resident"]: d(s["end"]) for s in pop["stays"] if s["end_reason"] == "death"}
    community = {"case_management_review", "health_review"}
    for e in pop["events"]:
        rid = e.get("resident")
        if rid is None:
            continue
        when = d(e["date"])
        assert rid not in died or when <= died[rid], e
        if e.get("activity") in community:
            continue
        assert any(d(s["start"]) <= when and (s["end"] is None or when <= d(s["end"]))
                   for s in stays[rid]), e


def test_counts_and_mix(pop: dict[str, Any]) -> None:
    stays = pop["stays"]
    with_stays = {s["resident"] for s in stays}
    assert 80 <= len(with_stays) <= 100
    assert len(pop["practices"]) >= 2
    temporary = sum(1 for s in stays if s["residency"] == "temporary")
    assert 0.3 <= temporary / len(stays) <= 0.5
    reasons = Counter(s["end_reason"] for s in stays)
    assert reasons["death"] > 0 and reasons["discharge"] > 0 and reasons["transfer"] == 1 and reasons[None] > 0
    assert any(a["end"] is None for a in pop["admissions"])
    assert Counter(a["method"] for a in pop["admissions"])["elective"] >= 3
    assert any(s["start"] < "2024-09-01" for s in stays)
    # a temporary stay converted to permanent: contiguous, same home
    by_resident = defaultdict(list)
    for s in stays:
        by_resident[s["resident"]].append(s)
    converted = [ss for ss in by_resident.values() for a, b in zip(ss, ss[1:])
                 if a["residency"] == "temporary" and b["residency"] == "permanent" and a["home"] == b["home"]
                 and 0 <= (d(b["start"]) - d(a["end"])).days <= 1]
    assert len(converted) >= 3


def test_planted_problems(pop: dict[str, Any]) -> None:
    clinicians = {c["id"]: c for c in pop["clinicians"]}
    homes = {h["id"]: h for h in pop["homes"]}
    # a home aligned to no practice, and one whose lead GP is of another practice
    assert any(h["practice"] is None for h in homes.values())
    assert any(h["practice"] is not None and h["lead_gp"] is not None
               and clinicians[h["lead_gp"]]["practice"] != h["practice"] for h in homes.values())
    residents = {r["id"]: r for r in pop["residents"]}
    current_home = {s["resident"]: s["home"] for s in pop["stays"] if s["end"] is None}
    away = [r for rid, r in residents.items() if rid in current_home
            and homes[current_home[rid]]["practice"] not in (None, r["practice"])]
    assert sorted(r["declined_aligned_practice"] for r in away) == [False, True]
    # current care home residents outside the cohort; high risk scores outside it
    not_in_cohort = [rid for rid in current_home if residents[rid]["cohort"] is None]
    assert 2 <= len(not_in_cohort) <= 3
    with_stays = {s["resident"] for s in pop["stays"]}
    community = [r for r in residents.values() if r["id"] not in with_stays]
    in_cohort = [r for r in community if r["cohort"] is not None]
    assert 20 <= len(in_cohort) <= 40
    assert all(r["risk_score"] >= 0.7 for r in in_cohort if r["cohort"]["reason"] == "risk_tool")
    assert any(r["cohort"]["reason"] == "clinical_judgement" for r in in_cohort)
    assert any(r["cohort"] is None and (r["risk_score"] or 0) >= 0.7 for r in community)
    health = [r for r in community if r["cohort"] is None and "1946-11-01" < r["born"] <= "1952-11-01"]
    assert 15 <= len(health) <= 25
    assert any(r["born"].endswith("-02-29") for r in health)
    # activities recorded by staff not qualified for them, with no performer, and codes that map to nothing
    performers = Counter(clinicians[e["performer"]]["role"] for e in pop["events"]
                         if "resident" in e and "performer" in e
                         and e.get("activity") not in {"care_plan_printed", "ooh_contact", "significant_event"}
                         and (clinicians[e["performer"]]["role"] == "other"
                              or (clinicians[e["performer"]]["role"] == "nurse"
                                  and not clinicians[e["performer"]]["qualifications"])))
    assert 3 <= sum(performers.values()) <= 10
    assert 1 <= sum(1 for e in pop["events"] if "resident" in e and "performer" not in e) <= 10
    assert sum(1 for e in pop["events"] if e.get("code") == "22298006") >= 2
    # a GP whose safeguarding training lapsed: last one more than three years before the extract
    last: dict[str, str] = {}
    for e in pop["events"]:
        if e.get("activity") == "safeguarding_training":
            last[e["clinician"]] = max(last.get(e["clinician"], ""), e["date"])
    gps = [c for c in clinicians.values() if c["role"] == "gp"]
    assert all(c["id"] in last for c in gps)
    assert sum(1 for c in gps if last[c["id"]] < "2023-11-01") == 1


def test_home_clinics_roughly_fortnightly(pop: dict[str, Any]) -> None:
    visits: dict[str, list[date]] = defaultdict(list)
    for e in pop["events"]:
        if "home" in e and (e.get("activity") == "clinic_visit" or e.get("code") == "889311000000109"):
            visits[e["home"]].append(d(e["date"]))
    aligned = {h["id"] for h in pop["homes"] if h["practice"] is not None}
    assert set(visits) == aligned
    for home, vv in visits.items():
        vv.sort()
        gaps = [(b - a).days for a, b in zip(vv, vv[1:])]
        late = sum(1 for g in gaps if g > 14)
        assert 0 < late <= 6, (home, late)
        assert sum(gaps) / len(gaps) <= (8 if home == "H3" else 15), home  # Willow Court's clinics are weekly
