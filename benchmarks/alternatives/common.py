"""What the pandas and DuckDB versions share: the scheme's facts, the code lists, and the comparison.

The facts are copied from docs/rules.md and docs/payments.md as an analyst would copy them (the scheme's start,
the tariff versions, who may perform what); tests/python/test_alternatives.py checks them against the shipped
scheme so that a change there cannot pass unnoticed. The comparison puts carerules' results and an
alternative's into one canonical form (one row per task or payment line, sorted) and names every row that
differs: a benchmark of a different answer is not a benchmark.
"""

from __future__ import annotations

import csv
import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

import carerules

REPO_ROOT = Path(__file__).resolve().parents[2]
CODELIST_DIR = REPO_ROOT / "data" / "codelists"

SCHEME = "care-homes-es"
OBLIGATIONS = ("entry-assessment", "care-plan", "medication-review-6-monthly")

# The scheme starts on the effective date of its first tariff version (docs/rules.md, "The scheme's start").
SCHEME_START = datetime.date(2015, 4, 1)


@dataclass(frozen=True)
class TariffVersion:
    version: str
    effective: datetime.date
    pence: dict[str, int]  # kind (new, existing, temporary) -> amount


# docs/payments.md, "Amounts: the tariff in force on the quarter's first day".
TARIFFS: tuple[TariffVersion, ...] = (
    TariffVersion("2015-16", datetime.date(2015, 4, 1), {"new": 10200, "existing": 6000, "temporary": 6000}),
    TariffVersion("uplift", datetime.date(2016, 4, 1), {"new": 10353, "existing": 6090, "temporary": 6090}),
)

# entry-assessment: one component per requirement; care planning (the last) only for a residence that is
# permanent by the due date. The optional dementia assessment never decides anything.
ENTRY_COMPONENTS: dict[str, int] = {
    "holistic_assessment": 0,
    "mca_assessment": 1,
    "medication_review": 2,
    "falls_assessment": 3,
    "care_planning": 4,
    "care_plan": 4,
}
CARE_PLANNING = 4
ENTRY_DAYS = 14
CARE_PLAN_MONTHS = 3
MEDICATION_REVIEW_MONTHS = 6

# Seed 000, appendix 1: a nurse is a suitably qualified clinician with one of these.
QUALIFIED_NURSE = frozenset(
    {"gpn-specialist-practitioner", "primary-health-care-diploma", "cardiovascular-respiratory-diploma",
     "district-nurse-pgdip"}
)

RULE_ACTIVITIES: tuple[str, ...] = tuple(ENTRY_COMPONENTS)

TASK_COLUMNS = ["resident", "obligation", "home", "opens", "due", "status", "completed_on"]
PAYMENT_COLUMNS = ["resident", "practice", "home", "financial_year", "quarter", "kind", "amount_pence", "status"]
DATE_COLUMNS = ("opens", "due", "completed_on")


