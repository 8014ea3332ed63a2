"""`carerules report ...`: the clinic list, the manager meeting pack, the quarterly activity report and the dashboard."""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

import click

from carerules import _api
from carerules import reports as _reports
from carerules._options import date_option, load_population, need_report_packages, strict_option
from carerules._progress import Progress

F = TypeVar("F", bound=Callable[..., Any])


def _quarter(ctx: click.Context | None, param: click.Parameter | None, value: str | None) -> _reports.Quarter | None:
    if value is None:
        return None
    try:
        return _reports.Quarter.parse(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from e


def _inputs(f: F) -> F:
    """--population, --scheme and --strict, shared by every report."""
    f = strict_option(f)
    f = click.option("--scheme", "-s", "scheme_ids", multiple=True, default=["care-homes-es"], show_default=True,
                     help="Built-in scheme id or scheme JSON file; repeat for several")(f)
    f = click.option("--population", "-p", required=True, type=click.Path(),
                     help="carerules.population/1 JSON file, or a folder of CSV extracts or Parquet files")(f)
    return f


def _open(population: str, scheme_ids: Sequence[str], as_of: datetime.date, strict: bool,
          progress: Progress) -> _reports.Reports:
    """Loads (summarising rejected records on stderr) and evaluates, each a phase of the progress bar."""
    try:
        schemes = [_api.scheme(s) for s in scheme_ids]
    except _api.SchemeError as e:
        raise click.ClickException(str(e)) from e
    with progress.phase("load"):
        pop = load_population(population, strict=strict, progress=progress)
    with progress.phase("evaluate"):
        return _reports.Reports(pop, schemes, as_of)


def _is_folder(out: str) -> bool:
    """--out names a folder when it is one, ends with a slash, or has no file suffix (a report is never
    written to a file without one: `--out q1` and `--out q1/` both mean the folder q1)."""
    return out.endswith(("/", os.sep)) or Path(out).is_dir() or not Path(out).suffix


def _target(out: str, file_name: str) -> Path:
    """The file to write for --out: `out` itself, or `file_name` inside it when it names a folder."""
    return Path(out) / file_name if _is_folder(out) else Path(out)


def _emit(text: str, out: str | None, what: str, file_name: str) -> None:
    """Writes a report to --out (a file, or `file_name` in a folder), or to stdout without --out."""
    if out:
        path = _target(out, file_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        click.echo(f"wrote {what} to {path}", err=True)
    else:
        sys.stdout.write(text)


def _fail_on_value_error(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except ValueError as e:  # an unknown home or practice, a bad period
        raise click.ClickException(str(e)) from e


@click.group("report")
def report() -> None:
    """Reports people act on: clinic lists, meeting packs, the quarterly activity report, a dashboard.

    \b
    Examples:
      carerules report clinic-list -p extract.json --home H1 --visit-date 2026-11-03 --format html --out clinic.html
      carerules report meeting-pack -p extract.json --home H1 --as-of 2026-11-01 --out meeting.html
      carerules report quarterly -p extract.json --as-of 2026-11-01 --quarter "2026-27 Q2" --out q2.html
      carerules report dashboard -p extract.json --as-of 2026-11-01 --out dashboard/
    """


@report.command("clinic-list")
@_inputs
@click.option("--home", required=True, help="Care home id")
@click.option("--visit-date", required=True, callback=date_option, help="Date of the clinic (YYYY-MM-DD)")
@click.option("--as-of", callback=date_option, help="Records as they stood on this date (default: the visit date)")
@click.option("--days", type=click.IntRange(min=0), default=14, show_default=True,
              help="Also list what falls due up to this many days after the visit")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "html"]),
              help="Default: from the --out file's suffix, else csv")
@click.option("--out", "-o", type=click.Path(),
              help="File, or folder for clinic-list-HOME-DATE.FORMAT (default: standard output)")
