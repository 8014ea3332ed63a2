// The population as the engine sees it: columnar tables, ids interned to dense indices, stays, admissions
// and events held sorted by subject and date with offsets per subject (compressed sparse rows).
// Built only through PopulationBuilder (population_builder.hpp), which validates every record.
#pragma once

#include "carerules/core/dates.hpp"
#include "carerules/model/interner.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace carerules {

enum class SubjectKind : std::uint8_t { resident, home, clinician, practice };
enum class Role : std::uint8_t { gp, nurse, pharmacist, other };
enum class Residency : std::uint8_t { permanent, temporary };
enum class EndReason : std::uint8_t { none, death, discharge, transfer };
enum class AdmissionMethod : std::uint8_t { emergency, elective };
enum class CohortReason : std::uint8_t { none, care_home, risk_tool, clinical_judgement };
enum class CodeSystem : std::uint8_t { snomed, read2, ctv3 };

// Nurse qualifications named in appendix 1 of seed 000 (the first three also in seed 004), as bits.
enum class Qualification : std::uint8_t {
  gpn_specialist_practitioner = 1U << 0U,
  primary_health_care_diploma = 1U << 1U,
  cardiovascular_respiratory_diploma = 1U << 2U,
  district_nurse_pgdip = 1U << 3U,
};
using QualificationSet = std::uint8_t;
inline constexpr std::size_t qualification_count = 4;

// What an event records. The first block are the activities of DESIGN.md; the last block are register
// markers that code lists recognise (so that such codes are not reported as unmapped) but that complete no
// obligation by themselves.
enum class Activity : std::uint8_t {
  // resident activities
  holistic_assessment,
  mca_assessment,
  medication_review,
  falls_assessment,
  dementia_assessment,
  care_planning,
  care_plan,
  gp_review,
  clinic_review,
  admin_review,
  preferred_place_of_death,
  admission_review,
  care_plan_printed,
  ooh_contact,
  significant_event,
  case_management_review,
  health_review,
  // home activities
  clinic_visit,
  manager_meeting,
  // clinician activities
  safeguarding_training,
  mca_training,
  // register markers
  lives_in_care_home,
  lives_temporarily_in_care_home,
  declined_aligned_practice,
  died_in_care_home,
  emergency_admission,
  none,  // an event whose code maps to nothing (yet): kept, counted, reported
};
inline constexpr std::size_t activity_count = static_cast<std::size_t>(Activity::none);

// Which kind of subject an activity is recorded against.
SubjectKind activity_subject(Activity activity) noexcept;
bool is_register_marker(Activity activity) noexcept;

std::string_view to_string(SubjectKind v) noexcept;
std::string_view to_string(Role v) noexcept;
std::string_view to_string(Residency v) noexcept;
std::string_view to_string(EndReason v) noexcept;  // none -> ""
std::string_view to_string(AdmissionMethod v) noexcept;
std::string_view to_string(CohortReason v) noexcept;  // none -> ""
std::string_view to_string(CodeSystem v) noexcept;
std::string_view to_string(Activity v) noexcept;
std::string_view to_string(Qualification v) noexcept;

std::optional<SubjectKind> subject_kind_from_string(std::string_view s) noexcept;
std::optional<Role> role_from_string(std::string_view s) noexcept;
std::optional<Residency> residency_from_string(std::string_view s) noexcept;
std::optional<EndReason> end_reason_from_string(std::string_view s) noexcept;  // "" -> none
std::optional<AdmissionMethod> admission_method_from_string(std::string_view s) noexcept;
std::optional<CohortReason> cohort_reason_from_string(std::string_view s) noexcept;
std::optional<CodeSystem> code_system_from_string(std::string_view s) noexcept;  // "snomed", "read2", "ctv3"
std::optional<Activity> activity_from_string(std::string_view s) noexcept;  // activities and markers, not "none"
std::optional<Qualification> qualification_from_string(std::string_view s) noexcept;

// Sentinel for "no date" in date columns (an open stay's end, a resident outside any cohort).
inline constexpr Date no_date = Date{date::days{std::numeric_limits<int>::max()}};

// Primary care networks (ehch-des): practices belong to one; a home's network is its aligned practice's.
struct NetworkTable {
  Interner ids;
  std::vector<std::string> name;
  std::size_t size() const noexcept { return name.size(); }
};

struct PracticeTable {
  Interner ids;
  std::vector<std::string> name;
  std::vector<std::int64_t> list_size;  // -1 when not given
  std::vector<Index> network;           // no_index when not given
  std::size_t size() const noexcept { return name.size(); }
};

