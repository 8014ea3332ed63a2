"""Seeded synthetic populations of care home residents, from one home to all of England.

``generate(params, seed)`` returns the population as one pandas DataFrame per collection, in the column layout
that :func:`carerules.population_from_frames` reads (and that :func:`carerules.write_extracts` writes);
``write_json`` writes it as a ``carerules.population/1`` document (streamed, a block of records at a time) and
``write_parquet`` as a folder of Parquet files, one per collection, that :func:`carerules.read_parquet` loads.

The same parameters and seed always give the same population (NumPy's ``Generator`` with PCG64). Every default
of :class:`Parameters` is a published figure or is marked as the project's assumption: docs/synthetic.md lists
each with its source. The simulation works on whole arrays: its Python loops run once per step of a chain
(one more stay per bed, one more instance of a recurring obligation), never once per record, so the
national population (``Parameters.national()``) generates in well under a minute.

What is simulated:

- homes (residential or nursing, beds drawn from a log-normal distribution), each aligned to a practice; a
  few homes have no aligned practice or no lead GP;
- practices (list sizes) with their GPs, nurses (some holding the appendix 1 qualifications), pharmacists and
  other staff;
- each bed as a renewal process: a resident moves in after a vacancy, stays temporarily (about four weeks)
  or permanently (a log-normal stay, median about 15 months), and leaves by death, discharge or a transfer
  to another home; a temporary stay may become permanent (one residence, two stays);
- residents born so that their age on entry is realistic; registered with the home's aligned practice (a few
  elsewhere, some of them having declined it); case-managed cohort members (care home residents, and
  community patients found by the risk tool or clinical judgement);
- emergency and elective hospital admissions during stays;
- for every obligation of the two built-in schemes, the work done on time, late or never, at documented
  rates, as events carrying the project's default SNOMED CT codes (data/codelists/) or activity names, with
  performers of the right role; register markers (lives in a care home, died in a care home, emergency
  admission, declined the aligned practice); out-of-hours contacts and significant events; home clinics and
  manager meetings; GPs' safeguarding and Mental Capacity Act training.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping, Union

import numpy as np
import numpy.typing as npt
import pandas as pd

from carerules import _api

__all__ = [
    "COLLECTIONS",
    "CODES",
    "Parameters",
    "Timeliness",
    "generate",
    "write_json",
    "write_parquet",
]

COLLECTIONS: tuple[str, ...] = ("practices", "clinicians", "homes", "residents", "stays", "admissions", "events")

PathLike = Union[str, "os.PathLike[str]"]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

EPOCH = datetime.date(1970, 1, 1)


def _day(d: datetime.date) -> int:
    return (d - EPOCH).days


# ---------------------------------------------------------------------------------------------------------
# Activities and the codes that record them

# Every activity the generator records; the order is the index used in the arrays below.
ACTIVITIES: tuple[str, ...] = (
    "holistic_assessment", "mca_assessment", "medication_review", "falls_assessment", "dementia_assessment",
    "care_planning", "care_plan", "gp_review", "clinic_review", "admin_review", "preferred_place_of_death",
    "admission_review", "care_plan_printed", "ooh_contact", "significant_event", "case_management_review",
    "health_review", "lives_in_care_home", "lives_temporarily_in_care_home", "declined_aligned_practice",
    "died_in_care_home", "emergency_admission", "clinic_visit", "manager_meeting", "safeguarding_training",
    "mca_training",
)
_A = {name: i for i, name in enumerate(ACTIVITIES)}

# SNOMED CT codes the generator writes, each from the project's default list of that activity
# (data/codelists/<activity>.csv, where the test suite checks that every one is listed). Activities whose
# default list is empty are always recorded by name.
CODES: dict[str, tuple[str, ...]] = {
    "holistic_assessment": ("700431008", "519291000000107", "312384001"),
    "medication_review": ("314530002", "1239511000000100", "719328007", "719329004", "182836005"),
    "falls_assessment": ("408423009", "408555007"),
    "dementia_assessment": ("869561000000101", "447316007", "1085151000000108"),
    "care_planning": ("133891005", "713603004", "921581000000107"),
    "care_plan": ("1187911000000105", "1187921000000104", "734163000", "425268008", "802321000000106"),
    "gp_review": ("185278000",),
    "clinic_review": ("889311000000109", "889351000000108", "889361000000106"),
    "care_plan_printed": ("785051000000105", "834061000000102"),
    "ooh_contact": ("14161000000107", "185463005", "185511000000107"),
    "case_management_review": ("1026051000000106", "842901000000108"),
    "lives_in_care_home": ("160734000", "394923006", "248171000000108"),
    "lives_temporarily_in_care_home": ("1240291000000104",),
    "declined_aligned_practice": ("1325851000000107",),
    "died_in_care_home": ("876880009", "698747008"),
    "emergency_admission": ("183452005", "18083007"),
    "clinic_visit": ("889311000000109", "889321000000103"),
}

# Who performs each activity: probabilities over (gp, qualified nurse, pharmacist, other staff). Every
# generated obligation's work is done by someone the schemes accept: a GP or a nurse holding one of the
# first three appendix 1 qualifications (accepted by both schemes), a pharmacist for medication reviews.
_ROLES = ("gp", "qualified_nurse", "pharmacist", "other")
_PERFORMERS: dict[str, tuple[float, float, float, float]] = {
    "holistic_assessment": (0.6, 0.4, 0.0, 0.0),
    "mca_assessment": (0.7, 0.3, 0.0, 0.0),
    "medication_review": (0.5, 0.0, 0.5, 0.0),
    "falls_assessment": (0.4, 0.6, 0.0, 0.0),
    "dementia_assessment": (0.6, 0.4, 0.0, 0.0),
    "care_planning": (0.5, 0.5, 0.0, 0.0),
    "care_plan": (0.6, 0.4, 0.0, 0.0),
    "gp_review": (1.0, 0.0, 0.0, 0.0),
    "clinic_review": (0.6, 0.4, 0.0, 0.0),
    "admin_review": (0.4, 0.6, 0.0, 0.0),
    "preferred_place_of_death": (0.6, 0.4, 0.0, 0.0),
    "admission_review": (0.7, 0.3, 0.0, 0.0),
    "care_plan_printed": (0.0, 0.3, 0.0, 0.7),
    "ooh_contact": (0.7, 0.3, 0.0, 0.0),
    "significant_event": (0.5, 0.3, 0.0, 0.2),
    "case_management_review": (0.4, 0.6, 0.0, 0.0),
    "health_review": (0.5, 0.5, 0.0, 0.0),
    "lives_in_care_home": (0.2, 0.2, 0.0, 0.6),
    "lives_temporarily_in_care_home": (0.2, 0.2, 0.0, 0.6),
    "declined_aligned_practice": (0.0, 0.0, 0.0, 1.0),
    "died_in_care_home": (1.0, 0.0, 0.0, 0.0),
    "emergency_admission": (0.0, 0.0, 0.0, 1.0),
    "clinic_visit": (0.7, 0.3, 0.0, 0.0),
    "manager_meeting": (0.6, 0.4, 0.0, 0.0),
}

_QUALIFICATIONS = ("gpn-specialist-practitioner", "primary-health-care-diploma", "cardiovascular-respiratory-diploma")


# ---------------------------------------------------------------------------------------------------------
# Parameters


@dataclass(frozen=True)
class Timeliness:
    """How one obligation's work is done: on time (on or before its due date), late, or never.

    ``never = 1 - on_time - late``. A late completion comes ``1 + Exponential(late_mean_days)`` days after the
    due date (if the resident is still in scope then and the extract has reached that day). Recurring
    obligations default to ``never = 0``: their next instance is generated only once one is completed, so a
    resident whose review is very late is overdue, then missed if they die or leave first, as in practice.
    """

    on_time: float
    late: float
    late_mean_days: float

    @property
    def never(self) -> float:
        return max(0.0, 1.0 - self.on_time - self.late)

    def check(self, name: str) -> None:
        if not (0.0 <= self.on_time <= 1.0 and 0.0 <= self.late <= 1.0 and self.on_time + self.late <= 1.0 + 1e-12):
            raise _api.ArgumentError(f"{name}: on_time {self.on_time} and late {self.late} must be shares adding up to at most 1")
        if not self.late_mean_days > 0:
            raise _api.ArgumentError(f"{name}: late_mean_days {self.late_mean_days} must be positive")


def _t(on_time: float, late: float, late_mean_days: float) -> Timeliness:
    return Timeliness(on_time, late, late_mean_days)


@dataclass(frozen=True)
class Parameters:
    """Everything the generator draws from. Defaults are sourced in docs/synthetic.md (by field name).

    Scale with ``residents`` (residents in care homes on any one day): homes, beds, practices and clinicians
    follow from it. Presets: :meth:`home`, :meth:`practice`, :meth:`region`, :meth:`national`.
    """

    # --- scale and period
    residents: int = 400
    """Residents in care homes on a day (the steady-state occupancy the beds are sized for)."""
    start: datetime.date = datetime.date(2024, 4, 1)
    """First day of the period the population covers (residents living in a home on any day of it are kept)."""
    years: int = 1
    """Length of the period; the extract is taken on its last day (``end``): nothing later is recorded."""
    burn_in_years: int = 6
    """Years each bed is simulated before ``start``, so that residents already living in a home at the start
    have realistic histories (a stay started years ago, with its reviews)."""

    # --- homes
    mean_beds: float = 29.0
    """Mean registered beds per home: about 457,000 beds (King's Fund, Social care 360) in about 15,800 homes
    (Improvement Analytics Unit, 2019)."""
    nursing_home_share: float = 0.38
    """Share of homes that provide nursing care (so that nursing homes hold about half of all beds)."""
    nursing_bed_ratio: float = 59.0 / 38.0
    """Nursing homes' mean size over residential homes' (59 and 38 beds in the IAU's Table 1)."""
    beds_sigma: float = 0.65
    """Spread (log-normal sigma) of home sizes within a kind."""
    occupancy: float = 0.87
    """Share of beds occupied (the vacancy between residents follows from it)."""
    unaligned_home_share: float = 0.01
    """Homes with no aligned practice (a `home-not-aligned` finding; no care-homes-es work is owed)."""
    no_lead_gp_share: float = 0.02
    """Aligned homes with no lead GP (a `no-lead-gp` finding)."""

    # --- practices and clinicians
    homes_per_practice: float = 2.5
    """Care homes per practice with an aligned home (15,800 homes over about 6,300 practices)."""
    list_size_mean: float = 9_900.0
    """Mean registered list size (about 62.7 million patients in about 6,300 practices, NHS Digital)."""
    patients_per_gp: float = 1_700.0
    """Patients per GP (headcount)."""
    patients_per_nurse: float = 3_300.0
    """Patients per practice nurse (headcount)."""
    qualified_nurse_share: float = 0.6
    """Nurses holding one of the appendix 1 qualifications that both schemes accept."""
    patients_per_pharmacist: float = 10_000.0
    """Patients per practice or network pharmacist."""
    patients_per_other: float = 4_000.0
    """Patients per other clinical staff member (healthcare assistants, care coordinators)."""

    # --- residents
    share_65_plus: float = 0.821
    """Care home residents aged 65 and over (ONS, Census 2021: 82.1%)."""
    entry_age_mean: float = 84.0
    """Mean age on entering a home, for those aged 65 and over."""
    entry_age_sd: float = 7.0
    """Its standard deviation (with the mean, about 56% of older residents on a day are 85 or over)."""
    registered_elsewhere_share: float = 0.03
    """Residents registered with a practice other than their home's aligned one."""
    declined_share: float = 0.5
    """Of those, the share who declined the aligned practice (with the declined code: no finding)."""
    cohort_share: float = 0.95
    """Care home residents in the case management cohort (the rest: `care-home-resident-not-in-cohort`)."""
    community_risk_tool_share: float = 0.008
    """Community patients in the cohort through the risk tool, as a share of each practice's list."""
    community_clinical_judgement_share: float = 0.002
    """Community patients in the cohort by clinical judgement, as a share of each practice's list."""

    # --- stays
    temporary_share: float = 0.389
    """Stays intended to be temporary (Steventon and Roberts 2012: 38.9%)."""
    temporary_median_days: float = 28.0
    """Median temporary stay ("typically lasted 4 weeks", Steventon and Roberts 2012)."""
    temporary_sigma: float = 0.5
    """Spread (log-normal sigma) of temporary stays."""
    temporary_to_permanent_share: float = 0.15
    """Temporary stays that become permanent (one residence, a temporary then a permanent stay)."""
    temporary_death_share: float = 0.08
    """Temporary stays that end in death (the rest end in discharge)."""
    permanent_median_days: float = 462.0
    """Median permanent stay, about 15 months (Forder and Fernandez 2011: half had died by 462 days)."""
    permanent_mean_days: float = 801.0
    """Mean permanent stay (Forder and Fernandez 2011: 801 days); with the median, the log-normal's spread."""
    permanent_death_share: float = 0.72
    """Permanent stays that end in death (so that about 28% of residents on a day die within a year)."""
    transfer_share: float = 0.10
    """Permanent stays that end in a move to another home (the rest of those not ending in death: discharge)."""
    died_in_home_share: float = 0.70
    """Deaths recorded with a died-in-care-home code (70% of permanent residents die in the home, PHE 2017)."""

    # --- hospital
    emergency_admissions_per_year: float = 0.70
    """Emergency admissions per resident-year (Improvement Analytics Unit 2019: 0.70 in 2016/17)."""
    elective_admissions_per_year: float = 0.05
    """Elective admissions per resident-year."""
    admission_median_days: float = 5.0
    """Median length of a hospital admission."""
    admission_sigma: float = 0.8
    """Spread (log-normal sigma) of admission lengths."""

    # --- other recorded contacts
    ooh_contacts_per_year: float = 1.0
    """Out-of-hours contacts per resident-year."""
    significant_events_per_year: float = 0.2
    """Significant events per resident-year."""
    extra_clinic_reviews_per_year: float = 5.0
    """Residents seen at the home's clinics beyond the 2-monthly review, per resident-year."""
    coded_share: float = 0.8
    """Events recorded with a clinical code where the default code lists have one (the rest: by name)."""
    no_performer_share: float = 0.01
    """Events recorded without a performer (counted and reported: `no-performer`)."""
    unqualified_share: float = 0.01
    """Extra clinic reviews done by staff the schemes do not accept (an `unqualified-performer` finding)."""

    # --- timeliness of the schemes' work (the project's assumptions unless docs/synthetic.md says otherwise)
    entry_assessment: Timeliness = _t(0.70, 0.20, 14.0)
    care_plan: Timeliness = _t(0.75, 0.15, 30.0)
    preferred_place_of_death: Timeliness = _t(0.60, 0.15, 45.0)
    seen_2_monthly: Timeliness = _t(0.85, 0.15, 14.0)
    gp_review: Timeliness = _t(0.70, 0.30, 30.0)
    care_plan_review: Timeliness = _t(0.70, 0.30, 30.0)
    medication_review: Timeliness = _t(0.75, 0.25, 30.0)
    admission_review: Timeliness = _t(0.60, 0.20, 14.0)
    care_plan_printed: Timeliness = _t(0.70, 0.20, 7.0)
    clinic_visit: Timeliness = _t(0.90, 0.10, 3.0)
    manager_meeting: Timeliness = _t(0.80, 0.20, 14.0)
    training: Timeliness = _t(0.80, 0.20, 60.0)
    case_management_initial_review: Timeliness = _t(0.61, 0.20, 30.0)
    """Seed 004: 912 of about 1,500 care home patients (61%) had a case management plan."""
    case_management_review: Timeliness = _t(0.64, 0.36, 30.0)
    """Seed 004: 8,335 care plans in year 3, 64% of the intended cohort."""
    health_review: Timeliness = _t(0.55, 0.45, 60.0)

    @property
    def end(self) -> datetime.date:
        """The extract's date: the last day of the period (``years`` after ``start``, less a day)."""
        return _api.add_years(self.start, self.years) - datetime.timedelta(days=1)

    # --- presets

    @classmethod
    def home(cls, **changes: Any) -> Parameters:
        """One care home and its aligned practice (about 25 residents)."""
        return cls(**{"residents": 25, **changes})

    @classmethod
    def practice(cls, **changes: Any) -> Parameters:
        """One practice and its aligned homes (about 63 residents in two or three homes)."""
        return cls(**{"residents": 63, **changes})

    @classmethod
    def region(cls, **changes: Any) -> Parameters:
        """One of NHS England's seven regions (a seventh of England: about 57,000 residents)."""
        return cls(**{"residents": 57_000, **changes})

    @classmethod
    def national(cls, **changes: Any) -> Parameters:
        """All of England: about 400,000 residents on a day in about 15,800 homes."""
        return cls(**{"residents": 400_000, **changes})

    @classmethod
    def preset(cls, name: str, **changes: Any) -> Parameters:
        """A preset by name: ``home``, ``practice``, ``region`` or ``national``."""
        presets = {"home": cls.home, "practice": cls.practice, "region": cls.region, "national": cls.national}
        if name not in presets:
            raise _api.ArgumentError(f"unknown preset {name!r}: expected one of {', '.join(presets)}")
        return presets[name](**changes)

    def replace(self, **changes: Any) -> Parameters:
        return dataclasses.replace(self, **changes)

    def check(self) -> None:
        """Raises ArgumentError naming the first parameter out of range."""
        if self.residents < 1:
            raise _api.ArgumentError(f"residents {self.residents} must be at least 1")
        if self.years < 1 or self.burn_in_years < 0:
            raise _api.ArgumentError(f"years {self.years} must be at least 1 and burn_in_years {self.burn_in_years} not negative")
        shares = {
            "nursing_home_share": self.nursing_home_share, "occupancy": self.occupancy,
            "unaligned_home_share": self.unaligned_home_share, "no_lead_gp_share": self.no_lead_gp_share,
            "qualified_nurse_share": self.qualified_nurse_share, "share_65_plus": self.share_65_plus,
            "registered_elsewhere_share": self.registered_elsewhere_share, "declined_share": self.declined_share,
            "cohort_share": self.cohort_share, "community_risk_tool_share": self.community_risk_tool_share,
            "community_clinical_judgement_share": self.community_clinical_judgement_share,
            "temporary_share": self.temporary_share, "permanent_death_share": self.permanent_death_share,
            "transfer_share": self.transfer_share, "died_in_home_share": self.died_in_home_share,
            "coded_share": self.coded_share, "no_performer_share": self.no_performer_share,
            "unqualified_share": self.unqualified_share,
            "temporary_to_permanent_share": self.temporary_to_permanent_share,
            "temporary_death_share": self.temporary_death_share,
        }
        for name, value in shares.items():
            if not 0.0 <= value <= 1.0:
                raise _api.ArgumentError(f"{name} {value} must be a share from 0 to 1")
        if self.occupancy <= 0:
            raise _api.ArgumentError("occupancy must be above 0")
        if self.permanent_death_share + self.transfer_share > 1.0:
            raise _api.ArgumentError("permanent_death_share + transfer_share must be at most 1")
        if self.temporary_to_permanent_share + self.temporary_death_share > 1.0:
            raise _api.ArgumentError("temporary_to_permanent_share + temporary_death_share must be at most 1")
        if self.permanent_mean_days < self.permanent_median_days:
            raise _api.ArgumentError("permanent_mean_days must be at least permanent_median_days (a log-normal stay)")
        positive = {
            "mean_beds": self.mean_beds, "nursing_bed_ratio": self.nursing_bed_ratio,
            "homes_per_practice": self.homes_per_practice, "list_size_mean": self.list_size_mean,
            "patients_per_gp": self.patients_per_gp, "patients_per_nurse": self.patients_per_nurse,
            "patients_per_pharmacist": self.patients_per_pharmacist, "patients_per_other": self.patients_per_other,
            "temporary_median_days": self.temporary_median_days, "permanent_median_days": self.permanent_median_days,
            "admission_median_days": self.admission_median_days,
        }
        for name, value in positive.items():
            if not value > 0:
                raise _api.ArgumentError(f"{name} {value} must be positive")
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, Timeliness):
                value.check(f.name)


# ---------------------------------------------------------------------------------------------------------
# The schemes' obligations, as the generator times the work for them

#: Days in an interval's unit, for the generator's timing windows only (a month taken as 30 days, a year as
#: twelve of them); due dates themselves are the engine's, from the scheme.
_UNIT_DAYS = {"days": 1, "weeks": 7, "months": 30, "years": 360}
#: Work done on time for a one-off obligation falls in the last days before it is due, at most this many.
_ENTRY_WINDOW_DAYS = 30


class _Rule:
    """One obligation of a built-in scheme (data/schemes/): its due dates as the engine counts them (the
    scheme's interval and month-end policy, by the C++ library) and the activities that meet it."""

    def __init__(self, scheme: _api.Scheme, obligation: str) -> None:
        self.scheme = scheme
        self.id = obligation
        spec = next(o for o in scheme.obligations if o["id"] == obligation)
        #: The first activity each requirement accepts, in the scheme's order.
        self.activities: tuple[str, ...] = tuple(str(r["any_of"][0]) for r in spec["requirements"])
        self.anchor_age: int | None = spec["anchor_age"]
        count, unit = scheme.interval(obligation)
        # Working days: five in a week of seven.
        self.days = count * 7 // 5 if unit == "working days" else count * _UNIT_DAYS[unit]

    def due(self, days: IntArray) -> IntArray:
        """Due days of instances anchored (or last done) on ``days``."""
        return self.scheme.due_after_days(self.id, days)

    @property
    def activity(self) -> int:
        """The index in ACTIVITIES of the activity that meets the obligation's first requirement."""
        return _A[self.activities[0]]

    @property
    def entry_window(self) -> int:
        """Days before the due date in which one-off work done on time falls."""
        return min(self.days, _ENTRY_WINDOW_DAYS)

    @property
    def recurring_window(self) -> int:
        """Days before the due date in which recurring work done on time falls: a quarter of the interval."""
        return max(1, self.days // 4)


class _Rules:
    """The obligations of the two built-in schemes that the generator records work for."""

    def __init__(self) -> None:
        es = _api.scheme("care-homes-es")
        cm = _api.scheme("case-management-les")
        self.es_start = es.start
        self.cm_start = cm.start
        self.entry_assessment = _Rule(es, "entry-assessment")
        self.care_plan = _Rule(es, "care-plan")
        self.preferred_place_of_death = _Rule(es, "preferred-place-of-death")
        self.seen_2_monthly = _Rule(es, "seen-2-monthly")
        self.gp_review = _Rule(es, "gp-review-6-monthly")
        self.care_plan_review = _Rule(es, "care-plan-review-6-monthly")
        self.medication_review = _Rule(es, "medication-review-6-monthly")
        self.admission_review = _Rule(es, "admission-review")
        self.care_plan_printed = _Rule(es, "care-plan-printed")
        self.clinic_visit = _Rule(es, "clinic-fortnightly")
        self.manager_meeting = _Rule(es, "manager-meeting-2-monthly")
        self.training = (_Rule(es, "safeguarding-training-3-yearly"), _Rule(es, "mca-training-3-yearly"))
        self.case_management_initial_review = _Rule(cm, "case-management-initial-review")
        self.case_management_review = _Rule(cm, "case-management-review")
        self.health_review = _Rule(cm, "health-review-annual")


# ---------------------------------------------------------------------------------------------------------
# The event buffer


class _Events:
    """Events as parallel arrays, appended a whole array at a time."""

    def __init__(self) -> None:
        self.day: list[IntArray] = []
        self.kind: list[npt.NDArray[np.int8]] = []  # 0 resident, 1 home, 2 clinician
        self.subject: list[IntArray] = []
        self.activity: list[npt.NDArray[np.int16]] = []
        self.practice: list[IntArray] = []  # whose clinicians perform it (-1: no performer)
        self.unqualified: list[BoolArray] = []

    def add(self, day: IntArray, kind: int, subject: IntArray, activity: int | npt.NDArray[np.int16],
            practice: IntArray, unqualified: BoolArray | None = None) -> None:
        n = len(day)
        if n == 0:
            return
        # Compact types (days, subjects and practices fit 32 bits): the national population holds tens of
        # millions of events here.
        self.day.append(np.asarray(day, dtype=np.int32))
        self.kind.append(np.full(n, kind, dtype=np.int8))
        self.subject.append(np.asarray(subject, dtype=np.int32))
        act = np.full(n, activity, dtype=np.int16) if np.isscalar(activity) else np.asarray(activity, dtype=np.int16)
        self.activity.append(act)
        self.practice.append(np.asarray(practice, dtype=np.int32))
        self.unqualified.append(np.zeros(n, dtype=bool) if unqualified is None else unqualified)

    def arrays(self) -> tuple[IntArray, npt.NDArray[np.int8], IntArray, npt.NDArray[np.int16], IntArray, BoolArray]:
        def cat(parts: list[Any], dtype: Any) -> Any:
            out = np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)
            parts.clear()  # the pieces are not needed again
            return out

        return (cat(self.day, np.int32), cat(self.kind, np.int8), cat(self.subject, np.int32),
                cat(self.activity, np.int16), cat(self.practice, np.int32), cat(self.unqualified, bool))


# ---------------------------------------------------------------------------------------------------------
# Work done on time, late or never


def _complete(rng: np.random.Generator, due: IntArray, opened: IntArray, t: Timeliness,
              window: int) -> tuple[IntArray, BoolArray]:
    """Completion days for instances due on ``due`` that opened on ``opened`` (completion is after it).

    On time: a day in the ``window`` days up to the due date (not before the opening day). Late: 1 +
    Exponential(late_mean_days) days after it. Never: not done (the boolean is False).
    """
    n = len(due)
    u = rng.random(n)
    on_time = u < t.on_time
    late = (~on_time) & (u < t.on_time + t.late)
    earliest = np.maximum(opened, due - window)
    span = np.maximum(due - earliest + 1, 1)
    on_day = earliest + (rng.random(n) * span).astype(np.int64)
    late_day = due + 1 + np.floor(rng.exponential(t.late_mean_days, n)).astype(np.int64)
    day = np.where(on_time, on_day, late_day)
    return day, on_time | late


def _chain(rng: np.random.Generator, anchor: IntArray, scope_end: IntArray, t: Timeliness, rule: _Rule, *,
           first_done: IntArray | None = None) -> tuple[IntArray, IntArray]:
    """A recurring obligation's completions: (row of the chain, day) for every completion before scope_end.

    The first instance is due one interval after ``anchor``; each next one an interval after the previous
    completion (as the engine counts them). ``first_done`` (or -1) is a completion already recorded by other
    work (the entry assessment's medication review, say): the chain continues from it.
    """
    rows_out: list[IntArray] = []
    days_out: list[IntArray] = []
    rows = np.arange(len(anchor), dtype=np.int64)
    prev = anchor.astype(np.int64)
    if first_done is not None:
        has = first_done >= 0
        prev = np.where(has, first_done, prev)
    window = rule.recurring_window
    while len(rows):
        due = rule.due(prev)
        day, done = _complete(rng, due, prev + 1, t, window)
        keep = done & (day <= scope_end[rows])
        rows, day = rows[keep], day[keep]
        rows_out.append(rows)
        days_out.append(day)
        prev = day
    if not rows_out:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows_out), np.concatenate(days_out)


