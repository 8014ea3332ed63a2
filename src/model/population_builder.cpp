#include "carerules/model/population_builder.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <utility>

namespace carerules {
namespace detail {
namespace {

constexpr std::size_t col(Collection c) noexcept { return static_cast<std::size_t>(c); }

// What is wrong with a record: completes `field "<field>" = <value> <reason>`.
struct Problem {
  std::string_view field;  // always a string literal or an enum name (static storage)
  std::string value;
  bool json = false;
  std::string reason;
};

// A string in double quotes, with quotes, backslashes and control characters escaped as in JSON.
std::string quoted(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\u00";
      out += hex[c >> 4U];
      out += hex[c & 0xFU];
    } else {
      out += ch;
    }
  }
  out += '"';
  return out;
}

std::string number_text(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

// "stays[3] (id "S9")", "stays[3]", or for the incremental path (no index) "event (id "E9")".
std::string record_label(std::string_view collection, std::int64_t index, std::string_view id) {
  std::string out(collection);
  if (index >= 0) {
    out += '[';
    out += std::to_string(index);
    out += ']';
  }
  if (!id.empty()) {
    out += " (id ";
    out += quoted(id);
    out += ')';
  }
  return out;
}

std::string compose(std::string_view label, std::string_view field, std::string_view value, bool json,
                    std::string_view reason) {
  std::string out(label);
  if (field.empty()) {
    out += ' ';
    out += reason;
    return out;
  }
  out += ": field ";
  out += quoted(field);
  if (json || !value.empty()) {
    out += " = ";
    out += json ? std::string(value) : quoted(value);
  }
  out += ' ';
  out += reason;
  return out;
}

// Where a rejected record stood, if one with this id was rejected: "residents[4]".
struct RejectedLookup {
  const std::array<Interner, collection_count>* ids = nullptr;
  const std::array<std::vector<std::size_t>, collection_count>* index = nullptr;

  std::optional<std::size_t> find(Collection c, std::string_view id) const {
    if (ids == nullptr) return std::nullopt;
    const auto at = (*ids)[col(c)].find(id);
    if (!at) return std::nullopt;
    return (*index)[col(c)][*at];
  }
};

// Resolves a reference to a record of `target` (whose ids are `ids`); `noun` names one ("resident").
// `hint`: the row the caller believes holds `value` (EventRecord::subject_row, performer_row); used only if it does.
std::optional<Problem> resolve(const Interner& ids, Collection target, std::string_view noun,
                               std::string_view field, std::string_view value, const RejectedLookup& rejected,
                               Index& out, Index hint = no_index) {
  if (hint < ids.size() && ids.name(hint) == value) {
    out = hint;
    return std::nullopt;
  }
  if (const auto found = ids.find(value)) {
    out = *found;
    return std::nullopt;
  }
  Problem p{field, std::string(value), false, {}};
  if (const auto at = rejected.find(target, value)) {
    p.reason = "names a " + std::string(noun) + " that was rejected (" + std::string(to_string(target)) + "[" +
               std::to_string(*at) + "])";
  } else {
    p.reason = "is not a known " + std::string(noun) + " (no such id in " + std::string(to_string(target)) + ")";
  }
  return p;
}

std::optional<Problem> missing(std::string_view field, std::string why) {
  return Problem{field, {}, false, "is missing: " + std::move(why)};
}

std::optional<Problem> before_born(std::string_view field, Date day, const Population& pop, Index resident) {
  const Date born = pop.residents.born[resident];
  if (day >= born) return std::nullopt;
  return Problem{field, format_date(day), false,
                 "is before resident " + quoted(pop.residents.ids.name(resident)) + " was born (" +
                     format_date(born) + ")"};
}

// A resident's stay or registration cannot start after their death (on the day they died is possible).
std::optional<Problem> after_death(std::string_view field, Date day, const Population& pop, Index resident) {
  const Date died = pop.residents.died[resident];
  if (died == no_date || day <= died) return std::nullopt;
  return Problem{field, format_date(day), false,
                 "is after resident " + quoted(pop.residents.ids.name(resident)) + " died (" + format_date(died) +
                     ")"};
}

const Interner& subject_ids(const Population& pop, SubjectKind kind) {
  switch (kind) {
    case SubjectKind::resident: return pop.residents.ids;
    case SubjectKind::home: return pop.homes.ids;
    case SubjectKind::clinician: return pop.clinicians.ids;
    case SubjectKind::practice: return pop.practices.ids;
  }
  return pop.residents.ids;
}

Collection subject_collection(SubjectKind kind) noexcept {
  switch (kind) {
    case SubjectKind::resident: return Collection::residents;
    case SubjectKind::home: return Collection::homes;
    case SubjectKind::clinician: return Collection::clinicians;
    case SubjectKind::practice: return Collection::practices;
  }
  return Collection::residents;
}

// An event that passed the checks, with its references resolved.
struct CheckedEvent {
  Index subject = no_index;
  Index performer = no_index;
  Activity activity = Activity::none;
  Index home = no_index;  // context: the home a resident's event names
};

// The checks shared by PopulationBuilder::add(EventRecord) and append_event (all but the id's).
std::optional<Problem> check_event(const Population& pop, const EventRecord& r, const RejectedLookup& rejected,
                                   CheckedEvent& out) {
  const std::string_view kind = to_string(r.subject_kind);
  if (kind.empty()) return Problem{"subject", {}, false, "is not a resident, home, clinician or practice"};
  if (r.subject.empty())
    return missing("subject", "an event names exactly one of \"resident\", \"home\" or \"clinician\"");
  if (auto p = resolve(subject_ids(pop, r.subject_kind), subject_collection(r.subject_kind), kind, kind, r.subject,
                       rejected, out.subject, r.subject_row))
    return p;
  if (!r.home.empty()) {
    if (r.subject_kind != SubjectKind::resident)
      return Problem{"home", std::string(r.home), false,
                     "is given as well as " + std::string(kind) + " " + quoted(r.subject) +
                         ": only a resident's event names a home beside its subject"};
    if (auto p = resolve(pop.homes.ids, Collection::homes, "home", "home", r.home, rejected, out.home)) return p;
  }

  const bool has_activity = r.activity.has_value() && *r.activity != Activity::none;
  if (has_activity && !r.code.empty())
    return Problem{"code", std::string(r.code), false,
                   "is given as well as activity " + quoted(to_string(*r.activity)) +
                       ": an event records exactly one of \"activity\" and \"code\""};
  if (!has_activity && r.code.empty())
    return Problem{"activity", {}, false,
                   "is missing and so is \"code\": an event records exactly one of \"activity\" and \"code\""};
  if (has_activity) {
    const auto name = to_string(*r.activity);
    if (name.empty()) return Problem{"activity", {}, false, "is not a known activity"};
    const SubjectKind wanted = activity_subject(*r.activity);
    if (wanted != r.subject_kind)
      return Problem{"activity", std::string(name), false,
                     "is a " + std::string(to_string(wanted)) + " activity, but the event is recorded against " +
                         std::string(kind) + " " + quoted(r.subject)};
    out.activity = *r.activity;
  }
  if (to_string(r.system).empty()) return Problem{"system", {}, false, "is not one of snomed, read2, ctv3"};

  if (!r.performer.empty()) {
    if (auto p = resolve(pop.clinicians.ids, Collection::clinicians, "clinician", "performer", r.performer, rejected,
                         out.performer, r.performer_row))
      return p;
  }
  if (r.subject_kind == SubjectKind::resident) {
    if (auto p = before_born("date", r.date, pop, out.subject)) return p;
  }
  return std::nullopt;
}

void push_event(Population& pop, Index id, const EventRecord& r, const CheckedEvent& c) {
  auto& e = pop.events;
  // The context column exists once an event names a home beside its resident (no_index for the rows before).
  if (c.home != no_index || !e.home.empty()) {
    e.home.resize(e.date.size(), no_index);
    e.home.push_back(c.home);
  }
  e.id.push_back(id);
  e.date.push_back(r.date);
  e.subject_kind.push_back(r.subject_kind);
  e.subject.push_back(c.subject);
  e.activity.push_back(c.activity);
  e.code.push_back(r.code.empty() ? no_index : pop.codes.intern(r.code));
  e.system.push_back(r.system);
  e.performer.push_back(c.performer);
}

template <typename T>
void gather(std::vector<T>& column, const std::vector<Index>& order) {
  std::vector<T> out;
  out.reserve(order.size());
  for (const Index row : order) out.push_back(column[row]);
  column = std::move(out);
}

// Rows grouped by `group[row]` (dense, < groups), input order kept within a group; `offsets` gets
// groups + 1 entries. Returns the permutation (new position -> old row).
std::vector<Index> bucket(const std::vector<Index>& group, std::size_t groups, std::vector<Index>& offsets) {
  offsets.assign(groups + 1, 0);
  for (const Index g : group) ++offsets[g + 1];
  for (std::size_t g = 0; g < groups; ++g) offsets[g + 1] += offsets[g];
  std::vector<Index> next(offsets.begin(), offsets.end() - 1);
  std::vector<Index> order(group.size());
  for (std::size_t row = 0; row < group.size(); ++row) order[next[group[row]]++] = static_cast<Index>(row);
  return order;
}

// Within each group, orders rows by date, then by id: records on the same day come out in the same order
// whatever order the input listed them in, so results never depend on the order of the input records.
template <typename Ids>
void sort_groups_by_date(std::vector<Index>& order, const std::vector<Index>& offsets, const std::vector<Date>& day,
                         const std::vector<Index>& id, const Ids& ids) {
  const auto before = [&](Index a, Index b) {
    if (day[a] != day[b]) return day[a] < day[b];
    return ids.name(id[a]) < ids.name(id[b]);
  };
  for (std::size_t g = 0; g + 1 < offsets.size(); ++g) {
    const auto first = order.begin() + offsets[g];
    const auto last = order.begin() + offsets[g + 1];
    if (last - first > 1 && !std::is_sorted(first, last, before)) std::sort(first, last, before);
  }
}

}  // namespace
}  // namespace detail

