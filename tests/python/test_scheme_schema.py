"""docs/scheme.schema.json against the shipped schemes and against the scheme loader.

The shipped schemes must validate; broken variants must fail validation, and the loader must reject the
same variants (so the schema and src/scheme.cpp say the same thing); edits a commissioner makes must pass both.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import jsonschema
import pytest

import carerules

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "docs" / "scheme.schema.json"
SCHEMES_DIR = ROOT / "data" / "schemes"

Scheme = dict[str, Any]


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def shipped(scheme_id: str) -> Scheme:
    data: Scheme = json.loads((SCHEMES_DIR / f"{scheme_id}.json").read_text(encoding="utf-8"))
    return data


def obligation(scheme: Scheme, obligation_id: str) -> dict[str, Any]:
    for o in scheme["obligations"]:
        if o["id"] == obligation_id:
            result: dict[str, Any] = o
            return result
    raise KeyError(obligation_id)


def errors(validator: jsonschema.Draft202012Validator, scheme: Scheme) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(scheme)]


def load_with_library(scheme: Scheme, tmp_path: Path) -> carerules.Scheme:
    path = tmp_path / "scheme.json"
    path.write_text(json.dumps(scheme), encoding="utf-8")
    return carerules.scheme(path)


def test_both_shipped_schemes_are_present() -> None:
    assert {p.stem for p in SCHEMES_DIR.glob("*.json")} >= {"care-homes-es", "case-management-les"}


@pytest.mark.parametrize("path", sorted(SCHEMES_DIR.glob("*.json")), ids=lambda p: p.stem)
def test_shipped_scheme_validates(validator: jsonschema.Draft202012Validator, path: Path) -> None:
    scheme = json.loads(path.read_text(encoding="utf-8"))
    assert errors(validator, scheme) == []


def _ob(obligation_id: str, **fields: Any) -> Callable[[Scheme], None]:
    """Set (or, with ..., delete) fields of one obligation."""

    def edit(s: Scheme) -> None:
        o = obligation(s, obligation_id)
        for key, value in fields.items():
            if value is ...:
                del o[key]
            else:
                o[key] = value

    return edit


# Each variant breaks one thing. The loader rejects every one of them too.
BROKEN: dict[str, tuple[str, Callable[[Scheme], None]]] = {
    "unknown kind": ("care-homes-es", _ob("care-plan", kind="once")),
    "interval with two units": ("care-homes-es", _ob("entry-assessment", due={"days": 14, "months": 1})),
    "interval of zero": ("care-homes-es", _ob("entry-assessment", due={"days": 0})),
    "interval in weeks": ("care-homes-es", _ob("entry-assessment", due={"weeks": 2})),
    "interval as text": ("care-homes-es", _ob("entry-assessment", due={"days": "14"})),
    "recurring without every": ("care-homes-es", _ob("seen-2-monthly", every=..., due="2 months")),
    "interval as text without a unit": ("care-homes-es", _ob("entry-assessment", due="14")),
    "interval as text with an unknown unit": ("care-homes-es", _ob("entry-assessment", due="2 fortnights")),
    "interval as text of zero": ("care-homes-es", _ob("entry-assessment", due="0 days")),
    "interval as text over 9999": ("care-homes-es", _ob("entry-assessment", due="10000 days")),
    "interval in working weeks": ("care-homes-es", _ob("entry-assessment", due="2 working weeks")),
    "interval as a number": ("care-homes-es", _ob("entry-assessment", due=14)),
    "calendar that does not ship": ("care-homes-es", lambda s: s.__setitem__("calendar", "scotland")),
    "calendar without a file": ("care-homes-es", lambda s: s.__setitem__("calendar", {"name": "scotland"})),
    "missing requires": ("care-homes-es", _ob("entry-assessment", requires=...)),
    "empty requires": ("care-homes-es", _ob("entry-assessment", requires=[])),
    "empty any_of": ("care-homes-es", _ob("care-plan", requires=[{"any_of": []}])),
    "unknown activity": ("care-homes-es", _ob("care-plan", requires=[{"any_of": ["care_plan_agreed"]}])),
    "home activity on a resident": ("care-homes-es", _ob("care-plan", requires=[{"any_of": ["clinic_visit"]}])),
    "unknown optional activity": ("care-homes-es", _ob("entry-assessment", optional=["dementia_diagnosis"])),
    "unknown anchor": ("care-homes-es", _ob("care-plan", anchor="admission")),
    "missing anchor": ("care-homes-es", _ob("care-plan", anchor=...)),
    "first_event without anchor_activity": ("care-homes-es", _ob("care-plan-review-6-monthly", anchor_activity=...)),
    "unknown scope": ("care-homes-es", _ob("care-plan", scope="aligned")),
    "scope that does not fit the subject": ("care-homes-es", _ob("care-plan", subject="home")),
    "practice subject": ("care-homes-es", _ob("care-plan", subject="practice")),
    "per_admission without methods": ("care-homes-es", _ob("admission-review", admission_methods=...)),
    "unknown admission method": ("care-homes-es", _ob("admission-review", admission_methods=["urgent"])),
    "unknown due_from": ("care-homes-es", _ob("admission-review", due_from="discharge")),
    "per_event without trigger": ("care-homes-es", _ob("care-plan-printed", trigger=...)),
    "only_if_permanent as text": (
        "care-homes-es",
        _ob("care-plan", requires=[{"any_of": ["care_plan"], "only_if_permanent": "yes"}]),
    ),
    "birthday without anchor_age": ("case-management-les", _ob("health-review-annual", anchor_age=...)),
    "anchor_age over 130": ("case-management-les", _ob("health-review-annual", anchor_age=131)),
    "unknown role": ("care-homes-es", lambda s: s["performer_groups"].__setitem__("gp", {"roles": ["doctor"]})),
    "unknown qualification": (
        "care-homes-es",
        lambda s: s["performer_groups"]["qualified_nurse"].__setitem__("nurse_qualifications", ["rgn"]),
    ),
    "group with neither roles nor anyone": ("care-homes-es", lambda s: s["performer_groups"].__setitem__("gp", {})),
    "activity_performers without default": ("care-homes-es", lambda s: s["activity_performers"].pop("default")),
    "unknown activity in activity_performers": (
        "care-homes-es",
        lambda s: s["activity_performers"].__setitem__("care_plan_agreed", ["anyone"]),
    ),
    "unknown month_end": ("care-homes-es", lambda s: s.__setitem__("month_end", "truncate")),
    "unknown eligibility": ("care-homes-es", lambda s: s.__setitem__("eligibility", "everyone")),
    "wrong format": ("care-homes-es", lambda s: s.__setitem__("format", "carerules.scheme/2")),
    "missing id": ("care-homes-es", lambda s: s.pop("id")),
    "missing obligations": ("care-homes-es", lambda s: s.pop("obligations")),
    "impossible start date": ("care-homes-es", lambda s: s.__setitem__("start", "2015-02-30")),
    "unknown code system": (
        "care-homes-es",
        lambda s: s["code_lists"].__setitem__("files", [{"activity": "care_plan", "file": "x.csv", "system": "icd10"}]),
    ),
    "unknown structural check": ("care-homes-es", lambda s: s["structural"].append({"check": "lead_gp_trained"})),
    "percentage with a percent sign": (
        "case-management-les",
        lambda s: s["structural"].__setitem__(0, {"check": "cohort_share", "max_percent": "5%"}),
    ),
    "unknown cohort reason": (
        "case-management-les",
        lambda s: s["structural"].__setitem__(
            1, {"check": "cohort_reason_share", "reason": "frailty", "max_percent": "2"}
        ),
    ),
    "threshold as text": (
        "case-management-les",
        lambda s: s["structural"].__setitem__(3, {"check": "risk_tool_in_cohort", "threshold": "0.7"}),
    ),
    "unknown payment model": ("care-homes-es", lambda s: s.__setitem__("payments", {"model": "fee"})),
    "capitation without entry_obligation": ("care-homes-es", lambda s: s["payments"].pop("entry_obligation")),
    "item of service without items": ("case-management-les", lambda s: s["payments"].pop("items")),
    "annual_cap as text": ("case-management-les", lambda s: s["payments"].__setitem__("annual_cap", "3")),
    "no versions": ("care-homes-es", lambda s: s.__setitem__("versions", [])),
    "version without effective date": ("care-homes-es", lambda s: s["versions"][0].pop("effective")),
    "tariff as a number": ("care-homes-es", lambda s: s["versions"][0]["tariff"].__setitem__("new", 102)),
    "tariff with three decimals": ("care-homes-es", lambda s: s["versions"][0]["tariff"].__setitem__("new", "102.005")),
    # Refused by the loader too, where the engine would otherwise evaluate them into nonsense.
    "recurring residence obligation anchored on permanent_start": (
        "care-homes-es",
        _ob("seen-2-monthly", anchor="permanent_start"),
    ),
    "home obligation of kind entry": (
        "care-homes-es",
        _ob("clinic-fortnightly", kind="entry", every=..., due="14 days"),
    ),
    "trigger recorded on another subject": ("care-homes-es", _ob("care-plan-printed", trigger="clinic_visit")),
    "empty admission_methods": ("care-homes-es", _ob("admission-review", admission_methods=[])),
    "unknown payment line kind": (
        "case-management-les",
        lambda s: s["payments"]["items"][0].__setitem__("line_kind", "annual_check"),
    ),
    "misspelt tariff key": ("care-homes-es", lambda s: s["versions"][0]["tariff"].__setitem__("existng", "60.00")),
    "cohort share without max_percent": (
        "case-management-les",
        lambda s: s["structural"].__setitem__(0, {"check": "cohort_share"}),
    ),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_variant_fails_validation(validator: jsonschema.Draft202012Validator, name: str) -> None:
    base, edit = BROKEN[name]
    scheme = copy.deepcopy(shipped(base))
    edit(scheme)
    assert errors(validator, scheme), f"the schema accepts a scheme with {name}"


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_loader_rejects_broken_variant(name: str, tmp_path: Path) -> None:
    base, edit = BROKEN[name]
    scheme = copy.deepcopy(shipped(base))
    edit(scheme)
    with pytest.raises(Exception) as raised:
        load_with_library(scheme, tmp_path)
    assert isinstance(raised.value, carerules.SchemeError), repr(raised.value)


# Accepted by the loader but meaningless or mishandled by the engine: the schema is stricter on purpose
# (docs/schemes.md, "Where the schema is stricter than the loader").
STRICTER: dict[str, tuple[str, Callable[[Scheme], None]]] = {
    "unknown key (a typo)": ("care-homes-es", _ob("entry-assessment", optinal=["dementia_assessment"])),
    "every on an entry obligation": ("care-homes-es", _ob("care-plan", every="6 months")),
}


@pytest.mark.parametrize("name", sorted(STRICTER))
def test_schema_is_stricter_than_the_loader(
    validator: jsonschema.Draft202012Validator, name: str, tmp_path: Path
) -> None:
    base, edit = STRICTER[name]
    scheme = copy.deepcopy(shipped(base))
    edit(scheme)
    assert errors(validator, scheme), f"the schema accepts a scheme with {name}"
    load_with_library(scheme, tmp_path)  # the loader accepts it (docs/schemes.md says so)


def test_commissioner_edit_passes_schema_and_loader(validator: jsonschema.Draft202012Validator, tmp_path: Path) -> None:
    """The edit docs/schemes.md walks through: a 2026-27 tariff, a 2-month care plan window, roll_forward."""
    scheme = shipped("care-homes-es")
    scheme["$schema"] = "../docs/scheme.schema.json"
    scheme["id"] = "care-homes-es-local"
    scheme["month_end"] = "roll_forward"
    scheme["versions"].append(
        {"version": "2026-27", "effective": "2026-04-01", "tariff": {"new": "110.00", "existing": "65.00", "temporary": "65.00"}}
    )
    obligation(scheme, "care-plan")["due"] = "2 months"
    assert errors(validator, scheme) == []
    loaded = load_with_library(scheme, tmp_path)
    assert loaded.id == "care-homes-es-local"
    assert [v["version"] for v in loaded.versions] == ["2015-16", "uplift", "2026-27"]
    assert loaded.versions[-1]["tariff_pence"] == {"new": 11000, "existing": 6500, "temporary": 6500}
    windows = {o["id"]: o["window"] for o in loaded.obligations}
    assert windows["care-plan"] == "2 months"


def test_every_activity_role_and_qualification_the_schema_names_is_known_to_the_loader(
    tmp_path: Path,
) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    defs = schema["$defs"]
    activities = defs["resident_activity"]["enum"] + defs["home_activity"]["enum"] + defs["clinician_activity"]["enum"]
    scheme = shipped("care-homes-es")
    scheme["activity_performers"] = {"default": ["anyone"], **{a: ["anyone"] for a in activities}}
    scheme["performer_groups"]["everyone"] = {
        "roles": defs["role"]["enum"],
        "nurse_qualifications": defs["qualification"]["enum"],
    }
    load_with_library(scheme, tmp_path)


# Intervals are data with a unit: every unit, in text, passes the schema and the loader, and reads back as written.
@pytest.mark.parametrize(
    "written, read",
    [
        ("14 days", "14 days"),
        ("1 day", "1 day"),
        ("2 weeks", "2 weeks"),
        ("1 week", "1 week"),
        ("3 months", "3 months"),
        ("1 year", "1 year"),
        ("7 working days", "7 working days"),
        ("1 working day", "1 working day"),
        # The earlier spelling still loads.
        ({"days": 14}, "14 days"),
        ({"months": 3}, "3 months"),
        ({"years": 1}, "1 year"),
    ],
)
def test_interval_units_pass_schema_and_loader(
    validator: jsonschema.Draft202012Validator, tmp_path: Path, written: Any, read: str
) -> None:
    scheme = shipped("care-homes-es")
    obligation(scheme, "care-plan-printed")["due"] = written
    assert errors(validator, scheme) == []
    windows = {o["id"]: o["window"] for o in load_with_library(scheme, tmp_path).obligations}
    assert windows["care-plan-printed"] == read


def test_an_old_spelling_that_cannot_be_read_says_how_to_write_it(tmp_path: Path) -> None:
    scheme = shipped("care-homes-es")
    obligation(scheme, "care-plan-printed")["due"] = {"weeks": 1}
    with pytest.raises(carerules.SchemeError, match=r'\(care-plan-printed\)\.due: unknown unit "weeks": expected an interval '
                       r'such as "14 days", "2 weeks", "3 months", "1 year" or "7 working days"'):
        load_with_library(scheme, tmp_path)


def test_a_scheme_names_its_own_calendar_file(validator: jsonschema.Draft202012Validator, tmp_path: Path) -> None:
    (tmp_path / "holidays.csv").write_text("date,title\n2025-03-17,Saint Patrick's Day\n", encoding="utf-8")
    scheme = shipped("care-homes-es")
    scheme["calendar"] = {"name": "island", "file": "holidays.csv"}
    obligation(scheme, "care-plan-printed")["due"] = "1 working day"
    assert errors(validator, scheme) == []
    assert load_with_library(scheme, tmp_path).id == "care-homes-es"
    (tmp_path / "holidays.csv").write_text("date,title\n2025-02-30,No such day\n", encoding="utf-8")
    with pytest.raises(carerules.SchemeError, match=r"calendar\.file: .*holidays\.csv: island:2:1: not a date"):
        load_with_library(scheme, tmp_path)


@pytest.mark.parametrize("scheme_id", ["care-homes-es", "case-management-les"])
def test_schemes_show_round_trips(scheme_id: str, tmp_path: Path) -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "carerules", "schemes", "show", scheme_id], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(shown) == shipped(scheme_id)
    path = tmp_path / f"{scheme_id}-copy.json"
    path.write_text(shown, encoding="utf-8")
    copy_loaded, builtin = carerules.scheme(path), carerules.scheme(scheme_id)
    assert copy_loaded.obligations == builtin.obligations
    assert copy_loaded.versions == builtin.versions
    assert [o["window"] for o in builtin.obligations] == [
        o.get("due", o.get("every")) for o in shipped(scheme_id)["obligations"]
    ]