def _lognormal(rng: np.random.Generator, median: float, sigma: float, n: int) -> FloatArray:
    return np.asarray(median * np.exp(sigma * rng.standard_normal(n)), dtype=np.float64)


# ---------------------------------------------------------------------------------------------------------
# The generator


@dataclass
class _World:
    """Arrays of the simulated population (indices into each collection)."""

    n_practices: int = 0
    list_size: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    n_homes: int = 0
    home_practice: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))  # -1: not aligned
    home_kind_nursing: BoolArray = field(default_factory=lambda: np.zeros(0, bool))
    home_beds: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    home_lead_gp: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))  # -1: none
    clin_practice: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))
    clin_role: npt.NDArray[np.int8] = field(default_factory=lambda: np.zeros(0, np.int8))  # 0 gp,1 qn,2 ph,3 other,4 nurse
    role_start: IntArray = field(default_factory=lambda: np.zeros((0, 5), np.int64))
    role_count: IntArray = field(default_factory=lambda: np.zeros((0, 5), np.int64))


def generate(params: Parameters | None = None, seed: int = 0) -> dict[str, pd.DataFrame]:
    """A synthetic population: {collection: DataFrame}, columns as :func:`carerules.population_from_frames`
    reads them (dates as datetime64, ids as text, ``cohort_reason``/``cohort_from``, qualifications joined
    with ";"). The same parameters and seed give the same frames."""
    p = params if params is not None else Parameters()
    p.check()
    rng = np.random.Generator(np.random.PCG64(seed))
    return _Generator(p, rng).run()