using detail::col;
using detail::Problem;
using detail::quoted;

PopulationBuilder::PopulationBuilder() = default;

InputCounts PopulationBuilder::total_counts() const noexcept {
  InputCounts total;
  for (const auto& c : counts_) {
    total.read += c.read;
    total.accepted += c.accepted;
    total.rejected += c.rejected;
  }
  return total;
}

std::optional<Index> PopulationBuilder::find_id(Collection c, std::string_view id) const noexcept {
  switch (c) {
    case Collection::networks: return pop_.networks.ids.find(id);
    case Collection::practices: return pop_.practices.ids.find(id);
    case Collection::clinicians: return pop_.clinicians.ids.find(id);
    case Collection::homes: return pop_.homes.ids.find(id);
    case Collection::residents: return pop_.residents.ids.find(id);
    case Collection::stays:
    case Collection::admissions:
    case Collection::events:
    case Collection::registrations:
    case Collection::alignments:
    case Collection::participations: break;
  }
  return std::nullopt;
}

void PopulationBuilder::reserve_events(std::size_t n) {
  auto& e = pop_.events;
  e.id.reserve(n);
  e.date.reserve(n);
  e.subject_kind.reserve(n);
  e.subject.reserve(n);
  e.activity.reserve(n);
  e.code.reserve(n);
  e.system.reserve(n);
  e.performer.reserve(n);
  pop_.event_ids.reserve(n);
}

bool PopulationBuilder::accept(Collection c) {
  ++counts_[col(c)].read;
  ++counts_[col(c)].accepted;
  return true;
}

void PopulationBuilder::accepted_at(Collection c, std::size_t index) {
  if (c == Collection::events) return;
  if (c == Collection::stays) {
    stay_input_index_.push_back(index);
    return;
  }
  accepted_index_[col(c)].push_back(index);
}

bool PopulationBuilder::fail(Collection c, std::size_t index, std::string_view id, std::string_view field,
                             std::string_view value, std::string message, bool value_is_json) {
  ++counts_[col(c)].read;
  ++counts_[col(c)].rejected;
  const std::string_view collection = to_string(c);
  if (!id.empty() && !rejected_ids_[col(c)].contains(id)) {
    rejected_ids_[col(c)].intern(id);
    rejected_index_[col(c)].push_back(index);
  }
  Finding f;
  f.severity = Severity::error;
  f.code = std::string(finding_code::invalid_record);
  f.subject_kind = std::string(collection);
  f.subject = id.empty() ? "#" + std::to_string(index) : std::string(id);
  f.collection = std::string(collection);
  f.index = static_cast<std::int64_t>(index);
  f.field = std::string(field);
  f.value = std::string(value);
  f.message = detail::compose(detail::record_label(collection, f.index, id), field, value, value_is_json, message);
  findings_.push_back(std::move(f));
  return false;
}

