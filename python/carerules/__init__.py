"""carerules: rules for proactive care of older people in care homes.

Load a population, evaluate schemes at an as-of date, and read tasks, payment lines and findings as pandas
DataFrames or typed objects::

    import carerules
    population = carerules.load_population("population.json")
    result = carerules.evaluate(population, ["care-homes-es"], "2025-06-30")
    result.tasks[result.tasks.status == "overdue"]
"""

from __future__ import annotations

from carerules._core import (
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
    parse_pounds,
    quarter,
)
from carerules._api import (
    Evaluator,
    Finding,
    PaymentLine,
    Population,
    Result,
    Scheme,
    Task,
    builtin_schemes,
    demo_population_path,
    evaluate,
    load_population,
    scheme,
)

__version__ = "0.1.0"

__all__ = [
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
    "builtin_schemes",
    "demo_population_path",
    "evaluate",
    "financial_year",
    "format_pounds",
    "load_population",
    "parse_pounds",
    "quarter",
    "scheme",
]