struct HomeTable {
  Interner ids;
  std::vector<std::string> name;
  std::vector<std::string> kind;  // "nursing", "residential", ... as given
  std::vector<std::int32_t> beds;  // -1 when not given
  std::vector<Index> practice;  // aligned practice, or no_index
  std::vector<Index> lead_gp;   // clinician, or no_index
  std::vector<Index> clinical_lead;        // clinician (ehch-des), or no_index
  std::vector<std::string> cqc_location;   // CQC location id as given, empty when not given
  std::size_t size() const noexcept { return name.size(); }
};

struct ClinicianTable {
  Interner ids;
  std::vector<Index> practice;
  std::vector<Role> role;
  std::vector<QualificationSet> qualifications;
  std::size_t size() const noexcept { return role.size(); }
};

struct ResidentTable {
  Interner ids;
  std::vector<Date> born;
  std::vector<Index> practice;  // registered practice
  std::vector<std::uint8_t> declined_aligned_practice;
  std::vector<CohortReason> cohort_reason;
  std::vector<Date> cohort_from;   // no_date when not in a cohort
  std::vector<double> risk_score;  // NaN when not given (a score, not an amount)
  std::vector<Date> died;          // no_date when not given
  std::size_t size() const noexcept { return born.size(); }
};

// Rows sorted by (resident, start, id); rows of resident r are [offsets[r], offsets[r + 1]).
struct StayTable {
  std::vector<Index> id;  // into Population::stay_ids
  std::vector<Index> resident;
  std::vector<Index> home;
  std::vector<Date> start;
  std::vector<Date> end;  // no_date while still resident
  std::vector<Residency> residency;
  std::vector<EndReason> end_reason;
  std::vector<Index> offsets;
  std::size_t size() const noexcept { return start.size(); }
};

// Rows sorted by (resident, start, id).
struct AdmissionTable {
  std::vector<Index> id;  // into Population::admission_ids
  std::vector<Index> resident;
  std::vector<Date> start;
  std::vector<Date> end;  // no_date while still in hospital
  std::vector<AdmissionMethod> method;
  std::vector<Index> offsets;
  std::size_t size() const noexcept { return start.size(); }
};

// Rows sorted by (subject kind, subject, date, event id). Rows of subject s of kind k are
// [offsets[k][s], offsets[k][s + 1]). Events added after the population was built (the incremental path)
// are appended at the end and listed per subject in `appended`.
struct EventTable {
  std::vector<Index> id;  // into Population::event_ids
  std::vector<Date> date;
  std::vector<SubjectKind> subject_kind;
  std::vector<Index> subject;
  std::vector<Activity> activity;  // as named by the record; none when the record carries a code
  std::vector<Index> code;         // into Population::codes, or no_index
  std::vector<CodeSystem> system;
  std::vector<Index> performer;    // clinician, or no_index
  // A resident's event may name a home beside it (the home a register code records: context, not a subject).
  // Empty while no event names one (most populations: no memory spent); otherwise one per row, no_index where
  // the event names none. Read it with Population::context_home.
  std::vector<Index> home;
  std::array<std::vector<Index>, 4> offsets;
  std::size_t size() const noexcept { return date.size(); }
};

// Dated history (DESIGN.md "History"): periods with start and end both included, end no_date while they last.
// Rows sorted by (owner, start, id); rows of owner o are [offsets[o], offsets[o + 1]). Periods of one owner do
// not overlap, except that one may start on the day the previous ends (that day belongs to the later one).

// A resident's registration with a practice over time; owner: the resident.
struct RegistrationTable {
  std::vector<Index> id;  // into Population::registration_ids
  std::vector<Index> resident;
  std::vector<Index> practice;
  std::vector<Date> start;
  std::vector<Date> end;
  std::vector<Index> offsets;
  std::size_t size() const noexcept { return start.size(); }
};

// A home's alignment to a practice over time; owner: the home.
struct AlignmentTable {
  std::vector<Index> id;  // into Population::alignment_ids
  std::vector<Index> home;
  std::vector<Index> practice;
  std::vector<Date> start;
  std::vector<Date> end;
  std::vector<Index> offsets;
  std::size_t size() const noexcept { return start.size(); }
};

// A practice's participation in a scheme over time; owner: the practice. Rows sorted by (practice, scheme,
// start, id): periods of one practice in one scheme do not overlap.
struct ParticipationTable {
  std::vector<Index> id;  // into Population::participation_ids
  std::vector<Index> practice;
  std::vector<Index> scheme;  // into Population::scheme_names (scheme ids as given)
  std::vector<Date> start;
  std::vector<Date> end;
  std::vector<Index> offsets;
  std::size_t size() const noexcept { return start.size(); }
};

