// Schemes are data: obligations of a few rule kinds, performer rules, code lists, the month-end policy and
// versions with effective dates and tariffs. The engine knows rule kinds, never scheme names. The built-in
// schemes are JSON files in data/schemes/ compiled into the library; a user loads an edited copy from a file.
// The format is documented in docs/schemes.md and docs/scheme.schema.json.
#pragma once

#include "carerules/io/codelist.hpp"
#include "carerules/core/calendar.hpp"
#include "carerules/core/dates.hpp"
#include "carerules/model/findings.hpp"
#include "carerules/model/model.hpp"
#include "carerules/core/money.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carerules {

class SchemeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The unit of an interval. Months and years follow the scheme's month-end policy; working days are counted on
// the scheme's calendar (Monday to Friday less its bank holidays).
enum class IntervalUnit : std::uint8_t { days, weeks, months, years, working_days };

// How long: a count of one unit, as a scheme file writes it ("14 days", "3 months", "7 working days").
struct Interval {
  int count = 0;
  IntervalUnit unit = IntervalUnit::days;

  // The day one interval after `from`. `calendar` is read for working days only.
  Date after(Date from, MonthEndPolicy policy, const WorkingDayCalendar& calendar) const {
    switch (unit) {
      case IntervalUnit::days: return add_days(from, count);
      case IntervalUnit::weeks: return add_days(from, 7 * count);
      case IntervalUnit::months: return add_months(from, count, policy);
      case IntervalUnit::years: return add_years(from, count, policy);
      case IntervalUnit::working_days: return calendar.add_working_days(from, count);
    }
    return from;
  }
  std::string describe() const;  // "14 days", "1 week", "3 months", "1 year", "7 working days"
  friend bool operator==(const Interval&, const Interval&) = default;
};

// The largest count an interval may have (about 27 years in days): larger ones are typing mistakes.
inline constexpr int max_interval_count = 9999;

// "14 days", "1 week", "2 weeks", "3 months", "1 year", "7 working days" (singular or plural for any count);
// nullopt for anything else.
std::optional<Interval> parse_interval(std::string_view text) noexcept;
std::string_view to_string(IntervalUnit v) noexcept;  // "days", "weeks", "months", "years", "working days"

// Each kind is a file in src/engine/rules/, listed in this order in src/engine/rules/registry.cpp.
enum class RuleKind : std::uint8_t {
  entry,          // once per anchor (a residence, a permanent residency, joining the cohort)
  recurring,      // every interval from an anchor, each next instance from the previous completion
  per_admission,  // once per hospital admission of the listed methods during a residence
  per_event,      // once per qualifying event of a trigger activity
};

enum class AnchorKind : std::uint8_t {
  scheme_start,         // the scheme's start (someone already in scope then)
  residence_start,      // start of a residence (run of contiguous stays in one home)
  permanent_start,      // start of the residence's permanent residency (its first permanent stay)
  first_event,          // the first qualifying event of `anchor_activity` in scope (it completes nothing)
  cohort_start,         // the day the patient joined the case management cohort
  birthday,             // the patient's `anchor_age`th birthday
  home_first_resident,  // first day an aligned home has a resident registered with its aligned practice
  practice_aligned,     // the day the clinician's practice is aligned to a home (alignment precedes the scheme)
  previous_completion,  // a recurring instance after the first (set on tasks, not in scheme files)
  admission,            // a hospital admission (per_admission tasks)
  trigger_event,        // a trigger event (per_event tasks)
};

enum class Scope : std::uint8_t {
  residence,           // while the residence lasts
  permanent,           // residences with a permanent residency only, while it lasts
  cohort,              // case-managed patients, from joining until death
  not_in_cohort,       // patients who are not case managed, until they join the cohort or die
  aligned_home,        // a home aligned to a practice
  gp_of_aligned_practice,  // a GP of a practice aligned to a home
};

// Which residents a scheme's resident obligations and payments cover.
enum class Eligibility : std::uint8_t {
  registered_with_aligned_practice,  // residents of aligned homes registered with the home's aligned practice
  practice_patients,                 // every patient of a practice (case management)
};

struct PerformerGroup {
  std::string name;
  bool anyone = false;
  std::uint8_t roles = 0;  // bits of Role
  QualificationSet nurse_qualifications = 0;  // a nurse qualifies when holding any of these (0: any nurse in roles)
};
using PerformerSet = std::uint32_t;  // bits of performer groups
// A scheme has at most this many performer groups (a bit each in PerformerSet).
inline constexpr std::size_t max_performer_groups = 32;
static_assert(max_performer_groups <= 8 * sizeof(PerformerSet), "more performer groups than PerformerSet has bits");
// An obligation has at most this many requirements (a bit each in a task's `missing`, engine/result.hpp).
inline constexpr std::size_t max_requirements = 32;

struct Requirement {
  std::string name;  // what `missing` says: the activity names joined by " or "
  std::vector<Activity> any_of;
  bool only_if_permanent = false;  // only for a residence that is permanent by the due date
  PerformerSet performers = 0;     // 0: each activity's scheme default
};

