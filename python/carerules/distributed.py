"""Evaluating a population partitioned by practice, on a Dask cluster, with exactly the results of one process.

A population given as DataFrames per collection (the form ``frames_from_json`` and ``read_extracts`` return and
``population_from_frames`` takes) is validated once, split into partitions of whole practices, and each
partition is evaluated on a worker; the partial results are joined into the tasks, payment lines and findings
one process gives, row for row and in the same order::

    from dask.distributed import Client
    import carerules
    from carerules import distributed

    frames = carerules.frames_from_json(carerules.demo_population_path())
    with Client("tcp://scheduler:8786") as client:
        result = distributed.evaluate(frames, ["care-homes-es", "case-management-les"], "2025-06-30", client)
    result.tasks  # equal to carerules.evaluate(...).tasks

What each partition holds, why that is exact, and how findings that are not about one practice are joined:
docs/distributed.md. Dask (``pip install carerules[distributed]``) is imported only when a cluster is used.
"""

from __future__ import annotations

import datetime
import gc
import itertools
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence, Union

import numpy as np
import pandas as pd

from carerules import _api, _core, _frames

if TYPE_CHECKING:
    from distributed import Client

SchemeArg = Union[str, "os.PathLike[str]", _api.Scheme]

MANIFEST = "partition.json"
INDEX = "partitions.json"

# Findings made while each resident is evaluated (ordered with that resident's tasks).
_RESIDENT_PASS_CODES = frozenset({"registered-elsewhere", "unqualified-performer"})
# Code systems in the order the engine reports unmapped codes.
_CODE_SYSTEMS = ("snomed", "read2", "ctv3")
_SUBJECT_RANK = {"resident": 0, "home": 1, "clinician": 2}


# ---------------------------------------------------------------------------------------------------------
# Partitions


@dataclass(frozen=True)
class Partition:
    """The records one worker evaluates: whole practices, with everything their results depend on.

    The partition answers for ``practices`` (their residents and the findings about the practices), ``homes``
    (those aligned to its practices, and for partition 0 those aligned to none) and ``clinicians`` (those of its
    practices). ``frames`` also holds records of other practices that these need (a home another practice is
    aligned to, a performer of another practice, the practices they name): they are read, but their results
    are left to the partition that answers for them.
    """

    number: int
    practices: tuple[str, ...]
    homes: tuple[str, ...]
    clinicians: tuple[str, ...]
    frames: dict[str, pd.DataFrame] = field(repr=False)

    @property
    def residents(self) -> int:
        frame = self.frames.get("residents")
        return 0 if frame is None else len(frame)


@dataclass(frozen=True)
class Partitioning:
    """A validated population split by practice.

    ``input_findings`` are the ``invalid-record`` findings of the whole population (positions in the frames as
    given) and ``input`` its counts read, accepted and rejected; the partitions hold accepted records only.
    """

    partitions: tuple[Partition, ...]
    input_findings: tuple[dict[str, Any], ...]
    input: dict[str, int]


