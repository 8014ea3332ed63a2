#!/usr/bin/env python3
"""Writes the demo population that carerules bundles (python/carerules/data/demo_population.json).

A made-up extract, as two practices would send it on 2026-11-01, of about two years of care for the
residents of the care homes aligned to them, plus some of their community patients for the case management
scheme. Every person is invented; the homes, practices and clinicians are fictional. The clinical codes are
real SNOMED CT concepts. The output is fully determined by SEED: the same script writes the same bytes.

What the demo contains and the problems planted in it are described in docs/demo.md.
The schemes' intervals, the month-end policy and the bank holidays are read from the project's data through
the carerules package (data/schemes/, data/calendars/), so the script runs where carerules is installed.

    python tools/make_demo_population.py            # rewrite the bundled file
    python tools/make_demo_population.py --check    # fail if the bundled file is not what the script writes
    python tools/make_demo_population.py --out x.json --summary
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable

import carerules

SEED = 20261136  # of the seeds tried, the one whose counts came out nearest the rates below
EXTRACT_DATE = date(2026, 11, 1)  # the demo's default as-of date
LAST_DAY = EXTRACT_DATE - timedelta(days=1)  # nothing in the extract is dated later
CARE_FROM = date(2024, 9, 1)  # new residences start from here on
FORMAT = "carerules.population/1"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "python" / "carerules" / "data" / "demo_population.json"

DEATHS_PER_YEAR = 0.28  # deaths per permanent resident-year
PERMANENT_DISCHARGES_PER_YEAR = 0.04  # permanent residents moving out (to family, out of area), per year
EMERGENCY_ADMISSIONS_PER_YEAR = 0.7  # per resident-year in a home
TEMPORARY_FIRST = 0.48  # share of new residents whose first stay is temporary (respite, step-down)
RISK_TOOL_THRESHOLD = 0.7  # a risk score at or above this selects a patient for case management

# The schemes whose work the demo records: every due date below is theirs (data/schemes/).
CARE_HOMES = carerules.scheme("care-homes-es")
CASE_MANAGEMENT = carerules.scheme("case-management-les")
HEALTH_REVIEW_AGE = next(o["anchor_age"] for o in CASE_MANAGEMENT.obligations if o["id"] == "health-review-annual")

# Real SNOMED CT concepts (see reference/codelists/README.md in the shared design material).
CODE_MEDICATION_REVIEW = "314530002"  # Medication review done
CODE_STRUCTURED_MEDICATION_REVIEW = "1239511000000100"  # Structured medication review
CODE_CARE_HOME_VISIT = "889311000000109"  # Care home visit
CODE_CARE_PLAN_AGREED = "1187911000000105"  # Personalised Care and Support Plan agreed
CODE_MYOCARDIAL_INFARCTION = "22298006"  # Myocardial infarction: maps to no activity of either scheme

PRACTICES: list[dict[str, Any]] = [
    {"id": "P1", "name": "Park Surgery", "list_size": 9500},
    {"id": "P2", "name": "Riverside Medical Centre", "list_size": 12800},
]

# H2's lead GP (C3) is a GP of Park Surgery although the home is aligned to Riverside: a planted finding.
# H4 is a small home aligned to no practice: another.
HOMES: list[dict[str, Any]] = [
    {"id": "H1", "name": "Oak Lodge", "kind": "nursing", "beds": 48, "practice": "P1", "lead_gp": "C1"},
    {"id": "H2", "name": "Beech House", "kind": "residential", "beds": 34, "practice": "P2", "lead_gp": "C3"},
    {"id": "H3", "name": "Willow Court", "kind": "nursing", "beds": 58, "practice": "P2", "lead_gp": "C9"},
    {"id": "H4", "name": "The Elms", "kind": "residential", "beds": 14, "practice": None, "lead_gp": None},
]

GPN = "gpn-specialist-practitioner"
PHCD = "primary-health-care-diploma"
CVRD = "cardiovascular-respiratory-diploma"
DNPG = "district-nurse-pgdip"

CLINICIANS: list[dict[str, Any]] = [
    {"id": "C1", "practice": "P1", "role": "gp", "qualifications": [], "name": "Dr Helen Marsh"},
    {"id": "C2", "practice": "P1", "role": "gp", "qualifications": [], "name": "Dr Tom Okafor"},
    {"id": "C3", "practice": "P1", "role": "gp", "qualifications": [], "name": "Dr Priya Nair"},
    {"id": "C4", "practice": "P1", "role": "gp", "qualifications": [], "name": "Dr James Whitfield"},
    {"id": "C5", "practice": "P1", "role": "nurse", "qualifications": [GPN, PHCD], "name": "Sarah Jones"},
    {"id": "C6", "practice": "P1", "role": "nurse", "qualifications": [], "name": "Lucy Bennett"},
    {"id": "C7", "practice": "P1", "role": "pharmacist", "qualifications": [], "name": "Daniel Cho"},
    {"id": "C8", "practice": "P1", "role": "other", "qualifications": [], "name": "Karen Holt (healthcare assistant)"},
    {"id": "C9", "practice": "P2", "role": "gp", "qualifications": [], "name": "Dr Rachel Green"},
    {"id": "C10", "practice": "P2", "role": "gp", "qualifications": [], "name": "Dr Michael Adeyemi"},
    {"id": "C11", "practice": "P2", "role": "gp", "qualifications": [], "name": "Dr Fiona Campbell"},
    {"id": "C12", "practice": "P2", "role": "gp", "qualifications": [], "name": "Dr Ben Lowe"},
    {"id": "C13", "practice": "P2", "role": "nurse", "qualifications": [CVRD], "name": "Joanne Price"},
    {"id": "C14", "practice": "P2", "role": "nurse", "qualifications": [DNPG], "name": "Mark Ellis"},
    {"id": "C15", "practice": "P2", "role": "nurse", "qualifications": [], "name": "Emma Walsh"},
    {"id": "C16", "practice": "P2", "role": "pharmacist", "qualifications": [], "name": "Aisha Rahman"},
    {"id": "C17", "practice": "P2", "role": "other", "qualifications": [], "name": "Paul Dixon (care coordinator)"},
]


@dataclass(frozen=True)
class Staff:
    """Who does what at a practice."""

    gps: tuple[str, ...]
    nurses: tuple[str, ...]  # nurses holding a qualification of appendix 1 of the care homes scheme
    nurses_004: tuple[str, ...]  # of those, the ones seed 004 accepts for the health review
    pharmacist: str
    other: str
    unqualified_nurse: str


STAFF = {
    "P1": Staff(("C1", "C2", "C3", "C4"), ("C5",), ("C5",), "C7", "C8", "C6"),
    "P2": Staff(("C9", "C10", "C11", "C12"), ("C13", "C14"), ("C13",), "C16", "C17", "C15"),
}
# The GP who actually runs each aligned home's clinics (for H2 not the lead GP on record).
VISITING_GP = {"H1": "C1", "H2": "C10", "H3": "C9"}
# Residents arriving from CARE_FROM on, per home, and residents already there before it.
ARRIVALS = {"H1": 26, "H2": 18, "H3": 32, "H4": 3}
ALREADY_RESIDENT = {"H1": 3, "H2": 3, "H3": 3, "H4": 2}


# ----------------------------------------------------------------------------------------------- dates


def due(scheme: carerules.Scheme, obligation: str, d: date) -> date:
    """When an instance of `obligation` anchored (or last done) on d falls due, as carerules counts it."""
    return scheme.due_after(obligation, d)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def working_day(d: date, not_before: date | None = None) -> date:
    """The working day on or before d (on or after it, if before would be earlier than not_before)."""
    back = d
    while not carerules.is_working_day(back):
        back -= days(1)
    if not_before is None or back >= not_before:
        return back
    fwd = d
    while not carerules.is_working_day(fwd):
        fwd += days(1)
    return fwd


# ----------------------------------------------------------------------------------------------- model


@dataclass
class Stay:
    resident: "Resident"
    home: str
    start: date
    end: date | None
    residency: str
    end_reason: str | None
    id: str = ""


@dataclass
class Admission:
    resident: "Resident"
    start: date
    end: date | None
    method: str
    id: str = ""


@dataclass
class Residence:
    """Contiguous stays of one resident in one home."""

    resident: "Resident"
    stays: list[Stay]

    @property
    def home(self) -> str:
        return self.stays[0].home

    @property
    def start(self) -> date:
        return self.stays[0].start

    @property
    def end(self) -> date | None:
        return self.stays[-1].end

    @property
    def last_day(self) -> date:
        """The last day on which something can be recorded for this residence."""
        return self.end if self.end is not None else LAST_DAY

    @property
    def permanent_start(self) -> date | None:
        return next((s.start for s in self.stays if s.residency == "permanent"), None)


@dataclass
class Resident:
    kind: str  # care_home, community_cohort, high_risk, health_review
    born: date
    practice: str
    declined: bool = False
    cohort: tuple[str, date] | None = None
    risk_score: float | None = None
    stays: list[Stay] = field(default_factory=list)
    admissions: list[Admission] = field(default_factory=list)
    id: str = ""

    @property
    def died(self) -> date | None:
        return next((s.end for s in self.stays if s.end_reason == "death"), None)

    def residences(self) -> list[Residence]:
        out: list[Residence] = []
        for s in sorted(self.stays, key=lambda s: s.start):
            prev = out[-1].stays[-1] if out else None
            if (
                prev is not None
                and prev.home == s.home
                and prev.end is not None
                and prev.end <= s.start <= prev.end + days(1)
            ):
                out[-1].stays.append(s)
            else:
                out.append(Residence(self, [s]))
        return out

    def in_hospital(self, d: date) -> Admission | None:
        for a in self.admissions:
            if a.start <= d and (a.end is None or d <= a.end):
                return a
        return None


@dataclass
class Event:
    date: date
    subject_kind: str  # resident, home, clinician
    subject: Any  # Resident, or a home / clinician id
    activity: str | None = None
    code: str | None = None
    performer: str | None = None
    id: str = ""

    def subject_id(self) -> str:
        return self.subject.id if isinstance(self.subject, Resident) else str(self.subject)


# ------------------------------------------------------------------------------------------- generator


class Generator:
    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.residents: list[Resident] = []
        self.events: list[Event] = []
        self.recorded: dict[tuple[Any, ...], Event] = {}
        self.clinic_days: dict[str, list[date]] = {}
        self.planned: Counter[str] = Counter()  # what the generator meant to happen, for --summary

    # --- helpers

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def day_between(self, lo: date, hi: date) -> date:
        return lo + days(self.rng.randint(0, max(0, (hi - lo).days)))

    def born(self, lo_year: int, hi_year: int, mode_year: float) -> date:
        year = min(hi_year, max(lo_year, int(self.rng.triangular(lo_year, hi_year + 1, mode_year))))
        return self.day_between(date(year, 1, 1), date(year, 12, 31))

    def outcome(self, name: str, p_on_time: float, p_late: float) -> str:
        r = self.rng.random()
        kind = "on_time" if r < p_on_time else "late" if r < p_on_time + p_late else "never"
        self.planned[f"{name}:{kind}"] += 1
        return kind

    def add(self, d: date, subject_kind: str, subject: Any, activity: str | None = None, *,
            code: str | None = None, performer: str | None = None) -> Event:
        assert d <= LAST_DAY, (d, activity, code)
        key = (d, subject_kind, id(subject) if isinstance(subject, Resident) else subject, activity, code)
        if key in self.recorded:  # one record of an activity per subject and day
            return self.recorded[key]
        e = Event(d, subject_kind, subject, activity, code, performer)
        self.events.append(e)
        self.recorded[key] = e
        return e

    def place(self, r: Resident, d: date, lo: date, hi: date, *, weekday: bool = True) -> date | None:
        """A recordable date for resident r near d: not while in hospital, within [lo, hi], not after
        the extract or a death; None when there is none."""
        if d < lo:
            d = lo
        if weekday:
            d = working_day(d, lo)
        a = r.in_hospital(d)
        if a is not None:
            if a.end is None:
                return None
            d = a.end + days(self.rng.randint(1, 4))
            if weekday:
                d = working_day(d, a.end + days(1))
        hi = min(hi, LAST_DAY)
        if r.died is not None:
            hi = min(hi, r.died)
        if d > hi or r.in_hospital(d) is not None:
            return None
        return d

    def snap_to_clinic(self, home: str, d: date, lo: date) -> date:
        """The home's clinic day on or before d (within 13 days and not before lo), else d."""
        cd = self.clinic_days.get(home)
        if not cd:
            return d
        i = bisect.bisect_right(cd, d) - 1
        if i >= 0 and cd[i] >= lo and (d - cd[i]).days <= 13:
            return cd[i]
        return d

    def visit_clinician(self, r: Resident, home: str) -> str:
        """A GP or suitably qualified nurse of the resident's practice, the home's clinician first."""
        staff = STAFF[r.practice]
        lead = VISITING_GP.get(home) if HOMES_BY_ID[home]["practice"] == r.practice else None
        if lead is not None and self.chance(0.45):
            return lead
        if self.chance(0.55):
            return self.rng.choice(staff.nurses)
        return self.rng.choice(staff.gps)

    def gp(self, r: Resident, home: str | None) -> str:
        staff = STAFF[r.practice]
        lead = VISITING_GP.get(home or "") if home and HOMES_BY_ID[home]["practice"] == r.practice else None
        if lead is not None and self.chance(0.7):
            return lead
        return self.rng.choice(staff.gps)

    def medication_reviewer(self, r: Resident, home: str, *, entry: bool) -> str:
        staff = STAFF[r.practice]
        x = self.rng.random()
        if entry and x < 0.25:
            return self.rng.choice(staff.nurses)  # counts for the entry assessment, not the 6-monthly review
        if x < 0.6:
            return staff.pharmacist
        return self.gp(r, home)

    def recurring(self, scheme: carerules.Scheme, obligation: str, anchor: date,
                  record: Callable[[date, date], date | None], *, early: int,
                  p_on_time: float, p_late: float, late: int, very_late: int) -> list[date]:
        """Dates of a recurring obligation's activity: each one due an interval after the previous one
        (after the anchor for the first), mostly on time, some late, some very late (often too late: the
        subject has left), and now and then never again."""
        name = obligation
        out: list[date] = []
        prev = anchor
        while True:
            due = scheme.due_after(obligation, prev)
            kind = self.outcome(name, p_on_time, p_late)
            if kind == "on_time":
                target = due - days(self.rng.randint(0, min(early, (due - prev).days - 1)))
            elif kind == "late":
                target = due + days(self.rng.randint(1, late))
            elif self.chance(0.5):
                break  # never done again in this residence: overdue, or missed once the subject leaves
            else:
                target = due + days(self.rng.randint(late + 1, very_late))
            if target > LAST_DAY:
                break
            got = record(target, prev + days(1))
            if got is None:
                # in hospital at the extract, died, left, or past the end: the chain stops
                break
            out.append(got)
            prev = got
        return out

    # --- people and stays

    def permanent_end(self, start: date) -> tuple[date | None, str | None]:
        death = self.rng.expovariate(DEATHS_PER_YEAR / 365.25)
        moved = self.rng.expovariate(PERMANENT_DISCHARGES_PER_YEAR / 365.25)
        t, reason = (death, "death") if death <= moved else (moved, "discharge")
        # Residents already there before CARE_FROM are those still there on that day.
        end = max(start, CARE_FROM) + days(max(3, int(t)))
        return (None, None) if end > LAST_DAY else (end, reason)

    def stays_from(self, r: Resident, home: str, start: date, residency: str) -> None:
        """A residence starting at `start`, and later residences for respite stays that recur."""
        if residency == "permanent":
            end, reason = self.permanent_end(start)
            r.stays.append(Stay(r, home, start, end, "permanent", reason))
            return
        length = round(self.rng.triangular(10, 49, 28))
        end = start + days(length)
        if end > LAST_DAY:
            r.stays.append(Stay(r, home, start, None, "temporary", None))
            return
        x = self.rng.random()
        if x < 0.33:  # converted to permanent: the permanent stay starts on the end date or the day after
            r.stays.append(Stay(r, home, start, end, "temporary", "discharge"))
            self.planned["temporary:converted"] += 1
            perm_start = end if self.chance(0.5) else end + days(1)
            if perm_start > LAST_DAY:
                r.stays[-1].end, r.stays[-1].end_reason = None, None
                return
            end2, reason2 = self.permanent_end(perm_start)
            r.stays.append(Stay(r, home, perm_start, end2, "permanent", reason2))
            return
        if x < 0.95:
            r.stays.append(Stay(r, home, start, end, "temporary", "discharge"))
            self.planned["temporary:discharged"] += 1
            if self.chance(0.25):  # back later for another stay: a new residence
                again = end + days(self.rng.randint(60, 240))
                if again <= LAST_DAY - days(5):
                    self.planned["temporary:returned"] += 1
                    self.stays_from(r, home, again, "temporary" if self.chance(0.5) else "permanent")
            return
        r.stays.append(Stay(r, home, start, end, "temporary", "death"))
        self.planned["temporary:died"] += 1

    def make_care_home_residents(self) -> None:
        arrivals: list[tuple[date, str, str]] = []
        for home, n in ALREADY_RESIDENT.items():
            for _ in range(n):
                arrivals.append((self.day_between(date(2023, 2, 1), date(2024, 6, 30)), home, "permanent"))
        for home, n in ARRIVALS.items():
            for _ in range(n):
                start = self.day_between(CARE_FROM, LAST_DAY - days(10))
                arrivals.append((start, home, "temporary" if self.chance(TEMPORARY_FIRST) else "permanent"))
        arrivals.sort()
        for start, home, residency in arrivals:
            practice = HOMES_BY_ID[home]["practice"] or self.rng.choice(["P1", "P2"])
            r = Resident("care_home", self.born(1925, 1950, 1934), practice)
            r.risk_score = round(self.rng.uniform(0.3, 0.95), 2)
            self.stays_from(r, home, start, residency)
            self.residents.append(r)
        self.plant_transfer()

    def plant_transfer(self) -> None:
        """One resident of Beech House (residential) moves to Willow Court (nursing) as needs grow."""
        for r in self.residents:
            s = r.stays[0]
            if (s.home == "H2" and s.residency == "permanent" and len(r.stays) == 1
                    and s.start < date(2025, 3, 1)):
                moved = working_day(self.day_between(date(2025, 6, 2), date(2025, 8, 29)))
                end, reason = s.end, s.end_reason
                if end is not None and end <= moved + days(30):
                    end, reason = self.permanent_end(moved + days(1))
                r.stays.append(Stay(r, "H3", moved + days(1), end, "permanent", reason))
                s.end, s.end_reason = moved, "transfer"
                return
        raise RuntimeError("no resident to transfer: change SEED")

    def plant_registrations(self) -> None:
        """One Oak Lodge resident registered with Riverside (no declined code); one Willow Court resident
        registered with Park Surgery who has declined to move to the aligned practice."""
        def current_permanent(home: str) -> Resident:
            for r in self.residents:
                s = r.stays[-1]
                if (len(r.stays) == 1 and s.home == home and s.residency == "permanent" and s.end is None
                        and date(2025, 1, 1) <= s.start <= date(2025, 12, 31)):
                    return r
            raise RuntimeError("no candidate: change SEED")

        current_permanent("H1").practice = "P2"
        declined = current_permanent("H3")
        declined.practice, declined.declined = "P1", True

    def make_admissions(self) -> None:
        for r in self.residents:
            for res in r.residences():
                cur = res.start + days(3)
                while True:
                    gap = self.rng.expovariate(EMERGENCY_ADMISSIONS_PER_YEAR / 365.25)
                    start = cur + days(int(gap))
                    if start > res.last_day or start > LAST_DAY or (res.end is not None and start >= res.end):
                        break
                    length = self.rng.choice([1, 2, 3, 3, 4, 5, 6, 7, 8, 10, 12, 15, 21, 30])
                    planned_end = start + days(length)
                    end: date | None = planned_end
                    if res.end is not None and planned_end >= res.end:
                        end = res.end  # died in hospital, or discharged from there
                    elif res.end is None and planned_end > LAST_DAY:
                        end = None  # still in hospital at the extract
                    r.admissions.append(Admission(r, start, end, "emergency"))
                    if end is None:
                        break
                    cur = end + days(7)
        # Make sure a few are in hospital at the extract date.
        current = [r for r in self.residents if r.stays[-1].end is None and r.in_hospital(LAST_DAY) is None
                   and r.stays[-1].start < LAST_DAY - days(30)]
        in_hospital = sum(1 for r in self.residents for a in r.admissions if a.end is None)
        for r in self.rng.sample(current, max(0, 3 - in_hospital)):
            start = self.day_between(LAST_DAY - days(12), LAST_DAY - days(1))
            if all(a.end is not None and a.end < start for a in r.admissions):
                r.admissions.append(Admission(r, start, None, "emergency"))
        # A few planned (elective) admissions: a cataract, a hip, a pacemaker...
        long_stayers = [r for r in self.residents
                        if any((res.last_day - res.start).days > 120 for res in r.residences())]
        for r in self.rng.sample(long_stayers, 5):
            res = max(r.residences(), key=lambda x: (x.last_day - x.start).days)
            for _ in range(20):
                start = working_day(self.day_between(res.start + days(30), res.last_day - days(10)))
                end = start + days(self.rng.randint(1, 4))
                if all(end < a.start - days(2) or start > (a.end or LAST_DAY) + days(2) for a in r.admissions):
                    r.admissions.append(Admission(r, start, end, "elective"))
                    break
        for r in self.residents:
            r.admissions.sort(key=lambda a: a.start)

    def plant_cohort(self) -> None:
        """Care home residents join the case management cohort about when they arrive; two came in
        already case managed through the risk tool; three current residents were never added."""
        chs = [r for r in self.residents if r.kind == "care_home"]
        for r in chs:
            r.cohort = ("care_home", r.stays[0].start + days(self.rng.randint(0, 21)))
            if r.cohort[1] > LAST_DAY:
                r.cohort = ("care_home", r.stays[0].start)
        current = [r for r in chs if r.stays[-1].end is None and not r.declined
                   and r.practice == HOMES_BY_ID[r.stays[-1].home]["practice"]]
        recent = [r for r in current if r.stays[0].start >= date(2026, 6, 1)]
        settled = [r for r in current if r.stays[0].start < date(2025, 6, 1)]
        left_out = self.rng.sample(recent, 2) + self.rng.sample(settled, 1)
        for r in left_out:
            r.cohort = None
            r.risk_score = round(self.rng.uniform(0.3, 0.65), 2)
        risk = [r for r in chs if r.stays[0].start > date(2025, 3, 1) and r.stays[0].residency == "permanent"
                and r not in left_out]
        for r in self.rng.sample(risk, 2):
            r.cohort = ("risk_tool", r.stays[0].start - days(self.rng.randint(120, 500)))
            r.risk_score = round(self.rng.uniform(0.72, 0.95), 2)

    def make_community_patients(self) -> None:
        # Case managed in the community: selected by the risk tool or by clinical judgement.
        for i in range(28):
            practice = "P1" if i % 7 < 3 else "P2"
            r = Resident("community_cohort", self.born(1934, 1962, 1945), practice)
            joined = self.day_between(date(2023, 3, 1), date(2026, 9, 15))
            if i % 7 in (2, 5) and i < 28:
                r.cohort = ("clinical_judgement", joined)
                r.risk_score = round(self.rng.uniform(0.35, 0.68), 2)
            else:
                r.cohort = ("risk_tool", joined)
                r.risk_score = round(self.rng.uniform(RISK_TOOL_THRESHOLD, 0.97), 2)
            self.residents.append(r)
        # Flagged by the risk tool but not (yet) in the cohort: a planted finding.
        for i in range(4):
            r = Resident("high_risk", self.born(1953, 1963, 1957), "P1" if i < 2 else "P2")
            r.risk_score = round(self.rng.uniform(0.72, 0.9), 2)
            self.residents.append(r)
        # Aged 74 to 80 on the extract date, not case managed: the annual health review.
        youngest = carerules.add_years(EXTRACT_DATE, -HEALTH_REVIEW_AGE)  # 75 on the extract date
        for i in range(20):
            practice = "P1" if i % 5 < 2 else "P2"
            if i == 7:
                born = date(1948, 2, 29)  # 75th birthday falls on 2023-02-28
            elif i in (3, 11, 16):  # 74: the first review is not owed yet
                born = self.day_between(youngest + days(1), youngest + days(364))
            else:
                born = self.day_between(youngest - days(365 * 6 - 1), youngest - days(1))
            r = Resident("health_review", born, practice)
            r.risk_score = round(self.rng.uniform(0.08, 0.55), 2)
            self.residents.append(r)

    # --- home and clinician activity

    def first_aligned_day(self, home: str) -> date:
        practice = HOMES_BY_ID[home]["practice"]
        return min(s.start for r in self.residents for s in r.stays
                   if s.home == home and r.practice == practice)

    def make_home_events(self) -> None:
        # H1 fortnightly on Tuesdays, H2 fortnightly on Wednesdays, H3 (large) weekly on Thursdays.
        plan = {"H1": (1, 14), "H2": (2, 14), "H3": (3, 7)}
        # Clinics that did not happen: one during a GP's leave at Oak Lodge, one before Christmas and two
        # during an outbreak at Beech House.
        skipped = {
            "H1": [(date(2025, 8, 4), date(2025, 8, 8))],
            "H2": [(date(2024, 12, 16), date(2024, 12, 20)), (date(2026, 3, 23), date(2026, 4, 17))],
            "H3": [],
        }
        for home, (weekday, step) in plan.items():
            anchor = self.first_aligned_day(home)
            d = anchor + days((weekday - anchor.weekday()) % 7)
            visits: list[date] = []
            while d <= LAST_DAY:
                held = d
                while not carerules.is_working_day(held):
                    held += days(1)
                if not any(lo <= d <= hi for lo, hi in skipped[home]) and held <= LAST_DAY:
                    if not (step == 7 and self.chance(0.06)):
                        visits.append(held)
                d += days(step)
            self.clinic_days[home] = visits
            practice = HOMES_BY_ID[home]["practice"]
            staff = STAFF[practice]
            for v in visits:
                performer = VISITING_GP[home] if self.chance(0.65) else self.rng.choice(staff.nurses)
                if home == "H3" and v >= date(2025, 4, 1):
                    self.add(v, "home", home, code=CODE_CARE_HOME_VISIT, performer=performer)
                else:
                    self.add(v, "home", home, "clinic_visit", performer=performer)
            # Meetings with the home manager, about every two months.
            m = working_day(anchor + days(self.rng.randint(10, 40)))
            while m <= LAST_DAY:
                self.add(m, "home", home, "manager_meeting", performer=VISITING_GP[home])
                next_due = due(CARE_HOMES, "manager-meeting-2-monthly", m)
                if home == "H2" and date(2025, 9, 1) <= next_due <= date(2025, 11, 15):
                    m = working_day(next_due + days(self.rng.randint(15, 25)))  # one meeting held late
                else:
                    m = working_day(next_due - days(self.rng.randint(0, 14)))

    def make_training(self) -> None:
        """Safeguarding and Mental Capacity Act training of the GPs, about every three years since 2016;
        Dr Ben Lowe's safeguarding refresher is overdue, Dr Whitfield once renewed his MCA training late."""
        for c in CLINICIANS:
            if c["role"] != "gp":
                continue
            first = self.day_between(date(2016, 1, 11), date(2016, 12, 9))
            for activity in ("safeguarding_training", "mca_training"):
                d = first if activity == "safeguarding_training" or self.chance(0.4) else working_day(
                    self.day_between(first + days(1), first + days(200)))
                if c["id"] == "C12" and activity == "safeguarding_training":
                    # due again on 2025-03-17: never booked
                    for lapsed in (date(2016, 5, 12), date(2019, 4, 9), date(2022, 3, 17)):
                        self.add(lapsed, "clinician", c["id"], activity)
                    continue
                while d <= LAST_DAY:
                    self.add(working_day(d), "clinician", c["id"], activity)
                    gap = self.rng.randint(31, 35)
                    if c["id"] == "C4" and activity == "mca_training" and 2021 <= d.year <= 2022:
                        gap = 38  # renewed about two months late
                    d = working_day(carerules.add_months(d, gap, CARE_HOMES.month_end) + days(self.rng.randint(-10, 10)))

    # --- resident activity

    def make_resident_events(self, r: Resident) -> None:
        for res in r.residences():
            self.residence_events(r, res)

    def residence_events(self, r: Resident, res: Residence) -> None:
        home, s, last = res.home, res.start, res.last_day
        perm = res.permanent_start

        def rec(activity: str | None, d: date, lo: date, performer: str | None, *, code: str | None = None,
                weekday: bool = True, clinic: bool = False) -> date | None:
            got = self.place(r, d, lo, last, weekday=weekday)
            if got is None:
                return None
            if clinic:
                snapped = self.snap_to_clinic(home, got, lo)
                if r.in_hospital(snapped) is None:
                    got = snapped
            self.add(got, "resident", r, activity, code=code, performer=performer)
            return got

        # Entry assessment: due 14 days after arrival, mostly done on one visit.
        entry_due = due(CARE_HOMES, "entry-assessment", s)
        components = ["holistic_assessment", "mca_assessment", "medication_review", "falls_assessment"]
        if res.stays[0].residency == "permanent":
            components.append("care_planning")
        kind = self.outcome("entry-assessment", 0.8, 0.12)
        base = s + days(self.rng.randint(1, 11))
        when = {c: base for c in components}
        if kind == "late":
            if self.chance(0.5):
                when = {c: entry_due + days(self.rng.randint(1, 26)) for c in components}
            else:
                when[self.rng.choice(components)] = entry_due + days(self.rng.randint(1, 26))
        elif kind == "never":
            del when[self.rng.choice(["falls_assessment", "mca_assessment", "falls_assessment",
                                      "mca_assessment", "medication_review"])]
        if "medication_review" in when and self.chance(0.35):
            when["medication_review"] += days(self.rng.randint(1, 3))  # the pharmacist's visit
        if self.chance(0.35):
            when["dementia_assessment"] = when.get("holistic_assessment", base)
        visitor = self.visit_clinician(r, home)
        entry_med: tuple[date, str] | None = None
        holistic: date | None = None
        for c, d in sorted(when.items(), key=lambda kv: (kv[1], kv[0])):
            if c == "medication_review":
                who = self.medication_reviewer(r, home, entry=True)
                got = rec("medication_review", d, s, who)
                if got is not None:
                    entry_med = (got, who)
            else:
                got = rec(c, d, s, visitor)
                if c == "holistic_assessment":
                    holistic = got

        # Permanent residency: care plan and preferred place of death within 3 months, then 6-monthly
        # care plan reviews, each printed for the home's red folder.
        if perm is not None:
            if perm != s:  # converted from temporary: care planning starts now
                rec("care_planning", perm + days(self.rng.randint(0, 10)), perm, self.visit_clinician(r, home))
            kind = self.outcome("care-plan", 0.8, 0.12)
            first_plan: date | None = None
            if kind != "never":
                d = (perm + days(self.rng.randint(21, 80)) if kind == "on_time"
                     else due(CARE_HOMES, "care-plan", perm) + days(self.rng.randint(3, 45)))
                first_plan = self.care_plan(r, res, rec, d, perm)
            ppd = self.outcome("preferred-place-of-death", 0.83, 0.08)
            if ppd == "on_time":
                ppd_due = due(CARE_HOMES, "preferred-place-of-death", perm)
                d = (first_plan if first_plan is not None and self.chance(0.85) and first_plan <= ppd_due
                     else perm + days(self.rng.randint(14, 85)))
                rec("preferred_place_of_death", d, perm, self.visit_clinician(r, home))
            elif ppd == "late":
                rec("preferred_place_of_death",
                    due(CARE_HOMES, "preferred-place-of-death", perm) + days(self.rng.randint(5, 60)), perm,
                    self.visit_clinician(r, home))
            if first_plan is not None:
                self.recurring(CARE_HOMES, "care-plan-review-6-monthly", first_plan,
                               lambda d, lo: self.care_plan(r, res, rec, d, lo),
                               early=35, p_on_time=0.78, p_late=0.14, late=50, very_late=150)

        # Seen every two months: at the home's clinic, or an administrative review with the staff.
        def seen(d: date, lo: date) -> date | None:
            if self.chance(0.7):
                return rec("clinic_review", d, lo, self.visit_clinician(r, home), clinic=True)
            return rec("admin_review", d, lo, self.visit_clinician(r, home))

        self.recurring(CARE_HOMES, "seen-2-monthly", holistic or s, seen,
                       early=25, p_on_time=0.82, p_late=0.12, late=30, very_late=80)
        # Acute problems seen at the clinic, about once a year.
        self.scatter(res, 1.0, lambda d: rec("clinic_review", d, s, self.visit_clinician(r, home),
                                                clinic=True))

        # Physical review by a GP every six months.
        self.recurring(CARE_HOMES, "gp-review-6-monthly", s,
                       lambda d, lo: rec("gp_review", d, lo, self.gp(r, home), clinic=self.chance(0.4)),
                       early=50, p_on_time=0.8, p_late=0.13, late=60, very_late=150)

        # Medication review every six months by a pharmacist or a GP; some recorded by code.
        def med(d: date, lo: date) -> date | None:
            who = self.medication_reviewer(r, home, entry=False)
            x = self.rng.random()
            if who == STAFF[r.practice].pharmacist and x < 0.25:
                return rec(None, d, lo, who, code=CODE_STRUCTURED_MEDICATION_REVIEW)
            if x < 0.15:
                return rec(None, d, lo, who, code=CODE_MEDICATION_REVIEW)
            return rec("medication_review", d, lo, who)

        med_anchor = entry_med[0] if entry_med and CLINICIAN_ROLE[entry_med[1]] != "nurse" else s
        self.recurring(CARE_HOMES, "medication-review-6-monthly", med_anchor, med,
                       early=45, p_on_time=0.78, p_late=0.14, late=50, very_late=140)

        # Review of each emergency admission with the home's staff.
        for a in r.admissions:
            if a.method != "emergency" or not (s <= a.start <= last) or a.end is None:
                continue
            kind = self.outcome("admission-review", 0.72, 0.14)
            if kind == "never":
                continue
            review_due = due(CARE_HOMES, "admission-review", a.end)
            d = (a.end + days(self.rng.randint(1, (review_due - a.end).days)) if kind == "on_time"
                 else review_due + days(self.rng.randint(1, 26)))
            rec("admission_review", d, a.end, self.visit_clinician(r, home))

        # Out-of-hours contacts (filed by the practice's admin staff) and significant events.
        staff = STAFF[r.practice]
        self.scatter(res, 1.5, lambda d: rec("ooh_contact", d, s, staff.other, weekday=False))
        self.scatter(res, 0.2, lambda d: rec("significant_event", d, s, self.gp(r, home)))

    def care_plan(self, r: Resident, res: Residence, rec: Callable[..., date | None], d: date,
                  lo: date) -> date | None:
        who = self.visit_clinician(r, res.home)
        code = CODE_CARE_PLAN_AGREED if self.chance(0.35 if r.practice == "P2" else 0.1) else None
        got = rec(None if code else "care_plan", d, lo, who, code=code)
        if got is None:
            return None
        kind = self.outcome("care-plan-printed", 0.84, 0.09)
        if kind != "never":
            pd = (got + days(self.rng.randint(0, 5)) if kind == "on_time"
                  else due(CARE_HOMES, "care-plan-printed", got) + days(self.rng.randint(1, 23)))
            printer = STAFF[r.practice].other if self.chance(0.7) else who
            rec("care_plan_printed", pd, got, printer)
        return got

    def scatter(self, res: Residence, per_year: float, record: Callable[[date], Any]) -> None:
        d = res.start
        while True:
            d += days(1 + int(self.rng.expovariate(per_year / 365.25)))
            if d > res.last_day or d > LAST_DAY:
                return
            record(d)

    def make_case_management(self) -> None:
        for r in self.residents:
            if r.cohort is None:
                continue
            joined = r.cohort[1]
            home = r.stays[0].home if r.stays else None
            staff = STAFF[r.practice]

            def who() -> str:
                if home and self.chance(0.5):
                    return self.visit_clinician(r, home)
                return self.rng.choice(staff.gps) if self.chance(0.4) else self.rng.choice(staff.nurses)

            def rec(d: date, lo: date) -> date | None:
                got = self.place(r, d, lo, LAST_DAY)
                if got is None:
                    return None
                self.add(got, "resident", r, "case_management_review", performer=who())
                return got

            kind = self.outcome("case-management-initial-review", 0.8, 0.12)
            if kind == "never":
                continue
            d = (joined + days(self.rng.randint(14, 85)) if kind == "on_time"
                 else due(CASE_MANAGEMENT, "case-management-initial-review", joined) + days(self.rng.randint(5, 60)))
            if d > LAST_DAY:
                continue
            first = rec(d, joined)
            if first is None:
                continue
            self.recurring(CASE_MANAGEMENT, "case-management-review", first, rec,
                           early=30, p_on_time=0.78, p_late=0.15, late=45, very_late=120)

    def make_health_reviews(self) -> None:
        for r in self.residents:
            if r.kind != "health_review":
                continue
            anchor = carerules.add_years(r.born, HEALTH_REVIEW_AGE)
            if anchor > LAST_DAY:
                continue
            staff = STAFF[r.practice]

            def rec(d: date, lo: date, r: Resident = r, staff: Staff = staff) -> date | None:
                got = self.place(r, d, lo, LAST_DAY)
                if got is None:
                    return None
                who = self.rng.choice(staff.gps) if self.chance(0.5) else self.rng.choice(staff.nurses_004)
                self.add(got, "resident", r, "health_review", performer=who)
                return got

            self.recurring(CASE_MANAGEMENT, "health-review-annual", anchor, rec,
                           early=150, p_on_time=0.78, p_late=0.14, late=90, very_late=220)

    # --- planted problems in who recorded what

    def plant_performers(self) -> None:
        """A few activities recorded by staff who are not suitably qualified, and a few with no performer."""
        def covered(r: Resident) -> bool:
            """Not a resident of an unaligned home, nor registered away from the aligned practice."""
            return not r.stays or HOMES_BY_ID[r.stays[-1].home]["practice"] == r.practice

        def pick(pred: Callable[[Event], bool], n: int) -> list[Event]:
            # recent enough to show in the demo's as-of year, of residents the schemes cover
            pool = [e for e in self.events if e.subject_kind == "resident" and e.date >= date(2025, 4, 1)
                    and covered(e.subject) and pred(e)]
            pool.sort(key=lambda e: (e.date, e.subject.id, e.activity or "", e.code or ""))
            return self.rng.sample(pool, n)

        # Park Surgery's practice nurse without a listed qualification covered clinics and one assessment.
        for e in pick(lambda e: e.activity == "clinic_review" and e.subject.practice == "P1", 3):
            e.performer = "C6"
        for e in pick(lambda e: e.activity == "falls_assessment" and e.subject.practice == "P1", 1):
            e.performer = "C6"
        # Riverside's care coordinator recorded two administrative reviews.
        for e in pick(lambda e: e.activity == "admin_review" and e.subject.practice == "P2", 2):
            e.performer = "C17"
        # The district nurse (qualified for care homes, not for seed 004's health review) did one.
        for e in pick(lambda e: e.activity == "health_review" and e.subject.practice == "P2", 1):
            e.performer = "C14"
        # Imported without a clinician.
        for e in pick(lambda e: e.activity in ("clinic_review", "admin_review", "care_plan_printed"), 6):
            e.performer = None
        # A myocardial infarction coded after two hospital stays: a code no scheme maps.
        admitted = [r for r in self.residents
                    if any(a.method == "emergency" and a.end is not None and date(2025, 4, 1) <= a.start
                           and a.end < LAST_DAY - days(10) for a in r.admissions) and r.kind == "care_home"]
        for r in self.rng.sample(admitted, 2):
            back = next(a.end for a in r.admissions if a.method == "emergency" and a.end is not None
                        and date(2025, 4, 1) <= a.start)
            d = self.place(r, back + days(2), back, LAST_DAY)
            if d is not None:
                self.add(d, "resident", r, code=CODE_MYOCARDIAL_INFARCTION, performer=self.gp(r, None))

    # --- the whole population

    def build(self) -> dict[str, Any]:
        self.make_care_home_residents()
        self.plant_registrations()
        self.make_admissions()
        self.plant_cohort()
        self.make_community_patients()
        self.make_home_events()
        self.make_training()
        for r in self.residents:
            if r.stays:
                self.make_resident_events(r)
        self.make_case_management()
        self.make_health_reviews()
        self.plant_performers()
        return self.records()

    def records(self) -> dict[str, Any]:
        for i, r in enumerate(self.residents, 1):
            r.id = f"R{i:03d}"
        stays = sorted((s for r in self.residents for s in r.stays), key=lambda s: (s.start, s.resident.id))
        for i, s in enumerate(stays, 1):
            s.id = f"S{i:04d}"
        admissions = sorted((a for r in self.residents for a in r.admissions),
                            key=lambda a: (a.start, a.resident.id))
        for i, a in enumerate(admissions, 1):
            a.id = f"A{i:03d}"
        kind_order = {"clinician": 0, "home": 1, "resident": 2}
        events = sorted(self.events, key=lambda e: (e.date, kind_order[e.subject_kind], e.subject_id(),
                                                     e.activity or "", e.code or "", e.performer or ""))
        for i, e in enumerate(events, 1):
            e.id = f"E{i:05d}"

        def iso(d: date | None) -> str | None:
            return None if d is None else d.isoformat()

        def resident(r: Resident) -> dict[str, Any]:
            return {"id": r.id, "born": iso(r.born), "practice": r.practice,
                    "declined_aligned_practice": r.declined,
                    "cohort": None if r.cohort is None else {"reason": r.cohort[0], "from": iso(r.cohort[1])},
                    "risk_score": r.risk_score}

        def event(e: Event) -> dict[str, Any]:
            out: dict[str, Any] = {"id": e.id, "date": iso(e.date), e.subject_kind: e.subject_id()}
            if e.activity is not None:
                out["activity"] = e.activity
            else:
                out["code"] = e.code
            if e.performer is not None:
                out["performer"] = e.performer
            return out

        return {
            "format": FORMAT,
            "extract_date": iso(EXTRACT_DATE),
            "practices": PRACTICES,
            "homes": HOMES,
            "clinicians": CLINICIANS,
            "residents": [resident(r) for r in self.residents],
            "stays": [{"id": s.id, "resident": s.resident.id, "home": s.home, "start": iso(s.start),
                       "end": iso(s.end), "residency": s.residency, "end_reason": s.end_reason} for s in stays],
            "admissions": [{"id": a.id, "resident": a.resident.id, "start": iso(a.start), "end": iso(a.end),
                            "method": a.method} for a in admissions],
            "events": [event(e) for e in events],
        }