void PopulationBuilder::reject(Collection collection, std::size_t index, std::string_view id, std::string_view field,
                               std::string_view value, std::string_view reason, bool value_is_json) {
  fail(collection, index, id, field, value, std::string(reason), value_is_json);
}

// Empty and duplicate ids. A record whose id was already rejected is a duplicate too: the file has two
// records with that id, and neither can be trusted to be the one meant.
bool PopulationBuilder::check_id(Collection c, std::size_t index, std::string_view id, std::optional<Index> existing) {
  if (id.empty()) return fail(c, index, id, "id", {}, "is empty: every record needs an id");
  if (const auto row = existing) {
    const auto& where = accepted_index_[col(c)];
    std::string first;
    if (c == Collection::stays && *row < stay_input_index_.size())
      first = std::string(to_string(c)) + "[" + std::to_string(stay_input_index_[*row]) + "]";
    else if (*row < where.size())
      first = std::string(to_string(c)) + "[" + std::to_string(where[*row]) + "]";
    else
      first = "an earlier record in " + std::string(to_string(c));
    return fail(c, index, id, "id", id, "is already the id of " + first);
  }
  if (const auto at = rejected_ids_[col(c)].find(id)) {
    return fail(c, index, id, "id", id,
                "is already the id of " + std::string(to_string(c)) + "[" +
                    std::to_string(rejected_index_[col(c)][*at]) + "], which was rejected");
  }
  return true;
}

bool PopulationBuilder::add(const PracticeRecord& r, std::size_t index) {
  constexpr auto c = Collection::practices;
  if (!check_id(c, index, r.id, pop_.practices.ids.find(r.id))) return false;
  if (r.list_size && *r.list_size < 0)
    return fail(c, index, r.id, "list_size", std::to_string(*r.list_size), "must not be negative", true);
  Index network = no_index;
  if (!r.network.empty()) {
    const detail::RejectedLookup rejected{&rejected_ids_, &rejected_index_};
    if (auto p = detail::resolve(pop_.networks.ids, Collection::networks, "network", "network", r.network, rejected,
                                 network))
      return fail(c, index, r.id, p->field, p->value, std::move(p->reason));
  }
  auto& t = pop_.practices;
  t.ids.intern(r.id);
  t.name.emplace_back(r.name);
  t.list_size.push_back(r.list_size.value_or(-1));
  t.network.push_back(network);
  accepted_at(c, index);
  return accept(c);
}

bool PopulationBuilder::add(const ClinicianRecord& r, std::size_t index) {
  constexpr auto c = Collection::clinicians;
  const detail::RejectedLookup rejected{&rejected_ids_, &rejected_index_};
  if (!check_id(c, index, r.id, pop_.clinicians.ids.find(r.id))) return false;
  if (r.practice.empty()) return fail(c, index, r.id, "practice", {}, "is missing: a clinician belongs to a practice");
  Index practice = no_index;
  if (auto p = detail::resolve(pop_.practices.ids, Collection::practices, "practice", "practice", r.practice, rejected,
                               practice))
    return fail(c, index, r.id, p->field, p->value, std::move(p->reason));
  if (to_string(r.role).empty()) return fail(c, index, r.id, "role", {}, "is not one of gp, nurse, pharmacist, other");
  if ((r.qualifications >> qualification_count) != 0U)
    return fail(c, index, r.id, "qualifications", std::to_string(r.qualifications),
                "holds bits that name no qualification", true);
  auto& t = pop_.clinicians;
  t.ids.intern(r.id);
  t.practice.push_back(practice);
  t.role.push_back(r.role);
  t.qualifications.push_back(r.qualifications);
  accepted_at(c, index);
  return accept(c);
}

bool PopulationBuilder::add(const HomeRecord& r, std::size_t index) {
  constexpr auto c = Collection::homes;
  const detail::RejectedLookup rejected{&rejected_ids_, &rejected_index_};
  if (!check_id(c, index, r.id, pop_.homes.ids.find(r.id))) return false;
  if (r.beds && *r.beds < 0) return fail(c, index, r.id, "beds", std::to_string(*r.beds), "must not be negative", true);
  if (r.beds && *r.beds > std::numeric_limits<std::int32_t>::max())
    return fail(c, index, r.id, "beds", std::to_string(*r.beds), "is too large", true);
  Index practice = no_index;
  if (!r.practice.empty()) {
    if (auto p = detail::resolve(pop_.practices.ids, Collection::practices, "practice", "practice", r.practice,
                                 rejected, practice))
      return fail(c, index, r.id, p->field, p->value, std::move(p->reason));
  }
  Index lead_gp = no_index;
  if (!r.lead_gp.empty()) {
    if (auto p = detail::resolve(pop_.clinicians.ids, Collection::clinicians, "clinician", "lead_gp", r.lead_gp,
                                 rejected, lead_gp))
      return fail(c, index, r.id, p->field, p->value, std::move(p->reason));
  }
  Index clinical_lead = no_index;
  if (!r.clinical_lead.empty()) {
    if (auto p = detail::resolve(pop_.clinicians.ids, Collection::clinicians, "clinician", "clinical_lead",
                                 r.clinical_lead, rejected, clinical_lead))
      return fail(c, index, r.id, p->field, p->value, std::move(p->reason));
  }
  auto& t = pop_.homes;
  t.ids.intern(r.id);
  t.name.emplace_back(r.name);
  t.kind.emplace_back(r.kind);
  t.beds.push_back(r.beds ? static_cast<std::int32_t>(*r.beds) : -1);
  t.practice.push_back(practice);
  t.lead_gp.push_back(lead_gp);
  t.clinical_lead.push_back(clinical_lead);
  t.cqc_location.emplace_back(r.cqc_location);
  accepted_at(c, index);
  return accept(c);
}