def clinic_list(population: str, scheme_ids: Sequence[str], strict: bool, home: str, visit_date: datetime.date,
                as_of: datetime.date | None, days: int, fmt: str | None, out: str | None) -> None:
    """The residents of a home to see at a clinic, most urgent first, with what each needs.

    Lists each resident's tasks that are overdue, or due by --days after the visit: obligation, what is still
    missing, due date, and why. HTML needs carerules[reports].

    \b
    Examples:
      carerules report clinic-list -p extract.json --home H1 --visit-date 2026-11-03
      carerules report clinic-list -p extract.json --home H1 --visit-date 2026-11-03 --days 7 --out clinic.html
      carerules report clinic-list -p extract.json --home H1 --visit-date 2026-11-03 --format html --out clinics/
    """
    if fmt is None:
        suffix = Path(out).suffix.lstrip(".").lower() if out and not _is_folder(out) else ""
        fmt = suffix if suffix in ("csv", "json", "html") else "csv"
    if fmt == "html":
        need_report_packages("html")
    with Progress(["load", "evaluate", "write"]) as progress:
        r = _open(population, scheme_ids, as_of or visit_date, strict, progress)
        with progress.phase("write"):
            c: _reports.ClinicList = _fail_on_value_error(lambda: r.clinic_list(home, visit_date, days))
            text = c.to_csv() if fmt == "csv" else c.to_json() if fmt == "json" else c.to_html()
            _emit(text, out, f"the clinic list of {c.home_name} ({fmt})", f"clinic-list-{home}-{visit_date.isoformat()}.{fmt}")


def _homes(r: _reports.Reports, home: str | None, practice: str | None) -> list[str]:
    if home:
        return [home]
    if practice is not None and practice not in r.practices:
        raise click.ClickException(f'no practice with id "{practice}"')
    ids = [h for h, v in r.homes.items() if v["practice"] is not None and (practice is None or v["practice"] == practice)]
    if not ids:
        raise click.ClickException("no care home is aligned to " + (f"practice {practice}" if practice else "a practice"))
    return sorted(ids)


@report.command("meeting-pack")
@_inputs
@click.option("--as-of", required=True, callback=date_option, help="Date of the meeting: the pack covers up to this day")
@click.option("--home", help="Care home id (default: every home aligned to --practice, or to any practice)")
@click.option("--practice", help="With no --home: the homes aligned to this practice")
@click.option("--since", callback=date_option, help="Start of the period (default: the home's previous manager meeting)")
@click.option("--format", "fmt", type=click.Choice(["html", "csv"]), default="html", show_default=True)
@click.option("--out", "-o", type=click.Path(),
              help="html: file, or folder for meeting-pack-HOME.html (default: standard output); csv, or several "
                   "homes: folder")
def meeting_pack(population: str, scheme_ids: Sequence[str], strict: bool, as_of: datetime.date, home: str | None,
                 practice: str | None, since: datetime.date | None, fmt: str, out: str | None) -> None:
    """What to discuss with a home's manager since the previous meeting.

    Unplanned admissions (and whether each was reviewed), deaths (and whether the preferred place of death was
    recorded), out-of-hours contacts, significant events, and the admission reviews to discuss. HTML needs
    carerules[reports].

    \b
    Examples:
      carerules report meeting-pack -p extract.json --home H1 --as-of 2026-11-01 --out meeting-H1.html
      carerules report meeting-pack -p extract.json --home H1 --as-of 2026-11-01 --format csv --out meeting-H1/
      carerules report meeting-pack -p extract.json --practice P1 --as-of 2026-11-01 --out packs/
    """
    if fmt == "html":
        need_report_packages("html")
    with Progress(["load", "evaluate", "write"]) as progress:
        r = _open(population, scheme_ids, as_of, strict, progress)
        homes = _homes(r, home, practice)
        if (fmt == "csv" or len(homes) > 1) and not out:
            raise click.UsageError("--format csv, or several homes, needs --out DIR")
        with progress.phase("write"):
            for h in homes:
                pack: _reports.MeetingPack = _fail_on_value_error(lambda: r.meeting_pack(h, since))
                if fmt == "csv":
                    target = Path(out or ".") / f"meeting-pack-{h}" if len(homes) > 1 else Path(out or ".")
                    pack.write_csv(target)
                    click.echo(f"wrote the meeting pack of {pack.home_name} (csv) to {target}", err=True)
                elif len(homes) > 1:
                    _emit(pack.to_html(), str(Path(out or ".") / f"meeting-pack-{h}.html"),
                          f"the meeting pack of {pack.home_name}", f"meeting-pack-{h}.html")
                else:
                    _emit(pack.to_html(), out, f"the meeting pack of {pack.home_name}", f"meeting-pack-{h}.html")


