// Cohort summary per practice (seed 004). Definitions in docs/case-management.md.
#include "carerules/reports/cohort.hpp"

#include <algorithm>
#include <array>

namespace carerules {

namespace {

// part / whole x scale, rounded half up, in integers (part and whole are counts: no overflow at x 10000).
std::optional<std::int64_t> scaled(std::int64_t part, std::int64_t whole, std::int64_t scale) noexcept {
  if (whole <= 0 || part < 0) return std::nullopt;
  return (part * scale * 2 + whole) / (whole * 2);
}

// Whether each event row records a care plan under the scheme's code lists, decided once per code.
class CarePlanCodes {
 public:
  CarePlanCodes(const Population& pop, const Scheme& scheme) : pop_(pop), scheme_(scheme) {
    for (auto& v : known_) v.assign(pop.codes.size(), unknown);
  }

  bool care_plan(Index row) {
    const Activity named = pop_.events.activity[row];
    if (named != Activity::none) return named == Activity::care_plan;
    const Index code = pop_.events.code[row];
    if (code == no_index) return false;
    auto& known = known_[static_cast<std::size_t>(pop_.events.system[row])];
    if (code >= known.size()) known.resize(pop_.codes.size(), unknown);
    if (known[code] == unknown) {
      const auto a = scheme_.codes.lookup(pop_.events.system[row], pop_.codes.name(code), SubjectKind::resident);
      known[code] = a == Activity::care_plan ? yes : no;
    }
    return known[code] == yes;
  }

  bool has_care_plan(Index resident, Date as_of) {
    const auto range = pop_.events_of(SubjectKind::resident, resident);
    for (Index row = range.begin; row < range.end && pop_.events.date[row] <= as_of; ++row)
      if (care_plan(row)) return true;
    for (Index row : pop_.appended_events_of(SubjectKind::resident, resident))
      if (pop_.events.date[row] <= as_of && care_plan(row)) return true;
    return false;
  }

 private:
  static constexpr std::uint8_t unknown = 0, yes = 1, no = 2;
  const Population& pop_;
  const Scheme& scheme_;
  std::array<std::vector<std::uint8_t>, 3> known_;  // by CodeSystem
};

std::optional<std::int64_t> cohort_limit_basis_points(const Scheme& scheme) {
  for (const StructuralRule& rule : scheme.structural)
    if (rule.check == StructuralCheck::cohort_share) return rule.max_basis_points;
  return std::nullopt;
}

}  // namespace

std::optional<std::int64_t> Share::basis_points() const noexcept { return scaled(part, whole, 10000); }
std::optional<std::int64_t> Share::percent() const noexcept { return scaled(part, whole, 100); }
std::string Share::to_string() const {
  const auto p = percent();
  return p ? std::to_string(*p) + "%" : std::string("n/a");
}

std::vector<CohortSummary> cohort_summary(const Population& pop, const Scheme& scheme, Date as_of) {
  const std::size_t np = pop.practices.size();
  std::vector<CohortSummary> out(np);
  const auto limit = cohort_limit_basis_points(scheme);
  for (Index p = 0; p < np; ++p) {
    CohortSummary& s = out[p];
    s.practice = pop.practices.ids.name(p);
    s.practice_name = pop.practices.name[p];
    s.as_of = as_of;
    if (pop.practices.list_size[p] >= 0) s.list_size = pop.practices.list_size[p];
  }
  CarePlanCodes codes(pop, scheme);
  for (Index r = 0; r < pop.residents.size(); ++r) {
    const Index p = pop.residents.practice[r];
    if (p == no_index || p >= np) continue;
    if (died_on_or_before(pop, r, as_of)) continue;
    const bool member = in_cohort_on(pop, r, as_of);
    const bool care_home = care_home_on(pop, r, as_of) != no_index;
    if (!member && !care_home) continue;
    const bool plan = codes.has_care_plan(r, as_of);
    CohortSummary& s = out[p];
    if (member) {
      ++s.cohort;
      switch (pop.residents.cohort_reason[r]) {
        case CohortReason::care_home: ++s.by_reason.care_home; break;
        case CohortReason::risk_tool: ++s.by_reason.risk_tool; break;
        case CohortReason::clinical_judgement: ++s.by_reason.clinical_judgement; break;
        case CohortReason::none: break;
      }
      if (plan) ++s.members_with_care_plan;
    }
    if (care_home) {
      ++s.care_home_patients;
      if (member) ++s.care_home_patients_in_cohort;
      if (plan) ++s.care_home_patients_with_care_plan;
    }
  }
  for (CohortSummary& s : out) {
    const std::int64_t list = s.list_size.value_or(0);
    s.cohort_share = {s.cohort, list};
    s.clinical_judgement_share = {s.by_reason.clinical_judgement, list};
    if (s.list_size && limit) s.intended_cohort = *s.list_size * *limit / 10000;
  }
  std::sort(out.begin(), out.end(), [](const CohortSummary& a, const CohortSummary& b) { return a.practice < b.practice; });
  return out;
}

CohortSummary cohort_total(const std::vector<CohortSummary>& practices, Date as_of) {
  CohortSummary t;
  t.as_of = as_of;
  std::int64_t cohort_with_list = 0;
  for (const CohortSummary& s : practices) {
    if (s.list_size) {
      t.list_size = t.list_size.value_or(0) + *s.list_size;
      cohort_with_list += s.cohort;
    }
    if (s.intended_cohort) t.intended_cohort = t.intended_cohort.value_or(0) + *s.intended_cohort;
    t.cohort += s.cohort;
    t.by_reason.care_home += s.by_reason.care_home;
    t.by_reason.risk_tool += s.by_reason.risk_tool;
    t.by_reason.clinical_judgement += s.by_reason.clinical_judgement;
    t.care_home_patients += s.care_home_patients;
    t.care_home_patients_in_cohort += s.care_home_patients_in_cohort;
    t.care_home_patients_with_care_plan += s.care_home_patients_with_care_plan;
    t.members_with_care_plan += s.members_with_care_plan;
  }
  std::int64_t judgement_with_list = 0;
  for (const CohortSummary& s : practices)
    if (s.list_size) judgement_with_list += s.by_reason.clinical_judgement;
  t.cohort_share = {cohort_with_list, t.list_size.value_or(0)};
  t.clinical_judgement_share = {judgement_with_list, t.list_size.value_or(0)};
  return t;
}

}  // namespace carerules
