// Money figures above the payment lines: the case management budget projection of seed 004 (Table 2),
// computed from patient counts and the scheme's tariffs, and payment totals per practice per quarter and per
// financial year. Integer pence throughout. docs/payments.md derives every figure and notes where the
// source's own arithmetic disagrees.
#pragma once

#include "carerules/reports/cohort.hpp"
#include "carerules/core/dates.hpp"
#include "carerules/results/describe.hpp"
#include "carerules/core/money.hpp"
#include "carerules/schemes/scheme.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace carerules {

// ---------------------------------------------------------------------------------------------------------
// Budget projection for care home patients (seed 004, Table 2)

struct BudgetInputs {
  std::int64_t care_home_patients = 0;  // 1,500 in the seed
  std::int64_t existing_with_plan = 0;  // already case managed (with a care plan): 912 in the seed
  // The tariff the projection uses: the version in force on this day. Default: the latest version's
  // effective date (2015-04-01, "2015-16", for the shipped scheme).
  std::optional<Date> projected_on;
  // The tariff of the current budget, which costs every patient as new: the version in force on this day.
  // Default: the day before `projected_on` (the version the projection replaces: "original" for the
  // shipped scheme).
  std::optional<Date> current_on;
};

struct BudgetLine {
  std::string label;       // "Costed for each patient as new", ...
  std::string basis;       // "new" (initial review + reviews) or "existing" (reviews only)
  std::int64_t count = 0;  // patients
  Pence per_patient{};     // a year's paid activities for one care home patient
  Pence total{};           // count x per_patient
  std::string tariff;      // the scheme version priced
  std::string derivation;  // "£150.00 + 2 x £40.00"
};

struct BudgetProjection {
  std::string scheme;
  Date current_on{};
  Date projected_on{};
  int activities_per_year = 0;     // paid activities per patient per year (the scheme's annual cap: 3)
  std::vector<BudgetLine> current;   // one line: every patient costed as new
  Pence current_total{};
  std::vector<BudgetLine> projected;  // new patients, then follow-ups
  Pence projected_total{};
  Pence impact{};  // projected_total - current_total: negative is a saving (seed: -£10,320)
};

// Throws std::invalid_argument for negative counts or more patients with a plan than patients, and
// SchemeError when the scheme has no version in force on either day, no initial_review / review payment
// items, or no amount for them.
BudgetProjection project_budget(const Scheme& case_management, const BudgetInputs& inputs);

// The counts of a cohort summary (usually cohort_total) as budget inputs: care home patients, and those of
// them with a care plan as the existing (followed-up) ones.
BudgetInputs budget_inputs(const CohortSummary& summary);

// ---------------------------------------------------------------------------------------------------------
// Payment totals

// The payment lines of one scheme and practice in one quarter (or, with quarter 0, the whole financial
// year), by claim status. Every figure is the sum of its lines.
struct PaymentTotal {
  std::string scheme;
  std::string practice;
  FinancialYear year{};
  int quarter = 0;  // 1..4, or 0 for the financial year
  std::int64_t lines = 0;
  std::int64_t unpriced_lines = 0;
  Pence payable{};
  Pence pending{};
  Pence withheld{};
  // Lines another scheme pays for instead (no double funding): counted apart, never in the totals above.
  std::int64_t superseded_lines = 0;
  Pence superseded{};  // what they would have paid
};

// By scheme (in evaluation order), practice id, financial year, then the year's quarters followed by the
// year itself (quarter 0). Only quarters with lines are listed.
std::vector<PaymentTotal> payment_totals(const ResultView& view);

}  // namespace carerules
