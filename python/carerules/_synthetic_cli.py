"""`carerules synthesize`: a seeded synthetic population, as JSON or a folder of Parquet files."""

from __future__ import annotations

import datetime
import time
from typing import Any

import click

from carerules import _api
from carerules import synthetic as _synthetic
from carerules._options import date_option
from carerules._progress import Progress

PRESETS = ("home", "practice", "region", "national")


@click.command("synthesize")
@click.option("--preset", type=click.Choice(PRESETS), default="practice", show_default=True,
              help="Scale: one home (~25 residents), one practice (~63), a region (~57,000) or England (~400,000)")
@click.option("--residents", type=click.IntRange(min=1),
              help="Residents in care homes on any one day (overrides the preset's scale)")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed: the same seed gives the same population")
@click.option("--start", callback=date_option, help="First day of the period covered (default 2024-04-01)")
@click.option("--years", type=click.IntRange(min=1), help="Years covered (default 1); the extract is dated the last day")
@click.option("--format", "fmt", type=click.Choice(["json", "parquet"]), default="json", show_default=True,
              help="json: one carerules.population/1 file; parquet: a folder with one file per collection")
@click.option("--out", "-o", required=True, type=click.Path(), help="JSON file, or folder for Parquet files")
def synthesize(preset: str, residents: int | None, seed: int, start: datetime.date | None, years: int | None,
               fmt: str, out: str) -> None:
    """Generate a synthetic population for testing and benchmarking.

    Practices, aligned care homes, clinicians, residents, stays, hospital admissions and events for both
    built-in schemes, with work done on time, late or never at documented rates (docs/synthetic.md gives
    every parameter and its source). Evaluate it as of the period's last day, printed when done.

    \b
    Examples:
      carerules synthesize --preset practice --seed 1 --out practice.json
      carerules synthesize --preset national --format parquet --out england/
      carerules synthesize --residents 5000 --start 2025-04-01 --years 2 --out mid.json
      carerules evaluate -p england/ -s care-homes-es --as-of 2025-03-31 --format csv --out results/
    """
    changes: dict[str, Any] = {}
    if residents is not None:
        changes["residents"] = residents
    if start is not None:
        changes["start"] = start
    if years is not None:
        changes["years"] = years
    try:
        params = _synthetic.Parameters.preset(preset, **changes)
        began = time.perf_counter()
        with Progress(["generate", "write"]) as progress:
            with progress.phase("generate"):
                frames = _synthetic.generate(params, seed)
            generated = time.perf_counter() - began
            with progress.phase("write"):
                if fmt == "json":
                    _synthetic.write_json(frames, out)
                else:
                    _synthetic.write_parquet(frames, out)
    except (_api.ArgumentError, ImportError) as e:
        raise click.ClickException(str(e)) from e
    counts = ", ".join(f"{len(frames[c]):,} {c}" for c in _synthetic.COLLECTIONS)
    written = time.perf_counter() - began - generated
    click.echo(f"wrote {out} ({fmt}): {counts}", err=True)
    click.echo(f"generated in {generated:.1f} s, written in {written:.1f} s; evaluate it as of {params.end.isoformat()}",
               err=True)