bool PopulationBuilder::add(const ResidentRecord& r, std::size_t index) {
  constexpr auto c = Collection::residents;
  const detail::RejectedLookup rejected{&rejected_ids_, &rejected_index_};
  if (!check_id(c, index, r.id, pop_.residents.ids.find(r.id))) return false;
  if (r.practice.empty())
    return fail(c, index, r.id, "practice", {}, "is missing: a resident is registered with a practice");
  Index practice = no_index;
  if (auto p = detail::resolve(pop_.practices.ids, Collection::practices, "practice", "practice", r.practice, rejected,
                               practice))
    return fail(c, index, r.id, p->field, p->value, std::move(p->reason));
  const bool has_reason = r.cohort_reason != CohortReason::none;
  if (has_reason && to_string(r.cohort_reason).empty())
    return fail(c, index, r.id, "cohort.reason", {}, "is not one of care_home, risk_tool, clinical_judgement");
  if (has_reason && !r.cohort_from)
    return fail(c, index, r.id, "cohort.from", {},
                "is missing: a cohort member needs the date they joined (cohort reason " +
                    quoted(to_string(r.cohort_reason)) + ")");
  if (!has_reason && r.cohort_from)
    return fail(c, index, r.id, "cohort.reason", {},
                "is missing: cohort from " + format_date(*r.cohort_from) + " is given without a reason");
  if (r.cohort_from && *r.cohort_from < r.born)
    return fail(c, index, r.id, "cohort.from", format_date(*r.cohort_from),
                "is before the resident was born (" + format_date(r.born) + ")");
  if (r.risk_score) {
    const double s = *r.risk_score;
    if (std::isnan(s)) return fail(c, index, r.id, "risk_score", "NaN", "is not a number", true);
    if (s < 0.0 || s > 1.0)
      return fail(c, index, r.id, "risk_score", detail::number_text(s), "is outside 0 to 1", true);
  }
  if (r.died && *r.died < r.born)
    return fail(c, index, r.id, "died", format_date(*r.died),
                "is before the resident was born (" + format_date(r.born) + ")");
  auto& t = pop_.residents;
  t.ids.intern(r.id);
  t.born.push_back(r.born);
  t.practice.push_back(practice);
  t.declined_aligned_practice.push_back(r.declined_aligned_practice ? 1 : 0);
  t.cohort_reason.push_back(r.cohort_reason);
  t.cohort_from.push_back(r.cohort_from.value_or(no_date));
  t.risk_score.push_back(r.risk_score.value_or(std::numeric_limits<double>::quiet_NaN()));
  t.died.push_back(r.died.value_or(no_date));
  accepted_at(c, index);
  return accept(c);
}

bool PopulationBuilder::add(const StayRecord& r, std::size_t index) {
  constexpr auto c = Collection::stays;
  const detail::RejectedLookup rejected{&rejected_ids_, &rejected_index_};
  if (!check_id(c, index, r.id, pop_.stay_ids.find(r.id))) return false;
  if (r.resident.empty()) return fail(c, index, r.id, "resident", {}, "is missing: a stay is a resident's");
  Index resident = no_index;
  if (auto p = detail::resolve(pop_.residents.ids, Collection::residents, "resident", "resident", r.resident, rejected,
                               resident))
    return fail(c, index, r.id, p->field, p->value, std::move(p->reason));
  if (r.home.empty()) return fail(c, index, r.id, "home", {}, "is missing: a stay is in a care home");
  Index home = no_index;
  if (auto p = detail::resolve(pop_.homes.ids, Collection::homes, "home", "home", r.home, rejected, home))
    return fail(c, index, r.id, p->field, p->value, std::move(p->reason));
  if (r.end && *r.end < r.start)
    return fail(c, index, r.id, "end", format_date(*r.end), "is before start " + format_date(r.start));
  if (auto p = detail::before_born("start", r.start, pop_, resident))
    return fail(c, index, r.id, p->field, p->value, std::move(p->reason));
  if (auto p = detail::after_death("start", r.start, pop_, resident))
    return fail(c, index, r.id, p->field, p->value, std::move(p->reason));
  if (to_string(r.residency).empty()) return fail(c, index, r.id, "residency", {}, "is not one of permanent, temporary");
  if (r.end_reason != EndReason::none) {
    if (to_string(r.end_reason).empty())
      return fail(c, index, r.id, "end_reason", {}, "is not one of death, discharge, transfer");
    if (!r.end)
      return fail(c, index, r.id, "end_reason", to_string(r.end_reason),
                  "is given but the stay has no end date: give the date it ended");
  }
  auto& t = pop_.stays;
  t.id.push_back(pop_.stay_ids.intern(r.id));
  t.resident.push_back(resident);
  t.home.push_back(home);
  t.start.push_back(r.start);
  t.end.push_back(r.end.value_or(no_date));
  t.residency.push_back(r.residency);
  t.end_reason.push_back(r.end_reason);
  accepted_at(c, index);
  return accept(c);
}

bool PopulationBuilder::add(const AdmissionRecord& r, std::size_t index) {
  constexpr auto c = Collection::admissions;
  const detail::RejectedLookup rejected{&rejected_ids_, &rejected_index_};
  if (!check_id(c, index, r.id, pop_.admission_ids.find(r.id))) return false;
  if (r.resident.empty()) return fail(c, index, r.id, "resident", {}, "is missing: an admission is a resident's");
  Index resident = no_index;
  if (auto p = detail::resolve(pop_.residents.ids, Collection::residents, "resident", "resident", r.resident, rejected,
                               resident))
    return fail(c, index, r.id, p->field, p->value, std::move(p->reason));
  if (r.end && *r.end < r.start)
    return fail(c, index, r.id, "end", format_date(*r.end), "is before start " + format_date(r.start));
  if (auto p = detail::before_born("start", r.start, pop_, resident))
    return fail(c, index, r.id, p->field, p->value, std::move(p->reason));
  if (to_string(r.method).empty()) return fail(c, index, r.id, "method", {}, "is not one of emergency, elective");
  auto& t = pop_.admissions;
  t.id.push_back(pop_.admission_ids.intern(r.id));
  t.resident.push_back(resident);
  t.start.push_back(r.start);
  t.end.push_back(r.end.value_or(no_date));
  t.method.push_back(r.method);
  accepted_at(c, index);
  return accept(c);
}

bool PopulationBuilder::add(const EventRecord& r, std::size_t index) {
  constexpr auto c = Collection::events;
  const detail::RejectedLookup rejected{&rejected_ids_, &rejected_index_};
  // Millions of events: the id is looked up once, by interning it after every other check has passed
  // (an id already there is a duplicate, and interning it added nothing).
  if (r.id.empty() || rejected_ids_[col(c)].contains(r.id)) return check_id(c, index, r.id, std::nullopt);
  detail::CheckedEvent checked;
  if (auto p = detail::check_event(pop_, r, rejected, checked))
    return fail(c, index, r.id, p->field, p->value, std::move(p->reason), p->json);
  const std::size_t known = pop_.event_ids.size();
  const Index id = pop_.event_ids.intern(r.id);
  if (pop_.event_ids.size() == known) return check_id(c, index, r.id, pop_.event_ids.find(r.id));
  detail::push_event(pop_, id, r, checked);
  return accept(c);
}