struct Obligation {
  std::string id;
  std::string title;   // "Care plan"
  std::string source;  // where in the source document it comes from
  RuleKind kind = RuleKind::entry;
  SubjectKind subject = SubjectKind::resident;
  AnchorKind anchor = AnchorKind::residence_start;
  Activity anchor_activity = Activity::none;  // for AnchorKind::first_event
  int anchor_age = 0;                         // for AnchorKind::birthday
  Scope scope = Scope::residence;
  Interval window;  // entry, per_admission, per_event: due = anchor + window; recurring: every
  std::vector<Requirement> requirements;
  std::vector<Activity> optional;  // recorded as evidence when present, never missing
  std::uint8_t admission_methods = 0;  // bits of AdmissionMethod (fewer than 8), for per_admission
  Activity trigger = Activity::none;   // for per_event
  bool due_from_admission_end = false; // per_admission: due = admission end + window (upcoming while in hospital)
};

enum class StructuralCheck : std::uint8_t {
  home_aligned,                      // home-not-aligned
  home_lead_gp,                      // no-lead-gp, lead-gp-not-of-aligned-practice
  registered_with_aligned_practice,  // registered-elsewhere
  cohort_share,                      // cohort-over-5-percent (max_percent)
  cohort_reason_share,               // clinical-judgement-over-2-percent (reason, max_percent)
  care_home_residents_in_cohort,     // care-home-resident-not-in-cohort
  risk_tool_in_cohort,               // risk-tool-not-in-cohort (threshold)
};

struct StructuralRule {
  StructuralCheck check = StructuralCheck::home_aligned;
  std::int64_t max_basis_points = 0;  // percent x 100, for the share checks (5% = 500)
  CohortReason reason = CohortReason::none;
  double threshold = 0.0;  // risk score threshold (a score, not an amount)
};

// Tariff: amounts by key, e.g. "new", "existing", "temporary" (capitation) or "initial_review/care_home",
// "review/other", "health_review/care_home" (item of service). An absent or null amount is unpriced.
struct SchemeVersion {
  std::string version;
  Date effective{};
  std::map<std::string, std::optional<Pence>, std::less<>> tariff;
  std::optional<Pence> amount(std::string_view key) const {
    auto it = tariff.find(key);
    return it == tariff.end() ? std::nullopt : it->second;
  }
};

// Each model is a file in src/engine/rules/, listed in this order in src/engine/rules/registry.cpp.
enum class PaymentModel : std::uint8_t { none, capitation, item_of_service };

struct PaidItem {
  std::string obligation;  // obligation id whose completed tasks are paid
  std::string line_kind;   // "initial_review", "review", "health_review"
  bool counts_to_cap = true;
};

struct PaymentRules {
  PaymentModel model = PaymentModel::none;
  // capitation: the obligation whose status decides pending / withheld for `new` lines
  std::string entry_obligation;
  // item of service
  std::vector<PaidItem> items;
  int annual_cap = 0;  // paid items per patient per financial year counting to the cap (0: no cap)
  // The scheme that pays for care home patients instead, when it is evaluated in the same run and the practice
  // takes part in it on the activity's date: their lines are then `superseded` ("": none).
  std::string superseded_by;
};

struct Scheme {
  std::string id;
  std::string title;
  std::string source;
  MonthEndPolicy month_end = MonthEndPolicy::clamp;
  // Where working-day intervals are counted: the shipped England and Wales calendar unless the scheme names
  // another.
  WorkingDayCalendar calendar = WorkingDayCalendar::england_and_wales();
  Date start{};  // default: the first version's effective date
  Eligibility eligibility = Eligibility::registered_with_aligned_practice;
  std::vector<PerformerGroup> performer_groups;
  std::array<PerformerSet, activity_count> activity_performers{};  // default performers per activity
  CodeMap codes;
  std::vector<Obligation> obligations;
  std::vector<StructuralRule> structural;
  std::vector<SchemeVersion> versions;  // sorted by effective date
  PaymentRules payments;
  std::string text;  // the JSON it was loaded from

  // The day `interval` after `from`, by this scheme's month-end policy and calendar.
  Date after(const Interval& interval, Date from) const { return interval.after(from, month_end, calendar); }
  // The version in force on `day` (the latest effective on or before it), or nullptr before the first.
  const SchemeVersion* version_on(Date day) const noexcept;
  const Obligation* find_obligation(std::string_view id) const noexcept;
  // The performer groups a clinician of this role and these qualifications belongs to.
  PerformerSet performer_groups_of(Role role, QualificationSet qualifications) const noexcept;
  // The performer groups a requirement naming `performers` accepts for `activity` (0: the activity's default).
  PerformerSet accepted_performers(Activity activity, PerformerSet performers) const noexcept {
    return performers != 0 ? performers : activity_performers[static_cast<std::size_t>(activity)];
  }
};

// Loads a scheme from JSON text. `base_dir` resolves relative code list files. Throws SchemeError naming the
// field that is wrong (or ParseError with line and column for malformed JSON).
Scheme load_scheme_json(std::string_view text, const std::string& source = "scheme.json", const std::string& base_dir = ".");
Scheme load_scheme_file(const std::string& path);

std::vector<std::string> builtin_scheme_ids();
const Scheme& builtin_scheme(std::string_view id);  // throws SchemeError for an unknown id
// A built-in scheme by id, or a scheme file by path.
Scheme resolve_scheme(const std::string& id_or_path);

std::string_view to_string(RuleKind v) noexcept;
std::string_view to_string(AnchorKind v) noexcept;
std::string_view to_string(Scope v) noexcept;
std::string_view to_string(StructuralCheck v) noexcept;  // as written in a scheme's "structural" list

}  // namespace carerules
