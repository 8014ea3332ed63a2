"""One record reader: the same records, good and bad, give the same accepted records and the same findings
through the JSON loader, DataFrames, a folder of CSV extracts and (for events) Population.append_event."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import carerules
from carerules import _core, _frames

BASE: dict[str, list[dict[str, Any]]] = {
    "networks": [
        {"id": "N1", "name": "North PCN"},
        {"id": "N1", "name": "Twice"},
    ],
    "practices": [
        {"id": "P1", "name": "Park Surgery", "list_size": "9500", "network": "N1"},
        {"id": "P2", "name": "Bad list", "list_size": "-3"},
        {"id": "P1", "name": "Twice"},
        {"name": "No id"},
        {"id": "P4", "network": "N9"},
    ],
    "clinicians": [
        {"id": "C1", "practice": "P1", "role": "gp"},
        {"id": "N1", "practice": "P1", "role": "nurse", "qualifications": "district-nurse-pgdip;phd"},
        {"id": "C2", "practice": "P1", "role": "doctor"},
        {"id": "C3", "practice": "P2", "role": "gp"},
    ],
    "homes": [
        {"id": "H1", "name": "Oak Lodge", "kind": "nursing", "beds": "42", "practice": "P1", "lead_gp": "C1",
         "clinical_lead": "C1", "cqc_location": "1-123456789"},
        {"id": "H2", "kind": "residential"},
        {"id": "H3", "name": "Elm", "beds": "12.5"},
        {"id": "H4", "name": "Ash", "lead_gp": "C9"},
        {"id": "H5", "name": "Yew", "clinical_lead": "C9"},
    ],
    "residents": [
        {"id": "R1", "born": "1931-05-02", "practice": "P1", "declined_aligned_practice": "false",
         "cohort_reason": "care_home", "cohort_from": "2015-04-01", "risk_score": "0.42"},
        {"id": "R2", "born": "1931-02-30", "practice": "P1"},
        {"id": "R3", "born": "1930-01-01", "practice": "P1", "cohort_reason": "frailty", "cohort_from": "2015-04-01"},
        {"id": "R4", "born": "1930-01-01", "practice": "P1", "cohort_reason": "risk_tool"},
        {"id": "R5", "born": "1930-01-01", "practice": "P1", "risk_score": "2"},
        {"id": "R6", "born": "1930-01-01", "practice": "P1", "declined_aligned_practice": "no"},
        {"id": "R7", "born": "1930-01-01", "practice": "P1", "died": "2026-02-03"},
        {"id": "R8", "born": "1930-01-01", "practice": "P1", "died": "1920-01-01"},
    ],
    "stays": [
        {"id": "S1", "resident": "R1", "home": "H1", "start": "2025-01-10", "residency": "permanent"},
        {"id": "S2", "resident": "R2", "home": "H1", "start": "2025-01-10", "residency": "permanent"},
        {"id": "S3", "resident": "R1", "home": "H1", "start": "2025-02-01", "residency": "respite"},
        {"id": "S4", "resident": "R1", "home": "H1", "start": "2025-03-01", "residency": "temporary"},
        {"id": "S5", "resident": "R5", "home": "H1", "start": "2025-01-01", "end": "2024-12-01",
         "residency": "temporary", "end_reason": "death"},
        {"id": "S6", "resident": "R7", "home": "H1", "start": "2025-01-01", "residency": "permanent"},
        {"id": "S7", "resident": "R7", "home": "H1", "start": "2026-03-01", "residency": "permanent"},
    ],
    "admissions": [
        {"id": "A1", "resident": "R1", "start": "2025-03-01", "end": "2025-03-05", "method": "emergency"},
        {"id": "A2", "resident": "R1", "start": "2025-03-05", "end": "2025-03-01", "method": "emergency"},
        {"id": "A3", "resident": "R1", "start": "2025-03-05", "method": "urgent"},
    ],
    "registrations": [
        {"id": "G1", "resident": "R1", "practice": "P1", "start": "2019-05-01", "end": "2025-06-30"},
        {"id": "G2", "resident": "R1", "practice": "P1", "start": "2025-06-01"},
        {"id": "G3", "resident": "R9", "practice": "P1", "start": "2019-05-01"},
        {"id": "G4", "resident": "R7", "practice": "P1", "start": "2025-07-01", "end": "2025-05-01"},
    ],
    "alignments": [
        {"id": "L1", "home": "H1", "practice": "P1", "start": "2015-04-01"},
        {"id": "L2", "home": "H1", "practice": "P1", "start": "2016-01-01"},
        {"id": "L3", "home": "H1", "practice": "P9", "start": "2015-04-01"},
    ],
    "participations": [
        {"id": "T1", "practice": "P1", "scheme": "care-homes-es", "start": "2015-10-01"},
        {"id": "T2", "practice": "P1", "scheme": "care-homes-es", "start": "2015-13-01"},
        {"id": "T3", "practice": "P1", "scheme": "ehch-des", "start": "2020-08-01", "end": "2021-03-31"},
    ],
}

# Events, each with its id so that append_event can be compared one by one (ids are unique: a duplicate is
# named differently on the incremental path, which has no file index to point at).
EVENTS: list[dict[str, Any]] = [
    {"id": "E1", "date": "2025-01-20", "resident": "R1", "activity": "care_plan", "performer": "C1"},
    {"id": "E2", "date": "2025-01-21", "home": "H1", "code": "889311000000109"},
    {"id": "E3", "date": "2024-06-01", "clinician": "C1", "activity": "safeguarding_training"},
    {"id": "E4", "date": "2025-01-22", "resident": "R9", "activity": "care_plan"},
    {"id": "E5", "date": "2025-02-30", "resident": "R1", "activity": "care_plan"},
    {"id": "E6", "date": "2025-01-22", "resident": "R1", "activity": "tea_party"},
    {"id": "E7", "date": "2025-01-22", "resident": "R1", "home": "H1", "activity": "care_plan"},
    {"id": "E8", "date": "2025-01-22", "activity": "care_plan"},
    {"id": "E9", "date": "2025-01-22", "resident": "R1"},
    {"id": "E10", "date": "2025-01-22", "resident": "R1", "activity": "care_plan", "code": "123"},
    {"id": "E11", "date": "2025-01-22", "resident": "R1", "code": "123", "system": "icd10"},
    {"id": "E12", "date": "2025-01-22", "resident": "R1", "activity": "clinic_visit"},
    {"id": "E13", "date": "2025-01-22", "resident": "R2", "activity": "care_plan"},
    {"id": "E14", "date": "1920-01-01", "resident": "R1", "activity": "care_plan"},
    {"id": "E15", "date": "2025-01-22", "resident": "R1", "activity": "care_plan", "performer": "C2"},
    {"id": "E16", "resident": "R1", "activity": "care_plan"},
    {"id": "E17", "date": "2025-01-22T10:00", "resident": "R1", "activity": "care_plan"},
    {"id": "E18", "date": "2025-01-10", "resident": "R1", "home": "H1", "code": "160734000"},
    {"id": "E19", "date": "2025-01-10", "resident": "R1", "home": "H9", "code": "160734000"},
]

NAMES_A_REJECTED_RECORD = {"E13": ("resident", "residents"), "E15": ("clinician", "clinicians")}


def json_record(collection: str, row: dict[str, Any]) -> dict[str, Any]:
    """The record as a population file writes it: numbers and booleans typed, the cohort an object, the
    qualifications a list."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in ("list_size", "beds"):
            out[key] = float(value) if "." in value else int(value)
        elif key == "risk_score":
            out[key] = float(value) if "." in value else int(value)
        elif key == "declined_aligned_practice":
            out[key] = {"true": True, "false": False}.get(value, value)
        elif key == "qualifications":
            out[key] = value.split(";")
        elif key.startswith("cohort_"):
            out.setdefault("cohort", {})[key.removeprefix("cohort_")] = value
        else:
            out[key] = value
    return out