Population PopulationBuilder::finish() {
  const auto date_text = [](Date d) { return d == no_date ? std::string() : format_date(d); };

  // Stays: by resident, then start, then id.
  {
    auto& t = pop_.stays;
    std::vector<Index> offsets;
    auto order = detail::bucket(t.resident, pop_.residents.size(), offsets);
    detail::sort_groups_by_date(order, offsets, t.start, t.id, pop_.stay_ids);

    // Overlaps: a stay must start on or after the end date of the previous (kept) stay of its resident.
    std::vector<Index> kept;
    kept.reserve(order.size());
    for (std::size_t g = 0; g + 1 < offsets.size(); ++g) {
      Index previous = no_index;
      for (Index k = offsets[g]; k < offsets[g + 1]; ++k) {
        const Index row = order[k];
        if (previous != no_index && (t.end[previous] == no_date || t.start[row] < t.end[previous])) {
          const std::string& id = pop_.stay_ids.name(t.id[row]);
          const std::string span = t.end[previous] == no_date
                                       ? "from " + date_text(t.start[previous]) + ", not ended"
                                       : date_text(t.start[previous]) + " to " + date_text(t.end[previous]);
          fail(Collection::stays, stay_input_index_[row], id, "start", date_text(t.start[row]),
               "overlaps stay " + quoted(pop_.stay_ids.name(t.id[previous])) + " (stays[" +
                   std::to_string(stay_input_index_[previous]) + "], " + span + ") of resident " +
                   quoted(pop_.residents.ids.name(t.resident[row])) +
                   ": a resident's next stay starts on or after the previous one's end date");
          // fail() counted a new read and rejection; the record was read once and had been accepted.
          --counts_[col(Collection::stays)].read;
          --counts_[col(Collection::stays)].accepted;
          continue;
        }
        kept.push_back(row);
        previous = row;
      }
    }
    std::vector<Index> resident_of_kept;
    resident_of_kept.reserve(kept.size());
    for (const Index row : kept) resident_of_kept.push_back(t.resident[row]);
    // Offsets over the kept rows (kept is already grouped by resident, in order).
    t.offsets.assign(pop_.residents.size() + 1, 0);
    for (const Index r : resident_of_kept) ++t.offsets[r + 1];
    for (std::size_t r = 0; r < pop_.residents.size(); ++r) t.offsets[r + 1] += t.offsets[r];

    // Stay ids: only the kept stays', re-interned in row order.
    Interner ids;
    ids.reserve(kept.size());
    std::vector<Index> new_id;
    new_id.reserve(kept.size());
    for (const Index row : kept) new_id.push_back(ids.intern(pop_.stay_ids.name(t.id[row])));
    detail::gather(t.resident, kept);
    detail::gather(t.home, kept);
    detail::gather(t.start, kept);
    detail::gather(t.end, kept);
    detail::gather(t.residency, kept);
    detail::gather(t.end_reason, kept);
    detail::gather(stay_input_index_, kept);  // by kept row from here on (warn_stays_past_death names them)
    t.id = std::move(new_id);
    pop_.stay_ids = std::move(ids);
  }

  finish_history();
  warn_stays_past_death();

  // Admissions: by resident, then start, then id.
  {
    auto& t = pop_.admissions;
    auto order = detail::bucket(t.resident, pop_.residents.size(), t.offsets);
    detail::sort_groups_by_date(order, t.offsets, t.start, t.id, pop_.admission_ids);
    detail::gather(t.id, order);
    detail::gather(t.resident, order);
    detail::gather(t.start, order);
    detail::gather(t.end, order);
    detail::gather(t.method, order);
  }

  // Events: by subject kind, subject, date, then id; one offsets array per kind, of global rows.
  {
    auto& t = pop_.events;
    std::array<std::size_t, 4> base{};
    std::size_t groups = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      base[k] = groups;
      groups += pop_.subject_count(static_cast<SubjectKind>(k));
    }
    std::vector<Index> group(t.size());
    for (std::size_t row = 0; row < t.size(); ++row)
      group[row] = static_cast<Index>(base[static_cast<std::size_t>(t.subject_kind[row])] + t.subject[row]);
    std::vector<Index> offsets;
    auto order = detail::bucket(group, groups, offsets);
    group = {};
    detail::sort_groups_by_date(order, offsets, t.date, t.id, pop_.event_ids);
    for (std::size_t k = 0; k < 4; ++k) {
      const std::size_t n = pop_.subject_count(static_cast<SubjectKind>(k));
      t.offsets[k].assign(offsets.begin() + static_cast<std::ptrdiff_t>(base[k]),
                          offsets.begin() + static_cast<std::ptrdiff_t>(base[k] + n + 1));
    }
    detail::gather(t.id, order);
    detail::gather(t.date, order);
    detail::gather(t.subject_kind, order);
    detail::gather(t.subject, order);
    detail::gather(t.activity, order);
    detail::gather(t.code, order);
    detail::gather(t.system, order);
    detail::gather(t.performer, order);
    if (!t.home.empty()) detail::gather(t.home, order);
    pop_.event_ids.shrink_to_fit();
  }

  // Findings in collection order, then index (the overlap findings were added last).
  std::stable_sort(findings_.begin(), findings_.end(), [](const Finding& a, const Finding& b) {
    const auto ca = collection_from_string(a.collection).value_or(Collection::events);
    const auto cb = collection_from_string(b.collection).value_or(Collection::events);
    if (ca != cb) return ca < cb;
    return a.index < b.index;
  });

  Population out = std::move(pop_);
  pop_ = Population{};
  stay_input_index_ = {};
  accepted_index_ = {};
  rejected_ids_ = {};
  rejected_index_ = {};
  return out;
}