class _Generator:
    def __init__(self, p: Parameters, rng: np.random.Generator) -> None:
        self.p = p
        self.rng = rng
        self.start = _day(p.start)
        self.end = _day(p.end)
        self.origin = _day(_api.add_years(p.start, -p.burn_in_years))
        self.rules = _Rules()
        self.es_start = _day(self.rules.es_start)
        self.cm_start = _day(self.rules.cm_start)
        self.events = _Events()
        self.w = _World()

    # --- structure

    def homes_and_practices(self) -> None:
        p, rng, w = self.p, self.rng, self.w
        n_homes = max(1, round(p.residents / (p.occupancy * p.mean_beds)))
        w.n_homes = n_homes
        nursing = rng.random(n_homes) < p.nursing_home_share
        # Residential mean r and nursing mean ratio*r so that the overall mean is mean_beds.
        residential_mean = p.mean_beds / (1.0 + p.nursing_home_share * (p.nursing_bed_ratio - 1.0))
        mean = np.where(nursing, residential_mean * p.nursing_bed_ratio, residential_mean)
        median = mean * math.exp(-p.beds_sigma**2 / 2)
        beds = np.maximum(3, np.round(median * np.exp(p.beds_sigma * rng.standard_normal(n_homes)))).astype(np.int64)
        w.home_kind_nursing = nursing
        w.home_beds = beds
        n_practices = max(1, round(n_homes / p.homes_per_practice))
        w.n_practices = n_practices
        # Homes to practices in contiguous runs: practice k holds homes [k*n/h ...).
        w.home_practice = (np.arange(n_homes, dtype=np.int64) * n_practices) // n_homes
        unaligned = rng.random(n_homes) < p.unaligned_home_share
        if n_homes > 1:
            w.home_practice = np.where(unaligned, -1, w.home_practice)
        sizes = np.maximum(1000, np.round(p.list_size_mean * np.exp(0.45 * rng.standard_normal(n_practices) - 0.45**2 / 2)))
        w.list_size = sizes.astype(np.int64)

        # Clinicians, practice by practice in blocks of roles: gp, qualified nurse, pharmacist, other, nurse.
        ls = w.list_size.astype(np.float64)
        nurses = np.maximum(2, np.round(ls / p.patients_per_nurse)).astype(np.int64)
        qualified = np.maximum(1, np.round(nurses * p.qualified_nurse_share)).astype(np.int64)
        counts = np.stack([
            np.maximum(1, np.round(ls / p.patients_per_gp)).astype(np.int64),
            qualified,
            np.maximum(1, np.round(ls / p.patients_per_pharmacist)).astype(np.int64),
            np.maximum(1, np.round(ls / p.patients_per_other)).astype(np.int64),
            np.maximum(0, nurses - qualified),
        ], axis=1)
        flat = counts.reshape(-1)
        starts = np.concatenate([[0], np.cumsum(flat)[:-1]]).reshape(counts.shape)
        w.role_start, w.role_count = starts, counts
        total = int(flat.sum())
        w.clin_practice = np.repeat(np.repeat(np.arange(n_practices), 5), flat)
        w.clin_role = np.repeat(np.tile(np.arange(5, dtype=np.int8), n_practices), flat)
        # Lead GP: a GP of the aligned practice.
        hp = np.maximum(w.home_practice, 0)
        lead = starts[hp, 0] + (rng.random(n_homes) * counts[hp, 0]).astype(np.int64)
        no_lead = (w.home_practice < 0) | (rng.random(n_homes) < p.no_lead_gp_share)
        w.home_lead_gp = np.where(no_lead, -1, lead)
        assert total == len(w.clin_practice)

    # --- beds: one renewal process per bed

    def residences(self) -> dict[str, Any]:
        """Residences of every bed from the burn-in origin to the extract's end, as arrays."""
        p, rng, w = self.p, self.rng, self.w
        bed_home = np.repeat(np.arange(w.n_homes, dtype=np.int64), w.home_beds)
        n_beds = len(bed_home)
        perm_sigma = math.sqrt(2.0 * math.log(p.permanent_mean_days / p.permanent_median_days))
        # Mean occupied time per resident, and so the vacancy that gives the occupancy asked for.
        temp_mean = p.temporary_median_days * math.exp(p.temporary_sigma**2 / 2)
        occupied = (p.temporary_share * (temp_mean + p.temporary_to_permanent_share * p.permanent_mean_days)
                    + (1 - p.temporary_share) * p.permanent_mean_days)
        vacancy_mean = occupied * (1.0 / p.occupancy - 1.0) if p.occupancy < 1 else 0.0

        cols: dict[str, list[Any]] = {k: [] for k in ("home", "start", "temp_days", "perm_days", "outcome")}
        beds = np.arange(n_beds, dtype=np.int64)
        # Each bed starts at the origin part-way through a vacancy.
        t = self.origin + np.floor(rng.random(n_beds) * (2 * vacancy_mean + 1)).astype(np.int64)
        while len(beds):
            live = t <= self.end
            beds, t = beds[live], t[live]
            n = len(beds)
            if n == 0:
                break
            temporary = rng.random(n) < p.temporary_share
            temp_days = np.where(temporary, np.maximum(1, np.round(_lognormal(rng, p.temporary_median_days, p.temporary_sigma, n))), 0).astype(np.int64)
            u = rng.random(n)
            # Outcome codes: 0 discharge, 1 death, 2 transfer (permanent), 3 temporary becomes permanent.
            temp_outcome = np.where(u < p.temporary_to_permanent_share, 3,
                                    np.where(u < p.temporary_to_permanent_share + p.temporary_death_share, 1, 0))
            has_perm = ~temporary | (temp_outcome == 3)
            perm_days = np.where(has_perm, np.maximum(1, np.round(np.minimum(
                _lognormal(rng, p.permanent_median_days, perm_sigma, n), 25 * 365.25))), 0).astype(np.int64)
            v = rng.random(n)
            perm_outcome = np.where(v < p.permanent_death_share, 1, np.where(v < p.permanent_death_share + p.transfer_share, 2, 0))
            outcome = np.where(has_perm, perm_outcome, temp_outcome)
            cols["home"].append(bed_home[beds])
            cols["start"].append(t)
            cols["temp_days"].append(temp_days)
            cols["perm_days"].append(perm_days)
            cols["outcome"].append(outcome)
            # The bed is free the day after the resident leaves; then a vacancy.
            stay_end = t + temp_days + perm_days  # inclusive last day is stay_end - 1 (+ 1 when converted)
            vacancy = np.floor(rng.exponential(vacancy_mean, n)).astype(np.int64) if vacancy_mean > 0 else np.zeros(n, np.int64)
            t = stay_end + 1 + vacancy
        return {k: np.concatenate(v) if v else np.zeros(0, np.int64) for k, v in cols.items()}

    def run(self) -> dict[str, pd.DataFrame]:
        self.homes_and_practices()
        res = self.residences()
        return self.build(res)

    # --- performers

    def performers(self, practice: IntArray, activity: npt.NDArray[np.int16], unqualified: BoolArray) -> IntArray:
        """A clinician index per event (-1: none), of a role the activity's schemes accept."""
        rng, w = self.rng, self.w
        n = len(practice)
        out = np.full(n, -1, dtype=np.int64)
        probs = np.array([_PERFORMERS.get(a, (1.0, 0.0, 0.0, 0.0)) for a in ACTIVITIES])
        cum = np.cumsum(probs, axis=1)
        has = practice >= 0
        u = rng.random(n)
        # The role: how many of the activity's cumulative role shares u passes (one column at a time).
        role = np.zeros(n, dtype=np.int64)
        for k in range(3):
            role += u > cum[activity, k]
        role = np.where(unqualified, 4, role)  # a nurse without the qualifications (or other staff)
        pr = np.maximum(practice, 0)
        count = w.role_count[pr, role]
        role = np.where(count == 0, 3, role)
        count = w.role_count[pr, role]
        pick = w.role_start[pr, role] + (rng.random(n) * count).astype(np.int64)
        out = np.where(has, pick, -1)
        none = rng.random(n) < self.p.no_performer_share
        return np.where(none & ~unqualified, -1, out)

    # --- the population

    def build(self, res: dict[str, Any]) -> dict[str, pd.DataFrame]:
        p, rng, w = self.p, self.rng, self.w
        home = res["home"]
        start = res["start"]
        temp_days = res["temp_days"]
        perm_days = res["perm_days"]
        outcome = res["outcome"]
        n = len(home)
        # Residence's last day (inclusive): a temporary stay covers [start, start + temp_days - 1]; a permanent
        # one after it starts the next day.
        last = start + temp_days + perm_days - 1
        # A transfer: a second residence in another home, from the next day, with a new permanent stay.
        transfer = outcome == 2
        k = int(transfer.sum())
        t_idx = np.flatnonzero(transfer)
        # Another home of the same practice where it has one (homes are numbered practice by practice), else
        # any other home.
        base = (np.arange(w.n_homes, dtype=np.int64) * w.n_practices) // w.n_homes
        origin_home = home[t_idx]
        lo = np.searchsorted(base, base[origin_home], side="left")
        hi = np.searchsorted(base, base[origin_home], side="right")
        within = lo + (rng.random(k) * np.maximum(hi - lo - 1, 1)).astype(np.int64)
        within = np.where(within >= origin_home, within + 1, within)
        anywhere = rng.integers(0, max(w.n_homes - 1, 1), k)
        anywhere = np.where(anywhere >= origin_home, anywhere + 1, anywhere)
        dest = np.where(hi - lo >= 2, within, anywhere) if w.n_homes > 1 else origin_home
        dest = np.minimum(dest, w.n_homes - 1)
        perm_sigma = math.sqrt(2.0 * math.log(p.permanent_mean_days / p.permanent_median_days))
        t_perm = np.maximum(1, np.round(np.minimum(_lognormal(rng, p.permanent_median_days, perm_sigma, k), 25 * 365.25))).astype(np.int64)
        v = rng.random(k)
        death_after = p.permanent_death_share / max(1e-9, p.permanent_death_share + (1 - p.permanent_death_share - p.transfer_share))
        t_outcome = np.where(v < death_after, 1, 0)

        # Persons: one per residence of a bed; a transfer's second residence is the same person.
        person = np.arange(n, dtype=np.int64)
        r_home = np.concatenate([home, dest])
        r_start = np.concatenate([start, last[t_idx] + 1])
        r_temp = np.concatenate([temp_days, np.zeros(k, np.int64)])
        r_perm = np.concatenate([perm_days, t_perm])
        r_outcome = np.concatenate([outcome, t_outcome])
        r_person = np.concatenate([person, person[t_idx]])
        r_last = r_start + r_temp + r_perm - 1
        # Keep the people with a residence overlapping the period (their whole history); drop what starts
        # after the extract's end.
        overlaps = (r_last >= self.start) & (r_start <= self.end)
        kept_person = np.zeros(n, dtype=bool)
        kept_person[r_person[overlaps]] = True
        keep = kept_person[r_person] & (r_start <= self.end)
        r_home, r_start, r_temp, r_perm, r_outcome, r_person, r_last = (
            a[keep] for a in (r_home, r_start, r_temp, r_perm, r_outcome, r_person, r_last))
        # Dense resident numbers in order of first entry.
        order = np.lexsort((r_start, r_person))
        r_home, r_start, r_temp, r_perm, r_outcome, r_person, r_last = (
            a[order] for a in (r_home, r_start, r_temp, r_perm, r_outcome, r_person, r_last))
        uniq, resident = np.unique(r_person, return_inverse=True)
        n_res = len(uniq)
        first_row = np.searchsorted(resident, np.arange(n_res))
        first_start = r_start[first_row]
        first_home = r_home[first_row]

        # Residents: age on entry, registration, cohort.
        older = rng.random(n_res) < p.share_65_plus
        age = np.where(older, p.entry_age_mean + p.entry_age_sd * rng.standard_normal(n_res), 18 + 47 * rng.random(n_res))
        age = np.where(older & (age < 65), 130 - age, age)  # reflect at 65
        age = np.minimum(age, 104.5)
        born = first_start - np.floor(age * 365.2425).astype(np.int64)
        aligned = w.home_practice[first_home]
        elsewhere = (rng.random(n_res) < p.registered_elsewhere_share) | (aligned < 0)
        other_practice = rng.integers(0, w.n_practices, n_res)
        if w.n_practices > 1:
            other_practice = np.where(other_practice == aligned, (other_practice + 1) % w.n_practices, other_practice)
        practice = np.where(elsewhere, other_practice, aligned)
        declined = elsewhere & (aligned >= 0) & (rng.random(n_res) < p.declined_share)
        in_cohort = rng.random(n_res) < p.cohort_share
        # Died: the last residence ended in death on or before the extract's end.
        last_row = np.append(first_row[1:], len(resident)) - 1
        died_row = np.where((r_outcome[last_row] == 1) & (r_last[last_row] <= self.end), last_row, -1)
        died_on = np.where(died_row >= 0, r_last[np.maximum(died_row, 0)], np.iinfo(np.int64).max)
        scope_end_alive = np.minimum(died_on, self.end)

        # Stays: per residence a temporary stay, a permanent stay, or both (converted).
        has_temp = r_temp > 0
        has_perm = r_perm > 0
        temp_last = r_start + r_temp - 1
        s1 = np.flatnonzero(has_temp)
        s2 = np.flatnonzero(has_perm)
        stay_res = np.concatenate([s1, s2])
        stay_start = np.concatenate([r_start[s1], np.where(has_temp[s2], temp_last[s2] + 1, r_start[s2])])
        stay_last = np.concatenate([temp_last[s1], r_last[s2]])
        stay_perm = np.concatenate([np.zeros(len(s1), bool), np.ones(len(s2), bool)])
        # End reasons: a temporary stay followed by a permanent one is discharged into it (same home, next day).
        reason_code = np.concatenate([np.where(has_perm[s1], 0, r_outcome[s1]), r_outcome[s2]])
        visible = stay_start <= self.end
        stay_res, stay_start, stay_last, stay_perm, reason_code = (
            a[visible] for a in (stay_res, stay_start, stay_last, stay_perm, reason_code))
        ended = stay_last <= self.end
        so = np.lexsort((stay_start, resident[stay_res]))
        stay_res, stay_start, stay_last, stay_perm, reason_code, ended = (
            a[so] for a in (stay_res, stay_start, stay_last, stay_perm, reason_code, ended))

        # Residence facts for the schemes.
        res_resident = resident
        res_practice = practice[res_resident]
        res_eligible = (w.home_practice[r_home] >= 0) & (w.home_practice[r_home] == res_practice)
        res_scope_end = np.minimum(r_last, self.end)
        perm_start = np.where(has_perm, np.where(has_temp, temp_last + 1, r_start), -1)

        ev = self.events
        A = _A
        # --- register markers
        mk = np.flatnonzero(has_temp & (r_start <= self.end))
        ev.add(r_start[mk] + rng.integers(0, 3, len(mk)), 0, res_resident[mk], A["lives_temporarily_in_care_home"], res_practice[mk])
        pk = np.flatnonzero(has_perm & (perm_start <= self.end))
        ev.add(perm_start[pk] + rng.integers(0, 3, len(pk)), 0, res_resident[pk], A["lives_in_care_home"], res_practice[pk])
        dr = np.flatnonzero(declined)
        ev.add(first_start[dr] + rng.integers(0, 7, len(dr)), 0, dr, A["declined_aligned_practice"], practice[dr])
        dead = np.flatnonzero(died_row >= 0)
        in_home = dead[rng.random(len(dead)) < p.died_in_home_share]
        ev.add(died_on[in_home], 0, in_home, A["died_in_care_home"], practice[in_home])

        # --- care-homes-es, per eligible residence (natural anchors before the scheme's start owe no entry work)
        el = np.flatnonzero(res_eligible)
        anchor = np.maximum(r_start[el], self.es_start)
        scope = res_scope_end[el]
        new = r_start[el] >= self.es_start
        rules = self.rules
        # Entry assessment: holistic, MCA, medication review, falls (and care planning), dementia optional.
        entry = rules.entry_assessment
        e_rows = el[new]
        due = entry.due(r_start[e_rows])
        day, done = _complete(rng, due, r_start[e_rows], p.entry_assessment, entry.entry_window)
        ok = done & (day <= res_scope_end[e_rows])
        partial = ~done  # never completed: some components recorded, MCA and falls never
        c_rows, c_day = e_rows[ok], day[ok]
        entry_med = np.full(len(r_home), -1, dtype=np.int64)
        entry_seen = np.full(len(r_home), -1, dtype=np.int64)
        for name in entry.activities:
            offset = (rng.random(len(c_rows)) * (c_day - r_start[c_rows] + 1)).astype(np.int64)
            d = np.where(rng.random(len(c_rows)) < 0.5, c_day, r_start[c_rows] + offset)
            d = np.minimum(d, c_day)
            ev.add(d, 0, res_resident[c_rows], A[name], res_practice[c_rows])
            if name == "medication_review":
                entry_med[c_rows] = d
            if name == "holistic_assessment":
                entry_seen[c_rows] = d
        dem = rng.random(len(c_rows)) < 0.5
        ev.add(c_day[dem], 0, res_resident[c_rows[dem]], A["dementia_assessment"], res_practice[c_rows[dem]])
        part_rows = e_rows[partial]
        part_day = r_start[part_rows] + rng.integers(0, entry.days, len(part_rows))
        pv = part_day <= res_scope_end[part_rows]
        part_rows, part_day = part_rows[pv], part_day[pv]
        ev.add(part_day, 0, res_resident[part_rows], A["holistic_assessment"], res_practice[part_rows])
        ev.add(part_day, 0, res_resident[part_rows], A["medication_review"], res_practice[part_rows])
        entry_med[part_rows] = part_day
        entry_seen[part_rows] = part_day

        # Care plan and preferred place of death: within 3 months of permanent residency.
        pr_rows = el[(perm_start[el] >= self.es_start)]
        care_plan_rows: list[IntArray] = []
        care_plan_days: list[IntArray] = []
        for rule, t in ((rules.care_plan, p.care_plan), (rules.preferred_place_of_death, p.preferred_place_of_death)):
            due = rule.due(perm_start[pr_rows])
            day, done = _complete(rng, due, perm_start[pr_rows], t, rule.entry_window)
            ok = done & (day <= res_scope_end[pr_rows])
            ev.add(day[ok], 0, res_resident[pr_rows[ok]], rule.activity, res_practice[pr_rows[ok]])
            if rule is rules.care_plan:
                care_plan_rows.append(pr_rows[ok])
                care_plan_days.append(day[ok])
        # Care plan reviews every 6 months from the first care plan.
        first_cp_rows = care_plan_rows[0]
        first_cp_days = care_plan_days[0]
        rows, days = _chain(rng, first_cp_days, res_scope_end[first_cp_rows], p.care_plan_review, rules.care_plan_review)
        ev.add(days, 0, res_resident[first_cp_rows[rows]], rules.care_plan_review.activity, res_practice[first_cp_rows[rows]])
        care_plan_rows.append(first_cp_rows[rows])
        care_plan_days.append(days)
        # Every care plan printed for the home within 7 days.
        cp_rows = np.concatenate(care_plan_rows)
        cp_days = np.concatenate(care_plan_days)
        printed = rules.care_plan_printed
        day, done = _complete(rng, printed.due(cp_days), cp_days, p.care_plan_printed, printed.entry_window)
        ok = done & (day <= res_scope_end[cp_rows])
        ev.add(day[ok], 0, res_resident[cp_rows[ok]], printed.activity, res_practice[cp_rows[ok]])

        # Recurring resident reviews.
        rows, days = _chain(rng, anchor, scope, p.seen_2_monthly, rules.seen_2_monthly, first_done=entry_seen[el])
        seen_kind = np.where(rng.random(len(rows)) < 0.7, A["clinic_review"], A["admin_review"]).astype(np.int16)
        ev.add(days, 0, res_resident[el[rows]], seen_kind, res_practice[el[rows]])
        rows, days = _chain(rng, anchor, scope, p.gp_review, rules.gp_review)
        ev.add(days, 0, res_resident[el[rows]], rules.gp_review.activity, res_practice[el[rows]])
        rows, days = _chain(rng, anchor, scope, p.medication_review, rules.medication_review, first_done=entry_med[el])
        ev.add(days, 0, res_resident[el[rows]], rules.medication_review.activity, res_practice[el[rows]])

        # --- admissions during residences (all residences: hospital use does not depend on the scheme)
        vis_last = np.minimum(r_last, self.end)
        length = np.maximum(0, vis_last - r_start + 1)
        adm_parts: dict[str, list[Any]] = {k: [] for k in ("row", "start", "method")}
        for method, rate in ((0, p.emergency_admissions_per_year), (1, p.elective_admissions_per_year)):
            count = rng.poisson(rate * length / 365.25)
            rows = np.repeat(np.arange(len(r_start)), count)
            adm_parts["row"].append(rows)
            adm_parts["start"].append(r_start[rows] + (rng.random(len(rows)) * length[rows]).astype(np.int64))
            adm_parts["method"].append(np.full(len(rows), method, np.int8))
        a_row = np.concatenate(adm_parts["row"])
        a_start = np.concatenate(adm_parts["start"])
        a_method = np.concatenate(adm_parts["method"])
        a_len = np.maximum(0, np.round(_lognormal(rng, p.admission_median_days, p.admission_sigma, len(a_row)))).astype(np.int64)
        a_end = np.minimum(a_start + a_len, r_last[a_row])  # a death in hospital ends both on the same day
        a_open = a_end > self.end
        ao = np.lexsort((a_start, res_resident[a_row]))
        a_row, a_start, a_method, a_end, a_open = (x[ao] for x in (a_row, a_start, a_method, a_end, a_open))
        # Emergency admission marker (the discharge letter, a few days after admission) and the review.
        em = np.flatnonzero(a_method == 0)
        mday = a_start[em] + rng.integers(1, 6, len(em))
        okm = mday <= np.minimum(r_last[a_row[em]], self.end)
        ev.add(mday[okm], 0, res_resident[a_row[em[okm]]], A["emergency_admission"], res_practice[a_row[em[okm]]])
        rev = em[res_eligible[a_row[em]] & ~a_open[em] & (a_start[em] >= self.es_start)]
        review = rules.admission_review
        day, done = _complete(rng, review.due(a_end[rev]), a_end[rev], p.admission_review, review.entry_window)
        ok = done & (day <= res_scope_end[a_row[rev]])
        ev.add(day[ok], 0, res_resident[a_row[rev[ok]]], review.activity, res_practice[a_row[rev[ok]]])

        # Out-of-hours contacts, significant events and extra clinic reviews during residences.
        for name, rate in (("ooh_contact", p.ooh_contacts_per_year), ("significant_event", p.significant_events_per_year),
                           ("clinic_review", p.extra_clinic_reviews_per_year)):
            count = rng.poisson(rate * length / 365.25)
            rows = np.repeat(np.arange(len(r_start)), count)
            d = r_start[rows] + (rng.random(len(rows)) * length[rows]).astype(np.int64)
            unq = (rng.random(len(rows)) < p.unqualified_share) if name == "clinic_review" else None
            ev.add(d, 0, res_resident[rows], A[name], res_practice[rows], unq)

        # --- case management: care home residents in the cohort from their first entry
        cm = np.flatnonzero(in_cohort)
        cohort_from = np.full(n_res, NO_DAY, dtype=np.int64)
        cohort_from[cm] = first_start[cm]
        self.case_management(cm, cohort_from[cm], scope_end_alive[cm], practice[cm])
        # Health reviews for those aged 75 and over who are not case managed (from the 75th birthday, or the
        # scheme's start), until they join the cohort, die or the extract ends.
        self.health_reviews(np.arange(n_res), born, np.where(in_cohort, first_start - 1, scope_end_alive), practice)

        # --- community cohort members (no stays)
        c_practice, c_reason, c_from, c_born, c_score = self.community()
        n_comm = len(c_practice)
        comm_ids = n_res + np.arange(n_comm)
        self.case_management(comm_ids, c_from, np.full(n_comm, self.end, np.int64), c_practice)

        # --- homes: clinics and manager meetings from the first day a resident of the aligned practice lives there
        hs = np.flatnonzero(res_eligible)
        h_first = np.full(w.n_homes, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(h_first, r_home[hs], r_start[hs])
        homes = np.flatnonzero(h_first <= self.end)
        h_anchor = np.maximum(h_first[homes], self.es_start)
        h_end = np.full(len(homes), self.end, np.int64)
        rows, days = _chain(rng, h_anchor, h_end, p.clinic_visit, rules.clinic_visit)
        ev.add(days, 1, homes[rows], rules.clinic_visit.activity, w.home_practice[homes[rows]])
        rows, days = _chain(rng, h_anchor, h_end, p.manager_meeting, rules.manager_meeting)
        ev.add(days, 1, homes[rows], rules.manager_meeting.activity, w.home_practice[homes[rows]])
        # --- training: every GP of a practice aligned to a home, every 3 years from the scheme's start
        aligned_practices = np.unique(w.home_practice[w.home_practice >= 0])
        gps = np.flatnonzero((w.clin_role == 0) & np.isin(w.clin_practice, aligned_practices))
        for training in rules.training:
            g_anchor = np.full(len(gps), self.es_start, np.int64)
            rows, days = _chain(rng, g_anchor, np.full(len(gps), self.end, np.int64), p.training, training)
            ev.add(days, 2, gps[rows], training.activity, np.full(len(rows), -1, np.int64))

        return self.frames(
            n_res=n_res, n_comm=n_comm, born=born, practice=practice, declined=declined, in_cohort=in_cohort,
            cohort_from=cohort_from, c_practice=c_practice, c_reason=c_reason, c_from=c_from, c_born=c_born,
            c_score=c_score, stay_res=stay_res, res_resident=res_resident, r_home=r_home, stay_start=stay_start,
            stay_last=stay_last, stay_perm=stay_perm, reason_code=reason_code, ended=ended, a_row=a_row,
            a_start=a_start, a_end=a_end, a_open=a_open, a_method=a_method,
        )

    def case_management(self, who: IntArray, cohort_from: IntArray, scope_end: IntArray, practice: IntArray) -> None:
        p, rng, ev = self.p, self.rng, self.events
        natural_ok = cohort_from >= self.cm_start
        rows = np.flatnonzero(natural_ok & (cohort_from <= scope_end))
        initial, review = self.rules.case_management_initial_review, self.rules.case_management_review
        due = initial.due(cohort_from[rows])
        day, done = _complete(rng, due, cohort_from[rows], p.case_management_initial_review, initial.entry_window)
        ok = done & (day <= scope_end[rows])
        first_rows, first_days = rows[ok], day[ok]
        ev.add(first_days, 0, who[first_rows], initial.activity, practice[first_rows])
        chain_rows, days = _chain(rng, first_days, scope_end[first_rows], p.case_management_review, review)
        r = first_rows[chain_rows]
        ev.add(days, 0, who[r], review.activity, practice[r])

    def health_reviews(self, who: IntArray, born: IntArray, scope_end: IntArray, practice: IntArray) -> None:
        p, rng, ev = self.p, self.rng, self.events
        rule = self.rules.health_review
        assert rule.anchor_age is not None  # the health review is owed from a birthday
        anchor = np.maximum(_api.birthdays(born, rule.anchor_age), self.cm_start)
        rows = np.flatnonzero(anchor < scope_end)
        chain_rows, days = _chain(rng, anchor[rows], scope_end[rows], p.health_review, rule)
        r = rows[chain_rows]
        ev.add(days, 0, who[r], rule.activity, practice[r])

    def community(self) -> tuple[IntArray, npt.NDArray[np.int8], IntArray, IntArray, FloatArray]:
        """Community cohort members of each practice: (practice, reason 1 risk tool / 2 judgement, from, born, score)."""
        p, rng, w = self.p, self.rng, self.w
        risk = rng.poisson(w.list_size * p.community_risk_tool_share)
        judgement = rng.poisson(w.list_size * p.community_clinical_judgement_share)
        practice = np.concatenate([np.repeat(np.arange(w.n_practices), risk), np.repeat(np.arange(w.n_practices), judgement)])
        reason = np.concatenate([np.ones(int(risk.sum()), np.int8), np.full(int(judgement.sum()), 2, np.int8)])
        n = len(practice)
        # Joined the cohort at some time over the last few years (uniformly from the burn-in origin).
        joined = self.origin + (rng.random(n) * (self.end - self.origin + 1)).astype(np.int64)
        age = 65 + 25 * rng.beta(2.0, 2.0, n)
        born = joined - np.floor(age * 365.2425).astype(np.int64)
        score = np.where(reason == 1, 0.7 + 0.3 * rng.random(n), 0.3 + 0.4 * rng.random(n))
        return (practice.astype(np.int64), np.asarray(reason, dtype=np.int8), joined, born,
                np.asarray(np.round(score, 3), dtype=np.float64))

    # --- frames

    def frames(self, **a: Any) -> dict[str, pd.DataFrame]:
        rng, w = self.rng, self.w
        events = self.event_arrays()
        text = _Text({
            "P": w.n_practices, "Practice ": w.n_practices, "C": len(w.clin_practice), "H": w.n_homes,
            "Care Home ": w.n_homes, "R": a["n_res"] + a["n_comm"], "S": len(a["stay_res"]), "A": len(a["a_row"]),
            "E": len(events[0]),
        })
        out: dict[str, pd.DataFrame] = {}
        np_ = w.n_practices
        out["practices"] = pd.DataFrame({
            "id": text.ids("P", np.arange(np_)),
            "name": text.ids("Practice ", np.arange(np_)),
            "list_size": w.list_size,
        })
        n_clin = len(w.clin_practice)
        qual_names = np.array(["", *_QUALIFICATIONS, _QUALIFICATIONS[0] + ";" + _QUALIFICATIONS[2]], dtype=object)
        qn = w.clin_role == 1
        qual_pick = np.where(qn, 1 + (rng.random(n_clin) * 4).astype(np.int64), 0)
        role_names = np.array(["gp", "nurse", "pharmacist", "other", "nurse"], dtype=object)
        out["clinicians"] = pd.DataFrame({
            "id": text.ids("C", np.arange(n_clin)),
            "practice": text.ids("P", w.clin_practice),
            "role": text.categories(role_names, w.clin_role.astype(np.int64)),
            "qualifications": text.categories(qual_names, qual_pick, empty_is_null=True),
        })
        nh = w.n_homes
        out["homes"] = pd.DataFrame({
            "id": text.ids("H", np.arange(nh)),
            "name": text.ids("Care Home ", np.arange(nh)),
            "kind": text.categories(np.array(["residential", "nursing"], dtype=object), w.home_kind_nursing.astype(np.int64)),
            "beds": w.home_beds,
            "practice": text.ids("P", w.home_practice),
            "lead_gp": text.ids("C", w.home_lead_gp),
        })
        n_res, n_comm = a["n_res"], a["n_comm"]
        reasons = np.array(["", "care_home", "risk_tool", "clinical_judgement"], dtype=object)
        reason = np.concatenate([np.where(a["in_cohort"], 1, 0), a["c_reason"].astype(np.int64) + 1])
        cohort_from = np.concatenate([a["cohort_from"], a["c_from"]])
        risk = np.concatenate([np.round(rng.beta(2.5, 2.0, n_res) * 0.69, 3), a["c_score"]])
        has_risk = np.concatenate([rng.random(n_res) < 0.8, np.ones(n_comm, bool)])
        out["residents"] = pd.DataFrame({
            "id": text.ids("R", np.arange(n_res + n_comm)),
            "born": _dates(np.concatenate([a["born"], a["c_born"]])),
            "practice": text.ids("P", np.concatenate([a["practice"], a["c_practice"]])),
            "declined_aligned_practice": np.concatenate([a["declined"], np.zeros(n_comm, bool)]),
            "cohort_reason": text.categories(reasons, reason, empty_is_null=True),
            "cohort_from": _dates(np.where(reason > 0, cohort_from, NO_DAY)),
            "risk_score": np.where(has_risk, risk, np.nan),
        })
        stay_res = a["stay_res"]
        ended = a["ended"]
        n_st = len(stay_res)
        end_reasons = np.array(["discharge", "death", "transfer", "discharge"], dtype=object)
        out["stays"] = pd.DataFrame({
            "id": text.ids("S", np.arange(n_st)),
            "resident": text.ids("R", a["res_resident"][stay_res]),
            "home": text.ids("H", a["r_home"][stay_res]),
            "start": _dates(a["stay_start"]),
            "end": _dates(np.where(ended, a["stay_last"], NO_DAY)),
            "residency": text.categories(np.array(["temporary", "permanent"], dtype=object), a["stay_perm"].astype(np.int64)),
            "end_reason": text.categories(end_reasons, np.where(ended, a["reason_code"], -1)),
        })
        n_ad = len(a["a_row"])
        out["admissions"] = pd.DataFrame({
            "id": text.ids("A", np.arange(n_ad)),
            "resident": text.ids("R", a["res_resident"][a["a_row"]]),
            "start": _dates(a["a_start"]),
            "end": _dates(np.where(a["a_open"], NO_DAY, a["a_end"])),
            "method": text.categories(np.array(["emergency", "elective"], dtype=object), a["a_method"].astype(np.int64)),
        })
        out["events"] = self.event_frame(text, events)
        return out

    def event_arrays(self) -> tuple[Any, ...]:
        """The events recorded by the extract's date, in date order (then subject)."""
        arrays: list[Any] = list(self.events.arrays())
        visible = np.flatnonzero(arrays[0] <= self.end)
        day, kind, subject = (arrays[i][visible] for i in range(3))
        # In date order (then subject), so that event ids follow the calendar; one gather per array.
        span = int(subject.max()) + 1 if len(subject) else 1
        key = (day.astype(np.int64) - self.origin) * (3 * span) + kind.astype(np.int64) * span + subject
        order = visible[np.argsort(key)]
        del key, day, kind, subject
        out = tuple(x[order] for x in arrays)
        arrays.clear()
        return out

    def event_frame(self, text: _Text, events: tuple[Any, ...]) -> pd.DataFrame:
        p, rng = self.p, self.rng
        day, kind, subject, activity, practice, unqualified = events
        n = len(day)
        performer = self.performers(practice, activity, unqualified)
        # Codes: each activity with a default code list is recorded by code in coded_share of its events.
        code_table: list[str] = []
        code_first = np.zeros(len(ACTIVITIES), np.int64)
        code_count = np.zeros(len(ACTIVITIES), np.int64)
        for i, name in enumerate(ACTIVITIES):
            codes = CODES.get(name, ())
            code_first[i] = len(code_table)
            code_count[i] = len(codes)
            code_table.extend(codes)
        coded = (code_count[activity] > 0) & (rng.random(n) < p.coded_share)
        code_index = np.where(coded, code_first[activity] + (rng.random(n) * np.maximum(code_count[activity], 1)).astype(np.int64), -1)
        subject_of = [np.where(kind == k, subject, -1) for k in range(3)]
        return pd.DataFrame({
            "id": text.ids("E", np.arange(n)),
            "date": _dates(day),
            "resident": text.ids("R", subject_of[0]),
            "home": text.ids("H", subject_of[1]),
            "clinician": text.ids("C", subject_of[2]),
            "activity": text.categories(np.array(ACTIVITIES, dtype=object), np.where(coded, -1, activity.astype(np.int64))),
            "code": text.categories(np.array(code_table, dtype=object), code_index),
            "performer": text.ids("C", performer),
        })


NO_DAY = -(2**40)  # a missing day in the day arrays


def _dates(days: IntArray) -> pd.Series:
    """Days since 1970-01-01 (NO_DAY: missing) as a datetime64[s] column (NaT where missing)."""
    values = np.asarray(days, dtype=np.int64)
    missing = values <= NO_DAY
    out = np.where(missing, 0, values).astype("datetime64[D]").astype("datetime64[s]")
    out[missing] = np.datetime64("NaT")
    return pd.Series(out)


class _Text:
    """Text columns built from integers without a Python object per row where pyarrow is there."""

    def __init__(self, counts: Mapping[str, int]) -> None:
        try:
            import pyarrow

            self.pa: Any = pyarrow
        except ImportError:
            self.pa = None
        # Ids of a collection share one width: the digits of its largest number.
        self.count = dict(counts)
        self.width = {prefix: max(1, len(str(max(count - 1, 0)))) for prefix, count in counts.items()}
        self.cache: dict[str, Any] = {}

    def _base(self, prefix: str) -> Any:
        """Every id of a collection, in number order: one Arrow string array (or object array) built once."""
        if prefix in self.cache:
            return self.cache[prefix]
        count, width = self.count[prefix], self.width[prefix]
        head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
        rec = len(head) + width
        buf = np.empty((count, rec), dtype=np.uint8)
        buf[:, : len(head)] = head
        # The numbers 0 .. count-1 in order: the digit worth 10^k is 0..9 each repeated 10^k times, over and over.
        for k in range(width):
            step = 10**k
            cycle = np.repeat(np.arange(48, 58, dtype=np.uint8), step)
            buf[:, len(head) + width - 1 - k] = np.resize(cycle, count)
        if self.pa is not None:
            pa = self.pa
            large = count * rec >= 2**31
            offsets = np.arange(count + 1, dtype=np.int64 if large else np.int32) * rec
            typ = pa.large_string() if large else pa.string()
            base = pa.Array.from_buffers(typ, count, [None, pa.py_buffer(offsets), pa.py_buffer(buf.reshape(-1))])
        else:
            base = buf.reshape(-1).view(f"S{rec}").astype(f"U{rec}").astype(object)
        self.cache[prefix] = base
        return base

    def _series(self, arr: Any) -> pd.Series:
        pa = self.pa
        if pa.types.is_large_string(arr.type):
            return pd.Series(pd.array(arr, dtype=pd.ArrowDtype(arr.type)))
        return pd.Series(pd.arrays.ArrowStringArray(arr))

    def ids(self, prefix: str, numbers: IntArray) -> Any:
        """The ids of the collection named by ``prefix`` for ``numbers`` (missing where negative)."""
        numbers = np.asarray(numbers, dtype=np.int64)
        base = self._base(prefix)
        missing = numbers < 0
        whole = len(numbers) == self.count[prefix] and not missing.any() and bool(
            (numbers == np.arange(len(numbers))).all())
        if self.pa is not None:
            if whole:
                return self._series(base)
            index = self.pa.array(np.where(missing, 0, numbers), mask=missing if missing.any() else None)
            return self._series(base.take(index))
        values = base[np.where(missing, 0, numbers)] if len(base) else np.full(len(numbers), None, dtype=object)
        values[missing] = None
        return pd.Series(values, dtype=object)

    def categories(self, names: npt.NDArray[Any], index: IntArray, empty_is_null: bool = False) -> Any:
        """names[index] (missing where index < 0, or where the name is "" with ``empty_is_null``)."""
        index = np.asarray(index, dtype=np.int64)
        missing = index < 0
        if empty_is_null:
            missing |= np.asarray([s == "" for s in names])[np.maximum(index, 0)]
        if self.pa is not None:
            pa = self.pa
            dictionary = pa.array([str(s) for s in names], type=pa.string())
            idx = pa.array(np.where(missing, 0, index).astype(np.int32), mask=missing)
            arr = pa.DictionaryArray.from_arrays(idx, dictionary).cast(pa.string())
            return pd.Series(pd.arrays.ArrowStringArray(arr))
        values = names[np.maximum(index, 0)].astype(object)
        values[missing] = None
        return pd.Series(values, dtype=object)


# ---------------------------------------------------------------------------------------------------------
# Writers


def _require_pyarrow(what: str) -> Any:
    try:
        import pyarrow
    except ImportError as e:  # pragma: no cover - exercised only where pyarrow is absent
        raise ImportError(f"{what} needs pyarrow: pip install 'carerules[parquet]' (or pyarrow)") from e
    return pyarrow


def write_parquet(frames: Mapping[str, pd.DataFrame], folder: PathLike, compression: str = "zstd") -> dict[str, Path]:
    """Writes each frame to ``folder``/<collection>.parquet (dates as Arrow date32, text dictionary-encoded
    where it repeats); returns the paths written. :func:`carerules.read_parquet` loads the folder."""
    pa = _require_pyarrow("write_parquet")
    import pyarrow.parquet as pq

    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for collection, frame in frames.items():
        if collection not in COLLECTIONS:
            raise _api.ArgumentError(f"{collection!r} is not a collection: expected one of {', '.join(COLLECTIONS)}")
        table = pa.Table.from_pandas(frame, preserve_index=False)
        columns = []
        for name, column in zip(table.column_names, table.columns):
            if pa.types.is_timestamp(column.type):
                column = column.cast(pa.date32())
            elif pa.types.is_large_string(column.type) or pa.types.is_string_view(column.type):
                column = column.cast(pa.string())
            columns.append((name, column))
        table = pa.table(dict(columns))
        path = root / f"{collection}.parquet"
        pq.write_table(table, path, compression=compression, row_group_size=1 << 20)
        written[collection] = path
    return written


_JSON_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    # (column, how it is written): s string, n number, b boolean, d date, q qualifications list
    "practices": (("id", "s"), ("name", "s"), ("list_size", "n")),
    "clinicians": (("id", "s"), ("practice", "s"), ("role", "s"), ("qualifications", "q")),
    "homes": (("id", "s"), ("name", "s"), ("kind", "s"), ("beds", "n"), ("practice", "s"), ("lead_gp", "s")),
    "residents": (("id", "s"), ("born", "d"), ("practice", "s"), ("declined_aligned_practice", "b"),
                  ("cohort", "c"), ("risk_score", "n")),
    "stays": (("id", "s"), ("resident", "s"), ("home", "s"), ("start", "d"), ("end", "d"), ("residency", "s"),
              ("end_reason", "s")),
    "admissions": (("id", "s"), ("resident", "s"), ("start", "d"), ("end", "d"), ("method", "s")),
    "events": (("id", "s"), ("date", "d"), ("resident", "s"), ("home", "s"), ("clinician", "s"), ("activity", "s"),
               ("code", "s"), ("system", "s"), ("performer", "s")),
}


