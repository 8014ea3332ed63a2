"""Overdue tasks per home in the bundled demo population, and payment totals by quarter.

Run: python docs/examples/overdue_by_home.py
"""

from __future__ import annotations

import carerules


def main() -> None:
    population = carerules.load_population(carerules.demo_population_path())
    result = carerules.evaluate(population, ["care-homes-es", "case-management-les"], "2026-11-01")
    tasks = result.tasks
    overdue = tasks[tasks.status == "overdue"].groupby("home", dropna=False).size()
    print("Overdue tasks by home:")
    for home, count in overdue.items():
        print(f"  {home if isinstance(home, str) else '(no home)'}: {count}")
    payable = result.payments[result.payments.status == "payable"]
    by_quarter = payable.groupby(["financial_year", "quarter"])["amount_pence"].sum().reset_index()
    print("Payable by quarter:")
    for row in by_quarter.to_dict("records"):
        pounds = carerules.format_pounds(int(row["amount_pence"]), thousands=True)
        print(f"  {row['financial_year']} Q{row['quarter']}: {pounds}")


if __name__ == "__main__":
    main()
