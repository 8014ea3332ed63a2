"""The typed Python layer over the compiled core: populations, schemes, evaluation and results."""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Protocol, Sequence, Union

import numpy as np
import numpy.typing as npt
import pandas as pd

from carerules import _core, _frames, _parquet
from carerules._core import (  # re-exported for the reports and the command line, which use only this facade
    ArgumentError as ArgumentError,
    CareRulesError as CareRulesError,
    ParseError as ParseError,
    SchemeError as SchemeError,
    add_years as add_years,
    financial_year as financial_year,
    format_pounds as format_pounds,
)

DateLike = Union[datetime.date, str]
SchemeLike = Union[str, "Scheme", os.PathLike[str]]


def demo_population_path() -> Path:
    """The bundled demo population (carerules.population/1 JSON)."""
    return Path(str(resources.files("carerules") / "data" / "demo_population.json"))


class Population:
    """A validated population. Every record read is accepted or rejected with an `invalid-record` finding."""

    def __init__(self, core: _core.Population) -> None:
        self._core = core

    @property
    def core(self) -> _core.Population:
        return self._core

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        """Records read, accepted and rejected, per collection and in `total`."""
        return self._core.counts

    @property
    def findings(self) -> list[Finding]:
        """One `invalid-record` finding per rejected record, and a warning per kept record worth a look
        (`stay-past-death`)."""
        return [Finding.from_dict(f) for f in self._core.findings]

    def summary(self) -> dict[str, int]:
        return self._core.summary()

    def ids(self, kind: str) -> list[str]:
        return self._core.ids(kind)

    def home_names(self) -> dict[str, str]:
        """Home id to name."""
        return self._core.home_names()

    def practice_names(self) -> dict[str, str]:
        """Practice id to name."""
        return self._core.practice_names()

    def append_event(self, record: dict[str, Any]) -> int:
        """Adds one event (shaped like a population JSON event); raises InputError if it cannot be used.

        Safe while other threads evaluate this population, write its results or build reports from it: the
        append waits for those running (they hold the population's lock shared while they run without the
        GIL; the append holds it exclusively), and those started after it see the new event."""
        return self._core.append_event(record)

    def __repr__(self) -> str:
        s = self.summary()
        return f"<carerules.Population {s['residents']} residents, {s['homes']} homes, {s['events']} events>"


def load_population(source: Union[str, os.PathLike[str]]) -> Population:
    """Loads a population from a carerules.population/1 JSON file, or from a folder of CSV extracts or of
    Parquet files.

    A folder holds one CSV file per collection (practices.csv, clinicians.csv, homes.csv, residents.csv,
    stays.csv, admissions.csv, events.csv; any may be absent), each with a header row of the JSON field names
    (the cohort as cohort_reason and cohort_from; qualifications separated by ";"; an empty cell is a missing
    value); or one Parquet file per collection (practices.parquet ... events.parquet, the same columns: see
    read_parquet). Malformed JSON or CSV raises ParseError (with the file, line and column); records that
    cannot be used are rejected with findings and the rest is loaded.
    """
    path = Path(source)
    if path.is_dir():
        if _parquet.has_parquet(path):
            if any((path / f"{c}.csv").is_file() for c in _frames.COLLECTIONS):
                raise _core.ArgumentError(
                    f"{path} holds both CSV extracts and Parquet files: load one kind with read_parquet or "
                    "a folder of its own"
                )
            return Population(_parquet.population_from_parquet(path))
        return Population(_frames.population_from_extracts(path))
    if not path.exists():
        raise FileNotFoundError(f"population file not found: {path}")
    return Population(_core.load_population_file(str(path)))


