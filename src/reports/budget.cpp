// Budget projection (seed 004, Table 2) and payment totals. docs/payments.md derives every figure.
#include "carerules/reports/budget.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <tuple>

namespace carerules {

namespace {

const SchemeVersion& version_on_or_throw(const Scheme& scheme, Date day, const char* what) {
  const SchemeVersion* v = scheme.version_on(day);
  if (v == nullptr)
    throw SchemeError(scheme.id + ": no tariff version in force on " + format_date(day) + " (the " + what + " budget's day)");
  return *v;
}

const PaidItem& item_of_kind(const Scheme& scheme, std::string_view kind) {
  for (const PaidItem& item : scheme.payments.items)
    if (item.line_kind == kind) return item;
  throw SchemeError(scheme.id + ": no payment item of kind " + std::string(kind) + ": the budget projection needs one");
}

// What one activity earns for a care home patient under `v`: the care home rate, else the kind's only rate
// (the original version priced everyone alike), exactly as payment lines are priced.
Pence care_home_price(const Scheme& scheme, const SchemeVersion& v, std::string_view kind) {
  const std::string key = std::string(kind) + "/care_home";
  std::optional<Pence> amount = v.amount(key);
  if (!amount) amount = v.amount(kind);
  if (!amount)
    throw SchemeError(scheme.id + ": tariff " + v.version + " sets no amount for " + key + " (nor " + std::string(kind) + ")");
  return *amount;
}

// Paid case-management activities in a year: the annual cap (three), or, with no cap, as many reviews as
// the review interval fits in twelve months.
int activities_per_year(const Scheme& scheme) {
  if (scheme.payments.annual_cap > 0) return scheme.payments.annual_cap;
  const PaidItem& review = item_of_kind(scheme, "review");
  const Obligation* ob = scheme.find_obligation(review.obligation);
  if (ob != nullptr && ob->window.unit == IntervalUnit::months) return 12 / ob->window.count;
  if (ob != nullptr && ob->window.unit == IntervalUnit::years) return 1;
  throw SchemeError(scheme.id + ": no annual cap and no review interval in months: cannot tell how many reviews a year pays for");
}

BudgetLine line(std::string label, std::string basis, std::int64_t count, Pence initial, Pence review, int n, bool is_new,
                const std::string& tariff) {
  BudgetLine l;
  l.label = std::move(label);
  l.basis = std::move(basis);
  l.count = count;
  l.tariff = tariff;
  if (is_new) {
    l.per_patient = initial + review * (n - 1);
    l.derivation = format_pounds(initial) + " + " + std::to_string(n - 1) + " x " + format_pounds(review);
  } else {
    l.per_patient = review * n;
    l.derivation = std::to_string(n) + " x " + format_pounds(review);
  }
  l.total = l.per_patient * count;
  return l;
}

}  // namespace

BudgetProjection project_budget(const Scheme& scheme, const BudgetInputs& in) {
  if (in.care_home_patients < 0 || in.existing_with_plan < 0)
    throw std::invalid_argument("budget inputs: patient counts cannot be negative");
  if (in.existing_with_plan > in.care_home_patients)
    throw std::invalid_argument("budget inputs: " + std::to_string(in.existing_with_plan) + " patients with a plan but only " +
                                std::to_string(in.care_home_patients) + " care home patients");
  if (scheme.versions.empty()) throw SchemeError(scheme.id + ": no tariff versions");
  (void)item_of_kind(scheme, "initial_review");
  (void)item_of_kind(scheme, "review");

  BudgetProjection p;
  p.scheme = scheme.id;
  p.projected_on = in.projected_on.value_or(scheme.versions.back().effective);
  p.current_on = in.current_on.value_or(p.projected_on - date::days{1});
  p.activities_per_year = activities_per_year(scheme);
  const int n = p.activities_per_year;

  const SchemeVersion& cur = version_on_or_throw(scheme, p.current_on, "current");
  const SchemeVersion& proj = version_on_or_throw(scheme, p.projected_on, "projected");

  p.current.push_back(line("Costed for each patient as new", "new", in.care_home_patients,
                           care_home_price(scheme, cur, "initial_review"), care_home_price(scheme, cur, "review"), n, true,
                           cur.version));
  const Pence initial = care_home_price(scheme, proj, "initial_review");
  const Pence review = care_home_price(scheme, proj, "review");
  p.projected.push_back(line("Expected number of new patients", "new", in.care_home_patients - in.existing_with_plan, initial,
                             review, n, true, proj.version));
  p.projected.push_back(line("Expected number of follow ups", "existing", in.existing_with_plan, initial, review, n, false,
                             proj.version));
  for (const BudgetLine& l : p.current) p.current_total += l.total;
  for (const BudgetLine& l : p.projected) p.projected_total += l.total;
  p.impact = p.projected_total - p.current_total;
  return p;
}

BudgetInputs budget_inputs(const CohortSummary& summary) {
  BudgetInputs in;
  in.care_home_patients = summary.care_home_patients;
  in.existing_with_plan = summary.care_home_patients_with_care_plan;
  return in;
}

std::vector<PaymentTotal> payment_totals(const ResultView& view) {
  const Population& pop = view.population;
  // (scheme index, practice id, year, quarter) -> total; quarter 5 stands for the year so that it sorts last.
  std::map<std::tuple<std::uint16_t, std::string, int, int>, PaymentTotal> totals;
  for (const PaymentLine& l : view.result.payments) {
    const std::string practice = l.practice == no_index ? std::string() : pop.practices.ids.name(l.practice);
    for (int q : {l.quarter.number, 5}) {
      PaymentTotal& t = totals[{l.scheme, practice, l.quarter.year.start_year, q}];
      t.scheme = view.schemes[l.scheme].id;
      t.practice = practice;
      t.year = l.quarter.year;
      t.quarter = q == 5 ? 0 : q;
      ++t.lines;
      if (l.status == ClaimStatus::superseded) {
        ++t.superseded_lines;
        t.superseded += l.superseded_amount;
        continue;
      }
      if (!l.amount || l.status == ClaimStatus::unpriced) {
        ++t.unpriced_lines;
        continue;
      }
      switch (l.status) {
        case ClaimStatus::payable: t.payable += *l.amount; break;
        case ClaimStatus::pending: t.pending += *l.amount; break;
        case ClaimStatus::withheld: t.withheld += *l.amount; break;
        case ClaimStatus::unpriced:
        case ClaimStatus::superseded: break;
      }
    }
  }
  std::vector<PaymentTotal> out;
  out.reserve(totals.size());
  for (auto& [key, t] : totals) out.push_back(std::move(t));
  return out;
}

}  // namespace carerules
