"""One schema of the population's fields, declared in C++ (model/population_schema.hpp): the Python column
lists, the Parquet checks, docs/population.schema.json and the field tables of docs/input-format.md are derived
from it or checked against it here, so that a field added in one place and not the others fails a test."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import carerules
from carerules import _core, _frames, _parquet, _schema

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "docs" / "population.schema.json"
INPUT_FORMAT = ROOT / "docs" / "input-format.md"


def test_the_collections_are_the_loaders_in_dependency_order() -> None:
    assert _schema.COLLECTIONS == ("networks", "practices", "clinicians", "homes", "residents", "stays", "admissions",
                                   "events", "registrations", "alignments", "participations")
    assert _frames.COLLECTIONS == _schema.COLLECTIONS
    for c in _schema.SCHEMA:
        assert c["fields"][0]["name"] == "id" and c["fields"][0]["presence"] == "required"


def test_column_lists_come_from_the_schema() -> None:
    assert _frames.COLUMNS["residents"] == ("id", "born", "practice", "declined_aligned_practice", "cohort_reason",
                                            "cohort_from", "risk_score", "died")
    assert _frames.ALIASES == {"cohort.reason": "cohort_reason", "cohort.from": "cohort_from"}
    assert _parquet.REQUIRED["stays"] == ("id", "resident", "home", "start", "residency")
    assert _parquet.REQUIRED["events"] == ("id", "date")
    assert _parquet.KINDS["residents"]["cohort_from"] == "d"
    assert _parquet.KINDS["clinicians"]["qualifications"] == "q"
    assert _schema.ONE_OF["events"] == {"subject": ("resident", "home", "clinician")}
    assert _frames.COLUMNS["registrations"] == ("id", "resident", "practice", "start", "end")
    assert _parquet.REQUIRED["participations"] == ("id", "practice", "scheme", "start")
    assert _parquet.KINDS["residents"]["died"] == "d"


def test_choices_are_the_enumerations_the_loader_accepts() -> None:
    fields = {(c["collection"], f["name"]): f for c in _schema.SCHEMA for f in c["fields"]}
    assert fields[("clinicians", "role")]["choices"] == ["gp", "nurse", "pharmacist", "other"]
    assert fields[("stays", "end_reason")]["choices"] == ["death", "discharge", "transfer"]
    assert fields[("events", "system")]["choices"] == ["snomed", "read2", "ctv3"]
    assert "care_plan" in fields[("events", "activity")]["choices"]
    assert fields[("events", "performer")]["references"] == "clinicians"


def test_the_json_schema_in_docs_is_the_generated_one() -> None:
    committed = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert committed == _schema.json_schema(), (
        "docs/population.schema.json differs from carerules._schema.json_schema(): regenerate it with "
        "python -c 'import json, carerules._schema as s; print(json.dumps(s.json_schema(), indent=2))'"
    )


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = _schema.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_demo_population_is_valid(validator: jsonschema.Draft202012Validator) -> None:
    demo = json.loads(Path(carerules.demo_population_path()).read_text(encoding="utf-8"))
    assert list(validator.iter_errors(demo)) == []


@pytest.mark.parametrize(
    "collection, record",
    [
        ("clinicians", {"id": "C2", "practice": "P1", "role": "doctor"}),
        ("homes", {"id": "H2", "name": "Elm", "beds": 12.5}),
        ("residents", {"id": "R2", "born": "1931-05-02", "practice": "P1", "cohort": {"reason": "frailty"}}),
        ("residents", {"id": "R2", "born": "1931-05-02", "practice": "P1", "cohort": "care_home"}),
        ("stays", {"id": "S2", "resident": "R1", "home": "H1", "start": "2025-01-10"}),
        ("events", {"id": "E2", "date": "2025-01-10", "resident": "R1", "clinician": "C1", "activity": "care_plan"}),
        ("events", {"id": "E2", "date": "2025-01-10", "home": "H1", "clinician": "C1", "activity": "clinic_visit"}),
        ("registrations", {"id": "G1", "resident": "R1", "practice": "P1"}),
        ("participations", {"id": "T1", "practice": "P1", "scheme": 3, "start": "2015-04-01"}),
        ("residents", {"id": "R2", "born": "1931-05-02", "practice": "P1", "died": "2026-02-30T10:00"}),
        ("events", {"id": "E2", "date": "2025-01-10", "activity": "care_plan"}),
        ("clinicians", {"id": "C2", "practice": "P1", "role": "gp", "qualifications": "district-nurse-pgdip"}),
    ],
)
def test_records_the_loader_rejects_for_their_shape_fail_the_json_schema(
    validator: jsonschema.Draft202012Validator, collection: str, record: dict[str, Any]
) -> None:
    doc = {"format": "carerules.population/1", collection: [record]}
    assert list(validator.iter_errors(doc)) != []
    loaded = _core.load_population_json(json.dumps(doc))
    assert loaded.counts[collection]["rejected"] == 1


def _documented_fields() -> dict[str, dict[str, str]]:
    """{collection: {field: required column}} from the field tables of docs/input-format.md."""
    text = INPUT_FORMAT.read_text(encoding="utf-8")
    out: dict[str, dict[str, str]] = {}
    for match in re.finditer(r"^### (\w+)\n(.*?)(?=^#)", text, re.S | re.M):
        collection, body = match.groups()
        rows: dict[str, str] = {}
        for line in body.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) < 3 or not cells[0].startswith("`"):
                continue
            for name in re.findall(r"`([^`]+)`", cells[0]):
                rows[name] = cells[2]
        out[collection] = rows
    return out


def test_the_input_format_docs_list_every_field_of_the_schema() -> None:
    documented = _documented_fields()
    assert set(documented) == set(_schema.COLLECTIONS)
    for collection, fields in _schema.FIELDS.items():
        # A field inside an object is documented as the object ("cohort").
        names = list(dict.fromkeys(f["name"].split(".")[0] for f in fields))
        assert list(documented[collection]) == names, collection
        for f in fields:
            required = documented[collection][f["name"].split(".")[0]]
            assert (required == "yes") == (f["presence"] == "required"), (collection, f["name"], required)


def test_an_event_may_name_its_home_beside_its_resident(validator: jsonschema.Draft202012Validator) -> None:
    # The home a register code records is context, not a second subject: valid for the schema and the loader.
    doc = {
        "format": "carerules.population/1",
        "practices": [{"id": "P1"}],
        "homes": [{"id": "H1", "name": "Oak Lodge"}],
        "residents": [{"id": "R1", "born": "1931-05-02", "practice": "P1"}],
        "events": [{"id": "E1", "date": "2025-01-10", "resident": "R1", "home": "H1", "code": "160734000"}],
    }
    assert list(validator.iter_errors(doc)) == []
    assert _core.load_population_json(json.dumps(doc)).counts["events"]["accepted"] == 1
