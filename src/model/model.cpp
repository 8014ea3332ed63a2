#include "carerules/model/model.hpp"
#include "carerules/model/population_builder.hpp"
#include "carerules/model/findings.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace carerules {
namespace {

template <typename Enum, std::size_t N>
std::optional<Enum> lookup(const std::array<std::pair<std::string_view, Enum>, N>& table, std::string_view s) {
  for (const auto& [name, value] : table)
    if (name == s) return value;
  return std::nullopt;
}
template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<std::string_view, Enum>, N>& table, Enum v) {
  for (const auto& [name, value] : table)
    if (value == v) return name;
  return {};
}

constexpr std::array<std::pair<std::string_view, SubjectKind>, 4> subject_kinds{{
    {"resident", SubjectKind::resident},
    {"home", SubjectKind::home},
    {"clinician", SubjectKind::clinician},
    {"practice", SubjectKind::practice},
}};
constexpr std::array<std::pair<std::string_view, Role>, 4> roles{{
    {"gp", Role::gp}, {"nurse", Role::nurse}, {"pharmacist", Role::pharmacist}, {"other", Role::other}}};
constexpr std::array<std::pair<std::string_view, Residency>, 2> residencies{{
    {"permanent", Residency::permanent}, {"temporary", Residency::temporary}}};
constexpr std::array<std::pair<std::string_view, EndReason>, 4> end_reasons{{
    {"", EndReason::none}, {"death", EndReason::death}, {"discharge", EndReason::discharge},
    {"transfer", EndReason::transfer}}};
constexpr std::array<std::pair<std::string_view, AdmissionMethod>, 2> methods{{
    {"emergency", AdmissionMethod::emergency}, {"elective", AdmissionMethod::elective}}};
constexpr std::array<std::pair<std::string_view, CohortReason>, 4> cohort_reasons{{
    {"", CohortReason::none}, {"care_home", CohortReason::care_home}, {"risk_tool", CohortReason::risk_tool},
    {"clinical_judgement", CohortReason::clinical_judgement}}};
constexpr std::array<std::pair<std::string_view, CodeSystem>, 3> systems{{
    {"snomed", CodeSystem::snomed}, {"read2", CodeSystem::read2}, {"ctv3", CodeSystem::ctv3}}};
constexpr std::array<std::pair<std::string_view, Qualification>, 4> qualifications{{
    {"gpn-specialist-practitioner", Qualification::gpn_specialist_practitioner},
    {"primary-health-care-diploma", Qualification::primary_health_care_diploma},
    {"cardiovascular-respiratory-diploma", Qualification::cardiovascular_respiratory_diploma},
    {"district-nurse-pgdip", Qualification::district_nurse_pgdip}}};
constexpr std::array<std::pair<std::string_view, Activity>, activity_count> activities{{
    {"holistic_assessment", Activity::holistic_assessment},
    {"mca_assessment", Activity::mca_assessment},
    {"medication_review", Activity::medication_review},
    {"falls_assessment", Activity::falls_assessment},
    {"dementia_assessment", Activity::dementia_assessment},
    {"care_planning", Activity::care_planning},
    {"care_plan", Activity::care_plan},
    {"gp_review", Activity::gp_review},
    {"clinic_review", Activity::clinic_review},
    {"admin_review", Activity::admin_review},
    {"preferred_place_of_death", Activity::preferred_place_of_death},
    {"admission_review", Activity::admission_review},
    {"care_plan_printed", Activity::care_plan_printed},
    {"ooh_contact", Activity::ooh_contact},
    {"significant_event", Activity::significant_event},
    {"case_management_review", Activity::case_management_review},
    {"health_review", Activity::health_review},
    {"clinic_visit", Activity::clinic_visit},
    {"manager_meeting", Activity::manager_meeting},
    {"safeguarding_training", Activity::safeguarding_training},
    {"mca_training", Activity::mca_training},
    {"lives_in_care_home", Activity::lives_in_care_home},
    {"lives_temporarily_in_care_home", Activity::lives_temporarily_in_care_home},
    {"declined_aligned_practice", Activity::declined_aligned_practice},
    {"died_in_care_home", Activity::died_in_care_home},
    {"emergency_admission", Activity::emergency_admission},
}};
constexpr std::array<std::pair<std::string_view, Severity>, 3> severities{{
    {"error", Severity::error}, {"warning", Severity::warning}, {"info", Severity::info}}};