def read_parquet(folder: Union[str, os.PathLike[str]], strict: bool = False) -> Population:
    """A population from a folder of Parquet files, one per collection (practices.parquet, clinicians.parquet,
    homes.parquet, residents.parquet, stays.parquet, admissions.parquet, events.parquet; any may be absent).

    Columns are the JSON field names, as for population_from_frames (cohort as ``cohort_reason`` and
    ``cohort_from``; qualifications as ";"-separated text or a list of text); dates as Arrow date32 (or
    ISO text); text may be dictionary-encoded (each distinct value is then read once). Columns go to the C++
    reader as Arrow buffers: nothing is done per row in Python. Needs pyarrow.

    A file that cannot hold its collection (a required column missing; a column whose type cannot hold its
    field) raises InputError naming the collection, the first record, the field and its value. Records that
    cannot be used are rejected with findings, as by every loader; with ``strict`` the first one raises
    InputError instead (with ``collection``, ``index``, ``record``, ``field`` and ``value``).
    """
    return Population(_parquet.population_from_parquet(folder, strict=strict))


def population_from_frames(
    practices: _frames.FrameLike | None = None,
    clinicians: _frames.FrameLike | None = None,
    homes: _frames.FrameLike | None = None,
    residents: _frames.FrameLike | None = None,
    stays: _frames.FrameLike | None = None,
    admissions: _frames.FrameLike | None = None,
    events: _frames.FrameLike | None = None,
) -> Population:
    """A population from pandas DataFrames (or dicts of NumPy arrays), one per collection.

    Columns are named as the JSON fields (cohort as ``cohort_reason`` and ``cohort_from``; events name one of
    ``resident``, ``home`` or ``clinician`` per row; ``qualifications`` is a ";"-separated string or a list).
    Text columns may be object, str or Arrow-backed; dates datetime64 (any unit), datetime.date objects or ISO
    strings; a missing value (None, NaN, NaT, pd.NA) is an absent field. Records are read in C++ with no work
    per row in Python, and each is accepted or rejected exactly as the JSON loader would accept or reject it,
    with the same finding (its index is the row's position in its frame).
    """
    tables = {
        "practices": practices, "clinicians": clinicians, "homes": homes, "residents": residents,
        "stays": stays, "admissions": admissions, "events": events,
    }
    return Population(_frames.population_from_columns({k: v for k, v in tables.items() if v is not None}))