HOMES_BY_ID = {h["id"]: h for h in HOMES}
CLINICIAN_ROLE = {c["id"]: c["role"] for c in CLINICIANS}


def render(population: dict[str, Any]) -> str:
    """Pretty JSON with one record per line in each collection, so that diffs stay readable."""
    parts = []
    for key, value in population.items():
        if isinstance(value, list):
            if not value:
                parts.append(f"  {json.dumps(key)}: []")
            else:
                rows = ",\n".join("    " + json.dumps(v, ensure_ascii=False) for v in value)
                parts.append(f"  {json.dumps(key)}: [\n{rows}\n  ]")
        else:
            parts.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def generate(seed: int = SEED) -> tuple[str, Generator]:
    g = Generator(seed)
    return render(g.build()), g


def summary(population: dict[str, Any], g: Generator) -> str:
    stays = population["stays"]
    residents = population["residents"]
    lines = [f"{k}: {len(v)}" for k, v in population.items() if isinstance(v, list)]
    with_stays = {s["resident"] for s in stays}
    lines.append(f"residents with stays: {len(with_stays)}; without: {len(residents) - len(with_stays)}")
    temp = sum(1 for s in stays if s["residency"] == "temporary")
    lines.append(f"temporary stays: {temp} of {len(stays)} ({temp / len(stays):.0%})")
    lines.append("end reasons: " + ", ".join(f"{k}={v}" for k, v in
                                            sorted(Counter(str(s['end_reason']) for s in stays).items())))
    years = sum(((date.fromisoformat(s["end"]) if s["end"] else LAST_DAY)
                 - max(date.fromisoformat(s["start"]), CARE_FROM)).days + 1
                for s in stays if (date.fromisoformat(s["end"]) if s["end"] else LAST_DAY) >= CARE_FROM) / 365.25
    perm_years = sum(((date.fromisoformat(s["end"]) if s["end"] else LAST_DAY)
                      - max(date.fromisoformat(s["start"]), CARE_FROM)).days + 1
                     for s in stays if s["residency"] == "permanent"
                     and (date.fromisoformat(s["end"]) if s["end"] else LAST_DAY) >= CARE_FROM) / 365.25
    deaths = sum(1 for s in stays if s["end_reason"] == "death" and s["residency"] == "permanent"
                 and date.fromisoformat(s["end"]) >= CARE_FROM)
    lines.append(f"resident-years since {CARE_FROM}: {years:.1f}; deaths {deaths} "
                 f"in permanent stays ({deaths / perm_years:.2f} per permanent resident-year)")
    adm = population["admissions"]
    em = [a for a in adm if a["method"] == "emergency"
          and date.fromisoformat(a["start"]) >= CARE_FROM]
    lines.append(f"emergency admissions since {CARE_FROM}: {len(em)} ({len(em) / years:.2f} per resident-year); "
                 f"in hospital at the extract: {sum(1 for a in adm if a['end'] is None)}")
    lines.append(f"resident at the extract: {sum(1 for s in stays if s['end'] is None)}")
    per_home = Counter(s["home"] for s in stays if s["end"] is None)
    lines.append("resident at the extract by home: " + ", ".join(f"{h}={n}" for h, n in sorted(per_home.items())))
    ev = population["events"]
    lines.append("events by activity: " + ", ".join(
        f"{k}={v}" for k, v in sorted(Counter(e.get("activity") or "code:" + e["code"] for e in ev).items())))
    lines.append(f"resident events without performer: "
                 f"{sum(1 for e in ev if 'resident' in e and 'performer' not in e)}")
    by_ob: dict[str, Counter[str]] = {}
    for k, v in g.planned.items():
        name, kind = k.split(":")
        by_ob.setdefault(name, Counter())[kind] += v
    lines.append("planned outcomes:")
    for name, c in sorted(by_ob.items()):
        total = sum(c.values())
        lines.append(f"  {name}: " + ", ".join(f"{k} {v} ({v / total:.0%})" for k, v in sorted(c.items())))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write (default: the bundled file)")
    ap.add_argument("--seed", type=int, default=SEED, help="random seed (the bundled file uses the default)")
    ap.add_argument("--check", action="store_true", help="do not write; fail if --out differs from the output")
    ap.add_argument("--summary", action="store_true", help="print counts and planned outcome mixes")
    args = ap.parse_args(argv)
    text, g = generate(args.seed)
    if args.summary:
        print(summary(json.loads(text), g), file=sys.stderr)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date: run python tools/make_demo_population.py", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text.encode('utf-8')):,} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