def write_json(frames: Mapping[str, pd.DataFrame], path: PathLike, chunk_rows: int = 500_000) -> Path:
    """Writes the frames as one ``carerules.population/1`` document, one record per line.

    Streamed: each collection is written ``chunk_rows`` records at a time, each block's lines built column by
    column (with pyarrow's string kernels where pyarrow is there, else with json.dumps per record), so memory
    holds one block of text, never the whole document as Python objects. Absent values are left out of their
    record.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="\n") as f:
        f.write('{\n"format": "carerules.population/1"')
        for collection in COLLECTIONS:
            if collection not in frames:
                continue
            frame = frames[collection]
            f.write(f',\n"{collection}": [')
            first = True
            for lines in _json_blocks(collection, frame, chunk_rows):
                if not lines:
                    continue
                f.write("\n" if first else ",\n")
                f.write(lines)
                first = False
            f.write("\n]" if not first else "]")
        f.write("\n}\n")
    return target


def _json_blocks(collection: str, frame: pd.DataFrame, chunk_rows: int) -> Iterator[str]:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        for begin in range(0, len(frame), chunk_rows):
            block = frame.iloc[begin:begin + chunk_rows]
            yield ",\n".join(json.dumps(_record(collection, row), ensure_ascii=False) for row in block.to_dict("records"))
        return
    for begin in range(0, len(frame), chunk_rows):
        yield _arrow_lines(collection, frame.iloc[begin:begin + chunk_rows])


def _present(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return False
    if isinstance(v, float) and math.isnan(v):
        return False
    return True


def _record(collection: str, row: Mapping[Any, Any]) -> dict[str, Any]:
    """One frame row as its JSON record (the fallback writer's path)."""
    out: dict[str, Any] = {}
    for column, how in _JSON_FIELDS[collection]:
        if how == "c":
            reason: Any = row.get("cohort_reason")
            since: Any = row.get("cohort_from")
            if _present(reason) or _present(since):
                out["cohort"] = {"reason": reason if _present(reason) else None,
                                 "from": pd.Timestamp(since).date().isoformat() if _present(since) else None}
            continue
        v: Any = row.get(column)
        if not _present(v):
            continue
        if how == "d":
            out[column] = pd.Timestamp(v).date().isoformat() if not isinstance(v, str) else v
        elif how == "q":
            out[column] = [q for q in str(v).split(";") if q] if isinstance(v, str) else list(v)
        elif how == "b":
            out[column] = bool(v)
        elif how == "n":
            out[column] = int(v) if isinstance(v, (int, np.integer)) or float(v).is_integer() and column != "risk_score" else float(v)
        else:
            out[column] = v
    return out


def _arrow_lines(collection: str, frame: pd.DataFrame) -> str:
    """A block of records as JSON lines, built with pyarrow.compute string kernels (no Python per row)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(frame)
    if n == 0:
        return ""
    parts: list[Any] = []

    def string_of(column: str) -> Any:
        arr = pa.array(frame[column], from_pandas=True)
        if pa.types.is_dictionary(arr.type):
            arr = arr.cast(arr.type.value_type)
        return arr

    def quoted(arr: Any) -> Any:
        arr = arr.cast(pa.string())
        if pc.any(pc.match_substring_regex(arr, r'["\\\x00-\x1f]')).as_py():
            # Characters JSON escapes: json.dumps for every value of this block's column.
            return pa.array([None if v is None else json.dumps(v, ensure_ascii=False) for v in arr.to_pylist()], type=pa.string())
        return pc.binary_join_element_wise('"', arr, '"', "")

    def field(name: str, text: Any) -> None:
        # '"name": text, ' where text is present; "" where absent.
        fragment = pc.binary_join_element_wise(f'"{name}": ', text, "")
        parts.append(pc.fill_null(fragment, ""))

    for column, how in _JSON_FIELDS[collection]:
        if how == "c":
            if "cohort_reason" not in frame.columns and "cohort_from" not in frame.columns:
                continue
            reason = quoted(string_of("cohort_reason")) if "cohort_reason" in frame.columns else pa.nulls(n, pa.string())
            since = (_date_text(frame["cohort_from"]) if "cohort_from" in frame.columns else pa.nulls(n, pa.string()))
            since_q = pc.binary_join_element_wise('"', since, '"', "")
            either = pc.or_(pc.is_valid(reason), pc.is_valid(since))
            text = pc.binary_join_element_wise('{"reason": ', pc.fill_null(reason, "null"), ', "from": ',
                                               pc.fill_null(since_q, "null"), "}", "")
            field("cohort", pc.if_else(either, text, pa.nulls(n, pa.string())))
            continue
        if column not in frame.columns:
            continue
        series = frame[column]
        if how == "d":
            field(column, pc.binary_join_element_wise('"', _date_text(series), '"', ""))
        elif how == "b":
            arr = pa.array(series, from_pandas=True, type=pa.bool_())
            field(column, pc.if_else(arr, "true", "false"))
        elif how == "n":
            arr = pa.array(series, from_pandas=True)
            if pa.types.is_floating(arr.type):
                arr = pc.if_else(pc.is_nan(arr), pa.nulls(n, arr.type), arr)
            field(column, arr.cast(pa.string()))
        elif how == "q":
            arr = string_of(column).cast(pa.string())
            joined = pc.replace_substring(arr, ";", '", "')
            text = pc.if_else(pc.equal(arr, ""), "[]", pc.binary_join_element_wise('["', joined, '"]', ""))
            field(column, text)
        else:
            field(column, quoted(string_of(column)))
    # Join the present fields with ", " and wrap each record in braces.
    stacked = pc.binary_join_element_wise(*[pc.if_else(pc.equal(fr, ""), "", pc.binary_join_element_wise(fr, ", ", "")) for fr in parts], "")
    trimmed = pc.utf8_rtrim(stacked, characters=", ")
    records = pc.binary_join_element_wise("{", trimmed, "}", "")
    return ",\n".join(records.to_pylist()) if n < 10_000 else _join_lines(records)


def _join_lines(records: Any) -> str:
    """Joins a string array with ",\\n" from its buffers (one Python string for the block)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    with_sep = pc.binary_join_element_wise(records, ",\n", "")
    arr = with_sep.cast(pa.large_string()) if not isinstance(with_sep, pa.ChunkedArray) else with_sep.combine_chunks().cast(pa.large_string())
    _, offsets, data = arr.buffers()
    off = np.frombuffer(offsets, dtype=np.int64)[arr.offset: arr.offset + len(arr) + 1]
    raw = memoryview(data)[int(off[0]): int(off[-1])]
    text = bytes(raw).decode("utf-8")
    return text[:-2]


def _date_text(series: pd.Series) -> Any:
    import pyarrow as pa

    if series.dtype == object or isinstance(series.dtype, pd.StringDtype):
        arr = pa.array(series, from_pandas=True)
        if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
            return arr.cast(pa.string())
        return arr.cast(pa.date32()).cast(pa.string())
    values = pd.to_datetime(series)
    arr = pa.array(values.to_numpy(dtype="datetime64[s]"), mask=values.isna().to_numpy(), type=pa.timestamp("s"))
    return arr.cast(pa.date32()).cast(pa.string())