def _frame(collection: str, value: Any) -> pd.DataFrame:
    if isinstance(value, pd.DataFrame):
        return value
    if isinstance(value, Mapping):
        return pd.DataFrame({str(k): v for k, v in value.items()})
    raise _core.ArgumentError(f"{collection}: expected a pandas DataFrame or a dict of columns, not {type(value).__name__}")


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column as an object Series of ids (None where missing, or where the frame has no such column)."""
    if name not in frame.columns:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)
    col = frame[name].astype(object)
    return col.where(col.notna(), None)


def _balanced_groups(sizes: Mapping[str, int], count: int) -> list[list[str]]:
    """Practices into `count` groups of about equal numbers of residents (largest first, into the lightest)."""
    groups: list[list[str]] = [[] for _ in range(count)]
    load = [0] * count
    for practice in sorted(sizes, key=lambda p: (-sizes[p], p)):
        g = min(range(count), key=lambda i: (load[i], i))
        groups[g].append(practice)
        load[g] += sizes[practice]
    groups = [sorted(g) for g in groups if g]
    groups.sort(key=lambda g: g[0])
    return groups


def _members(frame: pd.DataFrame, pairs: Iterable[tuple[Any, pd.Series]]) -> dict[int, np.ndarray]:
    """Row positions of `frame` per partition, from (partition numbers, ids of `frame`) pairs."""
    parts = [pd.DataFrame({"g": pd.Series(g, dtype="float64").to_numpy(), "id": ids.to_numpy(dtype=object)}) for g, ids in pairs]
    both = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"g": [], "id": []})
    both = both[both["g"].notna() & both["id"].notna()].drop_duplicates()
    position = pd.Series(np.arange(len(frame)), index=_column(frame, "id").to_numpy(dtype=object))
    both["pos"] = both["id"].map(position)
    if both["pos"].isna().any():
        raise _core.CareRulesError("partitioning: a reference to a record that is not in the population")  # validated
    return {int(float(str(g))): np.sort(rows["pos"].to_numpy(dtype=np.int64)) for g, rows in both.groupby("g")}


def _rows_by_label(labels: pd.Series) -> dict[int, np.ndarray]:
    if labels.isna().any():
        raise _core.CareRulesError("partitioning: a record whose subject is in no partition")  # validated
    return {int(float(str(g))): np.asarray(rows, dtype=np.int64)
            for g, rows in labels.groupby(labels.to_numpy()).indices.items()}


def partition_by_practice(frames: Mapping[str, Any], partitions: int | None = None) -> Partitioning:
    """Validates a population (DataFrames per collection) and splits it into partitions of whole practices.

    `partitions`: how many partitions (practices grouped so that each has about the same number of
    residents); by default one per practice. The population is validated here exactly as
    ``population_from_frames`` validates it: rejected rows become the ``invalid-record`` findings of the result
    and are left out of every partition.
    """
    unknown = sorted(set(frames) - set(_frames.COLLECTIONS))
    if unknown:
        raise _core.ArgumentError(f"{unknown[0]!r} is not a collection: expected one of {', '.join(_frames.COLLECTIONS)}")
    tables = {c: _frame(c, frames[c]) for c in _frames.COLLECTIONS if c in frames and frames[c] is not None}
    if partitions is not None and partitions < 1:
        raise _core.ArgumentError(f"partitions must be at least 1, not {partitions}")

    checked = _frames.population_from_columns(tables)
    input_findings = tuple(checked.findings)
    rejected: dict[str, list[int]] = {}
    for f in input_findings:
        if f["code"] == "invalid-record" and f["collection"] in tables and f["index"] is not None and f["index"] >= 0:
            rejected.setdefault(f["collection"], []).append(int(f["index"]))
    accepted = {
        c: (t.drop(t.index[sorted(set(rejected[c]))]) if c in rejected else t).reset_index(drop=True)
        for c, t in tables.items()
    }
    empty = pd.DataFrame({"id": pd.Series([], dtype=object)})
    practices = accepted.get("practices", empty)
    residents = accepted.get("residents", empty)
    homes = accepted.get("homes", empty)
    clinicians = accepted.get("clinicians", empty)
    stays = accepted.get("stays", empty)
    admissions = accepted.get("admissions", empty)
    events = accepted.get("events", empty)

    practice_ids = [str(p) for p in _column(practices, "id")]
    per_practice = _column(residents, "practice").value_counts()
    sizes = {p: int(per_practice.get(p, 0)) for p in practice_ids}
    if partitions is None or partitions >= len(practice_ids):
        groups = [[p] for p in sorted(practice_ids)]
    else:
        groups = _balanced_groups(sizes, partitions)
    if not groups:
        groups = [[]]  # no practice: one partition, for the homes aligned to none
    group_of = {p: g for g, members in enumerate(groups) for p in members}

    def label(ids: pd.Series, mapping: Mapping[Any, int] | pd.Series) -> pd.Series:
        return ids.map(mapping).astype("float64")

    resident_label = label(_column(residents, "practice"), group_of)
    resident_group = pd.Series(resident_label.to_numpy(), index=_column(residents, "id").to_numpy(dtype=object))
    home_practice = _column(homes, "practice")
    home_label = label(home_practice, group_of).where(home_practice.notna(), 0.0)  # homes aligned to none: partition 0
    home_group = pd.Series(home_label.to_numpy(), index=_column(homes, "id").to_numpy(dtype=object))
    clinician_label = label(_column(clinicians, "practice"), group_of)
    clinician_group = pd.Series(clinician_label.to_numpy(), index=_column(clinicians, "id").to_numpy(dtype=object))

    stay_label = label(_column(stays, "resident"), resident_group)
    admission_label = label(_column(admissions, "resident"), resident_group)
    # An event goes to the partition that owns its subject, and only there: its findings and counts are made once.
    event_label = label(_column(events, "resident"), resident_group)
    event_label = event_label.fillna(label(_column(events, "home"), home_group))
    event_label = event_label.fillna(label(_column(events, "clinician"), clinician_group))

    home_rows = _members(homes, [(home_label, _column(homes, "id")), (stay_label, _column(stays, "home"))])
    home_in = pd.Series(
        np.concatenate([np.full(len(rows), g, dtype=np.float64) for g, rows in home_rows.items()] or [np.zeros(0)]),
    )
    home_in_rows = np.concatenate([rows for rows in home_rows.values()] or [np.zeros(0, dtype=np.int64)])
    lead_gps = _column(homes, "lead_gp").iloc[home_in_rows].reset_index(drop=True)
    named_practices = home_practice.iloc[home_in_rows].reset_index(drop=True)
    clinician_rows = _members(clinicians, [
        (clinician_label, _column(clinicians, "id")), (home_in, lead_gps), (event_label, _column(events, "performer")),
    ])
    clinician_in = pd.Series(
        np.concatenate([np.full(len(rows), g, dtype=np.float64) for g, rows in clinician_rows.items()] or [np.zeros(0)]),
    )
    clinician_in_rows = np.concatenate([rows for rows in clinician_rows.values()] or [np.zeros(0, dtype=np.int64)])
    clinician_practices = _column(clinicians, "practice").iloc[clinician_in_rows].reset_index(drop=True)
    own_practice = label(_column(practices, "id"), group_of)
    practice_rows = _members(practices, [
        (own_practice, _column(practices, "id")), (home_in, named_practices), (clinician_in, clinician_practices),
    ])
    rows = {
        "practices": practice_rows,
        "clinicians": clinician_rows,
        "homes": home_rows,
        "residents": _rows_by_label(resident_label),
        "stays": _rows_by_label(stay_label),
        "admissions": _rows_by_label(admission_label),
        "events": _rows_by_label(event_label),
    }
    out: list[Partition] = []
    none = np.zeros(0, dtype=np.int64)
    home_ids, clinician_ids = _column(homes, "id"), _column(clinicians, "id")
    for g, members in enumerate(groups):
        part_frames = {c: t.iloc[rows[c].get(g, none)].reset_index(drop=True) for c, t in accepted.items()}
        out.append(Partition(number=g, practices=tuple(members), homes=tuple(home_ids[home_label == g]),
                             clinicians=tuple(clinician_ids[clinician_label == g]), frames=part_frames))
    counts = checked.counts["total"]
    return Partitioning(partitions=tuple(out), input_findings=input_findings, input=dict(counts))


# ---------------------------------------------------------------------------------------------------------
# Partitions as folders of CSV extracts or Parquet files (for workers that read their own data)


def write_partitions(frames_or_partitioning: Mapping[str, Any] | Partitioning, folder: Union[str, os.PathLike[str]],
                     partitions: int | None = None, format: str = "csv") -> list[Path]:
    """Writes each partition as a folder of CSV extracts (``format="csv"``) or Parquet files (``"parquet"``,
    needs pyarrow), ``folder/part-00000/`` ..., each with a ``partition.json`` naming the practices, homes and
    clinicians it answers for, and ``folder/partitions.json`` with the input findings and counts.

    Returns the partition folders; ``evaluate`` takes ``folder`` and ``evaluate_partition`` each partition folder.
    """
    if format not in ("csv", "parquet"):
        raise _core.ArgumentError(f"format must be csv or parquet, not {format!r}")
    parts = frames_or_partitioning if isinstance(frames_or_partitioning, Partitioning) else partition_by_practice(
        frames_or_partitioning, partitions)
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for p in parts.partitions:
        path = root / f"part-{p.number:05d}"
        if format == "csv":
            _frames.write_extracts(p.frames, path)
        else:
            from carerules.synthetic import write_parquet

            write_parquet(p.frames, path)
        manifest = {"number": p.number, "practices": list(p.practices), "homes": list(p.homes),
                    "clinicians": list(p.clinicians)}
        (path / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        written.append(path)
    index = {
        "partitions": [w.name for w in written],
        "input_findings": list(parts.input_findings),
        "input": parts.input,
    }
    (root / INDEX).write_text(json.dumps(index, indent=1) + "\n", encoding="utf-8")
    return written


# ---------------------------------------------------------------------------------------------------------
# Evaluating one partition (on a worker)


@dataclass(frozen=True)
class PartitionResult:
    """What one partition answers for: its rows of tasks and payment lines, and its findings (as dicts).

    The tasks' list columns (``missing``, ``evidence``) travel apart, in ``task_lists``, as each row's length
    and the items one after the other: a column of many small lists is slow to pickle, and ``combine`` puts
    them back.
    """

    number: int
    as_of: datetime.date
    schemes: list[tuple[str, str | None]]
    tasks: pd.DataFrame
    payments: pd.DataFrame
    findings: list[dict[str, Any]]
    task_lists: dict[str, tuple[np.ndarray, list[str]]] = field(default_factory=dict)


_LIST_COLUMNS = ("missing", "evidence")


def _flatten(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    rows = column.tolist()
    return np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows)), list(itertools.chain.from_iterable(rows))


def _unflatten(parts: Sequence[tuple[np.ndarray, list[str]]]) -> list[list[str]]:
    lengths = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
    items = list(itertools.chain.from_iterable(p[1] for p in parts))
    ends = np.cumsum(lengths).tolist()
    starts = [0, *ends[:-1]]
    # Many small lists at once: without the cycle collector, which would otherwise scan every object again and
    # again while they are made (lists of strings hold no cycles).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return [items[a:b] for a, b in zip(starts, ends)]
    finally:
        if enabled:
            gc.enable()


def _scheme_spec(s: SchemeArg) -> tuple[str, str, str]:
    """A scheme as something a worker can rebuild: ("ref", built-in id or path, "") or ("json", text, source)."""
    if isinstance(s, _api.Scheme):
        return ("json", s.text, s.core.source)
    return ("ref", os.fspath(s), "")


def _scheme_of(spec: tuple[str, str, str]) -> _api.Scheme:
    kind, value, source = spec
    if kind == "json":
        return _api.Scheme(_core.load_scheme_json(value, source or "scheme.json"))
    return _api.scheme(value)


def evaluate_partition(partition: Partition | str | os.PathLike[str], schemes: Sequence[SchemeArg | tuple[str, str, str]],
                       as_of: _api.DateLike,
                       threads: int = 1) -> PartitionResult:
    """Evaluates one partition (or a partition folder written by ``write_partitions``) and keeps what it owns:
    its residents' tasks, payment lines and findings, the tasks and findings of its homes and clinicians, and
    the findings about its practices. Runs on a worker; ``combine`` joins the results."""
    if isinstance(partition, Partition):
        number, owner = partition.number, (partition.practices, partition.homes, partition.clinicians)
        population = _api.population_from_frames(**partition.frames)
    else:
        # A folder written by write_partitions: CSV extracts or Parquet files, read as load_population reads them.
        manifest = json.loads((Path(partition) / MANIFEST).read_text(encoding="utf-8"))
        number, owner = int(manifest["number"]), (manifest["practices"], manifest["homes"], manifest["clinicians"])
        population = _api.load_population(partition)
    if population.core.findings:
        first = population.core.findings[0]
        raise _core.CareRulesError(
            f"partition {number}: a record accepted in the whole population was rejected here: {first['message']}")
    core_schemes = [_scheme_of(s if isinstance(s, tuple) else _scheme_spec(s)) for s in schemes]
    result = _api.Evaluator(population, core_schemes, threads).evaluate(as_of)
    practices, owned_homes, owned_clinicians = (set(ids) for ids in owner)
    unaligned_homes = number == 0

    tasks = result.tasks
    kind = tasks["subject_kind"]
    keep = ((kind == "resident") | ((kind == "home") & tasks["subject"].isin(owned_homes))
            | ((kind == "clinician") & tasks["subject"].isin(owned_clinicians))
            | (~kind.isin(["resident", "home", "clinician"]) & tasks["practice"].isin(practices)))
    payments = result.payments
    paid = payments["resident"].notna() | payments["practice"].isin(practices)

    findings: list[dict[str, Any]] = []
    for f in result.core.findings():
        subject_kind, subject = f["subject_kind"], f["subject"]
        if subject_kind in ("resident", "code"):
            owned = True  # residents live in one partition; unmapped codes are summed by combine()
        elif subject_kind == "home":
            owned = subject in owned_homes
        elif subject_kind == "clinician":
            owned = subject in owned_clinicians
        elif subject_kind == "practice":
            owned = subject in practices if subject is not None else unaligned_homes  # events of homes aligned to none
        else:
            raise _core.CareRulesError(f"partition {number}: no partition answers for a finding about "
                                       f"{subject_kind} {subject}: {f['message']}")
        if owned:
            findings.append(f)
    kept = tasks[keep].reset_index(drop=True)
    return PartitionResult(number=number, as_of=result.as_of, schemes=result.schemes,
                           tasks=kept.drop(columns=list(_LIST_COLUMNS)), payments=payments[paid].reset_index(drop=True),
                           findings=findings, task_lists={name: _flatten(kept[name]) for name in _LIST_COLUMNS})


# ---------------------------------------------------------------------------------------------------------
# Joining the partitions' results in the order of one process


@dataclass(frozen=True)
class DistributedResult:
    """Tasks, payment lines and findings of a partitioned evaluation: the DataFrames of ``carerules.Result``,
    equal to those of one process (same columns, dtypes, rows and order)."""

    as_of: datetime.date
    schemes: list[tuple[str, str | None]]
    input: dict[str, int]
    tasks: pd.DataFrame
    payments: pd.DataFrame
    findings: pd.DataFrame
    partitions: int


def _order(*keys: np.ndarray) -> np.ndarray:
    """A stable order by the keys, most significant first."""
    return np.lexsort(tuple(reversed(keys))) if len(keys) else np.zeros(0, dtype=np.int64)


def _rank(values: pd.Series | Sequence[Any]) -> np.ndarray:
    """Each value's rank among the distinct values, in code point order (as the engine orders ids)."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    codes, _ = pd.factorize(series, sort=True)
    return np.asarray(codes, dtype=np.int64)