@report.command("quarterly")
@_inputs
@click.option("--as-of", required=True, callback=date_option, help="Records as they stood on this date")
@click.option("--quarter", callback=_quarter, help="Financial-year quarter, e.g. '2026-27 Q2' (default: the last one ended by --as-of)")
@click.option("--practice", help="One practice (default: every practice, and the total across them for a commissioner)")
@click.option("--format", "fmt", type=click.Choice(["html", "csv"]), default="html", show_default=True)
@click.option("--out", "-o", type=click.Path(),
              help="html: file, or folder for quarterly-YEAR-QUARTER.html (default: standard output); csv: folder")
def quarterly(population: str, scheme_ids: Sequence[str], strict: bool, as_of: datetime.date,
              quarter: _reports.Quarter | None, practice: str | None, fmt: str, out: str | None) -> None:
    """The quarterly activity report: register, completion in time, admissions per resident-year, payments.

    HTML needs carerules[reports].

    \b
    Examples:
      carerules report quarterly -p extract.json --as-of 2026-11-01 --out q2.html
      carerules report quarterly -p extract.json --as-of 2026-11-01 --out reports/
      carerules report quarterly -p extract.json --as-of 2026-11-01 --quarter "2026-27 Q1" --practice P1 --out q1.html
      carerules report quarterly -p extract.json --as-of 2026-11-01 --format csv --out q2/
    """
    if fmt == "csv" and not out:
        raise click.UsageError("--format csv needs --out DIR")
    if fmt == "html":
        need_report_packages("html")
    with Progress(["load", "evaluate", "write"]) as progress:
        r = _open(population, scheme_ids, as_of, strict, progress)
        with progress.phase("write"):
            q: _reports.QuarterlyReport = _fail_on_value_error(lambda: r.quarterly(quarter, practice))
            if fmt == "csv":
                assert out is not None
                q.write_csv(out)
                click.echo(f"wrote register.csv, completion.csv and payments.csv to {out}", err=True)
            else:
                name = f"quarterly-{q.first.financial_year}-Q{q.first.number}{'-' + practice if practice else ''}.html"
                _emit(q.to_html(), out, f"the quarterly activity report for {q.first.label}", name)


@report.command("dashboard")
@_inputs
@click.option("--as-of", required=True, callback=date_option, help="Records as they stood on this date")
@click.option("--practice", help="One practice (default: each practice, and one across practices)")
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False), help="Directory for the HTML files")
def dashboard(population: str, scheme_ids: Sequence[str], strict: bool, as_of: datetime.date, practice: str | None,
              out: str) -> None:
    """Static HTML dashboards with charts (they need no network): on-time completion by quarter and
    obligation, overdue tasks by home, emergency admissions per resident-year. Needs carerules[reports].

    \b
    Examples:
      carerules report dashboard -p extract.json --as-of 2026-11-01 --out dashboard/
      carerules report dashboard -p extract.json --as-of 2026-11-01 --practice P1 --out dashboard/
    """
    need_report_packages("dashboard")
    with Progress(["load", "evaluate", "write"]) as progress:
        r = _open(population, scheme_ids, as_of, strict, progress)
        with progress.phase("write"):
            paths: list[Path] = _fail_on_value_error(lambda: r.dashboard(out, practice))
    for p in paths:
        click.echo(f"wrote {p}", err=True)


__all__ = ["report"]
