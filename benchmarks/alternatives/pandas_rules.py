"""Four rules of care-homes-es as a competent analyst writes them in pandas: vectorised, no Python loop over
residents, every detail of docs/rules.md and docs/payments.md that decides a row.

- entry-assessment: per residence starting on or after the scheme's start, due 14 days after its first day;
  each component met by its first qualifying event on or after that day; care planning only for a residence
  permanent by the due date; completed on the last component's date.
- care-plan: per permanent residency starting on or after the scheme's start, a care_plan within 3 months
  (clamped at month end).
- medication-review-6-monthly: per residence, every 6 months from the later of its start and the scheme's
  start; a medication review by a GP or a pharmacist completes an instance, each next instance from the
  previous completion (so the completions are the distinct dates of qualifying reviews).
- capitation: one line per resident per financial-year quarter lived in a home aligned to their practice:
  new > existing > temporary, priced on the quarter's first day; a new line pending or withheld by the
  residence's entry assessment.

Shared by all: residences are runs of contiguous stays in one home (the next starts on or the day after the
previous end), seen as on the as-of date (later stays do not exist, later ends have not happened); only
residents registered with the home's aligned practice are covered; events after the as-of date or after the
residence ended do not count; an event with no performer counts; one whose performer may not do the activity
does not. The input is a valid population (what carerules accepts without rejecting anything).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from .common import (
    CARE_PLAN_MONTHS,
    CARE_PLANNING,
    ENTRY_COMPONENTS,
    ENTRY_DAYS,
    MEDICATION_REVIEW_MONTHS,
    QUALIFIED_NURSE,
    SCHEME_START,
    TARIFFS,
    financial_year_label,
    load_code_map,
    qualifications_of,
)

DAY = np.timedelta64(1, "D")


@dataclass
class Prepared:
    """The frames with dates parsed and codes mapped to activities: what the analyst has after loading."""

    stays: pd.DataFrame
    events: pd.DataFrame  # resident events: resident, date, activity, performer
    homes: pd.DataFrame
    residents: pd.DataFrame
    clinicians: pd.DataFrame


@dataclass
class Answer:
    tasks: pd.DataFrame  # resident, obligation, home, opens, due, status, completed_on
    payments: pd.DataFrame  # resident, practice, home, financial_year, quarter, kind, amount_pence, status


def _dates(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column).astype("datetime64[s]")


def prepare(frames: Mapping[str, pd.DataFrame], code_map: Mapping[str, str] | None = None) -> Prepared:
    """Dates parsed, and each coded resident event given the activity its SNOMED CT code records."""
    codes = dict(load_code_map() if code_map is None else code_map)
    stays = frames["stays"][["resident", "home", "start", "end", "residency"]].assign(
        start=lambda f: _dates(f["start"]), end=lambda f: _dates(f["end"]))
    ev = frames["events"]
    ev = ev[ev["resident"].notna()]
    activity = ev["activity"]
    if "code" in ev:
        system = ev["system"] if "system" in ev else pd.Series(np.nan, index=ev.index)
        snomed = system.isna() | (system == "snomed")
        activity = activity.where(activity.notna(), ev["code"].where(snomed).map(codes))
    performer = ev["performer"] if "performer" in ev else pd.Series(None, index=ev.index, dtype=object)
    events = pd.DataFrame({"resident": ev["resident"], "date": _dates(ev["date"]), "activity": activity,
                           "performer": performer})
    return Prepared(stays, events, frames["homes"], frames["residents"], frames["clinicians"])


# --- dates --------------------------------------------------------------------------------------------------------


def add_months(dates: pd.Series, months: int) -> pd.Series:
    """dates + months calendar months, clamped to the month's last day (2024-08-31 + 6 = 2025-02-28)."""
    d = dates.to_numpy(dtype="datetime64[D]")
    month = d.astype("datetime64[M]")
    day_in_month = d - month.astype("datetime64[D]")
    target = month + np.timedelta64(months, "M")
    last = (target + np.timedelta64(1, "M")).astype("datetime64[D]") - DAY
    moved = target.astype("datetime64[D]") + day_in_month
    return pd.Series(np.where(moved > last, last, moved).astype("datetime64[s]"), index=dates.index)


