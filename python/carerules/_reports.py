"""Plain-text summaries for the command line, built on a Result's DataFrames."""

from __future__ import annotations

import datetime
from typing import Any

import pandas as pd

from carerules import _api
from carerules._api import records


TOTAL_COLUMNS = ["scheme", "practice", "financial_year", "quarter", "lines", "payable_pence", "pending_pence",
                 "withheld_pence", "unpriced_lines", "superseded_lines", "superseded_pence"]


def payment_totals(result: _api.Result) -> pd.DataFrame:
    """Totals per scheme, practice, financial year and quarter (``Q1`` to ``Q4``), by status, each year's
    quarters followed by a row for the year (``quarter`` ``year``), as the C++ library sums them.

    Every total is the sum of its lines' amount_pence (integers: no rounding anywhere). Superseded lines
    (another scheme pays for the patient instead) are counted apart, with what they would have paid, and are in
    no payable, pending or withheld total.
    """
    rows = _api.payment_totals(result)
    for r in rows:
        r["quarter"] = f"Q{r['quarter']}" if r["quarter"] else "year"
    return pd.DataFrame(rows, columns=TOTAL_COLUMNS)


def _pounds(pence: Any) -> str:
    return _api.format_pounds(int(pence), True)


def quarter_label(financial_year: str, quarter: Any) -> str:
    """A quarter as people read it everywhere: "2025-26 Q1"; a financial year's total row as "2025-26 year"."""
    q = str(quarter)
    if q == "year":
        return f"{financial_year} year"
    return f"{financial_year} {q}" if q.startswith("Q") else f"{financial_year} Q{q}"


def named(names: dict[str, str], id_: Any) -> str:
    """A practice or home for people: its name with its id beside it, "Park Surgery (P1)"."""
    key = str(id_)
    name = names.get(key)
    return f"{name} ({key})" if name else key


