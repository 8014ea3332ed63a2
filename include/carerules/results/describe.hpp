// Turns the engine's compact results into what people read: ids, dates as text, and a `because` sentence a
// practice manager understands. Used by every adapter (JSON, CSV, Python, reports).
#pragma once

#include "carerules/model/model.hpp"
#include "carerules/engine/result.hpp"
#include "carerules/schemes/scheme.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carerules {

// A task with every field of the output contract as text (absent values empty / nullopt).
struct TaskRecord {
  std::string scheme;
  std::string obligation;
  std::string subject_kind;
  std::string subject;
  std::string practice;  // "" when none
  std::string home;      // "" when none
  Date opens{};
  std::optional<Date> due;
  std::string status;
  std::optional<Date> completed_on;
  std::vector<std::string> missing;   // activities not yet recorded
  std::vector<std::string> evidence;  // event ids
  std::string because;
};

struct PaymentRecord {
  std::string scheme;
  std::string practice;
  std::string resident;
  std::string home;
  std::string financial_year;  // "2025-26"
  int quarter = 1;             // 1..4
  std::string kind;
  std::optional<Pence> amount;
  std::string status;
  std::string tariff;  // version name, "" when none
  std::string because;
};

// Everything describe needs, held together.
struct ResultView {
  const Population& population;
  const std::vector<Scheme>& schemes;
  const EvaluationResult& result;
};

std::vector<std::string> task_missing(const ResultView& v, const Task& t);
std::vector<std::string> task_evidence(const ResultView& v, const Task& t);
// The same into `out` (cleared first), as views into the schemes and the population.
void task_missing(const ResultView& v, const Task& t, std::vector<std::string_view>& out);
void task_evidence(const ResultView& v, const Task& t, std::vector<std::string_view>& out);
std::string task_because(const ResultView& v, const Task& t);
TaskRecord task_record(const ResultView& v, const Task& t);

std::string payment_because(const ResultView& v, const PaymentLine& line);
PaymentRecord payment_record(const ResultView& v, const PaymentLine& line);

}  // namespace carerules
