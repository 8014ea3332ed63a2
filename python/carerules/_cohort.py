"""The case management cohort summary per practice (seed 004's figures: cohort size and share of the list,
members by reason, care home patients and how many have a care plan), as a DataFrame."""

from __future__ import annotations

import os
from typing import Any, Union

import pandas as pd

from carerules._api import DateLike, Population, SchemeLike, cohort_summary_rows, load_population

#: The shares the summary gives, each as ``<name>_basis_points`` and ``<name>_percent`` (whole per cent),
#: both rounded half up from exact integers and missing where the whole is not positive.
SHARES = (
    "cohort_share",
    "clinical_judgement_share",
    "care_plans_of_care_home_patients",
    "care_plans_of_cohort",
    "care_plans_of_intended_cohort",
    "care_home_patients_in_cohort_share",
)

COUNTS = (
    "cohort",
    "members_care_home",
    "members_risk_tool",
    "members_clinical_judgement",
    "care_home_patients",
    "care_home_patients_in_cohort",
    "care_home_patients_with_care_plan",
    "members_with_care_plan",
)


def cohort_summary(
    population: Union[Population, str, os.PathLike[str]],
    as_of: DateLike,
    scheme_id: SchemeLike = "case-management-les",
) -> pd.DataFrame:
    """The case management cohort of every practice on `as_of`, one row per practice in id order, then a
    last row for all practices together (``practice`` is ``""`` there).

    Columns: ``practice``, ``practice_name``, ``as_of``, ``list_size`` and ``intended_cohort`` (nullable
    integers: missing without a list size), the counts ``cohort``, ``members_care_home``,
    ``members_risk_tool``, ``members_clinical_judgement``, ``care_home_patients``,
    ``care_home_patients_in_cohort``, ``care_home_patients_with_care_plan``, ``members_with_care_plan``, and
    for each share in ``SHARES`` its ``_basis_points`` and ``_percent`` (seed 004's "912 of 1,500 care home
    patients, 61%" is ``care_plans_of_care_home_patients_percent`` 61 and ``_basis_points`` 6080).
    docs/case-management.md defines every figure. `scheme_id` supplies the care plan code lists and the
    cohort limit (5% of the list for the built-in scheme).
    """
    if not isinstance(population, Population):
        population = load_population(population)
    rows: list[dict[str, Any]] = cohort_summary_rows(population, scheme_id, as_of)
    columns = ["practice", "practice_name", "as_of", "list_size", "intended_cohort", *COUNTS]
    columns += [f"{name}_{unit}" for name in SHARES for unit in ("basis_points", "percent")]
    frame = pd.DataFrame(rows, columns=columns)
    nullable = ["list_size", "intended_cohort"] + [c for c in columns if c.endswith(("_basis_points", "_percent"))]
    frame[nullable] = frame[nullable].astype("Int64")
    frame[list(COUNTS)] = frame[list(COUNTS)].astype("int64")
    return frame
