"""A population partitioned by practice and evaluated on Dask gives exactly the results of one process."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any, Iterator

import distributed as dask_distributed
import pandas as pd
import pytest

import carerules
from carerules import distributed, synthetic

SCHEMES = ["care-homes-es", "case-management-les"]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    # Two worker processes of one thread each, as on a two-core machine; any free ports.
    with dask_distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                       scheduler_port=0, silence_logs=40) as cluster:
        with dask_distributed.Client(cluster) as c:
            yield c


def one_process(frames: dict[str, pd.DataFrame], as_of: str, schemes: list[str] = SCHEMES) -> carerules.Result:
    return carerules.evaluate(carerules.population_from_frames(**frames), schemes, as_of)


def assert_same(result: distributed.DistributedResult, one: carerules.Result) -> None:
    pd.testing.assert_frame_equal(result.tasks, one.tasks)
    pd.testing.assert_frame_equal(result.payments, one.payments)
    pd.testing.assert_frame_equal(result.findings, one.findings)
    assert result.input == one.input
    assert result.schemes == one.schemes
    assert result.as_of == one.as_of


def demo_frames() -> dict[str, pd.DataFrame]:
    return carerules.frames_from_json(carerules.demo_population_path())


@pytest.mark.parametrize("as_of", ["2016-01-01", "2025-06-30", "2026-11-01"])
def test_demo_on_the_cluster_equals_one_process(client: Any, as_of: str) -> None:
    frames = demo_frames()
    result = distributed.evaluate(frames, SCHEMES, as_of, client)
    assert result.partitions == 2  # one per practice
    assert_same(result, one_process(frames, as_of))


def test_scheduler_address_instead_of_a_client(client: Any) -> None:
    frames = demo_frames()
    result = distributed.evaluate(frames, "care-homes-es", "2025-06-30", client.scheduler.address)
    assert_same(result, one_process(frames, "2025-06-30", ["care-homes-es"]))


def test_synthetic_population_with_many_practices(client: Any) -> None:
    params = synthetic.Parameters(residents=250, years=1, unaligned_home_share=0.1, homes_per_practice=1.2)
    frames = synthetic.generate(params, seed=5)
    practices = len(frames["practices"])
    assert practices >= 8
    as_of = "2025-03-31"
    one = one_process(frames, as_of)
    # Residents registered away from their home's practice, homes aligned to none or with no lead GP, events with
    # no performer or by one who may not do the work: the population has them all.
    assert {"registered-elsewhere", "home-not-aligned", "no-lead-gp", "no-performer",
            "unqualified-performer"} <= set(one.findings["code"])
    for partitions in (None, 3):
        result = distributed.evaluate(frames, SCHEMES, as_of, client, partitions=partitions)
        assert result.partitions == (practices if partitions is None else 3)
        assert_same(result, one)


def cross_practice_population() -> dict[str, Any]:
    """Two practices and a home aligned to none, with everything that reaches across practices."""
    return {
        "format": "carerules.population/1",
        "practices": [{"id": "P1", "name": "Park Surgery", "list_size": 30},
                      {"id": "P2", "name": "Riverside", "list_size": 3000}],
        "clinicians": [{"id": "C1", "practice": "P1", "role": "gp"},
                       {"id": "C2", "practice": "P2", "role": "gp"},
                       {"id": "N2", "practice": "P2", "role": "nurse", "qualifications": []}],
        "homes": [
            # H1 is aligned to P1, and its lead GP works for P2.
            {"id": "H1", "name": "Oak Lodge", "practice": "P1", "lead_gp": "C2"},
            {"id": "H2", "name": "Beech House", "practice": "P2", "lead_gp": "C2"},
            {"id": "H9", "name": "The Elms"},
        ],
        "residents": [
            {"id": "R1", "born": "1930-01-01", "practice": "P1", "cohort": {"reason": "clinical_judgement", "from": "2024-01-01"}},
            {"id": "R2", "born": "1931-01-01", "practice": "P1", "cohort": {"reason": "care_home", "from": "2024-01-01"}},
            {"id": "R3", "born": "1932-01-01", "practice": "P2", "risk_score": 0.9},  # lives in P1's home
            {"id": "R4", "born": "1933-01-01", "practice": "P2"},  # lives in the home aligned to none
            {"id": "R5", "born": "1934-01-01", "practice": "P9"},  # an unknown practice: rejected
        ],
        "stays": [
            {"id": "S1", "resident": "R1", "home": "H1", "start": "2024-02-01", "residency": "permanent"},
            {"id": "S2", "resident": "R2", "home": "H1", "start": "2024-03-01", "residency": "permanent"},
            {"id": "S3", "resident": "R3", "home": "H1", "start": "2024-04-01", "residency": "permanent"},
            {"id": "S4", "resident": "R4", "home": "H9", "start": "2024-05-01", "residency": "temporary"},
            {"id": "S5", "resident": "R5", "home": "H2", "start": "2024-05-01", "residency": "permanent"},
        ],
        "admissions": [{"id": "A1", "resident": "R3", "start": "2024-06-01", "end": "2024-06-04", "method": "emergency"}],
        "events": [
            # P1's resident seen by P2's GP and by P2's unqualified nurse; P2's resident seen by P1's GP.
            {"id": "E1", "date": "2024-02-05", "resident": "R1", "activity": "gp_review", "performer": "C2"},
            {"id": "E2", "date": "2024-04-05", "resident": "R3", "activity": "gp_review", "performer": "C1"},
            {"id": "E3", "date": "2024-02-06", "resident": "R1", "activity": "holistic_assessment", "performer": "N2"},
            # The same unmapped code in both practices, and a code of another system.
            {"id": "E4", "date": "2024-04-07", "resident": "R1", "code": "22298006"},
            {"id": "E5", "date": "2024-04-08", "resident": "R3", "code": "22298006"},
            {"id": "E6", "date": "2024-04-09", "resident": "R4", "code": "XaJ9z", "system": "ctv3"},
            # No performer: a home aligned to none, P1's home, P2's resident.
            {"id": "E7", "date": "2024-05-02", "home": "H9", "activity": "clinic_visit"},
            {"id": "E8", "date": "2024-05-03", "resident": "R4", "activity": "holistic_assessment"},
            {"id": "E9", "date": "2024-03-10", "resident": "R2", "activity": "medication_review"},
            {"id": "E10", "date": "2024-03-15", "home": "H1", "activity": "clinic_visit", "performer": "C2"},
            {"id": "E11", "date": "2024-04-01", "clinician": "C1", "activity": "safeguarding_training"},
            {"id": "E12", "date": "2024-04-01", "resident": "R5", "activity": "gp_review"},  # rejected with R5
        ],
    }


def test_what_reaches_across_practices_is_answered_once(client: Any) -> None:
    frames = carerules.frames_from_json(cross_practice_population())
    one = one_process(frames, "2024-09-30")
    codes = set(one.findings["code"])
    assert {"invalid-record", "registered-elsewhere", "lead-gp-not-of-aligned-practice", "home-not-aligned",
            "unqualified-performer", "unmapped-code", "no-performer", "cohort-over-5-percent",
            "clinical-judgement-over-2-percent", "risk-tool-not-in-cohort"} <= codes
    result = distributed.evaluate(frames, SCHEMES, "2024-09-30", client)
    assert_same(result, one)
    # The unmapped code is counted once over both practices' events, not once per practice.
    unmapped = result.findings[result.findings["code"] == "unmapped-code"]
    assert list(unmapped["subject"]) == ["22298006", "XaJ9z"]
    assert "in 2 events maps" in unmapped["message"].iloc[0]
    assert unmapped["count"].iloc[0] == 2 and unmapped["code_system"].iloc[0] == "snomed"
    # Each home is answered for once, by the practice it is aligned to (the home aligned to none by one).
    homes = result.findings[result.findings["subject_kind"] == "home"]
    assert sorted(homes["subject"]) == ["H1", "H9"]
    # Rejected records are reported where they stand in the frames given, and left out of every partition.
    rejected = result.findings[result.findings["code"] == "invalid-record"]
    assert list(zip(rejected["collection"], rejected["index"])) == [("residents", 4), ("stays", 4), ("events", 11)]
    parts = distributed.partition_by_practice(frames)
    assert [p.practices for p in parts.partitions] == [("P1",), ("P2",)]
    assert [p.homes for p in parts.partitions] == [("H1", "H9"), ("H2",)]  # the home aligned to none: partition 0
    assert "R5" not in set(pd.concat([p.frames["residents"]["id"] for p in parts.partitions]))


def test_partitions_group_whole_practices() -> None:
    frames = synthetic.generate(synthetic.Parameters(residents=300, years=1), seed=5)
    parts = distributed.partition_by_practice(frames, 2)
    assert len(parts.partitions) == 2
    owned = [p for part in parts.partitions for p in part.practices]
    assert sorted(owned) == sorted(frames["practices"]["id"])  # every practice in exactly one partition
    for part in parts.partitions:
        assert set(part.frames["residents"]["practice"]) <= set(part.practices)
    counts = [part.residents for part in parts.partitions]
    assert sum(counts) == len(frames["residents"])
    assert max(counts) - min(counts) <= max(frames["residents"]["practice"].value_counts())


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_workers_read_their_own_partition_folders(client: Any, tmp_path: Path, kind: str) -> None:
    frames = carerules.frames_from_json(cross_practice_population())
    folders = distributed.write_partitions(frames, tmp_path / "parts", format=kind)
    assert [f.name for f in folders] == ["part-00000", "part-00001"]
    assert (folders[0] / f"events.{kind}").is_file()
    manifest = json.loads((folders[1] / "partition.json").read_text())
    assert (manifest["practices"], manifest["homes"], manifest["clinicians"]) == (["P2"], ["H2"], ["C2", "N2"])
    result = distributed.evaluate(tmp_path / "parts", SCHEMES, "2024-09-30", client)
    assert_same(result, one_process(frames, "2024-09-30"))


def test_an_edited_scheme_reaches_the_workers(client: Any, tmp_path: Path) -> None:
    # A commissioner's copy, loaded here: the workers get its text, not a path they may not be able to read.
    edited = json.loads(carerules.scheme("care-homes-es").text)
    edited["id"] = "my-care-homes"
    path = tmp_path / "my-care-homes.json"
    path.write_text(json.dumps(edited), encoding="utf-8")
    mine = carerules.scheme(path)
    path.unlink()
    frames = demo_frames()
    result = distributed.evaluate(frames, [mine], "2025-06-30", client)
    assert_same(result, carerules.evaluate(carerules.population_from_frames(**frames), [mine], "2025-06-30"))
    assert set(result.tasks["scheme"]) == {"my-care-homes"}


def test_a_scheme_given_twice_is_refused_before_any_work() -> None:
    with pytest.raises(carerules.ArgumentError, match="given twice"):
        distributed.evaluate(demo_frames(), ["care-homes-es", "care-homes-es"], "2025-06-30", "tcp://127.0.0.1:1")


def test_the_scaling_example_measures_checked_results(client: Any) -> None:
    path = Path(__file__).resolve().parents[2] / "docs" / "examples" / "distributed_scaling.py"
    spec = importlib.util.spec_from_file_location("distributed_scaling", path)
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    frames = demo_frames()
    one = example.one_process(frames, "2026-11-01")
    assert example.on_cluster(frames, "2026-11-01", client, one, 1, None) > 0  # it compares every frame with `one`
    wrong = one_process(frames, "2025-06-30")
    with pytest.raises(AssertionError):
        example.on_cluster(frames, "2026-11-01", client, wrong, 1, None)
    parts = example.parts(frames, "2026-11-01", None)
    assert parts["partitions"] == 2 and parts["largest"] <= parts["work"]