def _structural_blocks(specs: Sequence[tuple[str, str, str]]) -> dict[tuple[str, str], tuple[int, int]]:
    """(scheme id, structural check) -> (scheme position, rule position) of the block the engine puts the
    check's findings in (a finding names its check in ``rule``)."""
    blocks: dict[tuple[str, str], tuple[int, int]] = {}
    seen: set[str] = set()
    for i, spec in enumerate(specs):
        s = _scheme_of(spec)
        if s.id in seen:
            raise _core.ArgumentError(f"scheme {s.id!r} is given twice")
        seen.add(s.id)
        rules = json.loads(s.text).get("structural", [])
        for j, rule in enumerate(rules):
            check = str(rule.get("check"))
            if (s.id, check) in blocks:
                raise _core.ArgumentError(
                    f"scheme {s.id}: two structural rules of check {check!r}: their findings cannot be told apart "
                    "to put them in one process's order; evaluate this scheme in one process")
            blocks[(s.id, check)] = (i, j)
    return blocks


def _join_unmapped(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One unmapped-code finding per code, its count summed over the partitions."""
    events: dict[tuple[str, str], int] = {}
    for f in findings:
        key = (str(f["code_system"]), str(f["subject"]))
        events[key] = events.get(key, 0) + int(f["count"])
    return [_core.unmapped_code_finding(system, code, n) for (system, code), n in events.items()]


def _finding_order(findings: list[dict[str, Any]], blocks: Mapping[tuple[str, str], tuple[int, int]]) -> list[dict[str, Any]]:
    """The findings of all partitions in the engine's order: structural blocks (scheme, rule, subject id); the
    resident pass (resident id, then as the partition gave them); unmapped codes (system, code); no-performer
    counts (practice id, homes aligned to none first)."""
    unmapped = _join_unmapped([f for f in findings if f["code"] == "unmapped-code"])
    rest = [f for f in findings if f["code"] != "unmapped-code"]
    rows = rest + unmapped
    keys: list[tuple[int, int, int]] = []
    subject: list[str] = []
    for f in rows:
        code = f["code"]
        subject.append(f["subject"] if f["subject"] is not None else "")
        if code in _RESIDENT_PASS_CODES and f["subject_kind"] == "resident":
            keys.append((1, 0, 0))
        elif (f["scheme"], f["rule"]) in blocks:
            keys.append((0, *blocks[(f["scheme"], f["rule"])]))
        elif code == "unmapped-code":
            keys.append((2, _CODE_SYSTEMS.index(str(f["code_system"])), 0))
        elif code == "no-performer":
            keys.append((3, 0, 0))
        else:
            raise _core.CareRulesError(f"cannot place a finding {code!r} in one process's order: {f['message']}")
    k = np.asarray(keys, dtype=np.int64).reshape(len(rows), 3)
    order = _order(k[:, 0], k[:, 1], k[:, 2], _rank(subject), np.arange(len(rows)))
    return [rows[k] for k in order]


def _concat(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The frames one after the other, each column of the dtype one frame of all the rows would infer (a column
    with no value in one partition is of object dtype there, and text where another partition has values)."""
    non_empty = [f for f in frames if len(f)]
    if not non_empty:
        return frames[0].iloc[0:0] if frames else pd.DataFrame()
    if len(non_empty) == 1:
        return non_empty[0].reset_index(drop=True)
    joined = pd.concat(non_empty, ignore_index=True)
    for name in joined.columns:
        if len({str(f[name].dtype) for f in non_empty}) > 1:
            col = joined[name].astype(object)
            joined[name] = pd.Series(col.where(col.notna(), None).tolist())
    return joined


def combine(results: Sequence[PartitionResult], partitioning_input: tuple[Sequence[dict[str, Any]], Mapping[str, int]],
            schemes: Sequence[SchemeArg | tuple[str, str, str]]) -> DistributedResult:
    """Joins the partitions' results into one process's result.

    Tasks come residents first, then homes, then clinicians, each kind in id order (a subject's own tasks as
    its partition gave them); payment lines by resident id; findings as ``_finding_order`` says, after the
    ``invalid-record`` findings of the input. That is the order of ``carerules.evaluate``.
    """
    if not results:
        raise _core.ArgumentError("no partition results to combine")
    input_findings, counts = partitioning_input
    specs = [s if isinstance(s, tuple) else _scheme_spec(s) for s in schemes]
    blocks = _structural_blocks(specs)

    tasks = _concat([r.tasks for r in results])
    for name in _LIST_COLUMNS:
        parts = [r.task_lists[name] for r in results if len(r.tasks)] or [r.task_lists[name] for r in results[:1]]
        tasks[name] = pd.Series(_unflatten(parts), index=tasks.index, dtype=object)
    tasks = tasks[_api.TASK_COLUMNS]
    kind = tasks["subject_kind"].map(_SUBJECT_RANK).fillna(len(_SUBJECT_RANK)).to_numpy(dtype=np.int64)
    tasks = tasks.iloc[_order(kind, _rank(tasks["subject"]), np.arange(len(tasks)))].reset_index(drop=True)

    payments = _concat([r.payments for r in results])
    payments = payments.iloc[_order(_rank(payments["resident"].fillna("")), np.arange(len(payments)))].reset_index(drop=True)

    found = _finding_order([f for r in results for f in r.findings], blocks)
    findings = _api.finding_frame([*input_findings, *found])
    first = results[0]
    return DistributedResult(as_of=first.as_of, schemes=first.schemes, input=dict(counts), tasks=tasks,
                             payments=payments, findings=findings, partitions=len(results))


# ---------------------------------------------------------------------------------------------------------
# On a cluster


def evaluate(population: Mapping[str, Any] | Partitioning | str | os.PathLike[str],
             schemes: SchemeArg | Sequence[SchemeArg], as_of: _api.DateLike, client: Client | str,
             partitions: int | None = None, threads: int = 1) -> DistributedResult:
    """Evaluates a population partitioned by practice on a Dask cluster; the result equals one process's.

    `population`: DataFrames per collection (as ``frames_from_json`` or ``read_extracts`` give them), a
    ``Partitioning``, or a folder written by ``write_partitions`` (each worker then reads its own partition's
    CSV extracts or Parquet files: the folder must be readable by the workers at the same path). `client`: a
    ``dask.distributed.Client`` or the scheduler's address (``"tcp://host:8786"``). `partitions`: how many
    (default one per practice). `threads`: engine threads per partition.
    """
    scheme_list: list[SchemeArg] = [schemes] if isinstance(schemes, (str, os.PathLike, _api.Scheme)) else list(schemes)
    specs = [_scheme_spec(s) for s in scheme_list]
    _structural_blocks(specs)  # refuse what cannot be ordered before any work is sent
    own_client = isinstance(client, str)
    dask_client: Any = client
    if isinstance(client, str):
        try:
            from distributed import Client as DaskClient
        except ImportError as e:
            raise ImportError("a scheduler's address needs dask.distributed: pip install 'carerules[distributed]'") from e
        dask_client = DaskClient(client)  # type: ignore[no-untyped-call]
    try:
        work: list[Any]
        if isinstance(population, (str, os.PathLike)):
            root = Path(population)
            index = json.loads((root / INDEX).read_text(encoding="utf-8"))
            work = [str(root / name) for name in index["partitions"]]
            meta: tuple[Sequence[dict[str, Any]], Mapping[str, int]] = (index["input_findings"], index["input"])
        else:
            parts = population if isinstance(population, Partitioning) else partition_by_practice(population, partitions)
            work = list(parts.partitions)
            meta = (parts.input_findings, parts.input)
        if work and not isinstance(work[0], str):
            work = dask_client.scatter(work)  # the data goes to the workers once, not inside the task graph
        futures = dask_client.map(evaluate_partition, work, schemes=specs, as_of=as_of, threads=threads, pure=False)
        results: list[PartitionResult] = dask_client.gather(futures)
    finally:
        if own_client:
            dask_client.close()
    return combine(results, meta, specs)