def frame(collection: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The records as a DataFrame of objects: typed as in the JSON file, cohort and qualifications as columns."""
    typed = []
    for row in rows:
        record = json_record(collection, row)
        cohort = record.pop("cohort", {})
        for key, value in cohort.items():
            record[f"cohort_{key}"] = value
        if "qualifications" in record:
            record["qualifications"] = record["qualifications"]
        typed.append(record)
    return pd.DataFrame(typed, columns=list(_frames.COLUMNS[collection]), dtype=object)


def outcome(population: _core.Population) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    ids: dict[str, Any] = {kind: population.ids(kind) for kind in ("practice", "clinician", "home", "resident")}
    # The rows of every table (networks and the dated history have no ids() of their own).
    ids["summary"] = {k: v for k, v in population.summary().items() if k != "memory_bytes"}
    findings = [(f["collection"], f["index"], f["subject"], f["field"], f["value"], f["message"])
                for f in population.findings]
    return ids, findings


@pytest.fixture(scope="module")
def by_json() -> _core.Population:
    doc: dict[str, Any] = {"format": "carerules.population/1"}
    for collection, rows in BASE.items():
        doc[collection] = [json_record(collection, r) for r in rows]
    doc["events"] = [json_record("events", r) for r in EVENTS]
    return _core.load_population_json(json.dumps(doc))


def test_json_rejects_what_the_records_get_wrong(by_json: _core.Population) -> None:
    # The records are not all good: the comparisons below compare rejections, not only acceptances.
    counts = by_json.counts
    # E7 and E18 name their home beside their resident: accepted; E19's home is unknown.
    assert counts["events"] == {"read": 19, "accepted": 5, "rejected": 14}
    assert counts["networks"] == {"read": 2, "accepted": 1, "rejected": 1}
    assert counts["registrations"] == {"read": 4, "accepted": 1, "rejected": 3}
    assert counts["alignments"] == {"read": 3, "accepted": 1, "rejected": 2}
    assert counts["participations"] == {"read": 3, "accepted": 2, "rejected": 1}
    assert counts["total"] == {"read": 63, "accepted": 18, "rejected": 45}
    assert by_json.ids("resident") == ["R1", "R7"]
    # S6 runs past R7's death: kept, with a warning; S7 starts after it: rejected.
    warnings = [f for f in by_json.findings if f["severity"] == "warning"]
    assert [(f["code"], f["subject"], f["collection"], f["index"]) for f in warnings] == [
        ("stay-past-death", "R7", "stays", 5)]


def test_dataframes_give_the_json_loaders_records_and_findings(by_json: _core.Population) -> None:
    frames = {c: frame(c, rows) for c, rows in BASE.items()}
    frames["events"] = frame("events", EVENTS)
    assert outcome(_frames.population_from_columns(frames)) == outcome(by_json)


def test_a_csv_folder_gives_the_json_loaders_records_and_findings(by_json: _core.Population, tmp_path: Path) -> None:
    # Every cell of an extract is text: the rows as given (numbers and booleans as text).
    frames = {c: pd.DataFrame(rows, columns=list(_frames.COLUMNS[c]), dtype=object) for c, rows in BASE.items()}
    frames["events"] = pd.DataFrame(EVENTS, columns=list(_frames.COLUMNS["events"]), dtype=object)
    _frames.write_extracts(frames, tmp_path)
    ids, findings = outcome(by_json)
    # Extracts read numbers and booleans from text, so text that is not one is not of the wrong type: the
    # message leaves out JSON's ", not a string".
    expected = [f[:5] + (f[5].removesuffix(", not a string"),) if f[3] == "declined_aligned_practice" else f
                for f in findings]
    assert expected != findings
    assert outcome(_frames.population_from_extracts(tmp_path)) == (ids, expected)


def test_append_event_accepts_and_rejects_each_event_as_the_loader_does(by_json: _core.Population) -> None:
    base: dict[str, Any] = {"format": "carerules.population/1"}
    for collection, rows in BASE.items():
        base[collection] = [json_record(collection, r) for r in rows]
    population = _core.load_population_json(json.dumps(base))
    loaded = {f["subject"]: f for f in by_json.findings if f["collection"] == "events"}
    accepted = []
    for event in EVENTS:
        try:
            population.append_event(dict(event))
        except carerules.InputError as e:
            finding = loaded[event["id"]]
            assert (e.collection, e.record, e.field, e.value) == ("events", event["id"], finding["field"],
                                                                 finding["value"])
            label = f'events[{finding["index"]}] (id "{event["id"]}")'
            expected = finding["message"].replace(label, f'event (id "{event["id"]}")', 1)
            if event["id"] in NAMES_A_REJECTED_RECORD:
                # A built population no longer knows which ids were rejected from its file: such an id is unknown.
                kind, collection = NAMES_A_REJECTED_RECORD[event["id"]]
                expected = expected.split(" names a ")[0] + f" is not a known {kind} (no such id in {collection})"
            # The same sentence, with the incremental path's label ("event (id ...)") for the file's ("events[3] (id ...)").
            assert str(e) == expected
        else:
            accepted.append(event["id"])
    assert accepted == ["E1", "E2", "E3", "E7", "E18"]
    assert population.summary()["events"] == len(accepted)


def test_a_parquet_folder_gives_the_json_loaders_records_and_findings(tmp_path: Path) -> None:
    # Parquet columns are typed: the records as a population file types them. R6's "no" (a text among true and
    # false) cannot share a typed column with them, so R6 is left out of both.
    collections = {c: [r for r in rows if r.get("id") != "R6"] for c, rows in BASE.items()}
    doc: dict[str, Any] = {"format": "carerules.population/1"}
    for collection, rows in collections.items():
        doc[collection] = [json_record(collection, r) for r in rows]
    doc["events"] = [json_record("events", r) for r in EVENTS]
    by_json = _core.load_population_json(json.dumps(doc))
    folder = tmp_path / "pq"
    folder.mkdir()
    frames = {c: frame(c, rows) for c, rows in collections.items()}
    frames["events"] = frame("events", EVENTS)
    for collection, f in frames.items():
        f = f.copy()
        if "qualifications" in f:
            f["qualifications"] = f["qualifications"].map(lambda q: ";".join(q) if isinstance(q, list) else q)
        f.to_parquet(folder / f"{collection}.parquet", index=False)
    from_parquet = carerules.read_parquet(folder).core
    assert by_json.counts["registrations"]["accepted"] == 1
    assert outcome(from_parquet) == outcome(by_json)
