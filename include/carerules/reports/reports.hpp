// The data behind the reports people act on, computed from an evaluation (Population + schemes +
// EvaluationResult, held together by a ResultView):
//
//  - the clinic list: for a home and a visit date, the residents with tasks overdue or falling due by a few
//    days after the visit, what each needs, most urgent first (seed 000, appendix 1: "a list of patients must
//    be submitted to the practice beforehand");
//  - the manager meeting pack: for a home, what happened since the previous meeting with the home manager:
//    unplanned admissions and whether each was reviewed, deaths and whether the preferred place of death was
//    recorded, out-of-hours contacts, significant events, and the admission reviews to discuss (seed 000,
//    elements 2 and 8);
//  - the quarterly activity report: per practice and quarter, the register, each obligation's completion in
//    time, emergency admissions against resident-days, and payment lines by kind (seed 000, "reporting
//    mechanisms"); every figure an integer, percentages and rates are for display only;
//  - overdue counts by home (for the dashboard).
//
// Plain structs of ids, dates and integers. Rendering (CSV, JSON, HTML, charts) is the adapters' job: the
// Python package renders them (python/carerules/reports.py). Every interpretation is in docs/reports.md.
#pragma once

#include "carerules/results/describe.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carerules {

// ---------------------------------------------------------------------------------------------------------
// Clinic list

struct ClinicListOptions {
  Date visit_date{};
  int days = 14;  // also list what falls due up to this many days after the visit (inclusive)
};

// One thing a resident (or the home) needs.
struct ClinicListItem {
  Index task = no_index;  // row of EvaluationResult::tasks
  std::string scheme;
  std::string obligation;
  std::string title;
  std::string status;  // on the evaluation's as-of date: overdue, open (or upcoming)
  std::optional<Date> due;
  int days_overdue = 0;  // on the visit date: visit - due when due is before the visit, else 0
  std::vector<std::string> missing;
  std::string because;
};

struct ClinicListResident {
  std::string resident;
  std::string practice;  // registered practice
  Date born{};
  int age = 0;            // on the visit date
  std::string residency;  // "permanent" once the residence's permanent residency has started, else "temporary"
  Date resident_since{};  // start of the residence in this home
  std::vector<ClinicListItem> items;  // most urgent first
};

struct ClinicList {
  std::string home;
  std::string home_name;
  std::string practice;  // the home's aligned practice ("" when none)
  std::string practice_name;
  Date as_of{};
  Date visit_date{};
  int days = 14;
  std::size_t residents_in_home = 0;           // in the home on the visit date, as known on the as-of date
  std::vector<ClinicListResident> residents;   // those with something to do, most urgent first
  std::vector<ClinicListItem> home_items;      // the home's own tasks (clinics, manager meetings) on the same terms
};

// The residents of `home` on the visit date (as the population stood on the evaluation's as-of date) with a
// task that is overdue, or open with a due date no later than visit + days. Only tasks of the home's aligned
// practice are listed (a resident registered elsewhere is that practice's to see). Urgency: the earliest due
// date first (so overdue ones by days overdue, most first), then scheme and obligation order; residents by
// their most urgent item, then id. Throws std::invalid_argument for an unknown home or a negative `days`.
ClinicList clinic_list(const ResultView& view, std::string_view home, const ClinicListOptions& options);

// ---------------------------------------------------------------------------------------------------------
// Manager meeting pack

struct MeetingPackOptions {
  // Start of the period. Default: the date of the home's previous manager_meeting event before the as-of
  // date (items on that day are listed again: better twice than never); with no previous meeting, the first
  // day the home had a resident (or the earliest scheme start, if later).
  std::optional<Date> since;
};

struct MeetingAdmission {
  std::string admission;
  std::string resident;
  Date start{};
  std::optional<Date> end;  // none: still in hospital on the as-of date
  bool reviewed = false;    // an admission review is recorded for it
  std::optional<Date> reviewed_on;
  std::string review_status;  // the admission-review task's status; "" when no scheme owes a review
  std::optional<Date> review_due;
  std::string because;  // the review task's sentence ("" when none)
};

struct MeetingDeath {
  std::string resident;
  std::string stay;
  Date died_on{};
  std::string residency;  // of the stay that ended
  Date resident_since{};  // start of the residence
  bool in_hospital = false;  // an admission was in progress on the day of death
  bool preferred_place_recorded = false;
  std::optional<Date> preferred_place_recorded_on;  // the latest preferred_place_of_death on or before death
};

struct MeetingEvent {
  std::string event;
  Date date{};
  std::string resident;
  std::string performer;  // "" when not recorded
  std::string activity;   // ooh_contact, significant_event
};

struct MeetingReview {
  std::string admission;
  std::string resident;
  Date admission_start{};
  std::optional<Date> admission_end;
  std::string status;  // the task's status
  std::optional<Date> due;
  std::optional<Date> completed_on;
  std::vector<std::string> evidence;  // event ids of the review
  std::string because;
};

