"""The `carerules` command: evaluate, schemes, payments, budget and demo."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import Any, Sequence

import click
import pandas as pd

from carerules import _api, _core
from carerules._reports import demo_report, payment_totals


def _parse_date(ctx: click.Context | None, param: click.Parameter | None, value: str | None) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value) if len(value) == 10 else _bad_date(value)
    except ValueError:
        return _bad_date(value)


def _bad_date(value: str) -> datetime.date:
    raise click.BadParameter(f"'{value}' is not a date in the form YYYY-MM-DD")


def _load(population: str) -> _api.Population:
    try:
        return _api.load_population(population)
    except FileNotFoundError as e:
        raise click.ClickException(str(e)) from e
    except _core.ParseError as e:
        raise click.ClickException(str(e)) from e


def _schemes(ids: Sequence[str]) -> list[_api.Scheme]:
    try:
        return [_api.scheme(s) for s in ids]
    except _core.SchemeError as e:
        raise click.ClickException(str(e)) from e


class Context:
    pass


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="carerules")
def cli() -> None:
    """Tasks, payment lines and findings for care homes enhanced services.

    \b
    Examples:
      carerules demo
      carerules evaluate --population extract.json --scheme care-homes-es --as-of 2025-06-30
      carerules schemes show care-homes-es
    """


@cli.command()
@click.option("--population", "-p", required=True, type=click.Path(dir_okay=False), help="carerules.population/1 JSON file")
@click.option("--scheme", "-s", "scheme_ids", multiple=True, default=["care-homes-es"], show_default=True,
              help="Built-in scheme id or scheme JSON file; repeat for several")
@click.option("--as-of", required=True, callback=_parse_date, help="Evaluate as the population stood on this date")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--out", "-o", type=click.Path(file_okay=True), help="JSON: file to write (default stdout); CSV: directory")
@click.option("--threads", type=int, default=1, show_default=True, help="Threads for evaluation (0: all cores)")
def evaluate(population: str, scheme_ids: Sequence[str], as_of: datetime.date, fmt: str, out: str | None, threads: int) -> None:
    """Evaluate schemes against a population: the JSON document of tasks, payments and findings.

    \b
    Examples:
      carerules evaluate -p extract.json --as-of 2025-06-30 > result.json
      carerules evaluate -p extract.json -s care-homes-es -s case-management-les --as-of 2025-06-30
      carerules evaluate -p extract.json --as-of 2025-06-30 --format csv --out results/
    """
    pop = _load(population)
    result = _api.Evaluator(pop, _schemes(scheme_ids), threads=threads).evaluate(as_of)
    if fmt == "csv":
        if not out:
            raise click.UsageError("--format csv needs --out DIR")
        result.write_csv(out)
        click.echo(f"wrote tasks.csv, payments.csv and findings.csv to {out}", err=True)
        return
    text = result.to_json()
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


@cli.group()
def schemes() -> None:
    """List the built-in schemes or print one.

    \b
    Examples:
      carerules schemes list
      carerules schemes show care-homes-es > my-scheme.json
    """


@schemes.command("list")
def schemes_list() -> None:
    """Ids and titles of the built-in schemes."""
    for sid in _api.builtin_schemes():
        s = _api.scheme(sid)
        click.echo(f"{sid}\t{s.title}")


@schemes.command("show")
@click.argument("scheme_id")
def schemes_show(scheme_id: str) -> None:
    """Print a scheme's JSON definition (copy it, edit it, and pass the file to --scheme).

    \b
    Example:
      carerules schemes show care-homes-es
    """
    click.echo(_schemes([scheme_id])[0].text, nl=False)


@cli.command()
@click.option("--population", "-p", required=True, type=click.Path(dir_okay=False))
@click.option("--scheme", "-s", "scheme_ids", multiple=True, default=["care-homes-es"], show_default=True)
@click.option("--as-of", required=True, callback=_parse_date)
@click.option("--out", "-o", type=click.Path(), help="Directory for payments.csv and payment-totals.csv")
def payments(population: str, scheme_ids: Sequence[str], as_of: datetime.date, out: str | None) -> None:
    """Payment totals per practice per quarter and per financial year, equal to the sum of their lines.

    \b
    Examples:
      carerules payments -p extract.json --as-of 2026-03-31
      carerules payments -p extract.json --as-of 2026-03-31 --out claims/
    """
    pop = _load(population)
    result = _api.Evaluator(pop, _schemes(scheme_ids)).evaluate(as_of)
    totals = payment_totals(result.payments)
    click.echo(totals.to_string(index=False))
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        result.payments.to_csv(Path(out) / "payments.csv", index=False)
        totals.to_csv(Path(out) / "payment-totals.csv", index=False)
        click.echo(f"wrote payments.csv and payment-totals.csv to {out}", err=True)


@cli.command()
@click.option("--as-of", callback=_parse_date, default="2026-11-01", show_default=True,
              help="Evaluate the demo population as it stood on this date")
@click.option("--days", type=int, default=14, show_default=True, help="Show what falls due within this many days")
@click.option("--scheme", "-s", "scheme_ids", multiple=True, default=["care-homes-es", "case-management-les"], show_default=True)
def demo(as_of: datetime.date, days: int, scheme_ids: Sequence[str]) -> None:
    """Evaluate the bundled demo population: per home, what is overdue and what falls due soon; then payments.

    \b
    Examples:
      carerules demo
      carerules demo --as-of 2025-06-30 --days 28
    """
    pop = _load(str(_api.demo_population_path()))
    result = _api.Evaluator(pop, _schemes(scheme_ids)).evaluate(as_of)
    click.echo(demo_report(pop, result, days))


def main(argv: Sequence[str] | None = None) -> Any:
    return cli.main(args=argv, prog_name="carerules")

from carerules._report_cli import report
cli.add_command(report)
