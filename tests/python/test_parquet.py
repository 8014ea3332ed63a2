"""Populations from folders of Parquet files: the same population as JSON and frames; bad files named."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import carerules
from carerules import synthetic

SCHEMES = ["care-homes-es", "case-management-les"]


@pytest.fixture(scope="module")
def generated() -> tuple[synthetic.Parameters, dict[str, pd.DataFrame]]:
    params = synthetic.Parameters(residents=300)
    return params, synthetic.generate(params, seed=9)


@pytest.fixture()
def folder(tmp_path: Path, generated: tuple[synthetic.Parameters, dict[str, pd.DataFrame]]) -> Path:
    synthetic.write_parquet(generated[1], tmp_path / "pq")
    return tmp_path / "pq"


def evaluation(population: carerules.Population, params: synthetic.Parameters) -> str:
    return carerules.evaluate(population, SCHEMES, params.end).to_json()


def test_parquet_json_and_frames_evaluate_alike(tmp_path: Path, folder: Path,
                                                generated: tuple[synthetic.Parameters, dict[str, pd.DataFrame]]) -> None:
    params, frames = generated
    from_parquet = carerules.read_parquet(folder)
    assert from_parquet.counts == carerules.population_from_frames(**frames).counts
    assert from_parquet.counts["total"]["rejected"] == 0
    json_path = synthetic.write_json(frames, tmp_path / "population.json")
    expected = evaluation(carerules.load_population(json_path), params)
    assert evaluation(from_parquet, params) == expected
    assert evaluation(carerules.population_from_frames(**frames), params) == expected
    # load_population takes the folder too.
    assert evaluation(carerules.load_population(folder), params) == expected


def test_files_are_dictionary_encoded_dates_and_text(folder: Path) -> None:
    schema = pq.read_schema(folder / "events.parquet")
    assert schema.field("date").type == pa.date32()
    assert schema.field("resident").type == pa.string()
    metadata = pq.ParquetFile(folder / "events.parquet").metadata
    encodings = metadata.row_group(0).column(2).encodings  # resident: repeats, stored with a dictionary
    assert any("DICTIONARY" in e for e in encodings)


def test_categorical_and_dictionary_columns_read_as_their_values(
    generated: tuple[synthetic.Parameters, dict[str, pd.DataFrame]]
) -> None:
    params, frames = generated
    as_categories = {name: frame.copy() for name, frame in frames.items()}
    events = as_categories["events"]
    for column in ("resident", "home", "clinician", "activity", "code", "performer"):
        events[column] = events[column].astype("category")
    stays = as_categories["stays"]
    stays["residency"] = stays["residency"].astype(object).astype("category")
    expected = evaluation(carerules.population_from_frames(**frames), params)
    assert evaluation(carerules.population_from_frames(**as_categories), params) == expected


def write(folder: Path, name: str, table: object) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, folder / f"{name}.parquet")


def small(folder: Path, residents: object) -> None:
    write(folder, "practices", pa.table({"id": ["P1"], "name": ["Park"], "list_size": [9500]}))
    write(folder, "residents", residents)


def test_a_missing_required_column_names_the_collection_and_field(tmp_path: Path) -> None:
    small(tmp_path, pa.table({"id": ["R1"], "practice": ["P1"]}))
    with pytest.raises(carerules.InputError) as e:
        carerules.read_parquet(tmp_path)
    assert e.value.collection == "residents"
    assert e.value.field == "born"
    assert "residents.parquet" in str(e.value) and "has no column 'born'" in str(e.value)


def test_a_column_of_the_wrong_type_names_collection_record_field_and_value(tmp_path: Path) -> None:
    small(tmp_path, pa.table({"id": ["R1", "R2"], "born": pa.array([None, 19310502], pa.int64()), "practice": ["P1", "P1"]}))
    with pytest.raises(carerules.InputError) as e:
        carerules.read_parquet(tmp_path)
    err = e.value
    assert (err.collection, err.index, err.record, err.field, err.value) == ("residents", 1, "R2", "born", "19310502")
    assert "column 'born' has type int64, which cannot hold a date" in str(err)
    assert 'residents[1] (id "R2"): field "born" = \'19310502\'' in str(err)


def test_a_bad_date_is_a_finding_or_with_strict_an_input_error(tmp_path: Path) -> None:
    small(tmp_path, pa.table({"id": ["R1", "R2"], "born": ["1931-05-02", "1931-02-30"], "practice": ["P1", "P1"]}))
    population = carerules.read_parquet(tmp_path)
    assert population.counts["residents"] == {"read": 2, "accepted": 1, "rejected": 1}
    (finding,) = population.findings
    assert (finding.collection, finding.index, finding.subject, finding.field, finding.value) == (
        "residents", 1, "R2", "born", "1931-02-30")
    with pytest.raises(carerules.InputError) as e:
        carerules.read_parquet(tmp_path, strict=True)
    err = e.value
    assert (err.collection, err.index, err.record, err.field, err.value) == ("residents", 1, "R2", "born", "1931-02-30")
    assert "is not a date that exists" in str(err)


def test_nulls_in_dates_numbers_and_dictionary_text_are_absent_fields(tmp_path: Path) -> None:
    write(tmp_path, "practices", pa.table({"id": ["P1"], "list_size": pa.array([None], pa.int64())}))
    residents = pa.table({
        "id": ["R1", "R2"],
        "born": pa.array([18000, 18400], pa.date32()).cast(pa.date32()),
        "practice": pa.array(["P1", "P1"]).dictionary_encode(),
        "cohort_reason": pa.array(["risk_tool", None]).dictionary_encode(),
        "cohort_from": pa.array([19000, None], pa.date32()),
        "risk_score": pa.array([0.8, None], pa.float64()),
        "declined_aligned_practice": pa.array([None, True], pa.bool_()),
    })
    write(tmp_path, "residents", residents)
    population = carerules.read_parquet(tmp_path)
    assert population.counts["total"] == {"read": 3, "accepted": 3, "rejected": 0}


def test_bad_values_give_the_json_loaders_findings(tmp_path: Path) -> None:
    doc = {
        "format": "carerules.population/1",
        "practices": [{"id": "P1", "name": "Park", "list_size": -3}, {"id": "P2", "list_size": 10}],
        "clinicians": [{"id": "C1", "practice": "P2", "role": "doctor"}],
        "residents": [{"id": "R1", "born": "1931-05-02", "practice": "P9"}],
    }
    frames = carerules.frames_from_json(doc)
    folder = tmp_path / "bad"
    folder.mkdir()
    for name, frame in frames.items():
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / f"{name}.parquet")
    from_parquet = carerules.read_parquet(folder)
    from_json = carerules.load_population(_json(tmp_path, doc))
    assert from_parquet.findings == from_json.findings
    assert from_parquet.counts == from_json.counts


def _json(tmp_path: Path, doc: dict[str, object]) -> Path:
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_a_folder_with_csv_and_parquet_is_ambiguous(tmp_path: Path, folder: Path) -> None:
    (folder / "practices.csv").write_text("id\nP1\n", encoding="utf-8")
    with pytest.raises(carerules.ArgumentError, match="both CSV extracts and Parquet files"):
        carerules.load_population(folder)


def test_a_file_that_is_not_parquet_is_a_parse_error(tmp_path: Path) -> None:
    (tmp_path / "events.parquet").write_text("id,date\nE1,2025-01-01\n", encoding="utf-8")
    with pytest.raises(carerules.ParseError, match="events.parquet: not a readable Parquet file"):
        carerules.read_parquet(tmp_path)


def test_an_empty_folder_says_what_it_expected(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no Parquet files"):
        carerules.read_parquet(tmp_path)


def test_dictionary_encoded_references_are_accepted_and_rejected_as_plain_text_is(tmp_path: Path) -> None:
    # The columnar reader looks each distinct id of a dictionary-encoded subject or performer column up once.
    # Known ids, unknown ids, ids of a rejected record and missing values, repeated in any order, give the
    # same rows, rejections and messages as the same columns written as plain text.
    residents = pa.table({"id": ["R1", "R2", "R3"], "born": ["1931-05-02", "1940-01-01", "1935-03-03"],
                          "practice": ["P1", "P1", "P9"]})
    clinicians = pa.table({"id": ["C1", "N1"], "practice": ["P1", "P1"], "role": ["gp", "nurse"]})
    subject = ["R1", "R9", "R2", "R3", "R1", None, "R2", "R9", "R3", "R1"]
    performer = ["C1", "C1", "C9", None, "N1", "C1", "C9", "N1", "C1", "N1"]
    events = {
        "id": [f"E{i}" for i in range(len(subject))],
        "date": ["2025-01-0" + str(1 + i % 9) for i in range(len(subject))],
        "activity": ["care_plan"] * len(subject),
    }
    populations = []
    for encode in (False, True):
        folder = tmp_path / ("dictionary" if encode else "plain")
        write(folder, "practices", pa.table({"id": ["P1"], "name": ["Park"]}))
        write(folder, "clinicians", clinicians)
        write(folder, "residents", residents)
        columns = {"resident": pa.array(subject), "performer": pa.array(performer)}
        if encode:
            columns = {name: column.dictionary_encode() for name, column in columns.items()}
        write(folder, "events", pa.table({**{k: pa.array(v) for k, v in events.items()}, **columns}))
        if encode:
            assert pa.types.is_dictionary(pq.read_table(folder / "events.parquet", read_dictionary=["resident"])
                                          .schema.field("resident").type)
        populations.append(carerules.read_parquet(folder))
    plain, dictionary = populations
    assert dictionary.counts == plain.counts
    assert dictionary.counts["events"] == {"read": 10, "accepted": 3, "rejected": 7}
    assert dictionary.findings == plain.findings
    assert {(f.index, f.field, f.value) for f in dictionary.findings if f.collection == "events"} == {
        (1, "resident", "R9"), (2, "performer", "C9"), (3, "resident", "R3"), (5, "subject", ""),
        (6, "performer", "C9"), (7, "resident", "R9"), (8, "resident", "R3")}
    assert carerules.evaluate(dictionary, SCHEMES, "2025-03-31").to_json() == \
        carerules.evaluate(plain, SCHEMES, "2025-03-31").to_json()