constexpr std::array<std::pair<std::string_view, Collection>, collection_count> collections{{
    {"networks", Collection::networks}, {"practices", Collection::practices},
    {"clinicians", Collection::clinicians}, {"homes", Collection::homes}, {"residents", Collection::residents},
    {"stays", Collection::stays}, {"admissions", Collection::admissions}, {"events", Collection::events},
    {"registrations", Collection::registrations}, {"alignments", Collection::alignments},
    {"participations", Collection::participations}}};

}  // namespace

SubjectKind activity_subject(Activity a) noexcept {
  switch (a) {
    case Activity::clinic_visit:
    case Activity::manager_meeting:
      return SubjectKind::home;
    case Activity::safeguarding_training:
    case Activity::mca_training:
      return SubjectKind::clinician;
    default:
      return SubjectKind::resident;
  }
}
bool is_register_marker(Activity a) noexcept { return a >= Activity::lives_in_care_home && a < Activity::none; }

std::string_view to_string(SubjectKind v) noexcept { return name_of(subject_kinds, v); }
std::string_view to_string(Role v) noexcept { return name_of(roles, v); }
std::string_view to_string(Residency v) noexcept { return name_of(residencies, v); }
std::string_view to_string(EndReason v) noexcept { return name_of(end_reasons, v); }
std::string_view to_string(AdmissionMethod v) noexcept { return name_of(methods, v); }
std::string_view to_string(CohortReason v) noexcept { return name_of(cohort_reasons, v); }
std::string_view to_string(CodeSystem v) noexcept { return name_of(systems, v); }
std::string_view to_string(Activity v) noexcept { return v == Activity::none ? "none" : name_of(activities, v); }
std::string_view to_string(Qualification v) noexcept { return name_of(qualifications, v); }
std::string_view to_string(Severity v) noexcept { return name_of(severities, v); }
std::string_view to_string(Collection v) noexcept { return name_of(collections, v); }

std::optional<SubjectKind> subject_kind_from_string(std::string_view s) noexcept { return lookup(subject_kinds, s); }
std::optional<Role> role_from_string(std::string_view s) noexcept { return lookup(roles, s); }
std::optional<Residency> residency_from_string(std::string_view s) noexcept { return lookup(residencies, s); }
std::optional<EndReason> end_reason_from_string(std::string_view s) noexcept { return lookup(end_reasons, s); }
std::optional<AdmissionMethod> admission_method_from_string(std::string_view s) noexcept { return lookup(methods, s); }
std::optional<CohortReason> cohort_reason_from_string(std::string_view s) noexcept { return lookup(cohort_reasons, s); }
std::optional<CodeSystem> code_system_from_string(std::string_view s) noexcept { return lookup(systems, s); }
std::optional<Activity> activity_from_string(std::string_view s) noexcept { return lookup(activities, s); }
std::optional<Qualification> qualification_from_string(std::string_view s) noexcept { return lookup(qualifications, s); }
std::optional<Collection> collection_from_string(std::string_view s) noexcept { return lookup(collections, s); }

std::span<const Index> Population::appended_events_of(SubjectKind kind, Index subject) const noexcept {
  if (appended_.empty()) return {};
  const std::uint64_t key = (static_cast<std::uint64_t>(kind) << 32U) | subject;
  auto it = std::lower_bound(appended_.begin(), appended_.end(), key,
                             [](const auto& entry, std::uint64_t k) { return entry.first < k; });
  if (it == appended_.end() || it->first != key) return {};
  return it->second;
}

std::size_t Population::subject_count(SubjectKind kind) const noexcept {
  switch (kind) {
    case SubjectKind::resident: return residents.size();
    case SubjectKind::home: return homes.size();
    case SubjectKind::clinician: return clinicians.size();
    case SubjectKind::practice: return practices.size();
  }
  return 0;
}

const std::string& Population::subject_id(SubjectKind kind, Index subject) const {
  switch (kind) {
    case SubjectKind::resident: return residents.ids.name(subject);
    case SubjectKind::home: return homes.ids.name(subject);
    case SubjectKind::clinician: return clinicians.ids.name(subject);
    case SubjectKind::practice: return practices.ids.name(subject);
  }
  return residents.ids.name(subject);
}