def load_code_map(activities: Sequence[str] = RULE_ACTIVITIES) -> dict[str, str]:
    """SNOMED CT code -> activity, from the project's default code lists (data/codelists/<activity>.csv)."""
    mapping: dict[str, str] = {}
    for activity in activities:
        with open(CODELIST_DIR / f"{activity}.csv", newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                code = row["code"].strip()
                if mapping.get(code, activity) != activity:
                    raise ValueError(f"code {code} is in the lists of both {mapping[code]} and {activity}")
                mapping[code] = activity
    return mapping


def qualifications_of(value: Any) -> frozenset[str]:
    """A clinician's qualifications as the frames carry them: "a;b" text, a list, or nothing."""
    if isinstance(value, str):
        return frozenset(q for q in value.split(";") if q)
    if isinstance(value, (list, tuple, np.ndarray)):
        return frozenset(str(q) for q in value)
    return frozenset()


def financial_year_label(start_year: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d}"


# --- carerules' own answer -----------------------------------------------------------------------------------


def rules_scheme() -> carerules.Scheme:
    """care-homes-es with only the rules the alternatives implement (three obligations and the capitation
    lines, which need entry-assessment) and no structural checks: carerules doing the same work as they do.
    Each obligation is evaluated on its own, so its tasks are those of the full scheme (the tests check it)."""
    doc = json.loads(carerules.scheme(SCHEME).text)
    doc["id"] = SCHEME
    doc["obligations"] = [o for o in doc["obligations"] if o["id"] in OBLIGATIONS]
    doc["structural"] = []
    return carerules.Scheme(carerules._core.load_scheme_json(json.dumps(doc), "care-homes-es (four rules)"))


def reference(result: carerules.Result | carerules._core.Result) -> tuple[pd.DataFrame, pd.DataFrame]:
    """carerules' tasks of the three obligations and its capitation lines, in canonical form."""
    core = result.core if isinstance(result, carerules.Result) else result
    tc = core.task_columns()
    scheme = np.asarray(tc["scheme"], dtype=object)
    obligation = np.asarray(tc["obligation"], dtype=object)
    keep = (scheme == SCHEME) & np.isin(obligation, OBLIGATIONS)
    tasks = pd.DataFrame({
        "resident": np.asarray(tc["subject"], dtype=object)[keep],
        "obligation": obligation[keep],
        "home": np.asarray(tc["home"], dtype=object)[keep],
        **{c: _days(np.asarray(tc[c])[keep]) for c in DATE_COLUMNS},
        "status": np.asarray(tc["status"], dtype=object)[keep],
    })
    pc = core.payment_columns()
    keep_p = np.asarray(pc["scheme"], dtype=object) == SCHEME
    pence, unpriced = pc["amount_pence"]  # a nullable column: (values, mask of nulls)
    amount = pd.array(np.asarray(pence)[keep_p], dtype="Int64")
    amount[np.asarray(unpriced)[keep_p]] = pd.NA
    payments = pd.DataFrame({
        **{c: np.asarray(pc[c], dtype=object)[keep_p] for c in ("resident", "practice", "home", "financial_year", "kind", "status")},
        "quarter": np.asarray(pc["quarter"])[keep_p],
        "amount_pence": amount,
    })
    return canonical_tasks(tasks), canonical_payments(payments)


def _days(values: np.ndarray) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=np.int64).view("datetime64[D]").astype("datetime64[s]"))


# --- canonical form and comparison ------------------------------------------------------------------------------


def _text(series: pd.Series) -> pd.Series:
    values = series.astype(object)
    return values.where(values.notna(), None)


def canonical_tasks(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({
        "resident": _text(frame["resident"]),
        "obligation": _text(frame["obligation"]),
        "home": _text(frame["home"]),
        **{c: pd.to_datetime(frame[c]).astype("datetime64[s]") for c in DATE_COLUMNS},
        "status": _text(frame["status"]),
    })[TASK_COLUMNS]
    return out.sort_values(TASK_COLUMNS, na_position="first", kind="stable").reset_index(drop=True)


def canonical_payments(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({
        **{c: _text(frame[c]) for c in ("resident", "practice", "home", "financial_year", "kind", "status")},
        "quarter": frame["quarter"].astype("int64"),
        "amount_pence": frame["amount_pence"].astype("Int64"),
    })[PAYMENT_COLUMNS]
    return out.sort_values(PAYMENT_COLUMNS, na_position="first", kind="stable").reset_index(drop=True)


class Mismatch(AssertionError):
    """An alternative's answer differs from carerules'."""


def compare(label: str, expected: pd.DataFrame, actual: pd.DataFrame, show: int = 8) -> None:
    """Raises Mismatch naming the rows that only one side has (duplicates counted), if any."""
    if len(expected) == len(actual) and expected.equals(actual):
        return
    cols = list(expected.columns)
    left = expected.assign(_n=expected.groupby(cols, dropna=False).cumcount())
    right = actual.assign(_n=actual.groupby(cols, dropna=False).cumcount())
    both = left.merge(right, on=[*cols, "_n"], how="outer", indicator=True)
    only_ours = both[both["_merge"] == "left_only"].drop(columns=["_merge", "_n"])
    only_theirs = both[both["_merge"] == "right_only"].drop(columns=["_merge", "_n"])
    if only_ours.empty and only_theirs.empty:  # same rows, different dtypes or order: say which
        raise Mismatch(f"{label}: same rows but different frames:\n{expected.dtypes}\n{actual.dtypes}")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        raise Mismatch(
            f"{label}: {len(expected):,} rows from carerules, {len(actual):,} from the alternative; "
            f"{len(only_ours):,} only in carerules, {len(only_theirs):,} only in the alternative.\n"
            f"only in carerules:\n{only_ours.head(show).to_string()}\n"
            f"only in the alternative:\n{only_theirs.head(show).to_string()}"
        )
