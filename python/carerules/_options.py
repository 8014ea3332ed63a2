"""What the command line's groups share: the date and --strict options, loading a population with a summary of
the records it rejected, and the check that the HTML reports' packages are installed."""

from __future__ import annotations

import datetime
from typing import Any, Callable, TypeVar

import click

from carerules import _api
from carerules._progress import Progress

F = TypeVar("F", bound=Callable[..., Any])

#: How many rejected records the summary on stderr quotes; the output's findings list every one.
REASONS_SHOWN = 3


def date_option(ctx: click.Context | None, param: click.Parameter | None, value: str | None) -> datetime.date | None:
    """A click callback: YYYY-MM-DD to a date (None when the option is not given), or a usage error naming the
    value."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            return datetime.date.fromisoformat(value)
    except ValueError:
        pass
    raise click.BadParameter(f"'{value}' is not a date in the form YYYY-MM-DD")


def strict_option(f: F) -> F:
    """--strict: any rejected record is an error."""
    return click.option("--strict", is_flag=True,
                        help="Stop with an error (exit status 1) if any record of the population is rejected, "
                             "instead of leaving it out and going on")(f)


def rejection_summary(population: _api.Population, shown: int = REASONS_SHOWN) -> str | None:
    """What the loader rejected, for a person: how many records of which collections, and the first reasons.
    None when every record was accepted."""
    counts = population.counts
    rejected = counts["total"]["rejected"]
    if not rejected:
        return None
    where = ", ".join(f"{c['rejected']:,} in {name}" for name, c in counts.items() if name != "total" and c["rejected"])
    lines = [f"carerules: {rejected:,} of {counts['total']['read']:,} records rejected ({where}) and left out "
             "of every result:"]
    # The rejections only: warnings about kept records (stay-past-death) are the evaluation's findings.
    findings = [f for f in population.findings if f.code == "invalid-record"]
    for f in findings[:shown]:  # each message names the record, the field and the value
        lines.append(f"  {f.message}")
    if len(findings) > shown:
        lines.append(f"  ... and {len(findings) - shown:,} more (carerules evaluate lists each as an invalid-record finding)")
    return "\n".join(lines)


def load_population(source: str, *, strict: bool, progress: Progress | None = None) -> _api.Population:
    """Loads a population for a command: a missing or malformed file is a one-line error; rejected records are
    summarised on stderr, and with `strict` end the command (exit status 1) before anything is evaluated."""
    try:
        population = _api.load_population(source)
    except (FileNotFoundError, _api.ParseError) as e:
        raise click.ClickException(str(e)) from e
    summary = rejection_summary(population)
    if summary is not None:
        if progress is not None:
            progress.note(summary)
        else:
            click.echo(summary, err=True)
        if strict:
            rejected = population.counts["total"]["rejected"]
            raise click.ClickException(f"--strict: {rejected:,} rejected {'record' if rejected == 1 else 'records'} "
                                       f"in {source}; nothing was evaluated")
    return population


#: The packages each optional feature needs, and the extra that installs them.
_REPORT_PACKAGES = {"html": ("jinja2",), "dashboard": ("jinja2", "plotly")}


def need_report_packages(what: str) -> None:
    """A one-line error naming the pip extra when the HTML reports' packages (carerules[reports]) are missing.
    `what` is "html" (the HTML pages: jinja2) or "dashboard" (jinja2 and plotly)."""
    missing = []
    for module in _REPORT_PACKAGES[what]:
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise click.ClickException(reports_extra_message(missing))


def reports_extra_message(missing: list[str]) -> str:
    return (f"the HTML reports need {' and '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} not "
            "installed: pip install 'carerules[reports]'")