class Scheme:
    """A scheme definition (data): obligations, code lists, tariffs and versions."""

    def __init__(self, core: _core.Scheme) -> None:
        self._core = core

    @property
    def core(self) -> _core.Scheme:
        return self._core

    @property
    def id(self) -> str:
        return self._core.id

    @property
    def title(self) -> str:
        return self._core.title

    @property
    def text(self) -> str:
        """The JSON the scheme was loaded from."""
        return self._core.text

    @property
    def start(self) -> datetime.date:
        return self._core.start

    @property
    def obligations(self) -> list[dict[str, Any]]:
        return self._core.obligations

    @property
    def versions(self) -> list[dict[str, Any]]:
        return self._core.versions

    @property
    def month_end(self) -> str:
        """What "+ N months" does past a month's end: ``clamp`` or ``roll_forward``."""
        return self._core.month_end

    def interval(self, obligation: str) -> tuple[int, str]:
        """(count, unit) of an obligation's due or recurrence interval, as the scheme gives it: (3, "months")."""
        count, unit = self._core.interval(obligation)
        return int(count), str(unit)

    def due_after(self, obligation: str, day: DateLike) -> datetime.date:
        """The due date of an instance of ``obligation`` anchored (or last done) on ``day``, as the engine
        counts it (the interval after it, by the scheme's month-end policy)."""
        return self._core.due_after(obligation, day)

    def due_after_days(self, obligation: str, days: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """``due_after`` over an array of days since 1970-01-01."""
        return self._core.due_after_days(obligation, np.ascontiguousarray(days, dtype=np.int64))

    def __repr__(self) -> str:
        return f"<carerules.Scheme {self.id}>"


def builtin_schemes() -> list[str]:
    """Ids of the schemes that ship with the library."""
    return list(_core.builtin_scheme_ids())


def scheme(id_or_path: SchemeLike) -> Scheme:
    """A built-in scheme by id, or a scheme JSON file by path."""
    if isinstance(id_or_path, Scheme):
        return id_or_path
    return Scheme(_core.resolve_scheme(os.fspath(id_or_path)))


def _schemes(schemes: Union[SchemeLike, Sequence[SchemeLike]]) -> list[Scheme]:
    if isinstance(schemes, (str, Scheme, os.PathLike)):
        return [scheme(schemes)]
    return [scheme(s) for s in schemes]


@dataclass(frozen=True)
class Task:
    """One obligation instance, as in the output contract."""

    scheme: str
    obligation: str
    subject_kind: str
    subject: str
    practice: str | None
    home: str | None
    opens: datetime.date
    due: datetime.date | None
    status: str
    completed_on: datetime.date | None
    missing: tuple[str, ...]
    evidence: tuple[str, ...]
    because: str


@dataclass(frozen=True)
class PaymentLine:
    """One payment line: what a practice can claim for a resident in a quarter."""

    scheme: str
    practice: str | None
    resident: str | None
    home: str | None
    financial_year: str
    quarter: int
    kind: str
    amount_pence: int | None
    status: str
    tariff: str | None
    because: str

    @property
    def amount_pounds(self) -> Decimal | None:
        return None if self.amount_pence is None else Decimal(self.amount_pence) / 100


@dataclass(frozen=True)
class Finding:
    """A structural problem, rejected input, or a count a reader must know."""

    severity: str
    code: str
    subject_kind: str | None
    subject: str | None
    message: str
    scheme: str | None = None
    collection: str | None = None
    index: int | None = None
    field: str | None = None
    value: str | None = None
    rule: str | None = None
    obligation: str | None = None
    code_system: str | None = None
    count: int | None = None
    list_size: int | None = None
    limit_basis_points: int | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Finding:
        return cls(**d)


def _dates(days: Any) -> pd.Series:
    """int64 days since 1970-01-01 (NaT for none) to a datetime64 column."""
    return pd.Series(np.asarray(days, dtype=np.int64).view("datetime64[D]").astype("datetime64[s]"))


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A DataFrame's rows as dicts (column name to value)."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _date_or_none(value: Any) -> datetime.date | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def output_columns(table: str) -> list[dict[str, Any]]:
    """The columns of an output table (``tasks``, ``payments``, ``findings``) as the library declares them:
    ``name``, ``type`` (category, id, text, date, integer, pence, text_list), ``nullable``, ``description``.
    The JSON and CSV output and the DataFrames follow them; ``payments`` frames add ``amount_pounds``."""
    return _core.output_columns(table)


TASK_COLUMNS = [c["name"] for c in output_columns("tasks")]
PAYMENT_COLUMNS = [
    name for c in output_columns("payments")
    for name in ((c["name"], "amount_pounds") if c["name"] == "amount_pence" else (c["name"],))
]
FINDING_COLUMNS = [c["name"] for c in output_columns("findings")]


def _frame(table: str, data: dict[str, Any]) -> pd.DataFrame:
    """A DataFrame from the core's columns of `table`, each column's dtype from its declared type."""
    columns: dict[str, Any] = {}
    for c in output_columns(table):
        name, kind, value = c["name"], c["type"], data[c["name"]]
        if kind == "date":
            columns[name] = _dates(value)
        elif kind in ("integer", "pence") and c["nullable"]:
            values, missing = value
            columns[name] = pd.arrays.IntegerArray(np.asarray(values, dtype=np.int64), np.asarray(missing, dtype=bool))
        elif kind in ("integer", "pence"):
            columns[name] = np.asarray(value, dtype=np.int64)
        else:
            columns[name] = value
    return pd.DataFrame(columns)


def finding_frame(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Findings given as dicts (``Population.findings``, partial results) as ``Result.findings`` has them."""
    data: dict[str, Any] = {}
    for c in output_columns("findings"):
        values = [r.get(c["name"]) for r in rows]
        if c["type"] in ("integer", "pence"):
            numbers = np.asarray([0 if v is None else int(v) for v in values], dtype=np.int64)
            data[c["name"]] = (numbers, np.asarray([v is None for v in values], dtype=bool)) if c["nullable"] else numbers
        else:
            data[c["name"]] = values
    return _frame("findings", data)


class Result:
    """Tasks, payment lines and findings for one as-of date, as DataFrames and as typed objects."""

    def __init__(self, core: _core.Result) -> None:
        self._core = core

    @property
    def core(self) -> _core.Result:
        return self._core

    @property
    def as_of(self) -> datetime.date:
        return self._core.as_of

    @property
    def schemes(self) -> list[tuple[str, str | None]]:
        """(id, version in force on the as-of date) of each evaluated scheme."""
        return self._core.schemes

    @property
    def input(self) -> dict[str, int]:
        """Records read, accepted and rejected."""
        return self._core.input

    @cached_property
    def tasks(self) -> pd.DataFrame:
        """One row per task; dates as datetime64 (NaT when absent)."""
        return _frame("tasks", self._core.task_columns())

    @cached_property
    def payments(self) -> pd.DataFrame:
        """One row per payment line; `amount_pence` (nullable integer) and exact `amount_pounds` (Decimal)."""
        frame = _frame("payments", self._core.payment_columns())
        pence = frame["amount_pence"]
        missing = pence.isna().to_numpy().tolist()
        values = pence.to_numpy(dtype=np.int64, na_value=0).tolist()
        pounds = [None if m else Decimal(a) / 100 for a, m in zip(values, missing)]
        frame.insert(list(frame.columns).index("amount_pence") + 1, "amount_pounds", pd.Series(pounds, dtype=object))
        return frame

    @cached_property
    def findings(self) -> pd.DataFrame:
        """One row per finding; the structured fields (``rule``, ``count`` ...) are null where a code has none."""
        return _frame("findings", self._core.finding_columns())

    def task_list(self) -> list[Task]:
        out: list[Task] = []
        for r in records(self.tasks):
            opens = _date_or_none(r["opens"])
            assert opens is not None  # every task opens on a date
            out.append(Task(
                scheme=r["scheme"], obligation=r["obligation"], subject_kind=r["subject_kind"], subject=r["subject"],
                practice=r["practice"], home=r["home"], opens=opens, due=_date_or_none(r["due"]), status=r["status"],
                completed_on=_date_or_none(r["completed_on"]), missing=tuple(r["missing"]),
                evidence=tuple(r["evidence"]), because=r["because"],
            ))
        return out

    def payment_list(self) -> list[PaymentLine]:
        return [
            PaymentLine(
                scheme=r["scheme"], practice=r["practice"], resident=r["resident"], home=r["home"],
                financial_year=r["financial_year"], quarter=int(r["quarter"]), kind=r["kind"],
                amount_pence=None if pd.isna(r["amount_pence"]) else int(r["amount_pence"]), status=r["status"],
                tariff=r["tariff"], because=r["because"],
            )
            for r in records(self.payments)
        ]

    def finding_list(self) -> list[Finding]:
        return [Finding.from_dict(f) for f in self._core.findings()]

    def to_json(self, indent: int = 2) -> str:
        """The output contract's JSON document."""
        return self._core.to_json(indent)

    def write_csv(self, directory: Union[str, os.PathLike[str]]) -> None:
        """Writes tasks.csv, payments.csv and findings.csv into `directory`."""
        self._core.write_csv(os.fspath(directory))

    def __repr__(self) -> str:
        return f"<carerules.Result as of {self.as_of}: {self._core.task_count} tasks, {self._core.payment_count} payment lines>"


class Evaluator:
    """Schemes compiled against a population once, evaluated at any number of as-of dates.

    Evaluation releases the GIL, so several threads can evaluate at once.
    """

    def __init__(
        self,
        population: Population,
        schemes: Union[SchemeLike, Sequence[SchemeLike]] = ("care-homes-es",),
        threads: int = 1,
        payments: bool = True,
    ) -> None:
        self.population = population
        self.schemes = _schemes(schemes)
        self._core = _core.Evaluator(population.core, [s.core for s in self.schemes], threads, payments)

    def evaluate(self, as_of: DateLike) -> Result:
        return Result(self._core.evaluate(as_of))

    def evaluate_resident(self, resident: str, as_of: DateLike) -> Result:
        """One resident's tasks and payment lines (the incremental path after append_event)."""
        return Result(self._core.evaluate_resident(resident, as_of))


def evaluate(
    population: Union[Population, str, os.PathLike[str]],
    schemes: Union[SchemeLike, Sequence[SchemeLike]] = ("care-homes-es",),
    as_of: DateLike | None = None,
    threads: int = 1,
) -> Result:
    """Evaluates `schemes` against `population` on `as_of` (default: today)."""
    if not isinstance(population, Population):
        population = load_population(population)
    day = as_of if as_of is not None else datetime.date.today()
    return Evaluator(population, schemes, threads).evaluate(day)




@dataclass(frozen=True)
class BudgetLine:
    """One line of the budget projection: a count of patients at a year's paid activities each."""

    label: str
    basis: str
    count: int
    per_patient_pence: int
    total_pence: int
    tariff: str
    derivation: str


@dataclass(frozen=True)
class BudgetProjection:
    """Seed 004's Table 2 from counts and tariffs: the current budget, the projection and the impact (pence)."""

    scheme: str
    current_on: datetime.date
    projected_on: datetime.date
    activities_per_year: int
    current: tuple[BudgetLine, ...]
    current_total_pence: int
    projected: tuple[BudgetLine, ...]
    projected_total_pence: int
    impact_pence: int

    @property
    def lines(self) -> pd.DataFrame:
        """Every line as a DataFrame, the current budget's first (column ``budget``: current or projected)."""
        rows = [{"budget": "current", **vars(line)} for line in self.current]
        rows += [{"budget": "projected", **vars(line)} for line in self.projected]
        return pd.DataFrame(rows)


def project_budget(
    care_home_patients: int,
    existing_with_plan: int,
    scheme: SchemeLike = "case-management-les",
    projected_on: DateLike | None = None,
    current_on: DateLike | None = None,
) -> BudgetProjection:
    """The case management budget projection (seed 004, Table 2) from counts and the scheme's tariffs.

    ``project_budget(1500, 912)`` gives the current budget £255,000 (every patient costed as new at £170), the
    projection £244,680 (588 new at £230, 912 follow-ups at £120) and the impact -£10,320. The projection
    prices the tariff in force on ``projected_on`` (default: the latest version's effective date), the current
    budget the one in force on ``current_on`` (default: the day before). Counts from a population:
    ``budget_counts``.
    """
    d = _core.project_budget(_scheme_core(scheme), care_home_patients, existing_with_plan, projected_on, current_on)
    return BudgetProjection(
        scheme=d["scheme"], current_on=d["current_on"], projected_on=d["projected_on"],
        activities_per_year=d["activities_per_year"],
        current=tuple(BudgetLine(**line) for line in d["current"]), current_total_pence=d["current_total_pence"],
        projected=tuple(BudgetLine(**line) for line in d["projected"]),
        projected_total_pence=d["projected_total_pence"], impact_pence=d["impact_pence"],
    )


def budget_counts(
    population: Union[Population, str, os.PathLike[str]],
    as_of: DateLike,
    scheme: SchemeLike = "case-management-les",
) -> tuple[int, int]:
    """(care home patients, those of them with a care plan) on `as_of`: the budget projection's counts."""
    if not isinstance(population, Population):
        population = load_population(population)
    d = _core.budget_counts(population.core, _scheme_core(scheme), as_of)
    return int(d["care_home_patients"]), int(d["existing_with_plan"])


def _scheme_core(s: SchemeLike) -> _core.Scheme:
    return scheme(s).core


# ---------------------------------------------------------------------------------------------------------
# Dates, quarters, shares and money: the C++ library's own rules, for the Python reports, the command line
# and the generators (nothing here re-implements them).

def quarter_of(day: DateLike) -> tuple[int, int]:
    """(financial year start, quarter number) of ``day``: 2025-05-01 is (2025, 1), 2026-02-01 (2025, 4)."""
    start_year, number = _core.quarter_of(day)
    return int(start_year), int(number)


def quarter_bounds(start_year: int, number: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of quarter ``number`` (1 to 4) of the financial year starting in ``start_year``."""
    return _core.quarter_bounds(start_year, number)


def quarter_label(start_year: int, number: int) -> str:
    """``"2025-26 Q1"``."""
    return _core.quarter_label(start_year, number)


def financial_year_label(start_year: int) -> str:
    """``"2025-26"``."""
    return _core.financial_year_label(start_year)


def parse_financial_year(text: str) -> int | None:
    """The start year of ``"2025-26"``; None when the text is not a financial year."""
    return _core.parse_financial_year(text)


def rounded_percent(part: int, whole: int) -> int | None:
    """part / whole as a whole per cent, rounded half up by integer arithmetic; None when whole is 0."""
    return _core.rounded_percent(int(part), int(whole))


def is_working_day(day: DateLike) -> bool:
    """Monday to Friday and not an England and Wales bank holiday (data/calendars/england-and-wales.csv)."""
    return _core.is_working_day(day)


def birthdays(born: npt.NDArray[np.int64], years: int) -> npt.NDArray[np.int64]:
    """The day each person born on ``born`` (days since 1970-01-01) reaches ``years`` of age (29 February
    birthdays fall on 28 February in other years)."""
    return _core.birthdays(np.ascontiguousarray(born, dtype=np.int64), years)


def payment_totals(result: Result) -> list[dict[str, Any]]:
    """The payment totals of a result (C++ ``payment_totals``): per scheme (in evaluation order), practice
    (None: none), financial year, one row per quarter with lines (``quarter`` 1 to 4) then the year
    (``quarter`` 0): ``lines``, ``unpriced_lines``, ``payable_pence``, ``pending_pence``, ``withheld_pence``, and
    apart ``superseded_lines`` and ``superseded_pence`` (what lines another scheme pays for instead would have
    paid: in no other total)."""
    return result.core.payment_totals()


def cohort_summary_rows(population: Population, scheme_like: SchemeLike, as_of: DateLike) -> list[dict[str, Any]]:
    """The case management cohort of each practice on ``as_of``, then the total (practice ``""``), as the C++
    library counts them (carerules/reports/cohort.hpp)."""
    return _core.cohort_summary(population.core, scheme(scheme_like).core, as_of)


class ReportContext(Protocol):
    """A population evaluated once for the reports (bindings/reports.cpp): every report reads it."""

    @property
    def as_of(self) -> datetime.date: ...
    def homes(self) -> list[dict[str, Any]]: ...
    def practices(self) -> list[dict[str, Any]]: ...
    def clinic_list(self, home: str, visit_date: DateLike, days: int = 14) -> dict[str, Any]: ...
    def meeting_pack(self, home: str, since: DateLike | None = None) -> dict[str, Any]: ...
    def quarterly(self, first: tuple[int, int], last: tuple[int, int], practice: str = "") -> dict[str, Any]: ...
    def first_reporting_quarter(self) -> tuple[int, int]: ...
    def overdue_by_home(self) -> list[dict[str, Any]]: ...


def report_context(population: Population, schemes: Sequence[Scheme], as_of: DateLike, threads: int = 1) -> ReportContext:
    """Evaluates ``schemes`` against ``population`` on ``as_of`` once, for the reports."""
    return _core.ReportContext(population.core, [s.core for s in schemes], as_of, threads)
