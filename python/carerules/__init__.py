"""carerules: rules for proactive care of older people in care homes.

Load a population, evaluate schemes at an as-of date, and read tasks, payment lines and findings as pandas
DataFrames or typed objects::

    import carerules
    population = carerules.load_population("population.json")   # or a folder of CSV extracts
    population = carerules.population_from_frames(residents=df_residents, stays=df_stays, ...)
    result = carerules.evaluate(population, ["care-homes-es"], "2025-06-30")
    result.tasks[result.tasks.status == "overdue"]
"""

from __future__ import annotations

from carerules._core import (
    ArgumentError,
    CareRulesError,
    DateError,
    InputError,
    MoneyError,
    ParseError,
    SchemeError,
    add_months,
    add_working_days,
    add_years,
    financial_year,
    format_pounds,
    is_working_day,
    parse_pounds,
    quarter,
)
from carerules._api import (
    BudgetLine,
    BudgetProjection,
    Evaluator,
    Finding,
    PaymentLine,
    Population,
    Result,
    Scheme,
    Task,
    budget_counts,
    builtin_schemes,
    demo_population_path,
    evaluate,
    load_population,
    output_columns,
    population_from_frames,
    project_budget,
    read_parquet,
    scheme,
)
from carerules._cohort import cohort_summary
from carerules._frames import frames_from_json, read_extracts, write_extracts

__version__ = "0.1.0"

__all__ = [
    "ArgumentError",
    "BudgetLine",
    "BudgetProjection",
    "CareRulesError",
    "DateError",
    "Evaluator",
    "Finding",
    "InputError",
    "MoneyError",
    "ParseError",
    "PaymentLine",
    "Population",
    "Result",
    "Scheme",
    "SchemeError",
    "Task",
    "__version__",
    "add_months",
    "add_working_days",
    "add_years",
    "budget_counts",
    "builtin_schemes",
    "cohort_summary",
    "demo_population_path",
    "evaluate",
    "financial_year",
    "format_pounds",
    "frames_from_json",
    "is_working_day",
    "load_population",
    "output_columns",
    "parse_pounds",
    "population_from_frames",
    "project_budget",
    "quarter",
    "read_extracts",
    "read_parquet",
    "scheme",
    "write_extracts",
]
