"""Reports people act on: the clinic list, the manager meeting pack, the quarterly activity report and a dashboard.

The figures come from the C++ library (``carerules/reports/reports.hpp``) over one evaluation; this module turns them
into pandas DataFrames and writes CSV, JSON, printable HTML pages and a static dashboard with charts::

    import carerules.reports as reports

    r = reports.Reports("extract.json", ["care-homes-es"], as_of="2026-11-01")
    clinic = r.clinic_list("H1", visit_date="2026-11-03", days=14)
    clinic.rows                      # one row per task, most urgent resident first
    clinic.write("clinic-H1.html")   # or .csv / .json
    r.meeting_pack("H1").write("meeting-H1.html")
    r.quarterly(quarter="2026-27 Q2").write("q2.html")
    r.dashboard("dashboard/")        # one HTML file per practice and one across practices

or in one call each: :func:`clinic_list`, :func:`meeting_pack`, :func:`quarterly_report`, :func:`dashboard`.
Counts are integers; percentages and rates are worked out from them for display only (docs/reports.md).
"""

from __future__ import annotations

import datetime
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence, Union, cast

import pandas as pd

from carerules import _api

if TYPE_CHECKING:  # jinja2 and plotly are imported when a page is rendered, so that the rest works without them
    import jinja2

DateLike = Union[datetime.date, str]
PathLike = Union[str, "os.PathLike[str]"]
PopulationLike = Union[_api.Population, str, "os.PathLike[str]"]
SchemesLike = Union[_api.SchemeLike, Sequence[_api.SchemeLike]]

#: Days in a resident-year, for admissions per resident-year.
DAYS_PER_YEAR_HUNDREDTHS = 36525


# ----------------------------------------------------------------------------------------------------------
# Quarters, percentages and rates


@dataclass(frozen=True, order=True)
class Quarter:
    """A quarter of the NHS financial year: Q1 April-June ... Q4 January-March. ``start_year`` names the year.

    Days, labels and the quarter of a day are the C++ library's (carerules/core/dates.hpp)."""

    start_year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise ValueError(f"quarter number must be 1 to 4, not {self.number}")

    @property
    def financial_year(self) -> str:
        return _api.financial_year_label(self.start_year)

    @property
    def label(self) -> str:
        return _api.quarter_label(self.start_year, self.number)

    @property
    def first_day(self) -> datetime.date:
        return _api.quarter_bounds(self.start_year, self.number)[0]

    @property
    def last_day(self) -> datetime.date:
        return _api.quarter_bounds(self.start_year, self.number)[1]

    def next(self) -> Quarter:
        return Quarter.of(self.last_day + datetime.timedelta(days=1))

    def previous(self) -> Quarter:
        return Quarter.of(self.first_day - datetime.timedelta(days=1))

    @classmethod
    def of(cls, day: datetime.date) -> Quarter:
        return cls(*_api.quarter_of(day))

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """``"2025-26 Q1"`` (also ``2025-26Q1``, ``2025-26-Q1``, ``2025-26/Q1``)."""
        m = re.fullmatch(r"\s*(\d{4}-\d{2})\s*[-/ ]?\s*[Qq]([1-4])\s*", text)
        start_year = _api.parse_financial_year(m.group(1)) if m else None
        if m is None or start_year is None:
            raise ValueError(f"'{text}' is not a financial-year quarter such as 2025-26 Q1")
        return cls(start_year, int(m.group(2)))

    def __str__(self) -> str:
        return self.label


def last_ended_quarter(as_of: datetime.date) -> Quarter:
    """The latest quarter that has ended on or before ``as_of`` (the quarter a quarterly report is usually for)."""
    q = Quarter.of(as_of)
    return q if as_of == q.last_day else q.previous()


#: part / whole as a whole per cent, rounded half up; None when whole is 0 (the C++ library's).
rounded_percent = _api.rounded_percent


def per_resident_year_hundredths(events: int, resident_days: int) -> int | None:
    """events per resident-year (365.25 resident-days) in hundredths, rounded half up; None without days."""
    if resident_days <= 0:
        return None
    return (2 * events * DAYS_PER_YEAR_HUNDREDTHS + resident_days) // (2 * resident_days)


def _hundredths_text(h: int | None) -> str:
    return "–" if h is None else f"{h // 100}.{h % 100:02d}"


def _percent_text(p: int | None) -> str:
    return "–" if p is None else f"{p}%"


def _pounds(pence: int) -> str:
    return _api.format_pounds(int(pence), True)