Index PopulationBuilder::append_to(Population& pop, const EventRecord& r) {
  const auto raise = [&r](std::string_view field, std::string_view value, bool json, const std::string& reason) {
    throw InputError("events", -1, std::string(r.id), std::string(field), std::string(value),
                     detail::compose(detail::record_label("event", -1, r.id), field, value, json, reason));
  };
  if (r.id.empty()) raise("id", {}, false, "is empty: every record needs an id");
  if (pop.event_ids.contains(r.id)) raise("id", r.id, false, "is already the id of an event in the population");
  detail::CheckedEvent checked;
  if (auto p = detail::check_event(pop, r, detail::RejectedLookup{}, checked)) raise(p->field, p->value, p->json, p->reason);

  const auto row = static_cast<Index>(pop.events.size());
  detail::push_event(pop, pop.event_ids.intern(r.id), r, checked);

  const std::uint64_t key = (static_cast<std::uint64_t>(r.subject_kind) << 32U) | checked.subject;
  auto& appended = pop.appended_;
  auto it = std::lower_bound(appended.begin(), appended.end(), key,
                             [](const auto& entry, std::uint64_t k) { return entry.first < k; });
  if (it == appended.end() || it->first != key) it = appended.insert(it, {key, {}});
  auto& rows = it->second;
  const auto& day = pop.events.date;
  // After every row of the same date or earlier: same-day events keep the order they were appended in.
  const auto at = std::upper_bound(rows.begin(), rows.end(), r.date, [&day](Date d, Index x) { return d < day[x]; });
  rows.insert(at, row);
  return row;
}

std::string record_problem(std::string_view label, std::int64_t index, std::string_view id, std::string_view field,
                           std::string_view value, bool value_is_json, std::string_view reason) {
  return detail::compose(detail::record_label(label, index, id), field, value, value_is_json, reason);
}

PracticeRecord practice_record(std::span<const FieldValue> v) {
  using namespace schema::practice;
  PracticeRecord r;
  r.id = v[id].text;
  r.name = v[name].text;
  if (v[list_size].given) r.list_size = v[list_size].integer;
  r.network = v[network].text;
  return r;
}

ClinicianRecord clinician_record(std::span<const FieldValue> v) {
  using namespace schema::clinician;
  ClinicianRecord r;
  r.id = v[id].text;
  r.practice = v[practice].text;
  if (v[role].given) r.role = static_cast<Role>(v[role].integer);
  r.qualifications = static_cast<QualificationSet>(v[qualifications].integer);
  return r;
}

HomeRecord home_record(std::span<const FieldValue> v) {
  using namespace schema::home;
  HomeRecord r;
  r.id = v[id].text;
  r.name = v[name].text;
  r.kind = v[kind].text;
  if (v[beds].given) r.beds = v[beds].integer;
  r.practice = v[practice].text;
  r.lead_gp = v[lead_gp].text;
  r.clinical_lead = v[clinical_lead].text;
  r.cqc_location = v[cqc_location].text;
  return r;
}

ResidentRecord resident_record(std::span<const FieldValue> v) {
  using namespace schema::resident;
  ResidentRecord r;
  r.id = v[id].text;
  r.born = v[born].date;
  r.practice = v[practice].text;
  r.declined_aligned_practice = v[declined_aligned_practice].given && v[declined_aligned_practice].boolean;
  if (v[cohort_reason].given) r.cohort_reason = static_cast<CohortReason>(v[cohort_reason].integer);
  if (v[cohort_from].given) r.cohort_from = v[cohort_from].date;
  if (v[risk_score].given) r.risk_score = v[risk_score].number;
  if (v[died].given) r.died = v[died].date;
  return r;
}

StayRecord stay_record(std::span<const FieldValue> v) {
  using namespace schema::stay;
  StayRecord r;
  r.id = v[id].text;
  r.resident = v[resident].text;
  r.home = v[home].text;
  r.start = v[start].date;
  if (v[end].given) r.end = v[end].date;
  if (v[residency].given) r.residency = static_cast<Residency>(v[residency].integer);
  if (v[end_reason].given) r.end_reason = static_cast<EndReason>(v[end_reason].integer);
  return r;
}

AdmissionRecord admission_record(std::span<const FieldValue> v) {
  using namespace schema::admission;
  AdmissionRecord r;
  r.id = v[id].text;
  r.resident = v[resident].text;
  r.start = v[start].date;
  if (v[end].given) r.end = v[end].date;
  if (v[method].given) r.method = static_cast<AdmissionMethod>(v[method].integer);
  return r;
}

EventRecord event_record(std::span<const FieldValue> v) {
  using namespace schema::event;
  EventRecord r;
  r.id = v[id].text;
  r.date = v[schema::event::date].date;
  // The reader lets exactly one subject through.
  constexpr std::array<std::pair<std::size_t, SubjectKind>, 3> subjects{
      {{resident, SubjectKind::resident}, {home, SubjectKind::home}, {clinician, SubjectKind::clinician}}};
  for (const auto& [field, kind] : subjects) {
    if (!v[field].given) continue;
    r.subject_kind = kind;
    r.subject = v[field].text;
    r.subject_row = v[field].row;
    break;
  }
  if (v[activity].given) r.activity = static_cast<Activity>(v[activity].integer);
  r.code = v[code].text;
  if (v[system].given) r.system = static_cast<CodeSystem>(v[system].integer);
  r.performer = v[performer].text;
  r.performer_row = v[performer].row;
  // Beside a resident the home is context (the reader lets it through only there).
  if (r.subject_kind == SubjectKind::resident) r.home = v[home].text;
  return r;
}

bool PopulationBuilder::add(Collection c, std::span<const FieldValue> fields, std::size_t index) {
  switch (c) {
    case Collection::networks: return add(network_record(fields), index);
    case Collection::practices: return add(practice_record(fields), index);
    case Collection::clinicians: return add(clinician_record(fields), index);
    case Collection::homes: return add(home_record(fields), index);
    case Collection::residents: return add(resident_record(fields), index);
    case Collection::stays: return add(stay_record(fields), index);
    case Collection::admissions: return add(admission_record(fields), index);
    case Collection::events: return add(event_record(fields), index);
    case Collection::registrations: return add(registration_record(fields), index);
    case Collection::alignments: return add(alignment_record(fields), index);
    case Collection::participations: return add(participation_record(fields), index);
  }
  return false;
}

Index append_event(Population& population, const EventRecord& record) {
  return PopulationBuilder::append_to(population, record);
}

// ---------------------------------------------------------------------------------------------------------
// Networks and the dated history (DESIGN.md "History", "ehch-des").

bool PopulationBuilder::add(const NetworkRecord& r, std::size_t index) {
  constexpr auto c = Collection::networks;
  if (!check_id(c, index, r.id, pop_.networks.ids.find(r.id))) return false;
  auto& t = pop_.networks;
  t.ids.intern(r.id);
  t.name.emplace_back(r.name);
  accepted_at(c, index);
  return accept(c);
}