def quarter_index(dates: np.ndarray) -> np.ndarray:
    """Financial-year quarters numbered fy * 4 + (0 for Q1 April-June ... 3 for Q4 January-March)."""
    months = dates.astype("datetime64[M]").astype(np.int64)  # (year - 1970) * 12 + month - 1
    year, month0 = months // 12 + 1970, months % 12
    fy = year - (month0 < 3)
    return fy * 4 + (month0 - 3) % 12 // 3


def quarter_bounds(index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last day of each quarter index."""
    fy, q = index // 4, index % 4
    first_month = ((fy - 1970) * 12 + 3 + 3 * q).astype("datetime64[M]")
    return first_month.astype("datetime64[D]"), (first_month + np.timedelta64(3, "M")).astype("datetime64[D]") - DAY


def status_of(opens: pd.Series, due: pd.Series, completed: pd.Series, scope_end: pd.Series,
              as_of: pd.Timestamp) -> np.ndarray:
    """docs/rules.md, Statuses: leaving scope the day before the due date is cancelled, on it missed."""
    done = completed.notna()
    left = scope_end.notna()
    return np.select(
        [done & (due.isna() | (completed <= due)), done, opens > as_of, left & due.isna(), left & (scope_end >= due),
         left, due.isna(), as_of > due],
        ["done", "late", "upcoming", "cancelled", "missed", "cancelled", "upcoming", "overdue"],
        default="open",
    )


# --- residences and events ------------------------------------------------------------------------------------


def residences(prep: Prepared, as_of: pd.Timestamp) -> pd.DataFrame:
    """Runs of contiguous stays in one home, as seen on the as-of date; `covered` when the resident is
    registered with the home's aligned practice. One row per residence, in resident and start order."""
    st = prep.stays[prep.stays["start"] <= as_of]
    st = st.assign(end=st["end"].where(st["end"] <= as_of)).sort_values(["resident", "start"], kind="stable")
    prev_end = st["end"].shift()
    new = (st["resident"].ne(st["resident"].shift()) | st["home"].ne(st["home"].shift()) | prev_end.isna()
           | (st["start"] > prev_end + DAY)).to_numpy()
    key = np.cumsum(new) - 1
    last = np.append(new[1:], True) if len(new) else new
    permanent_start = st["start"].where(st["residency"] == "permanent").groupby(key).min()
    res = pd.DataFrame({
        "resident": st["resident"].to_numpy()[new],
        "home": st["home"].to_numpy()[new],
        "start": st["start"].to_numpy()[new],
        "end": st["end"].to_numpy()[last],
        "permanent_start": permanent_start.to_numpy(),
    })
    aligned = res["home"].map(prep.homes.set_index("id")["practice"])
    res["practice"] = res["resident"].map(prep.residents.set_index("id")["practice"])
    res["covered"] = aligned.notna() & (aligned == res["practice"])
    res["limit"] = res["end"].fillna(as_of)  # nothing after the as-of date or after leaving counts
    return res


def qualifying_events(prep: Prepared, as_of: pd.Timestamp) -> pd.DataFrame:
    """Resident events of the rules' activities up to the as-of date, with whether their performer may do
    the activity (`ok`: a GP or a qualified nurse, or a pharmacist for a medication review) and whether
    they count for the 6-monthly medication review (`gp_or_pharmacist`)."""
    ev = prep.events[(prep.events["date"] <= as_of) & prep.events["activity"].isin(list(ENTRY_COMPONENTS))]
    clin = prep.clinicians.set_index("id")
    nurse_ok = (clin["role"] == "nurse") & clin["qualifications"].map(lambda q: bool(qualifications_of(q) & QUALIFIED_NURSE))
    role = ev["performer"].map(clin["role"])
    none = ev["performer"].isna()
    medication = ev["activity"] == "medication_review"
    qualified_nurse = ev["performer"].isin(nurse_ok.index[nurse_ok.to_numpy(dtype=bool)])
    ok = none | (role == "gp") | qualified_nurse | (medication & (role == "pharmacist"))
    gp_or_pharmacist = none | role.isin(["gp", "pharmacist"])
    return pd.DataFrame({"resident": ev["resident"], "date": ev["date"], "activity": ev["activity"],
                         "ok": ok.to_numpy(dtype=bool), "gp_or_pharmacist": gp_or_pharmacist.to_numpy(dtype=bool)})


def _within(res: pd.DataFrame, events: pd.DataFrame, start: str) -> pd.DataFrame:
    """Each residence with each of its resident's events from `start` (inclusive) to its limit."""
    m = res.reset_index(names="residence")[["residence", "resident", start, "limit"]].merge(events, on="resident")
    return m[(m["date"] >= m[start]) & (m["date"] <= m["limit"])]


# --- the rules ----------------------------------------------------------------------------------------------------


def entry_assessment(res: pd.DataFrame, events: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    owed = res[res["covered"] & (res["start"] >= pd.Timestamp(SCHEME_START))]
    due = owed["start"] + pd.Timedelta(days=ENTRY_DAYS)
    permanent = owed["permanent_start"].notna() & (owed["permanent_start"] <= due)
    ev = events[events["ok"]]
    m = _within(owed, ev.assign(component=ev["activity"].map(ENTRY_COMPONENTS)), "start")
    first = m.groupby(["residence", "component"])["date"].min().unstack("component")
    first = first.reindex(index=owed.index, columns=range(CARE_PLANNING + 1)).astype("datetime64[s]")
    first[CARE_PLANNING] = first[CARE_PLANNING].where(permanent)
    needed = first.drop(columns=CARE_PLANNING).notna().all(axis=1) & (first[CARE_PLANNING].notna() | ~permanent)
    completed = first.max(axis=1).where(needed)
    return pd.DataFrame({
        "resident": owed["resident"], "obligation": "entry-assessment", "home": owed["home"], "opens": owed["start"],
        "due": due, "status": status_of(owed["start"], due, completed, owed["end"], as_of), "completed_on": completed,
    })


def care_plan(res: pd.DataFrame, events: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    owed = res[res["covered"] & (res["permanent_start"] >= pd.Timestamp(SCHEME_START))]
    due = add_months(owed["permanent_start"], CARE_PLAN_MONTHS)
    ev = events[events["ok"] & (events["activity"] == "care_plan")]
    completed = _within(owed, ev, "permanent_start").groupby("residence")["date"].min().reindex(owed.index)
    completed = completed.astype("datetime64[s]")
    return pd.DataFrame({
        "resident": owed["resident"], "obligation": "care-plan", "home": owed["home"],
        "opens": owed["permanent_start"], "due": due,
        "status": status_of(owed["permanent_start"], due, completed, owed["end"], as_of), "completed_on": completed,
    })


def medication_review_6_monthly(res: pd.DataFrame, events: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    start = pd.Timestamp(SCHEME_START)
    owed = res[res["covered"] & (res["end"].isna() | (res["end"] >= start))]
    owed = owed.assign(anchor=owed["start"].where(owed["start"] >= start, start))
    ev = events[events["gp_or_pharmacist"] & (events["activity"] == "medication_review")]
    done = _within(owed, ev, "anchor")[["residence", "date"]].drop_duplicates().sort_values(["residence", "date"])
    # Instance k is completed by the k-th distinct review date and opens on the one before (the anchor first);
    # the last instance opens on the last review and is not complete.
    previous = done.groupby("residence")["date"].shift().to_numpy(dtype="datetime64[s]")
    opens = np.where(np.isnat(previous), owed.loc[done["residence"], "anchor"].to_numpy(dtype="datetime64[s]"), previous)
    last_open = done.groupby("residence")["date"].max().reindex(owed.index).astype("datetime64[s]").fillna(owed["anchor"])
    inst = pd.concat([
        pd.DataFrame({"residence": done["residence"].to_numpy(), "opens": opens,
                      "completed_on": done["date"].to_numpy(dtype="datetime64[s]")}),
        pd.DataFrame({"residence": owed.index.to_numpy(), "opens": last_open.to_numpy(dtype="datetime64[s]"),
                      "completed_on": np.full(len(owed), np.datetime64("NaT"), dtype="datetime64[s]")}),
    ], ignore_index=True)
    of = owed.loc[inst["residence"]]
    due = add_months(inst["opens"], MEDICATION_REVIEW_MONTHS)
    return pd.DataFrame({
        "resident": of["resident"].to_numpy(), "obligation": "medication-review-6-monthly", "home": of["home"].to_numpy(),
        "opens": inst["opens"], "due": due,
        "status": status_of(inst["opens"], due, inst["completed_on"], pd.Series(of["end"].to_numpy()), as_of),
        "completed_on": inst["completed_on"],
    })


def capitation(res: pd.DataFrame, entry: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """One line per resident per quarter lived in a home aligned to their practice (docs/payments.md)."""
    columns = ["resident", "practice", "home", "financial_year", "quarter", "kind", "amount_pence", "status"]
    if pd.Timestamp(SCHEME_START) > as_of:
        return pd.DataFrame(columns=columns)
    paid = res[res["covered"]]
    lived_to = paid["end"].fillna(as_of).to_numpy(dtype="datetime64[D]")
    first_q = np.maximum(quarter_index(paid["start"].to_numpy(dtype="datetime64[D]")),
                         quarter_index(np.array([np.datetime64(SCHEME_START)], dtype="datetime64[D]"))[0])
    n = np.maximum(quarter_index(lived_to) - first_q + 1, 0)
    row = np.repeat(np.arange(len(paid)), n)
    q = first_q[row] + (np.arange(len(row)) - np.repeat(np.cumsum(n) - n, n))
    q_first, q_last = quarter_bounds(q)
    q_last = np.minimum(q_last, np.datetime64(as_of.date(), "D"))
    ps = paid["permanent_start"].to_numpy(dtype="datetime64[D]")[row]
    permanent = ~np.isnat(ps) & (ps <= q_last)
    rank = np.where(permanent, np.where(ps >= q_first, 3, 2), 1)
    lines = pd.DataFrame({"residence": paid.index.to_numpy()[row], "resident": paid["resident"].to_numpy()[row],
                          "q": q, "rank": rank, "start": paid["start"].to_numpy()[row], "q_first": q_first})
    # The first of new > existing > temporary; between equals, the earlier residence.
    lines = lines.sort_values(["resident", "q", "rank", "start"], ascending=[True, True, False, True], kind="stable")
    lines = lines.drop_duplicates(["resident", "q"])
    kind = np.array(["", "temporary", "existing", "new"], dtype=object)[lines["rank"].to_numpy()]
    effective = np.array([np.datetime64(t.effective) for t in TARIFFS], dtype="datetime64[D]")
    version = np.searchsorted(effective, lines["q_first"].to_numpy(), side="right") - 1
    amount = pd.array([pd.NA] * len(lines), dtype="Int64")
    for v, tariff in enumerate(TARIFFS):
        for k, pence in tariff.pence.items():
            amount[(version == v) & (kind == k)] = pence
    entry_status = lines["residence"].map(pd.Series(entry["status"].to_numpy(), index=entry.index))
    status = np.select(
        [pd.isna(amount), (kind == "new") & entry_status.isin(["open", "upcoming"]).to_numpy(),
         (kind == "new") & entry_status.isin(["overdue", "missed"]).to_numpy()],
        ["unpriced", "pending", "withheld"], default="payable")
    of = paid.loc[lines["residence"]]
    qi = lines["q"].to_numpy()
    return pd.DataFrame({
        "resident": lines["resident"].to_numpy(), "practice": of["practice"].to_numpy(), "home": of["home"].to_numpy(),
        "financial_year": [financial_year_label(int(y)) for y in qi // 4], "quarter": qi % 4 + 1, "kind": kind,
        "amount_pence": amount, "status": status,
    })


def evaluate(prep: Prepared, as_of: datetime.date) -> Answer:
    """The four rules on `as_of`: the tasks of the three obligations and the capitation lines."""
    day = pd.Timestamp(as_of)
    res = residences(prep, day)
    events = qualifying_events(prep, day)
    entry = entry_assessment(res, events, day)
    tasks = pd.concat([entry, care_plan(res, events, day), medication_review_6_monthly(res, events, day)], ignore_index=True)
    return Answer(tasks, capitation(res, entry, day))
