"""The `carerules` command: evaluate, payments, budget, cohort, demo, schemes, report and synthesize."""

from __future__ import annotations

import dataclasses
import datetime
import json
import sys
from pathlib import Path
from typing import Any, Sequence

import click
import pandas as pd

from carerules import _api, _cohort
from carerules._options import date_option, load_population, reports_extra_message, strict_option
from carerules._progress import Progress
from carerules._reports import demo_report, payment_totals, payments_text

POPULATION_HELP = "carerules.population/1 JSON file, or a folder of CSV extracts (practices.csv, homes.csv, ...)"


def _schemes(ids: Sequence[str]) -> list[_api.Scheme]:
    try:
        return [_api.scheme(s) for s in ids]
    except _api.SchemeError as e:
        raise click.ClickException(str(e)) from e


def _need_out(fmt: str, out: str | None) -> str:
    if not out:
        raise click.UsageError(f"--format {fmt} needs --out DIR (the folder to write the CSV files into)")
    return out


class _Group(click.Group):
    """Any carerules error that a command did not catch ends the command with its message, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except _api.CareRulesError as e:
            raise click.ClickException(str(e)) from e
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError) as e:
            raise click.ClickException(str(e)) from e
        except ModuleNotFoundError as e:
            # The reports' packages are optional (carerules[reports]); the commands check first, this is the
            # backstop for a page that imports one the check did not name.
            if e.name is not None and e.name.split(".")[0] in ("jinja2", "plotly", "markupsafe"):
                raise click.ClickException(reports_extra_message([e.name.split(".")[0]])) from e
            raise


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="carerules")
def cli() -> None:
    """Tasks, payment lines and findings for care homes enhanced services.

    A population is a carerules.population/1 JSON file or a folder of CSV extracts (one file per collection:
    practices.csv, clinicians.csv, homes.csv, residents.csv, stays.csv, admissions.csv, events.csv). Records
    that cannot be used are left out, and every command says on stderr how many it left out and why (--strict
    makes that an error). Long runs show a progress bar on stderr when it is a terminal.

    \b
    Examples:
      carerules demo
      carerules evaluate --population extract.json --scheme care-homes-es --as-of 2025-06-30
      carerules evaluate -p extracts/ -s care-homes-es -s case-management-les --as-of 2025-06-30 --format csv --out out/
      carerules payments -p extracts/ --as-of 2026-03-31
      carerules budget --patients 1500 --with-plan 912
      carerules cohort -p extract.json --as-of 2025-06-30
      carerules synthesize --preset practice --seed 1 --out practice.json
      carerules schemes show care-homes-es
    """


@cli.command()
@click.option("--population", "-p", required=True, type=click.Path(), help=POPULATION_HELP)
@click.option("--scheme", "-s", "scheme_ids", multiple=True, default=["care-homes-es"], show_default=True,
              help="Built-in scheme id or scheme JSON file; repeat for several")
@click.option("--as-of", required=True, callback=date_option, help="Evaluate as the population stood on this date (YYYY-MM-DD)")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True,
              help="json: one document; csv: tasks.csv, payments.csv and findings.csv in --out")
@click.option("--out", "-o", type=click.Path(file_okay=True), help="JSON: file to write (default stdout); CSV: directory")
@click.option("--threads", type=click.IntRange(min=0), default=1, show_default=True, help="Threads for evaluation (0: all cores)")
@strict_option
def evaluate(population: str, scheme_ids: Sequence[str], as_of: datetime.date, fmt: str, out: str | None, threads: int,
             strict: bool) -> None:
    """Evaluate schemes against a population: the JSON document of tasks, payments and findings.

    \b
    Examples:
      carerules evaluate -p extract.json --as-of 2025-06-30 > result.json
      carerules evaluate -p extracts/ --as-of 2025-06-30 > result.json
      carerules evaluate -p extract.json -s care-homes-es -s case-management-les --as-of 2025-06-30
      carerules evaluate -p extract.json --as-of 2025-06-30 --format csv --out results/
      carerules evaluate -p extract.json --as-of 2025-06-30 --strict > result.json
    """
    if fmt == "csv":
        _need_out(fmt, out)
    schemes = _schemes(scheme_ids)
    with Progress(["load", "evaluate", "write"]) as progress:
        with progress.phase("load"):
            pop = load_population(population, strict=strict, progress=progress)
        with progress.phase("evaluate"):
            result = _api.Evaluator(pop, schemes, threads=threads).evaluate(as_of)
        with progress.phase("write"):
            if fmt == "csv":
                assert out is not None
                result.write_csv(out)
            else:
                text = result.to_json()
                if out:
                    Path(out).write_text(text, encoding="utf-8")
                else:
                    sys.stdout.write(text)
    if fmt == "csv":
        click.echo(f"wrote tasks.csv, payments.csv and findings.csv to {out}", err=True)


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
    """Ids and titles of the built-in schemes.

    \b
    Example:
      carerules schemes list
    """
    for sid in _api.builtin_schemes():
        s = _api.scheme(sid)
        click.echo(f"{sid}\t{s.title}")


@schemes.command("show")
@click.argument("scheme_id")
def schemes_show(scheme_id: str) -> None:
    """Print a scheme's JSON definition (copy it, edit it, and pass the file to --scheme).

    \b
    Example:
      carerules schemes show care-homes-es > my-scheme.json
    """
    click.echo(_schemes([scheme_id])[0].text, nl=False)


def _frame_json(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", date_format="iso"))
    return rows


@cli.command()
@click.option("--population", "-p", required=True, type=click.Path(), help=POPULATION_HELP)
@click.option("--scheme", "-s", "scheme_ids", multiple=True, default=["care-homes-es"], show_default=True,
              help="Built-in scheme id or scheme JSON file; repeat for several")
@click.option("--as-of", required=True, callback=date_option, help="Evaluate as the population stood on this date (YYYY-MM-DD)")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True,
              help="text: a table of totals; json: lines and totals in one document; csv: payments.csv and "
                   "payment-totals.csv in --out")
@click.option("--out", "-o", type=click.Path(), help="Directory for payments.csv and payment-totals.csv (JSON: file)")
@strict_option
def payments(population: str, scheme_ids: Sequence[str], as_of: datetime.date, fmt: str, out: str | None,
             strict: bool) -> None:
    """Payment lines and their totals per practice, per quarter and per financial year.

    Every total is the sum of its lines. The text table is for people (pounds, practice names with their
    ids); json and csv are for programs (integer pence, ids).

    \b
    Examples:
      carerules payments -p extract.json --as-of 2026-03-31
      carerules payments -p extracts/ --as-of 2026-03-31 --out claims/
      carerules payments -p extract.json --as-of 2026-03-31 --format json > claims.json
      carerules payments -p extract.json -s case-management-les --as-of 2026-03-31 --format csv --out claims/
    """
    if fmt == "csv":
        _need_out(fmt, out)
    schemes = _schemes(scheme_ids)
    with Progress(["load", "evaluate", "write"]) as progress:
        with progress.phase("load"):
            pop = load_population(population, strict=strict, progress=progress)
        with progress.phase("evaluate"):
            result = _api.Evaluator(pop, schemes).evaluate(as_of)
            lines = result.payments.drop(columns=["amount_pounds"])
            totals = payment_totals(result)
        with progress.phase("write"):
            if fmt == "json":
                doc = {
                    "as_of": as_of.isoformat(),
                    "schemes": [{"id": sid, "version": version} for sid, version in result.schemes],
                    "payments": _frame_json(lines),
                    "totals": _frame_json(totals),
                }
                text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
                if out:
                    Path(out).write_text(text, encoding="utf-8")
                else:
                    sys.stdout.write(text)
                return
            if fmt == "text":
                click.echo(payments_text(pop, result, totals))
            if out:
                Path(out).mkdir(parents=True, exist_ok=True)
                lines.to_csv(Path(out) / "payments.csv", index=False)
                totals.to_csv(Path(out) / "payment-totals.csv", index=False)
    if out:
        click.echo(f"wrote payments.csv and payment-totals.csv to {out}", err=True)


def _budget_text(b: _api.BudgetProjection, counted: str) -> str:
    def pounds(pence: int) -> str:
        return _api.format_pounds(pence, True)

    # (label, count, per patient, total) rows, or a heading (a plain string).
    table: list[str | tuple[str, str, str, str]] = [f"Current budget (tariff in force on {b.current_on.isoformat()})"]
    def per_patient(l: _api.BudgetLine) -> str:
        # How the amount per patient is made up goes in brackets after it: "x £170.00 = £110.00 + 2 x £30.00"
        # read as an equation that is false.
        amount = pounds(l.per_patient_pence)
        made_up = f" ({l.derivation})" if l.derivation and l.derivation != amount else ""
        return f"x {amount} per patient{made_up}"

    for l in b.current:
        table.append((f"{l.label} ({l.tariff})", f"{l.count:,}", per_patient(l), pounds(l.total_pence)))
    table.append(("Current total", "", "", pounds(b.current_total_pence)))
    table.append(f"Projected budget (tariff in force on {b.projected_on.isoformat()})")
    for l in b.projected:
        table.append((f"{l.label} ({l.tariff})", f"{l.count:,}", per_patient(l), pounds(l.total_pence)))
    table.append(("Projected total", "", "", pounds(b.projected_total_pence)))
    verdict = "a saving" if b.impact_pence < 0 else ("no change" if b.impact_pence == 0 else "a cost")
    table.append(f"Impact of the change (projected - current): {pounds(b.impact_pence)}, {verdict}")
    rows = [r for r in table if isinstance(r, tuple)]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    out = [f"Case management budget projection ({b.scheme}){counted}",
           f"Paid activities per patient per year: {b.activities_per_year}"]
    for r in table:
        if isinstance(r, str):
            out += ["", r]
        else:
            out.append(f"  {r[0]:<{widths[0]}}  {r[1]:>{widths[1]}} {r[2]:<{widths[2]}}  {r[3]:>{widths[3]}}".rstrip())
    return "\n".join(out)


@cli.command()
@click.option("--patients", type=click.IntRange(min=0), help="Care home patients (seed 004: 1500)")
@click.option("--with-plan", type=click.IntRange(min=0), help="Of them, already case managed with a care plan (seed 004: 912)")
@click.option("--population", "-p", type=click.Path(), help="Count both from this population instead: " + POPULATION_HELP)
@click.option("--as-of", callback=date_option, help="With --population: count on this date (YYYY-MM-DD)")
@click.option("--scheme", "-s", "scheme_id", default="case-management-les", show_default=True,
              help="The case management scheme (built-in id or scheme JSON file) whose tariffs price the budget")
@click.option("--projected-on", callback=date_option, help="Price the projection at the tariff in force on this date "
              "(default: the latest version's effective date)")
@click.option("--current-on", callback=date_option, help="Price the current budget at the tariff in force on this date "
              "(default: the day before --projected-on)")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@strict_option
def budget(patients: int | None, with_plan: int | None, population: str | None, as_of: datetime.date | None, scheme_id: str,
           projected_on: datetime.date | None, current_on: datetime.date | None, fmt: str, strict: bool) -> None:
    """The case management budget projection (seed 004, Table 2) from patient counts and the scheme's tariffs.

    The current budget costs every care home patient as new; the projection costs those without a care plan
    as new and those with one as follow-ups. Give the counts, or a population and a date to count them from.

    \b
    Examples:
      carerules budget --patients 1500 --with-plan 912
      carerules budget -p extract.json --as-of 2025-06-30
      carerules budget --patients 1500 --with-plan 912 --format json
    """
    [s] = _schemes([scheme_id])
    counted = ""
    if population is not None:
        if patients is not None or with_plan is not None:
            raise click.UsageError("give either --patients and --with-plan, or --population and --as-of, not both")
        if as_of is None:
            raise click.UsageError("--population needs --as-of DATE (the day to count care home patients on)")
        with Progress(["load", "count"]) as progress:
            with progress.phase("load"):
                pop = load_population(population, strict=strict, progress=progress)
            with progress.phase("count"):
                patients, with_plan = _api.budget_counts(pop, as_of, s)
        counted = f": counts from {population} on {as_of.isoformat()}"
    elif patients is None or with_plan is None:
        raise click.UsageError("give --patients and --with-plan (for example --patients 1500 --with-plan 912), "
                               "or --population and --as-of")
    elif as_of is not None:
        raise click.UsageError("--as-of goes with --population")
    if with_plan > patients:
        raise click.BadParameter(f"{with_plan} patients with a plan but only {patients} care home patients",
                                 param_hint="'--with-plan'")
    b = _api.project_budget(patients, with_plan, s, projected_on, current_on)
    if fmt == "json":
        doc = dataclasses.asdict(b)
        doc["current_on"] = b.current_on.isoformat()
        doc["projected_on"] = b.projected_on.isoformat()
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        click.echo(_budget_text(b, counted))


def _cohort_text(frame: pd.DataFrame, scheme_id: str) -> str:
    def share(row: Any, name: str, part: int, *, decimals: bool = False) -> str:
        """A share for a person: shares of the list (a few per cent, against the scheme's 5% and 2% limits) to
        one decimal place, the others in whole per cent as seed 004 gives them; a share that is not nothing
        never reads as 0%, nor one that is not everything as 100%."""
        basis_points = row[f"{name}_basis_points"]
        if pd.isna(basis_points):
            return "n/a"
        if part == 0:
            return "0%"
        if decimals:
            tenths = (int(basis_points) + 5) // 10
            return "under 0.1%" if tenths == 0 else f"{tenths // 10}.{tenths % 10}%"
        percent = int(row[f"{name}_percent"])
        if percent == 0:
            return "under 1%"
        if percent == 100 and int(basis_points) < 10_000:
            return "over 99%"
        return f"{percent}%"

    def count(value: Any) -> str:
        return "not given" if pd.isna(value) else f"{int(value):,}"

    as_of = frame["as_of"].iloc[0].isoformat()
    out = [f"Case management cohort on {as_of} ({scheme_id})"]
    for _, row in frame.iterrows():
        title = (f"{row.practice_name} ({row.practice})" if row.practice_name else row.practice) if row.practice else "All practices"
        out += [
            "",
            title,
            f"  list size {count(row.list_size)}; cohort {row.cohort:,} "
            f"({share(row, 'cohort_share', row.cohort, decimals=True)} of the list; at most {count(row.intended_cohort)})",
            f"  members by reason: care home {row.members_care_home:,}, risk tool {row.members_risk_tool:,}, "
            f"clinical judgement {row.members_clinical_judgement:,} "
            f"({share(row, 'clinical_judgement_share', row.members_clinical_judgement, decimals=True)} of the list)",
            f"  care home patients {row.care_home_patients:,}, of them in the cohort {row.care_home_patients_in_cohort:,} "
            f"({share(row, 'care_home_patients_in_cohort_share', row.care_home_patients_in_cohort)})",
            f"  {row.care_home_patients_with_care_plan:,} of {row.care_home_patients:,} care home patients have a care plan "
            f"({share(row, 'care_plans_of_care_home_patients', row.care_home_patients_with_care_plan)})",
            f"  {row.members_with_care_plan:,} members have a care plan "
            f"({share(row, 'care_plans_of_cohort', row.members_with_care_plan)} of the cohort, "
            f"{share(row, 'care_plans_of_intended_cohort', row.members_with_care_plan)} of the intended cohort)",
        ]
    return "\n".join(out)


@cli.command()
@click.option("--population", "-p", required=True, type=click.Path(), help=POPULATION_HELP)
@click.option("--as-of", required=True, callback=date_option, help="Count the cohort as it stood on this date (YYYY-MM-DD)")
@click.option("--scheme", "-s", "scheme_id", default="case-management-les", show_default=True,
              help="The case management scheme (built-in id or scheme JSON file): its care plan codes and cohort limit")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True,
              help="text for people; json or csv (to --out FILE, default stdout) for scripts")
@click.option("--out", "-o", type=click.Path(dir_okay=False), help="File to write (json, csv)")
@strict_option
def cohort(population: str, as_of: datetime.date, scheme_id: str, fmt: str, out: str | None, strict: bool) -> None:
    """The case management cohort of each practice and of all practices together on a date.

    Cohort size and its share of the list, the intended cohort (the scheme's 5% limit), members by reason,
    care home patients in the cohort, and care plans: the figures seed 004 reports ("912 of 1,500 care home
    patients have a case management plan, 61%"). Shares are whole per cent rounded half up; json and csv
    also give basis points.

    \b
    Examples:
      carerules cohort -p extract.json --as-of 2025-06-30
      carerules cohort -p extracts/ --as-of 2025-06-30 --format csv --out cohort.csv
      carerules cohort -p extract.json --as-of 2025-06-30 --format json
    """
    [s] = _schemes([scheme_id])
    with Progress(["load", "count"]) as progress:
        with progress.phase("load"):
            pop = load_population(population, strict=strict, progress=progress)
        with progress.phase("count"):
            frame = _cohort.cohort_summary(pop, as_of, s)
    if fmt == "text":
        click.echo(_cohort_text(frame, s.id))
        return
    if fmt == "json":
        text = json.dumps({"as_of": as_of.isoformat(), "scheme": s.id, "practices": _frame_json(frame)}, indent=2,
                          ensure_ascii=False) + "\n"
    else:
        text = frame.to_csv(index=False)
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


@cli.command()
@click.option("--population", "-p", type=click.Path(), help="Default: the bundled demo population. " + POPULATION_HELP)
@click.option("--as-of", callback=date_option, default="2026-11-01", show_default=True,
              help="Evaluate the population as it stood on this date")
@click.option("--days", type=click.IntRange(min=0), default=14, show_default=True, help="Show what falls due within this many days")
@click.option("--scheme", "-s", "scheme_ids", multiple=True, default=["care-homes-es", "case-management-les"], show_default=True,
              help="Built-in scheme id or scheme JSON file; repeat for several")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True,
              help="text: per home, what is overdue and due soon, then payments; json/csv: as `evaluate`")
@click.option("--out", "-o", type=click.Path(), help="JSON: file to write (default stdout); CSV: directory")
@strict_option
def demo(population: str | None, as_of: datetime.date, days: int, scheme_ids: Sequence[str], fmt: str, out: str | None,
         strict: bool) -> None:
    """Evaluate the bundled demo population (or yours): per home, what is overdue and what falls due soon; then payments.

    \b
    Examples:
      carerules demo
      carerules demo --as-of 2025-06-30 --days 28
      carerules demo -p extracts/ --as-of 2025-06-30
      carerules demo --format csv --out demo-results/
    """
    if fmt == "csv":
        _need_out(fmt, out)
    schemes = _schemes(scheme_ids)
    with Progress(["load", "evaluate", "write"]) as progress:
        with progress.phase("load"):
            source = population if population is not None else str(_api.demo_population_path())
            pop = load_population(source, strict=strict, progress=progress)
        with progress.phase("evaluate"):
            result = _api.Evaluator(pop, schemes).evaluate(as_of)
        with progress.phase("write"):
            if fmt == "csv":
                assert out is not None
                result.write_csv(out)
            else:
                text = result.to_json() if fmt == "json" else demo_report(pop, result, days) + "\n"
                if out:
                    Path(out).write_text(text, encoding="utf-8")
                else:
                    sys.stdout.write(text)
    if fmt == "csv":
        click.echo(f"wrote tasks.csv, payments.csv and findings.csv to {out}", err=True)


def main(argv: Sequence[str] | None = None) -> Any:
    return cli.main(args=argv, prog_name="carerules")


from carerules._report_cli import report  # noqa: E402

cli.add_command(report)

from carerules._synthetic_cli import synthesize  # noqa: E402

cli.add_command(synthesize)
