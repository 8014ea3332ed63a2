"""Plain-text summaries for the command line, built on a Result's DataFrames."""

from __future__ import annotations

import datetime
from typing import Any

import pandas as pd

from carerules import _api
from carerules._api import records


TOTAL_COLUMNS = ["scheme", "practice", "financial_year", "quarter", "lines", "payable_pence", "pending_pence",
                 "withheld_pence", "unpriced_lines"]


def payment_totals(result: _api.Result) -> pd.DataFrame:
    """Totals per scheme, practice, financial year and quarter (``Q1`` to ``Q4``), by status, each year's
    quarters followed by a row for the year (``quarter`` ``year``), as the C++ library sums them.

    Every total is the sum of its lines' amount_pence (integers: no rounding anywhere).
    """
    rows = _api.payment_totals(result)
    for r in rows:
        r["quarter"] = f"Q{r['quarter']}" if r["quarter"] else "year"
    return pd.DataFrame(rows, columns=TOTAL_COLUMNS)


def _pounds(pence: Any) -> str:
    return _api.format_pounds(int(pence), True)


def demo_report(population: _api.Population, result: _api.Result, days: int) -> str:
    """What a practice manager reads first: per home, overdue tasks and what falls due soon; then payments."""
    as_of = result.as_of
    horizon = pd.Timestamp(as_of + datetime.timedelta(days=days))
    tasks = result.tasks
    homes = population.home_names()
    practices = population.practice_names()
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
        home_overdue = overdue[overdue.home == home_id].sort_values(["due", "subject"])
        home_soon = soon[soon.home == home_id].sort_values(["due", "subject"])
        lines.append(f"== {homes[home_id]} ({home_id})")
        lines.append(f"   overdue: {len(home_overdue)}")
        for t in records(home_overdue):
            lines.append(f"   - {t['subject']:<8} {t['obligation']:<30} due {t['due'].date()}  {t['because']}")
        lines.append(f"   due in the next {days} days: {len(home_soon)}")
        for t in records(home_soon):
            lines.append(f"   - {t['subject']:<8} {t['obligation']:<30} due {t['due'].date()}  {t['because']}")
        lines.append("")
    others = tasks[tasks.home.isna() & tasks.status.isin(["overdue"])]
    if len(others):
        lines.append(f"== Not tied to a home (clinicians, community patients): {len(others)} overdue")
        for t in records(others.sort_values(["due", "subject"])):
            lines.append(
                f"   - {t['subject_kind']} {t['subject']:<8} {t['obligation']:<30} due {t['due'].date()}  {t['because']}"
            )
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
        for r in records(current):
            lines.append(
                f"   {r['scheme']:<20} {practices.get(str(r['practice']), str(r['practice'])):<24} {r['financial_year']} "
                f"{r['quarter']:<4} {int(r['lines']):>4} lines  payable {_pounds(r['payable_pence']):>10}  "
                f"pending {_pounds(r['pending_pence']):>9}  withheld {_pounds(r['withheld_pence']):>9}  "
                f"unpriced {int(r['unpriced_lines'])}"
            )
        withheld = this_year[this_year.status == "withheld"]
        if len(withheld):
            lines.append("   withheld this year:")
            for p in records(withheld):
                lines.append(f"   - {p['resident']:<8} Q{p['quarter']} {p['kind']:<15} {p['because']}")
    lines.append("")
    findings = result.findings
    lines.append(f"== Findings: {len(findings)}")
    for f in records(findings):
        lines.append(f"   [{f['severity']}] {f['code']}: {f['message']}")
    return "\n".join(lines)