def _as_date(value: Any) -> datetime.date | None:
    """A datetime.date from a date, a datetime / pandas Timestamp, or None / NaT."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):  # also pandas.Timestamp; NaT is not a datetime
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if pd.isna(value):
        return None
    return pd.Timestamp(value).date()


def _day(value: Any) -> str:
    """A date for people: 3 Nov 2026."""
    d = _as_date(value)
    return "" if d is None else f"{d.day} {d:%b %Y}"


def _iso(value: Any) -> str | None:
    d = _as_date(value)
    return None if d is None else d.isoformat()


# ----------------------------------------------------------------------------------------------------------
# Rendering


def _environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("carerules", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["day"] = _day
    env.filters["iso"] = lambda v: _iso(v) or ""
    env.filters["pounds"] = _pounds
    env.filters["percent"] = _percent_text
    env.filters["hundredths"] = _hundredths_text
    return env


_ENV: jinja2.Environment | None = None


def render(template: str, **context: Any) -> str:
    """Renders one of the package's HTML templates (python/carerules/templates)."""
    global _ENV
    if _ENV is None:
        _ENV = _environment()
    context.setdefault("generated", f"carerules {_package_version()}")
    return _ENV.get_template(template).render(**context)


def _package_version() -> str:
    import carerules

    return str(carerules.__version__)