class Population {
 public:
  NetworkTable networks;
  PracticeTable practices;
  HomeTable homes;
  ClinicianTable clinicians;
  ResidentTable residents;
  StayTable stays;
  AdmissionTable admissions;
  EventTable events;
  RegistrationTable registrations;
  AlignmentTable alignments;
  ParticipationTable participations;
  Interner stay_ids;
  Interner registration_ids;
  Interner alignment_ids;
  Interner participation_ids;
  Interner scheme_names;  // the schemes participations name
  Interner admission_ids;
  CompactInterner event_ids;  // millions of them: held compactly (name() is a string_view)
  Interner codes;  // clinical codes seen in events

  // Rows of one subject, as index ranges.
  struct Range {
    Index begin = 0;
    Index end = 0;
    Index size() const noexcept { return end - begin; }
    bool empty() const noexcept { return begin == end; }
  };
  Range stays_of(Index resident) const noexcept { return {stays.offsets[resident], stays.offsets[resident + 1]}; }
  Range admissions_of(Index resident) const noexcept {
    return {admissions.offsets[resident], admissions.offsets[resident + 1]};
  }
  Range registrations_of(Index resident) const noexcept { return range(registrations.offsets, resident); }
  Range alignments_of(Index home) const noexcept { return range(alignments.offsets, home); }
  Range participations_of(Index practice) const noexcept { return range(participations.offsets, practice); }
  // The home an event names beside its resident (context), or no_index.
  Index context_home(Index event_row) const noexcept {
    return event_row < events.home.size() ? events.home[event_row] : no_index;
  }
  Range events_of(SubjectKind kind, Index subject) const noexcept {
    const auto& off = events.offsets[static_cast<std::size_t>(kind)];
    return {off[subject], off[subject + 1]};
  }
  // Rows appended after building for this subject (usually empty), in date order.
  std::span<const Index> appended_events_of(SubjectKind kind, Index subject) const noexcept;

  std::size_t subject_count(SubjectKind kind) const noexcept;
  const std::string& subject_id(SubjectKind kind, Index subject) const;

  // Approximate bytes held by the tables (for the memory-per-event figure).
  std::size_t memory_bytes() const noexcept;

 private:
  // Offsets of a history table (empty when the population was built without that collection: no rows).
  static Range range(const std::vector<Index>& offsets, Index owner) noexcept {
    if (owner + 1 >= offsets.size()) return {};
    return {offsets[owner], offsets[owner + 1]};
  }
  friend class PopulationBuilder;
  // subject key (kind << 32 | subject) -> appended rows, sorted by date. Sorted vector of pairs keeps
  // lookups cheap and the common case (nothing appended) free.
  std::vector<std::pair<std::uint64_t, std::vector<Index>>> appended_;
};

// The definitions the summary and the structural cohort findings share, for one patient on one day.
// Dead: a stay ended by death on or before `day` (the model records deaths only as the end of a stay).
bool died_on_or_before(const Population& population, Index resident, Date day) noexcept;
// In the cohort: joined on or before `day` (and not dead by then).
bool in_cohort_on(const Population& population, Index resident, Date day) noexcept;
// The home of a stay in progress on `day` (its start and end both included), or no_index.
Index care_home_on(const Population& population, Index resident, Date day) noexcept;

// Dated history (DESIGN.md "History"), for the engine. Each reads the owner's periods when it has any, and
// otherwise the undated field, which then holds on every day.
// The practice the resident is registered with on `day`: their registration covering it (on a day one ends
// and the next starts, the next), no_index when they have registrations and none covers it; without any,
// residents.practice.
Index practice_on(const Population& population, Index resident, Date day) noexcept;
// The practice the home is aligned to on `day`: its alignments as above; without any, homes.practice
// (no_index when the home is not aligned).
Index aligned_practice_on(const Population& population, Index home, Date day) noexcept;
// Whether the practice takes part in the scheme (its id, as participations name it) on `day`: one of its
// participations in that scheme covers it; with none recorded for that scheme, from `scheme_start` on.
bool takes_part_on(const Population& population, Index practice, std::string_view scheme, Date day,
                   Date scheme_start) noexcept;
// The home's primary care network on `day`: its aligned practice's network, or no_index.
Index network_on(const Population& population, Index home, Date day) noexcept;

}  // namespace carerules