bool PopulationBuilder::add(const RegistrationRecord& r, std::size_t index) {
  constexpr auto c = Collection::registrations;
  const detail::RejectedLookup rejected{&rejected_ids_, &rejected_index_};
  if (!check_id(c, index, r.id, pop_.registration_ids.find(r.id))) return false;
  if (r.resident.empty()) return fail(c, index, r.id, "resident", {}, "is missing: a registration is a resident's");
  Index resident = no_index;
  if (auto p = detail::resolve(pop_.residents.ids, Collection::residents, "resident", "resident", r.resident, rejected,
                               resident))
    return fail(c, index, r.id, p->field, p->value, std::move(p->reason));
  if (r.practice.empty()) return fail(c, index, r.id, "practice", {}, "is missing: a registration is with a practice");
  Index practice = no_index;
  if (auto p = detail::resolve(pop_.practices.ids, Collection::practices, "practice", "practice", r.practice, rejected,
                               practice))
    return fail(c, index, r.id, p->field, p->value, std::move(p->reason));
  if (r.end && *r.end < r.start)
    return fail(c, index, r.id, "end", format_date(*r.end), "is before start " + format_date(r.start));
  if (auto p = detail::before_born("start", r.start, pop_, resident))
    return fail(c, index, r.id, p->field, p->value, std::move(p->reason));
  if (auto p = detail::after_death("start", r.start, pop_, resident))
    return fail(c, index, r.id, p->field, p->value, std::move(p->reason));
  auto& t = pop_.registrations;
  t.id.push_back(pop_.registration_ids.intern(r.id));
  t.resident.push_back(resident);
  t.practice.push_back(practice);
  t.start.push_back(r.start);
  t.end.push_back(r.end.value_or(no_date));
  accepted_at(c, index);
  return accept(c);
}

bool PopulationBuilder::add(const AlignmentRecord& r, std::size_t index) {
  constexpr auto c = Collection::alignments;
  const detail::RejectedLookup rejected{&rejected_ids_, &rejected_index_};
  if (!check_id(c, index, r.id, pop_.alignment_ids.find(r.id))) return false;
  if (r.home.empty()) return fail(c, index, r.id, "home", {}, "is missing: an alignment is a home's");
  Index home = no_index;
  if (auto p = detail::resolve(pop_.homes.ids, Collection::homes, "home", "home", r.home, rejected, home))
    return fail(c, index, r.id, p->field, p->value, std::move(p->reason));
  if (r.practice.empty()) return fail(c, index, r.id, "practice", {}, "is missing: a home is aligned to a practice");
  Index practice = no_index;
  if (auto p = detail::resolve(pop_.practices.ids, Collection::practices, "practice", "practice", r.practice, rejected,
                               practice))
    return fail(c, index, r.id, p->field, p->value, std::move(p->reason));
  if (r.end && *r.end < r.start)
    return fail(c, index, r.id, "end", format_date(*r.end), "is before start " + format_date(r.start));
  auto& t = pop_.alignments;
  t.id.push_back(pop_.alignment_ids.intern(r.id));
  t.home.push_back(home);
  t.practice.push_back(practice);
  t.start.push_back(r.start);
  t.end.push_back(r.end.value_or(no_date));
  accepted_at(c, index);
  return accept(c);
}

bool PopulationBuilder::add(const ParticipationRecord& r, std::size_t index) {
  constexpr auto c = Collection::participations;
  const detail::RejectedLookup rejected{&rejected_ids_, &rejected_index_};
  if (!check_id(c, index, r.id, pop_.participation_ids.find(r.id))) return false;
  if (r.practice.empty()) return fail(c, index, r.id, "practice", {}, "is missing: a participation is a practice's");
  Index practice = no_index;
  if (auto p = detail::resolve(pop_.practices.ids, Collection::practices, "practice", "practice", r.practice, rejected,
                               practice))
    return fail(c, index, r.id, p->field, p->value, std::move(p->reason));
  if (r.scheme.empty()) return fail(c, index, r.id, "scheme", {}, "is empty: a participation names a scheme's id");
  if (r.end && *r.end < r.start)
    return fail(c, index, r.id, "end", format_date(*r.end), "is before start " + format_date(r.start));
  auto& t = pop_.participations;
  t.id.push_back(pop_.participation_ids.intern(r.id));
  t.practice.push_back(practice);
  t.scheme.push_back(pop_.scheme_names.intern(r.scheme));
  t.start.push_back(r.start);
  t.end.push_back(r.end.value_or(no_date));
  accepted_at(c, index);
  return accept(c);
}

void PopulationBuilder::reject_overlap(Collection c, std::size_t index, std::string_view id, Date start,
                                       std::string_view noun, std::string_view other_id, std::size_t other_index,
                                       Date other_start, Date other_end, std::string_view owner,
                                       std::string_view rule) {
  const std::string span = other_end == no_date ? "from " + format_date(other_start) + ", not ended"
                                                : format_date(other_start) + " to " + format_date(other_end);
  fail(c, index, id, "start", format_date(start),
       "overlaps " + std::string(noun) + " " + quoted(other_id) + " (" + std::string(to_string(c)) + "[" +
           std::to_string(other_index) + "], " + span + ") of " + std::string(owner) + ": " + std::string(rule));
  // fail() counted a new read and rejection; the record was read once and had been accepted.
  --counts_[col(c)].read;
  --counts_[col(c)].accepted;
}

namespace detail {
namespace {

// The rows of a dated-history table ordered by owner, then `key` (the scheme of a participation; none
// elsewhere), start and id; a period that overlaps the kept one before it of the same owner and key (it starts
// before that one's end, or that one has none) is passed to `reject` and left out. Returns the kept rows;
// `offsets` (owners + 1 entries) index them by owner.
template <typename Reject>
std::vector<Index> keep_periods(const std::vector<Index>& owner, std::size_t owners, const std::vector<Index>* key,
                                const std::vector<Date>& start, const std::vector<Date>& end,
                                const std::vector<Index>& id, const Interner& ids, std::vector<Index>& offsets,
                                Reject reject) {
  std::vector<Index> group_offsets;
  auto order = bucket(owner, owners, group_offsets);
  const auto before = [&](Index a, Index b) {
    if (key != nullptr && (*key)[a] != (*key)[b]) return (*key)[a] < (*key)[b];
    if (start[a] != start[b]) return start[a] < start[b];
    return ids.name(id[a]) < ids.name(id[b]);
  };
  std::vector<Index> kept;
  kept.reserve(order.size());
  offsets.assign(owners + 1, 0);
  for (std::size_t g = 0; g < owners; ++g) {
    const auto first = order.begin() + group_offsets[g];
    const auto last = order.begin() + group_offsets[g + 1];
    std::sort(first, last, before);
    Index previous = no_index;
    for (auto it = first; it != last; ++it) {
      const Index row = *it;
      if (previous != no_index && (key == nullptr || (*key)[previous] == (*key)[row]) &&
          (end[previous] == no_date || start[row] < end[previous])) {
        reject(row, previous);
        continue;
      }
      kept.push_back(row);
      previous = row;
    }
    offsets[g + 1] = static_cast<Index>(kept.size());
  }
  return kept;
}

// Keeps `kept` rows of the table's id column, re-interning the ids in row order (rejected ids are forgotten).
void keep_ids(std::vector<Index>& id, Interner& ids, const std::vector<Index>& kept) {
  Interner out;
  out.reserve(kept.size());
  std::vector<Index> new_id;
  new_id.reserve(kept.size());
  for (const Index row : kept) new_id.push_back(out.intern(ids.name(id[row])));
  id = std::move(new_id);
  ids = std::move(out);
}

}  // namespace
}  // namespace detail