struct MeetingPack {
  std::string home;
  std::string home_name;
  std::string practice;
  std::string practice_name;
  Date as_of{};
  Date from{};  // the period is [from, as_of], both included
  std::optional<Date> previous_meeting;
  std::string period;  // how `from` was chosen, in words
  std::vector<MeetingAdmission> admissions;    // emergency admissions starting in the period
  std::vector<MeetingDeath> deaths;            // residences in the home ended by death in the period
  std::vector<MeetingEvent> ooh_contacts;      // ooh_contact events in the period
  std::vector<MeetingEvent> significant_events;
  std::vector<MeetingReview> reviews;          // reviews done in the period, and those still owed
};

// Residents "of the home" are those living there on the day of the item (as the population stood on the
// as-of date). Throws std::invalid_argument for an unknown home.
MeetingPack meeting_pack(const ResultView& view, std::string_view home, const MeetingPackOptions& options = {});

// The date of the latest manager_meeting event of `home` strictly before `before`, if any.
std::optional<Date> previous_manager_meeting(const ResultView& view, Index home, Date before);

// ---------------------------------------------------------------------------------------------------------
// Quarterly activity report

// The practice's care home register in one quarter: residents registered with the practice living in a home
// aligned to it. `practice` "" is the sum over practices.
struct RegisterFigures {
  std::string practice;
  Quarter quarter{};
  std::int64_t residents = 0;    // on the register on at least one day of the quarter
  std::int64_t permanent = 0;    // on the register on the quarter's last day seen, permanent residency started
  std::int64_t temporary = 0;    // on the register on that day, only temporary so far
  std::int64_t new_entries = 0;  // residences that started in the quarter
  std::int64_t leavers = 0;      // residences that ended in the quarter other than by death
  std::int64_t deaths = 0;       // residences that ended in the quarter by death
  std::int64_t resident_days = 0;        // days on the register in the quarter (stays' days, both ends included)
  std::int64_t emergency_admissions = 0;  // starting in the quarter while on the register
  Date last_day{};  // the quarter's last day, or the as-of date for the quarter in progress
};

// Tasks of one obligation falling due in a quarter (on or before the as-of date). `due` counts those decided:
// done on time + late + overdue + missed. Open ones (due on the as-of date itself) and cancelled ones (nothing
// was owed) are shown apart and are not in `due`.
struct CompletionFigures {
  std::string practice;  // "" = all practices
  Quarter quarter{};
  std::string scheme;
  std::string obligation;
  std::string title;
  std::string subject_kind;
  std::int64_t due = 0;
  std::int64_t on_time = 0;
  std::int64_t late = 0;
  std::int64_t overdue = 0;
  std::int64_t missed = 0;
  std::int64_t open = 0;
  std::int64_t cancelled = 0;
};

// Payment lines of a quarter by scheme, kind and claim status.
struct PaymentFigures {
  std::string practice;  // "" = all practices
  Quarter quarter{};
  std::string scheme;
  std::string kind;
  std::string status;
  std::int64_t lines = 0;
  std::int64_t unpriced_lines = 0;
  Pence amount{};  // sum of the priced lines
  Pence superseded{};  // status superseded: what the lines would have paid (their amount is 0)
};

struct QuarterlyFigures {
  Date as_of{};
  Quarter first{};
  Quarter last{};
  std::vector<std::string> practices;  // ids reported on, in id order
  std::vector<RegisterFigures> registers;     // by practice (then "" for all), then quarter
  std::vector<CompletionFigures> completion;  // by practice, quarter, scheme, obligation
  std::vector<PaymentFigures> payments;       // by practice, quarter, scheme, kind, status
};

// Figures for every quarter from `first` to `last` that has begun by the as-of date. With `practice` empty:
// every practice of the population, then the totals across practices (practice ""); otherwise that practice
// alone. Throws std::invalid_argument for an unknown practice or first after last.
QuarterlyFigures quarterly_figures(const ResultView& view, Quarter first, Quarter last, std::string_view practice = {});

// The first quarter with a register to report on: that of the earliest stay in a home aligned to a practice
// (or of the earliest scheme start, if later); the as-of date's quarter when there is none.
Quarter first_reporting_quarter(const ResultView& view);

// part / whole as a whole per cent, rounded half up, by integer arithmetic; nullopt when whole is 0.
std::optional<std::int64_t> rounded_percent(std::int64_t part, std::int64_t whole) noexcept;

// ---------------------------------------------------------------------------------------------------------
// Overdue tasks on the as-of date

struct OverdueCount {
  std::string practice;  // "" when the task has none
  std::string home;      // "" for tasks tied to no home (clinicians' training, community patients)
  std::string scheme;
  std::string obligation;
  std::int64_t overdue = 0;
};

// By practice, home, scheme and obligation (ids in order); only non-zero counts.
std::vector<OverdueCount> overdue_by_home(const ResultView& view);

}  // namespace carerules