def payments_text(population: _api.Population, result: _api.Result, totals: pd.DataFrame) -> str:
    """The `payments` command's table for people: per scheme, practice (named) and quarter, in pounds."""
    if totals.empty:
        return f"Payments on {result.as_of.isoformat()}: no payment lines"
    practices = population.practice_names()
    header = ("scheme", "practice", "quarter", "lines", "payable", "pending", "withheld", "unpriced lines",
              "superseded lines", "superseded (not paid)")
    rows = [header]
    for r in records(totals):
        rows.append((str(r["scheme"]), named(practices, r["practice"]), quarter_label(r["financial_year"], r["quarter"]),
                     f"{int(r['lines']):,}", _pounds(r["payable_pence"]), _pounds(r["pending_pence"]),
                     _pounds(r["withheld_pence"]), f"{int(r['unpriced_lines']):,}",
                     f"{int(r['superseded_lines']):,}", _pounds(r["superseded_pence"])))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    left = 3  # scheme, practice and quarter read left to right; counts and amounts line up on the right
    out = [f"Payments on {result.as_of.isoformat()}: totals per quarter and per financial year (\"year\"); "
           "--format csv or json for the lines, in pence"]
    for row in rows:
        cells = [c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
        out.append("  ".join(cells).rstrip())
    years = totals[totals.quarter == "year"]
    superseded_lines = int(years["superseded_lines"].sum())
    if superseded_lines:
        out.append(f"Superseded, not paid (another scheme evaluated here pays for these care home residents instead): "
                   f"{superseded_lines:,} lines, {_pounds(years['superseded_pence'].sum())}; in no payable total")
    return "\n".join(out)


def _live_homes(tasks: pd.DataFrame) -> dict[str, str]:
    """The care home each resident lives in on the as-of date, as the tasks show it: the home of the resident's
    latest task still in play (upcoming, open or overdue) that names one.

    Some obligations belong to the patient and not to a home (case management, the annual health review), so
    their tasks name no home; a manager still looks for a resident of Oak Lodge under Oak Lodge."""
    live = tasks[(tasks.subject_kind == "resident") & tasks.status.isin(["upcoming", "open", "overdue"])
                 & tasks.home.notna() & (tasks.home != "")]
    latest = live.sort_values("opens", kind="stable").groupby("subject").tail(1)
    return dict(zip(latest.subject.astype(str), latest.home.astype(str)))


def _first_record(tasks: pd.DataFrame) -> datetime.date | None:
    """The earliest day on which the extract shows work done (a done or late task's completion)."""
    done = tasks.completed_on.dropna()
    return None if done.empty else done.min().date()


def _task_line(t: dict[str, Any], first_record: datetime.date | None, with_kind: bool = False) -> str:
    due = t["due"].date()
    mark = "*" if first_record is not None and t["status"] == "overdue" and due < first_record else " "
    who = f"{t['subject_kind']} {t['subject']:<8}" if with_kind else f"{t['subject']:<8}"
    return f"   - {who} due {due}{mark} {t['because']}"


def demo_report(population: _api.Population, result: _api.Result, days: int) -> str:
    """What a practice manager reads first: per home, overdue tasks and what falls due soon; then payments.

    A resident's tasks are listed under the home they live in, also those of obligations that name no home
    (case management, the annual health review); "not tied to a home" is left with community patients and
    clinicians. An overdue task due before the extract's first record of work is marked: the extract holds no
    older history, so what was done before then cannot be seen (the annual health review of a resident who
    turned 75 long before, "overdue since 2013-04-01", is one).
    """
    as_of = result.as_of
    horizon = pd.Timestamp(as_of + datetime.timedelta(days=days))
    tasks = result.tasks.copy()
    homes = population.home_names()
    practices = population.practice_names()
    lives_in = _live_homes(tasks)
    no_home = tasks.home.isna() | (tasks.home == "")
    tasks["listed_under"] = tasks.home.where(~no_home, tasks.subject.map(lives_in))
    first_record = _first_record(tasks)
    lines: list[str] = []
    s = population.summary()
    counts = result.input
    lines.append(f"carerules demo: as of {as_of.isoformat()}")
    lines.append(
        f"{s['practices']} practices, {s['homes']} homes, {s['residents']} patients, {s['stays']} stays, "
        f"{s['admissions']} admissions, {s['events']} events; records read {counts['read']}, "
        f"accepted {counts['accepted']}, rejected {counts['rejected']}"
    )
    by_status = tasks.groupby("status").size()
    lines.append("tasks: " + ", ".join(f"{n} {status}" for status, n in by_status.items()))
    lines.append("")
    soon = tasks[(tasks.status == "open") & (tasks.due <= horizon)]
    overdue = tasks[tasks.status == "overdue"]
    for home_id in sorted(homes):
        home_overdue = overdue[overdue.listed_under == home_id].sort_values(["due", "subject"])
        home_soon = soon[soon.listed_under == home_id].sort_values(["due", "subject"])
        lines.append(f"== {homes[home_id]} ({home_id})")
        lines.append(f"   overdue: {len(home_overdue)}")
        for t in records(home_overdue):
            lines.append(_task_line(t, first_record))
        lines.append(f"   due in the next {days} days: {len(home_soon)}")
        for t in records(home_soon):
            lines.append(_task_line(t, first_record))
        lines.append("")
    others = overdue[overdue.listed_under.isna()]
    if len(others):
        lines.append(f"== Not tied to a home (community patients, clinicians): {len(others)} overdue")
        for t in records(others.sort_values(["due", "subject"])):
            lines.append(_task_line(t, first_record, with_kind=True))
        lines.append("")
    marked = 0
    if first_record is not None:
        marked = int((overdue.due.dt.date < first_record).sum())
    if marked and first_record is not None:
        lines.append(f"* {marked} overdue since before {first_record.isoformat()}, the first work this extract records: "
                     "the extract holds no older history,")
        lines.append("  so work done before then cannot be seen here; check the practice's records before chasing these.")
        lines.append("")
    pay = result.payments
    lines.append("== Payment lines")
    if pay.empty:
        lines.append("   none")
    else:
        fy = _api.financial_year(as_of)
        this_year = pay[pay.financial_year == fy]
        lines.append(f"   {len(pay)} lines in all; {len(this_year)} in {fy}")
        totals = payment_totals(result)
        current = totals[(totals.financial_year == fy)]
        width = max((len(named(practices, p)) for p in current.practice), default=0)
        for r in records(current):
            lines.append(
                f"   {r['scheme']:<20} {named(practices, r['practice']):<{width}} "
                f"{quarter_label(r['financial_year'], r['quarter']):<12} {int(r['lines']):>4} lines  "
                f"payable {_pounds(r['payable_pence']):>10}  pending {_pounds(r['pending_pence']):>9}  "
                f"withheld {_pounds(r['withheld_pence']):>9}  unpriced {int(r['unpriced_lines'])}"
                + (f"  superseded {int(r['superseded_lines'])} ({_pounds(r['superseded_pence'])} not paid)"
                   if int(r["superseded_lines"]) else "")
            )
        withheld = this_year[this_year.status == "withheld"]
        if len(withheld):
            lines.append("   withheld this year:")
            for p in records(withheld):
                lines.append(f"   - {p['resident']:<8} {quarter_label(p['financial_year'], p['quarter'])} "
                             f"{str(p['kind']).replace('_', ' '):<15} {p['because']}")
    lines.append("")
    findings = result.findings
    lines.append(f"== Findings: {len(findings)}")
    for f in records(findings):
        lines.append(f"   [{f['severity']}] {f['code']}: {f['message']}")
    return "\n".join(lines)