void PopulationBuilder::finish_history() {
  {
    constexpr auto c = Collection::registrations;
    auto& t = pop_.registrations;
    const auto& where = accepted_index_[col(c)];
    const auto kept = detail::keep_periods(
        t.resident, pop_.residents.size(), nullptr, t.start, t.end, t.id, pop_.registration_ids, t.offsets,
        [&](Index row, Index previous) {
          reject_overlap(c, where[row], pop_.registration_ids.name(t.id[row]), t.start[row], "registration",
                         pop_.registration_ids.name(t.id[previous]), where[previous], t.start[previous],
                         t.end[previous], "resident " + quoted(pop_.residents.ids.name(t.resident[row])),
                         "a resident's next registration starts on or after the previous one's end date");
        });
    detail::keep_ids(t.id, pop_.registration_ids, kept);
    detail::gather(t.resident, kept);
    detail::gather(t.practice, kept);
    detail::gather(t.start, kept);
    detail::gather(t.end, kept);
  }
  {
    constexpr auto c = Collection::alignments;
    auto& t = pop_.alignments;
    const auto& where = accepted_index_[col(c)];
    const auto kept = detail::keep_periods(
        t.home, pop_.homes.size(), nullptr, t.start, t.end, t.id, pop_.alignment_ids, t.offsets,
        [&](Index row, Index previous) {
          reject_overlap(c, where[row], pop_.alignment_ids.name(t.id[row]), t.start[row], "alignment",
                         pop_.alignment_ids.name(t.id[previous]), where[previous], t.start[previous],
                         t.end[previous], "home " + quoted(pop_.homes.ids.name(t.home[row])),
                         "a home's next alignment starts on or after the previous one's end date");
        });
    detail::keep_ids(t.id, pop_.alignment_ids, kept);
    detail::gather(t.home, kept);
    detail::gather(t.practice, kept);
    detail::gather(t.start, kept);
    detail::gather(t.end, kept);
  }
  {
    constexpr auto c = Collection::participations;
    auto& t = pop_.participations;
    const auto& where = accepted_index_[col(c)];
    const auto kept = detail::keep_periods(
        t.practice, pop_.practices.size(), &t.scheme, t.start, t.end, t.id, pop_.participation_ids, t.offsets,
        [&](Index row, Index previous) {
          reject_overlap(c, where[row], pop_.participation_ids.name(t.id[row]), t.start[row], "participation",
                         pop_.participation_ids.name(t.id[previous]), where[previous], t.start[previous],
                         t.end[previous],
                         "practice " + quoted(pop_.practices.ids.name(t.practice[row])) + " in scheme " +
                             quoted(pop_.scheme_names.name(t.scheme[row])),
                         "a practice's next participation in a scheme starts on or after the previous one's end "
                         "date");
        });
    detail::keep_ids(t.id, pop_.participation_ids, kept);
    detail::gather(t.practice, kept);
    detail::gather(t.scheme, kept);
    detail::gather(t.start, kept);
    detail::gather(t.end, kept);
  }
}

// A stay that runs past the resident's death (it ends later, or has not ended): kept, and a warning, since the
// death ends it (DESIGN.md "History"). Called once the overlapping stays are gone.
void PopulationBuilder::warn_stays_past_death() {
  const auto& t = pop_.stays;
  for (Index row = 0; row < t.size(); ++row) {
    const Index r = t.resident[row];
    const Date died = pop_.residents.died[r];
    if (died == no_date || (t.end[row] != no_date && t.end[row] <= died)) continue;
    const std::string& id = pop_.stay_ids.name(t.id[row]);
    const std::string& resident = pop_.residents.ids.name(r);
    Finding f;
    f.severity = Severity::warning;
    f.code = std::string(finding_code::stay_past_death);
    f.subject_kind = "resident";
    f.subject = resident;
    f.collection = std::string(to_string(Collection::stays));
    f.index = static_cast<std::int64_t>(stay_input_index_[row]);
    f.field = "end";
    f.value = t.end[row] == no_date ? std::string() : format_date(t.end[row]);
    const std::string reason = (t.end[row] == no_date ? "is not given, but resident " : "is after resident ") +
                               quoted(resident) + " died (" + format_date(died) + "): the death ends the stay";
    f.message = detail::compose(detail::record_label(f.collection, f.index, id), "end", f.value, false, reason);
    findings_.push_back(std::move(f));
  }
}

NetworkRecord network_record(std::span<const FieldValue> v) {
  using namespace schema::network;
  NetworkRecord r;
  r.id = v[id].text;
  r.name = v[name].text;
  return r;
}

RegistrationRecord registration_record(std::span<const FieldValue> v) {
  using namespace schema::registration;
  RegistrationRecord r;
  r.id = v[id].text;
  r.resident = v[resident].text;
  r.practice = v[practice].text;
  r.start = v[start].date;
  if (v[end].given) r.end = v[end].date;
  return r;
}

AlignmentRecord alignment_record(std::span<const FieldValue> v) {
  using namespace schema::alignment;
  AlignmentRecord r;
  r.id = v[id].text;
  r.home = v[home].text;
  r.practice = v[practice].text;
  r.start = v[start].date;
  if (v[end].given) r.end = v[end].date;
  return r;
}

ParticipationRecord participation_record(std::span<const FieldValue> v) {
  using namespace schema::participation;
  ParticipationRecord r;
  r.id = v[id].text;
  r.practice = v[practice].text;
  r.scheme = v[scheme].text;
  r.start = v[start].date;
  if (v[end].given) r.end = v[end].date;
  return r;
}

}  // namespace carerules
