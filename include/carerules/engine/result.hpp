// What an evaluation produces: tasks (obligation instances with status and evidence), payment lines and
// findings. Plain structs holding dense indices into the population and schemes; describe.hpp turns them
// into the ids and sentences people read, and output.hpp into JSON and CSV.
#pragma once

#include "carerules/core/dates.hpp"
#include "carerules/model/findings.hpp"
#include "carerules/model/model.hpp"
#include "carerules/core/money.hpp"
#include "carerules/schemes/scheme.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace carerules {

enum class TaskStatus : std::uint8_t { upcoming, open, overdue, done, late, missed, cancelled };
std::string_view to_string(TaskStatus v) noexcept;
std::optional<TaskStatus> task_status_from_string(std::string_view s) noexcept;
inline bool is_complete(TaskStatus s) noexcept { return s == TaskStatus::done || s == TaskStatus::late; }

// Why a subject left an obligation's scope.
enum class ScopeExit : std::uint8_t { none, left_home, died, joined_cohort };

struct Task {
  std::uint16_t scheme = 0;      // index into the evaluated schemes
  std::uint16_t obligation = 0;  // index into the scheme's obligations
  SubjectKind subject_kind = SubjectKind::resident;
  TaskStatus status = TaskStatus::open;
  AnchorKind anchor_kind = AnchorKind::residence_start;
  ScopeExit scope_exit = ScopeExit::none;
  Index subject = no_index;
  Index practice = no_index;
  Index home = no_index;
  Date opens{};
  Date due = no_date;           // no_date: not yet known (still in hospital)
  Date completed_on = no_date;  // no_date: not completed
  Date anchor_date{};           // what the window is counted from (the previous completion for later instances)
  Date scope_end = no_date;     // the day the subject left scope, when it has
  Index anchor_ref = no_index;  // admission row (per_admission) or event row (per_event, first_event)
  std::uint32_t missing = 0;    // bit i: requirement i not yet met
  std::uint32_t evidence_begin = 0;  // into EvaluationResult::evidence (event rows)
  std::uint16_t evidence_count = 0;
  std::uint16_t instance = 1;  // 1-based number in a recurring series

  bool has_due() const noexcept { return due != no_date; }
  bool is_completed() const noexcept { return completed_on != no_date; }
};

static_assert(max_requirements <= 8 * sizeof(Task::missing), "more requirements than a task's missing bits");

enum class PaymentKind : std::uint8_t { new_resident, existing, temporary, initial_review, review, health_review };
std::string_view to_string(PaymentKind v) noexcept;  // "new", "existing", ...
std::optional<PaymentKind> payment_kind_from_string(std::string_view s) noexcept;

enum class ClaimStatus : std::uint8_t { payable, pending, withheld, unpriced, superseded };
std::string_view to_string(ClaimStatus v) noexcept;

// Why a line has its status (the text is made by describe.hpp).
enum class ClaimReason : std::uint8_t {
  new_residency,        // new: permanent residency started this quarter
  existing_residency,   // existing
  temporary_residency,  // temporary
  entry_not_yet_due,    // pending
  entry_overdue,        // withheld
  entry_missed,         // withheld
  entry_cancelled,      // payable: nothing was owed
  item_completed,       // item of service
  over_annual_cap,      // withheld: more than the annual cap
  no_tariff,            // unpriced
  superseded,           // superseded: another scheme evaluated in the same run pays for this patient instead
};

inline constexpr std::uint16_t no_tariff = 0xFFFF;

struct PaymentLine {
  std::uint16_t scheme = 0;
  PaymentKind kind = PaymentKind::existing;
  ClaimStatus status = ClaimStatus::payable;
  ClaimReason reason = ClaimReason::existing_residency;
  bool care_home_patient = false;  // item of service: a stay in progress on the activity's date
  Index practice = no_index;
  Index resident = no_index;
  Index home = no_index;
  Quarter quarter{};
  std::optional<Pence> amount;  // nullopt: unpriced
  std::uint16_t tariff = no_tariff;  // index into the scheme's versions
  Date residency_start{};       // capitation: the permanent residency's (or stay's) start
  Date activity_date = no_date; // item of service: the completing activity's date
  Index task = no_index;        // the task behind an item of service line, or the entry task of a new line
  std::uint16_t superseded_by = 0xFFFF;  // superseded: index of the scheme that pays instead
  Date superseded_from = no_date;        // superseded: the start of the practice's period in that scheme
  Pence superseded_amount{};             // superseded: what the line would have paid (never in a payable total)
};

struct SchemeRef {
  std::string id;
  std::string version;  // the version in force on the as-of date ("" before the first)
};

struct EvaluationResult {
  Date as_of{};
  std::vector<SchemeRef> schemes;
  std::vector<Task> tasks;
  std::vector<Index> evidence;  // event rows, referenced by tasks
  std::vector<PaymentLine> payments;
  std::vector<Finding> findings;
  InputCounts input;
};

}  // namespace carerules