namespace {
template <typename T>
std::size_t bytes(const std::vector<T>& v) noexcept { return v.capacity() * sizeof(T); }
std::size_t bytes(const Interner& ids) noexcept { return ids.memory_bytes(); }
std::size_t bytes(const CompactInterner& ids) noexcept { return ids.memory_bytes(); }
}  // namespace

std::size_t Population::memory_bytes() const noexcept {
  std::size_t total = 0;
  total += bytes(events.id) + bytes(events.date) + bytes(events.subject_kind) + bytes(events.subject) +
           bytes(events.activity) + bytes(events.code) + bytes(events.system) + bytes(events.performer);
  total += bytes(events.home);
  for (const auto& off : events.offsets) total += bytes(off);
  total += bytes(event_ids) + bytes(codes);
  total += bytes(stays.id) + bytes(stays.resident) + bytes(stays.home) + bytes(stays.start) + bytes(stays.end) +
           bytes(stays.residency) + bytes(stays.end_reason) + bytes(stays.offsets) + bytes(stay_ids);
  total += bytes(admissions.id) + bytes(admissions.resident) + bytes(admissions.start) + bytes(admissions.end) +
           bytes(admissions.method) + bytes(admissions.offsets) + bytes(admission_ids);
  total += bytes(residents.born) + bytes(residents.practice) + bytes(residents.declined_aligned_practice) +
           bytes(residents.cohort_reason) + bytes(residents.cohort_from) + bytes(residents.risk_score) +
           bytes(residents.ids);
  return total;
}

bool died_on_or_before(const Population& pop, Index r, Date day) noexcept {
  const auto range = pop.stays_of(r);
  for (Index s = range.begin; s < range.end; ++s)
    if (pop.stays.end_reason[s] == EndReason::death && pop.stays.end[s] != no_date && pop.stays.end[s] <= day &&
        pop.stays.start[s] <= day)
      return true;
  return false;
}

bool in_cohort_on(const Population& pop, Index r, Date day) noexcept {
  const Date from = pop.residents.cohort_from[r];
  return from != no_date && from <= day && !died_on_or_before(pop, r, day);
}

Index care_home_on(const Population& pop, Index r, Date day) noexcept {
  const auto range = pop.stays_of(r);
  for (Index s = range.begin; s < range.end; ++s)
    if (pop.stays.start[s] <= day && (pop.stays.end[s] == no_date || day <= pop.stays.end[s])) return pop.stays.home[s];
  return no_index;
}

namespace {
// The row of the period of [begin, end) covering `day`: the last one starting on or before it (so on a day one
// period ends and the next starts, the next), if it has not ended before `day`; no_index otherwise.
Index period_on(const std::vector<Date>& start, const std::vector<Date>& end, Index begin, Index end_row,
                Date day) noexcept {
  Index found = no_index;
  for (Index row = begin; row < end_row && start[row] <= day; ++row) found = row;
  if (found == no_index || (end[found] != no_date && end[found] < day)) return no_index;
  return found;
}
}  // namespace

Index practice_on(const Population& pop, Index r, Date day) noexcept {
  const auto range = pop.registrations_of(r);
  if (range.empty()) return pop.residents.practice[r];
  const Index row = period_on(pop.registrations.start, pop.registrations.end, range.begin, range.end, day);
  return row == no_index ? no_index : pop.registrations.practice[row];
}

Index aligned_practice_on(const Population& pop, Index h, Date day) noexcept {
  const auto range = pop.alignments_of(h);
  if (range.empty()) return pop.homes.practice[h];
  const Index row = period_on(pop.alignments.start, pop.alignments.end, range.begin, range.end, day);
  return row == no_index ? no_index : pop.alignments.practice[row];
}

bool takes_part_on(const Population& pop, Index practice, std::string_view scheme, Date day,
                   Date scheme_start) noexcept {
  const auto name = pop.scheme_names.find(scheme);
  const auto range = pop.participations_of(practice);
  bool recorded = false;
  if (name) {
    const auto& t = pop.participations;
    for (Index row = range.begin; row < range.end; ++row) {
      if (t.scheme[row] != *name) continue;
      recorded = true;
      if (t.start[row] <= day && (t.end[row] == no_date || day <= t.end[row])) return true;
    }
  }
  return !recorded && scheme_start <= day;
}

Index network_on(const Population& pop, Index h, Date day) noexcept {
  const Index practice = aligned_practice_on(pop, h, day);
  return practice == no_index ? no_index : pop.practices.network[practice];
}

}  // namespace carerules