def _dates(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    for c in columns:
        frame[c] = pd.to_datetime(pd.Series([_iso(v) for v in frame[c]], dtype=object), format="%Y-%m-%d").astype(
            "datetime64[s]"
        )
    return frame


def _write_csv(frame: pd.DataFrame, path: Path | None = None) -> str:
    out = frame.copy()
    for c in out.columns:
        if out[c].dtype == object and any(isinstance(v, (list, tuple)) for v in out[c]):
            out[c] = [";".join(v) if isinstance(v, (list, tuple)) else v for v in out[c]]
    text = out.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n")
    if path is not None:
        path.write_text(text, encoding="utf-8")
    return text


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _format_of(path: Path, given: str | None, allowed: Sequence[str]) -> str:
    fmt = given or path.suffix.lstrip(".").lower()
    if fmt not in allowed:
        raise ValueError(f"format must be one of {', '.join(allowed)} (from --format or the file's suffix), not '{fmt}'")
    return fmt


# ----------------------------------------------------------------------------------------------------------
# Clinic list

CLINIC_COLUMNS = [
    "rank", "resident", "born", "age", "residency", "resident_since", "practice", "scheme", "obligation", "title",
    "status", "due", "days_overdue", "missing", "because",
]
HOME_ITEM_COLUMNS = ["scheme", "obligation", "title", "status", "due", "days_overdue", "missing", "because"]


@dataclass(frozen=True)
class ClinicList:
    """The residents of a home to see at a clinic: tasks overdue or falling due by ``days`` after the visit.

    ``rows`` has one row per task, residents in order of urgency (``rank`` 1 first: the most overdue) and each
    resident's tasks most urgent first. ``home_items`` lists the home's own tasks on the same terms.
    """

    home: str
    home_name: str
    practice: str | None
    practice_name: str | None
    as_of: datetime.date
    visit_date: datetime.date
    days: int
    residents_in_home: int
    rows: pd.DataFrame
    home_items: pd.DataFrame
    data: dict[str, Any] = field(repr=False)

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> ClinicList:
        rows: list[dict[str, Any]] = []
        for rank, r in enumerate(d["residents"], start=1):
            for item in r["items"]:
                rows.append({
                    "rank": rank, "resident": r["resident"], "born": r["born"], "age": r["age"],
                    "residency": r["residency"], "resident_since": r["resident_since"], "practice": r["practice"],
                    **{k: item[k] for k in HOME_ITEM_COLUMNS},
                })
        frame = _dates(pd.DataFrame(rows, columns=CLINIC_COLUMNS), ["born", "resident_since", "due"])
        frame = frame.astype({"rank": "int64", "age": "int64", "days_overdue": "int64"})
        home = _dates(pd.DataFrame(d["home_items"], columns=HOME_ITEM_COLUMNS), ["due"]).astype({"days_overdue": "int64"})
        return cls(
            home=d["home"], home_name=d["home_name"], practice=d["practice"], practice_name=d["practice_name"],
            as_of=d["as_of"], visit_date=d["visit_date"], days=int(d["days"]),
            residents_in_home=int(d["residents_in_home"]), rows=frame, home_items=home, data=d,
        )

    @property
    def residents(self) -> list[dict[str, Any]]:
        """Residents with their items, most urgent first (as in the JSON document)."""
        return list(self.data["residents"])

    @property
    def horizon(self) -> datetime.date:
        """The last due date listed: the visit date plus ``days``."""
        return self.visit_date + datetime.timedelta(days=self.days)

    @property
    def overdue_at_visit(self) -> int:
        """Residents' tasks that will be overdue on the visit date."""
        return int((self.rows["days_overdue"] > 0).sum())

    def to_csv(self, path: PathLike | None = None) -> str:
        return _write_csv(self.rows, Path(path) if path is not None else None)

    def to_json(self, indent: int = 2) -> str:
        doc = {"format": "carerules.clinic-list/1", **self.data}
        return json.dumps(doc, indent=indent, default=_json_default, ensure_ascii=False) + "\n"

    def to_html(self) -> str:
        return render("clinic_list.html", c=self, residents=self.residents, home_items=self.data["home_items"])

    def write(self, path: PathLike, format: str | None = None) -> Path:
        """Writes the list as csv, json or html (from ``format`` or the file's suffix)."""
        p = Path(path)
        fmt = _format_of(p, format, ("csv", "json", "html"))
        text = self.to_csv() if fmt == "csv" else self.to_json() if fmt == "json" else self.to_html()
        p.write_text(text, encoding="utf-8")
        return p


# ----------------------------------------------------------------------------------------------------------
# Manager meeting pack

ADMISSION_COLUMNS = ["admission", "resident", "start", "end", "reviewed", "reviewed_on", "review_status", "review_due", "because"]
DEATH_COLUMNS = ["resident", "stay", "died_on", "residency", "resident_since", "in_hospital", "preferred_place_recorded",
                 "preferred_place_recorded_on"]
EVENT_COLUMNS = ["event", "date", "resident", "performer", "activity"]
REVIEW_COLUMNS = ["admission", "resident", "admission_start", "admission_end", "status", "due", "completed_on", "evidence",
                  "because"]
MEETING_SECTIONS = ("admissions", "deaths", "ooh_contacts", "significant_events", "reviews")


@dataclass(frozen=True)
class MeetingPack:
    """What to discuss with a home's manager: since the previous meeting (or a given date) up to the as-of date."""

    home: str
    home_name: str
    practice: str | None
    practice_name: str | None
    as_of: datetime.date
    since: datetime.date
    previous_meeting: datetime.date | None
    period: str
    admissions: pd.DataFrame
    deaths: pd.DataFrame
    ooh_contacts: pd.DataFrame
    significant_events: pd.DataFrame
    reviews: pd.DataFrame
    data: dict[str, Any] = field(repr=False)

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> MeetingPack:
        return cls(
            home=d["home"], home_name=d["home_name"], practice=d["practice"], practice_name=d["practice_name"],
            as_of=d["as_of"], since=d["from"], previous_meeting=d["previous_meeting"], period=d["period"],
            admissions=_dates(pd.DataFrame(d["admissions"], columns=ADMISSION_COLUMNS), ["start", "end", "reviewed_on", "review_due"]),
            deaths=_dates(pd.DataFrame(d["deaths"], columns=DEATH_COLUMNS), ["died_on", "resident_since", "preferred_place_recorded_on"]),
            ooh_contacts=_dates(pd.DataFrame(d["ooh_contacts"], columns=EVENT_COLUMNS), ["date"]),
            significant_events=_dates(pd.DataFrame(d["significant_events"], columns=EVENT_COLUMNS), ["date"]),
            reviews=_dates(pd.DataFrame(d["reviews"], columns=REVIEW_COLUMNS), ["admission_start", "admission_end", "due", "completed_on"]),
            data=d,
        )

    def sections(self) -> dict[str, pd.DataFrame]:
        return {name: cast(pd.DataFrame, getattr(self, name)) for name in MEETING_SECTIONS}

    def write_csv(self, directory: PathLike) -> list[Path]:
        """Writes admissions.csv, deaths.csv, ooh_contacts.csv, significant_events.csv and reviews.csv."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, frame in self.sections().items():
            paths.append(out / f"{name}.csv")
            _write_csv(frame, paths[-1])
        return paths

    def to_html(self) -> str:
        return render("meeting_pack.html", p=self, d=self.data)

    def write(self, path: PathLike, format: str | None = None) -> Path:
        """html: one page at ``path``; csv: a directory of one CSV file per section."""
        p = Path(path)
        fmt = format or ("html" if p.suffix.lower() == ".html" else "csv")
        if fmt == "csv":
            self.write_csv(p)
        elif fmt == "html":
            p.write_text(self.to_html(), encoding="utf-8")
        else:
            raise ValueError(f"format must be html or csv, not '{fmt}'")
        return p


# ----------------------------------------------------------------------------------------------------------
# Quarterly activity report

REGISTER_COLUMNS = [
    "practice", "financial_year", "quarter", "last_day", "residents", "permanent", "temporary", "new_entries", "leavers",
    "deaths", "resident_days", "emergency_admissions", "admissions_per_resident_year",
]
COMPLETION_COLUMNS = [
    "practice", "financial_year", "quarter", "scheme", "obligation", "title", "subject_kind", "due", "on_time", "late",
    "overdue", "missed", "open", "cancelled", "on_time_percent",
]
PAYMENT_FIGURE_COLUMNS = [
    "practice", "financial_year", "quarter", "scheme", "kind", "status", "lines", "unpriced_lines", "amount_pence",
    "superseded_pence",
]
ALL_PRACTICES = "all"


def _quarter_of_label(q: tuple[str, int]) -> Quarter:
    """A quarter from the core's (financial year label, number)."""
    start_year = _api.parse_financial_year(q[0])
    assert start_year is not None, q  # the core writes the labels it parses
    return Quarter(start_year, int(q[1]))


@dataclass(frozen=True)
class QuarterlyReport:
    """The quarterly activity report for one practice, or for every practice and across them (``practice`` None).

    In every frame ``practice`` is the practice id, or ``"all"`` for the total across practices. Counts are
    integers; ``on_time_percent`` (whole per cent, rounded half up) and ``admissions_per_resident_year``
    (365.25 resident-days a year, two decimals) are worked out from them for display.
    """

    as_of: datetime.date
    first: Quarter
    last: Quarter
    practice: str | None
    practices: dict[str, str]  # id -> name, in id order
    register: pd.DataFrame
    completion: pd.DataFrame
    payments: pd.DataFrame
    schemes: list[str]

    @classmethod
    def from_data(cls, d: dict[str, Any], practice: str | None, names: dict[str, str], schemes: list[str]) -> QuarterlyReport:
        def rows(key: str) -> list[dict[str, Any]]:
            return [{**x, "practice": ALL_PRACTICES if x["practice"] is None else x["practice"]} for x in d[key]]

        reg = pd.DataFrame(rows("registers"), columns=REGISTER_COLUMNS[:-1])
        rate = [per_resident_year_hundredths(int(a), int(n)) for a, n in zip(reg["emergency_admissions"], reg["resident_days"])]
        reg["admissions_per_resident_year"] = pd.array([None if h is None else h / 100 for h in rate], dtype="Float64")
        reg = _dates(reg, ["last_day"])
        comp = pd.DataFrame(rows("completion"), columns=COMPLETION_COLUMNS[:-1])
        comp["on_time_percent"] = pd.array(
            [rounded_percent(int(n), int(t)) for n, t in zip(comp["on_time"], comp["due"])], dtype="Int64"
        )
        pay = pd.DataFrame(rows("payments"), columns=PAYMENT_FIGURE_COLUMNS)
        for frame in (reg, comp, pay):
            frame["quarter"] = frame["quarter"].astype("int64")
        first, last = d["first"], d["last"]
        return cls(
            as_of=d["as_of"],
            first=_quarter_of_label(first),
            last=_quarter_of_label(last),
            practice=practice,
            practices={p: names.get(p, p) for p in d["practices"]},
            register=reg[REGISTER_COLUMNS],
            completion=comp[COMPLETION_COLUMNS],
            payments=pay[PAYMENT_FIGURE_COLUMNS],
            schemes=schemes,
        )

    @property
    def columns(self) -> list[str]:
        """Practice ids shown side by side: the practices, then ``all`` when across practices."""
        return list(self.practices) + ([ALL_PRACTICES] if self.practice is None else [])

    def name_of(self, practice: str) -> str:
        return "All practices" if practice == ALL_PRACTICES else self.practices.get(practice, practice)

    def quarters(self) -> list[Quarter]:
        out = [self.first]
        while out[-1] < self.last:
            out.append(out[-1].next())
        return out

    def write_csv(self, directory: PathLike) -> list[Path]:
        """Writes register.csv, completion.csv and payments.csv."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        paths = [out / "register.csv", out / "completion.csv", out / "payments.csv"]
        for frame, path in zip((self.register, self.completion, self.payments), paths):
            _write_csv(frame, path)
        return paths

    def to_html(self) -> str:
        return render("quarterly.html", r=self, sections=[self._section(q) for q in self.quarters()])

    def write(self, path: PathLike, format: str | None = None) -> Path:
        """html: one page at ``path``; csv: a directory of register.csv, completion.csv and payments.csv."""
        p = Path(path)
        fmt = format or ("html" if p.suffix.lower() == ".html" else "csv")
        if fmt == "csv":
            self.write_csv(p)
        elif fmt == "html":
            p.write_text(self.to_html(), encoding="utf-8")
        else:
            raise ValueError(f"format must be html or csv, not '{fmt}'")
        return p

    def _section(self, q: Quarter) -> dict[str, Any]:
        """What the HTML page shows for one quarter, practices side by side."""
        cols = self.columns

        def in_q(frame: pd.DataFrame) -> pd.DataFrame:
            return frame[(frame["financial_year"] == q.financial_year) & (frame["quarter"] == q.number)]

        reg = {str(r["practice"]): r for r in _api.records(in_q(self.register))}
        register_rows = []
        for label, key in [
            ("Residents on the register in the quarter", "residents"),
            ("Permanent residents at the end", "permanent"),
            ("Temporary residents at the end", "temporary"),
            ("New entries", "new_entries"),
            ("Leavers", "leavers"),
            ("Deaths", "deaths"),
            ("Resident-days", "resident_days"),
            ("Emergency admissions", "emergency_admissions"),
        ]:
            register_rows.append({"label": label, "values": [f"{int(reg[c][key]):,}" if c in reg else "–" for c in cols]})
        register_rows.append({
            "label": "Emergency admissions per resident-year",
            "values": [
                _hundredths_text(per_resident_year_hundredths(int(reg[c]["emergency_admissions"]), int(reg[c]["resident_days"])))
                if c in reg else "–"
                for c in cols
            ],
        })
        last_day = next((r["last_day"] for r in reg.values()), None)

        comp = in_q(self.completion)
        completion_rows = []
        for (scheme, obligation), group in comp.groupby(["scheme", "obligation"], sort=False):
            by_practice = {str(r["practice"]): r for r in _api.records(group)}
            first = next(iter(by_practice.values()))
            cells = []
            for c in cols:
                r = by_practice.get(c)
                if r is None:
                    cells.append({"text": "–", "percent": None, "detail": "", "due": 0})
                    continue
                due, on_time = int(r["due"]), int(r["on_time"])
                detail = ", ".join(
                    f"{int(r[k])} {k.replace('_', ' ')}" for k in ("late", "overdue", "missed", "open") if int(r[k])
                )
                cells.append({
                    "text": f"{on_time} of {due}" if due else "none due",
                    "percent": rounded_percent(on_time, due),
                    "detail": detail,
                    "due": due,
                })
            completion_rows.append({"scheme": scheme, "obligation": obligation, "title": first["title"], "cells": cells})

        pay = in_q(self.payments)
        payment_rows = []
        for (scheme, kind, status), group in pay.groupby(["scheme", "kind", "status"], sort=False):
            by_practice = {str(r["practice"]): r for r in _api.records(group)}
            payment_rows.append({
                "scheme": scheme, "kind": kind, "status": status,
                "cells": [
                    {"lines": int(by_practice[c]["lines"]), "amount": int(by_practice[c]["amount_pence"]),
                     "unpriced": int(by_practice[c]["unpriced_lines"]),
                     "superseded": int(by_practice[c]["superseded_pence"])} if c in by_practice else None
                    for c in cols
                ],
            })
        totals = []
        for c in cols:
            rows = pay[(pay["practice"] == c) & (pay["status"] == "payable")]
            totals.append(int(rows["amount_pence"].sum()) if len(rows) else 0)
        return {
            "quarter": q, "last_day": last_day, "in_progress": last_day is not None and _iso(last_day) != q.last_day.isoformat(),
            "register": register_rows, "completion": completion_rows, "payments": payment_rows, "payable_totals": totals,
        }


# ----------------------------------------------------------------------------------------------------------
# Reports over one evaluation


def _population(population: PopulationLike) -> _api.Population:
    return population if isinstance(population, _api.Population) else _api.load_population(population)


def _scheme_list(schemes: SchemesLike) -> list[_api.Scheme]:
    if isinstance(schemes, (str, _api.Scheme, os.PathLike)):
        return [_api.scheme(schemes)]
    return [_api.scheme(s) for s in schemes]


def _to_date(value: DateLike, what: str) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as e:
        raise ValueError(f"{what}: '{value}' is not a date in the form YYYY-MM-DD") from e


class Reports:
    """A population evaluated once, on ``as_of``, under ``schemes``; every report reads that evaluation."""

    def __init__(
        self,
        population: PopulationLike,
        schemes: SchemesLike = ("care-homes-es",),
        as_of: DateLike | None = None,
        threads: int = 1,
    ) -> None:
        self.population = _population(population)
        self.schemes = _scheme_list(schemes)
        day = _to_date(as_of, "as_of") if as_of is not None else datetime.date.today()
        self._ctx = _api.report_context(self.population, self.schemes, day, threads)
        self.homes: dict[str, dict[str, Any]] = {h["id"]: h for h in self._ctx.homes()}
        self.practices: dict[str, str] = {p["id"]: p["name"] for p in sorted(self._ctx.practices(), key=lambda p: str(p["id"]))}

    @property
    def as_of(self) -> datetime.date:
        return self._ctx.as_of

    def clinic_list(self, home: str, visit_date: DateLike | None = None, days: int = 14) -> ClinicList:
        """Residents of ``home`` to see at the clinic on ``visit_date`` (default: the as-of date)."""
        visit = _to_date(visit_date, "visit_date") if visit_date is not None else self.as_of
        return ClinicList.from_data(self._ctx.clinic_list(home, visit, days))

    def meeting_pack(self, home: str, since: DateLike | None = None) -> MeetingPack:
        """The manager meeting pack of ``home`` up to the as-of date (the meeting's date)."""
        return MeetingPack.from_data(self._ctx.meeting_pack(home, _to_date(since, "since") if since is not None else None))

    def quarterly(
        self,
        quarter: Quarter | str | None = None,
        practice: str | None = None,
        first: Quarter | str | None = None,
        last: Quarter | str | None = None,
    ) -> QuarterlyReport:
        """The quarterly activity report: ``quarter`` (default: the last one ended by the as-of date), or the
        quarters ``first`` to ``last``; for ``practice``, or every practice and across them (None)."""
        def q(v: Quarter | str) -> Quarter:
            return v if isinstance(v, Quarter) else Quarter.parse(v)

        if quarter is not None:
            q1 = q2 = q(quarter)
        else:
            default = last_ended_quarter(self.as_of)
            q1 = q(first) if first is not None else default
            q2 = q(last) if last is not None else max(q1, default)
        d = self._ctx.quarterly((q1.start_year, q1.number), (q2.start_year, q2.number), practice or "")
        return QuarterlyReport.from_data(d, practice, self.practices, [s.id for s in self.schemes])

    def first_reporting_quarter(self) -> Quarter:
        y, n = self._ctx.first_reporting_quarter()
        return Quarter(int(y), int(n))

    def overdue_by_home(self) -> pd.DataFrame:
        """Overdue tasks on the as-of date by practice, home (None: tied to no home), scheme and obligation."""
        return pd.DataFrame(self._ctx.overdue_by_home(), columns=["practice", "home", "scheme", "obligation", "overdue"])

    def dashboard(self, out: PathLike, practice: str | None = None) -> list[Path]:
        """Writes the dashboard: ``dashboard-<practice>.html`` for each practice (or just ``practice``) and, for
        all practices, ``dashboard-all.html`` too. Each file is self-contained (plotly inlined): no network."""
        return _write_dashboards(self, Path(out), practice)


# ----------------------------------------------------------------------------------------------------------
# Dashboard: static HTML with plotly charts, the plotly library inlined so that the file needs no network

NO_HOME = "No home (clinicians, community patients)"


def _chart_html(fig: Any, div_id: str, height: int) -> str:
    fig.update_layout(height=height, margin={"l": 60, "r": 30, "t": 50, "b": 60}, template="plotly_white",
                      font={"family": "DejaVu Sans, Arial, sans-serif", "size": 12})
    return str(fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, default_width="100%",
                           default_height=f"{height}px", config={"displaylogo": False, "responsive": True}))


def _dashboard_charts(r: Reports, q: QuarterlyReport, overdue: pd.DataFrame, practice: str) -> list[dict[str, str]]:
    import plotly.graph_objects as go  # type: ignore[import-untyped]

    quarters = q.quarters()
    labels = [x.label for x in quarters]
    charts: list[dict[str, str]] = []

    # 1. On-time completion by quarter and obligation (a heatmap of per cent, "n of N" in each cell).
    comp = q.completion[q.completion["practice"] == practice]
    titles: list[str] = []
    z: list[list[int | None]] = []
    text: list[list[str]] = []
    for (_, obligation), group in comp.groupby(["scheme", "obligation"], sort=False):
        if int(group["due"].sum()) == 0:
            continue
        by_q = {(str(row["financial_year"]), int(row["quarter"])): row for row in _api.records(group)}
        row_z: list[int | None] = []
        row_t: list[str] = []
        for x in quarters:
            c = by_q.get((x.financial_year, x.number))
            due = int(c["due"]) if c is not None else 0
            on_time = int(c["on_time"]) if c is not None else 0
            row_z.append(rounded_percent(on_time, due))
            row_t.append(f"{on_time}/{due}" if due else "")
        titles.append(str(group["title"].iloc[0]))
        z.append(row_z)
        text.append(row_t)
    heat = go.Figure(go.Heatmap(
        z=z, x=labels, y=titles, text=text, texttemplate="%{text}", zmin=0, zmax=100, colorscale="RdYlGn",
        colorbar={"title": {"text": "% on time"}}, hoverongaps=False,
        hovertemplate="%{y}<br>%{x}: %{z}% on time (%{text})<extra></extra>",
    ))
    heat.update_layout(title="On-time completion by quarter and obligation (done on time of those due)",
                       yaxis={"autorange": "reversed"}, xaxis={"type": "category"})
    charts.append({"id": "completion-heatmap", "html": _chart_html(heat, "completion-heatmap", 160 + 34 * max(len(titles), 3))})

    # 2. On-time completion by quarter, all obligations together (and each practice, across practices).
    trend = go.Figure()
    series = [practice] if practice != ALL_PRACTICES else q.columns
    for p in series:
        rows = q.completion[q.completion["practice"] == p]
        ys: list[int | None] = []
        hover: list[str] = []
        for x in quarters:
            inq = rows[(rows["financial_year"] == x.financial_year) & (rows["quarter"] == x.number)]
            due, on_time = int(inq["due"].sum()), int(inq["on_time"].sum())
            ys.append(rounded_percent(on_time, due))
            hover.append(f"{on_time} of {due} on time")
        trend.add_trace(go.Scatter(x=labels, y=ys, mode="lines+markers", name=q.name_of(p), customdata=hover,
                                   hovertemplate="%{x}: %{y}% (%{customdata})<extra>" + q.name_of(p) + "</extra>"))
    trend.update_layout(title="On-time completion by quarter, all obligations", yaxis={"title": "% on time", "range": [0, 105]},
                        xaxis={"type": "category"})
    charts.append({"id": "completion-trend", "html": _chart_html(trend, "completion-trend", 380)})

    # 3. Overdue tasks by home on the as-of date, by obligation.
    od = overdue if practice == ALL_PRACTICES else overdue[overdue["practice"] == practice]
    names = {h: str(v["name"]) for h, v in r.homes.items()}
    homes = [NO_HOME if h is None or (not isinstance(h, str) and pd.isna(h)) else names.get(str(h), str(h)) for h in od["home"]]
    od = od.assign(home_name=homes)
    bars = go.Figure()
    for obligation, group in od.groupby("obligation", sort=True):
        by_home = group.groupby("home_name", sort=True)["overdue"].sum()
        bars.add_trace(go.Bar(x=[str(h) for h in by_home.index], y=[int(v) for v in by_home.values], name=str(obligation),
                              hovertemplate="%{x}: %{y} overdue<extra>" + str(obligation) + "</extra>"))
    if od.empty:
        bars.add_annotation(text="No overdue tasks", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font={"size": 18})
    order = sorted({h for h in homes if h != NO_HOME}) + ([NO_HOME] if NO_HOME in homes else [])
    bars.update_layout(title=f"Overdue tasks by home on {_day(r.as_of)}", barmode="stack", yaxis={"title": "tasks overdue"},
                       legend={"title": {"text": "obligation"}}, xaxis={"categoryorder": "array", "categoryarray": order})
    charts.append({"id": "overdue-by-home", "html": _chart_html(bars, "overdue-by-home", 440)})

    # 4. Emergency admissions per resident-year, by quarter.
    rate = go.Figure()
    for p in series:
        reg = q.register[q.register["practice"] == p]
        by_q = {(str(row["financial_year"]), int(row["quarter"])): row for row in _api.records(reg)}
        ys_rate: list[float | None] = []
        hover = []
        for x in quarters:
            row = by_q.get((x.financial_year, x.number))
            admissions = int(row["emergency_admissions"]) if row is not None else 0
            days = int(row["resident_days"]) if row is not None else 0
            h = per_resident_year_hundredths(admissions, days)
            ys_rate.append(None if h is None else h / 100)
            hover.append(f"{admissions} admissions in {days:,} resident-days")
        rate.add_trace(go.Bar(x=labels, y=ys_rate, name=q.name_of(p), customdata=hover,
                              hovertemplate="%{x}: %{y:.2f} per resident-year (%{customdata})<extra>" + q.name_of(p) + "</extra>"))
    rate.update_layout(title="Emergency admissions per resident-year", barmode="group",
                       yaxis={"title": "admissions per resident-year"}, xaxis={"type": "category"})
    charts.append({"id": "admissions-rate", "html": _chart_html(rate, "admissions-rate", 380)})
    return charts


def _dashboard_html(r: Reports, q: QuarterlyReport, overdue: pd.DataFrame, practice: str, plotly_js: str) -> str:
    current = q.register[(q.register["practice"] == practice)]
    latest = _api.records(current.tail(1))[0] if len(current) else None
    comp = q.completion[q.completion["practice"] == practice]
    due, on_time = int(comp["due"].sum()), int(comp["on_time"].sum())
    od = overdue if practice == ALL_PRACTICES else overdue[overdue["practice"] == practice]
    # Lines another scheme pays for instead (no double funding): shown apart, never as money to claim.
    pay = q.payments[(q.payments["practice"] == practice) & (q.payments["status"] == "superseded")]
    headline = {
        "overdue": int(od["overdue"].sum()),
        "on_time": rounded_percent(on_time, due),
        "on_time_text": f"{on_time:,} of {due:,}",
        "residents": int(latest["residents"]) if latest else 0,
        "quarter": q.last.label,
        "superseded_lines": int(pay["lines"].sum()),
        "superseded_pence": int(pay["superseded_pence"].sum()),
    }
    return render(
        "dashboard.html", r=r, q=q, practice=practice, practice_name=q.name_of(practice), headline=headline,
        charts=_dashboard_charts(r, q, overdue, practice), plotly_js=plotly_js,
        others=[p for p in q.columns if p != practice] if q.practice is None else [],
    )


def dashboard_file_name(practice: str) -> str:
    return f"dashboard-{practice}.html"


def _write_dashboards(r: Reports, out: Path, practice: str | None) -> list[Path]:
    import plotly.offline  # type: ignore[import-untyped]

    if practice is not None and practice not in r.practices:
        raise ValueError(f'no practice with id "{practice}"')
    out.mkdir(parents=True, exist_ok=True)
    q = r.quarterly(first=r.first_reporting_quarter(), last=Quarter.of(r.as_of), practice=practice)
    overdue = r.overdue_by_home()
    plotly_js = str(plotly.offline.get_plotlyjs())
    paths = []
    for p in q.columns:
        path = out / dashboard_file_name(p)
        path.write_text(_dashboard_html(r, q, overdue, p, plotly_js), encoding="utf-8")
        paths.append(path)
    return paths


# ----------------------------------------------------------------------------------------------------------
# One call each


def clinic_list(
    population: PopulationLike,
    home: str,
    visit_date: DateLike,
    schemes: SchemesLike = ("care-homes-es",),
    days: int = 14,
    as_of: DateLike | None = None,
) -> ClinicList:
    """The clinic list of ``home`` for ``visit_date``; the population as it stood on ``as_of`` (default: the visit date)."""
    return Reports(population, schemes, as_of if as_of is not None else visit_date).clinic_list(home, visit_date, days)


def meeting_pack(
    population: PopulationLike,
    home: str,
    as_of: DateLike,
    schemes: SchemesLike = ("care-homes-es",),
    since: DateLike | None = None,
) -> MeetingPack:
    """The manager meeting pack of ``home`` for a meeting on ``as_of``."""
    return Reports(population, schemes, as_of).meeting_pack(home, since)


def quarterly_report(
    population: PopulationLike,
    as_of: DateLike,
    quarter: Quarter | str | None = None,
    practice: str | None = None,
    schemes: SchemesLike = ("care-homes-es",),
) -> QuarterlyReport:
    """The quarterly activity report (default: the last quarter ended by ``as_of``)."""
    return Reports(population, schemes, as_of).quarterly(quarter, practice)


def dashboard(
    population: PopulationLike,
    as_of: DateLike,
    out: PathLike,
    practice: str | None = None,
    schemes: SchemesLike = ("care-homes-es",),
) -> list[Path]:
    """Writes the dashboard HTML files into the directory ``out``; returns their paths."""
    return Reports(population, schemes, as_of).dashboard(out, practice)


__all__ = [
    "ClinicList", "MeetingPack", "Quarter", "QuarterlyReport", "Reports", "clinic_list", "dashboard", "dashboard_file_name",
    "last_ended_quarter", "meeting_pack", "per_resident_year_hundredths", "quarterly_report", "render",
    "rounded_percent",
]
