"""What the command line's groups share: the date option."""

from __future__ import annotations

import datetime

import click


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
