#!/usr/bin/env python3
"""Writes the England and Wales bank holiday calendar that carerules ships (data/calendars/england-and-wales.csv).

The dates come from the rules, not from a copied list: the Banking and Financial Dealings Act 1971 holidays
(New Year's Day, Good Friday, Easter Monday, the early May, spring and summer bank holidays, Christmas Day and
Boxing Day), substitute weekdays when a fixed-date holiday falls on a weekend, and the one-off changes made by
royal proclamation, listed in ONE_OFF below. Standard library only.

    python3 tools/make_calendar.py --output data/calendars/england-and-wales.csv
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

FIRST_YEAR = 2012
LAST_YEAR = 2028

# Proclaimed changes: a usual holiday moved (its title -> new date and title), and extra days.
MOVED = {
    2012: {"Spring bank holiday": (dt.date(2012, 6, 4), "Spring bank holiday")},  # for the Diamond Jubilee
    2020: {"Early May bank holiday": (dt.date(2020, 5, 8), "Early May bank holiday (VE day)")},  # 75 years
    2022: {"Spring bank holiday": (dt.date(2022, 6, 2), "Spring bank holiday")},  # for the Platinum Jubilee
}
EXTRA = [
    (dt.date(2012, 6, 5), "Queen's Diamond Jubilee"),
    (dt.date(2022, 6, 3), "Platinum Jubilee bank holiday"),
    (dt.date(2022, 9, 19), "Bank holiday for the State Funeral of Queen Elizabeth II"),
    (dt.date(2023, 5, 8), "Bank holiday for the coronation of King Charles III"),
]

MONDAY, FRIDAY, SATURDAY, SUNDAY = 0, 4, 5, 6


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter Sunday by the anonymous (Meeus/Jones/Butcher) computus."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 (the computus's own name)
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def first_monday(year: int, month: int) -> dt.date:
    day = dt.date(year, month, 1)
    return day + dt.timedelta(days=(MONDAY - day.weekday()) % 7)


def last_monday(year: int, month: int) -> dt.date:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = following - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - MONDAY) % 7)


def next_weekday(day: dt.date, taken: set[dt.date]) -> dt.date:
    """The first weekday on or after `day` that is not already a holiday."""
    while day.weekday() >= SATURDAY or day in taken:
        day += dt.timedelta(days=1)
    return day


def kept(nominal: dt.date, day: dt.date, title: str) -> tuple[dt.date, str]:
    return (day, title if day == nominal else f"{title} (substitute day)")


def holidays(year: int) -> list[tuple[dt.date, str]]:
    easter = easter_sunday(year)
    usual = {
        "Good Friday": easter - dt.timedelta(days=2),
        "Easter Monday": easter + dt.timedelta(days=1),
        "Early May bank holiday": first_monday(year, 5),
        "Spring bank holiday": last_monday(year, 5),
        "Summer bank holiday": last_monday(year, 8),
    }
    out = [MOVED.get(year, {}).get(title, (day, title)) for title, day in usual.items()]

    # Fixed-date holidays: a weekend one is kept on the next weekday not already a holiday
    # (Christmas on a Saturday: Monday 27 and Tuesday 28; on a Sunday: Boxing Day Monday 26, Christmas Tuesday 27).
    new_year = dt.date(year, 1, 1)
    out.append(kept(new_year, next_weekday(new_year, set()), "New Year's Day"))
    christmas, boxing = dt.date(year, 12, 25), dt.date(year, 12, 26)
    # Boxing Day on a weekday stays put, and a Christmas substitute moves past it.
    taken = {boxing} if boxing.weekday() < SATURDAY else set()
    christmas_day = next_weekday(christmas, taken)
    boxing_day = boxing if boxing in taken else next_weekday(boxing, {christmas_day})
    out.append(kept(christmas, christmas_day, "Christmas Day"))
    out.append(kept(boxing, boxing_day, "Boxing Day"))

    out.extend((day, title) for day, title in EXTRA if day.year == year)
    return sorted(out)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", type=int, default=FIRST_YEAR)
    parser.add_argument("--last", type=int, default=LAST_YEAR)
    parser.add_argument("--output", help="file to write (default: standard output)")
    args = parser.parse_args(argv)

    lines = ["date,title"]
    for year in range(args.first, args.last + 1):
        lines.extend(f"{day.isoformat()},{title}" for day, title in holidays(year))
    text = "\n".join(lines) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
