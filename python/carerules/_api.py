"""The typed Python layer over the compiled core: populations, schemes, evaluation and results."""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Sequence, Union

import numpy as np
import pandas as pd

from carerules import _core

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
        """One `invalid-record` finding per rejected record."""
        return [Finding.from_dict(f) for f in self._core.findings]

    def summary(self) -> dict[str, int]:
        return self._core.summary()

    def ids(self, kind: str) -> list[str]:
        return self._core.ids(kind)

    def append_event(self, record: dict[str, Any]) -> int:
        """Adds one event (shaped like a population JSON event); raises InputError if it cannot be used."""
        return self._core.append_event(record)

    def __repr__(self) -> str:
        s = self.summary()
        return f"<carerules.Population {s['residents']} residents, {s['homes']} homes, {s['events']} events>"


def load_population(source: Union[str, os.PathLike[str]]) -> Population:
    """Loads a population from a carerules.population/1 JSON file.

    Malformed JSON raises ParseError (with line and column); records that cannot be used are rejected with
    findings and the rest is loaded.
    """
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(f"population file not found: {path}")
    return Population(_core.load_population_file(str(path)))


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


TASK_COLUMNS = [
    "scheme", "obligation", "subject_kind", "subject", "practice", "home", "opens", "due", "status",
    "completed_on", "missing", "evidence", "because",
]
PAYMENT_COLUMNS = [
    "scheme", "practice", "resident", "home", "financial_year", "quarter", "kind", "amount_pence",
    "amount_pounds", "status", "tariff", "because",
]
FINDING_COLUMNS = [
    "severity", "code", "subject_kind", "subject", "message", "scheme", "collection", "index", "field", "value",
]


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
        cols = self._core.task_columns()
        frame = pd.DataFrame({name: cols[name] for name in TASK_COLUMNS if name not in ("opens", "due", "completed_on")})
        for name in ("opens", "due", "completed_on"):
            frame[name] = _dates(cols[name])
        return frame[TASK_COLUMNS]

    @cached_property
    def payments(self) -> pd.DataFrame:
        """One row per payment line; `amount_pence` (nullable integer) and exact `amount_pounds` (Decimal)."""
        cols = self._core.payment_columns()
        amount = pd.array(
            [int(a) if has else None for a, has in zip(cols["amount_pence"], cols["has_amount"])], dtype="Int64"
        )
        frame = pd.DataFrame({name: cols[name] for name in PAYMENT_COLUMNS if name in cols and name != "amount_pence"})
        frame["amount_pence"] = amount
        frame["amount_pounds"] = pd.Series([None if pd.isna(a) else Decimal(int(a)) / 100 for a in amount], dtype=object)
        frame["quarter"] = frame["quarter"].astype("int64")
        return frame[PAYMENT_COLUMNS]

    @cached_property
    def findings(self) -> pd.DataFrame:
        rows = self._core.findings()
        return pd.DataFrame(rows, columns=FINDING_COLUMNS)

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


