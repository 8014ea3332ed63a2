// The case management budget projection (seed 004, Table 2) from counts and the scheme's tariffs, and the
// counts a population gives for it (carerules/reports/budget.hpp, carerules/reports/cohort.hpp).
#include "bindings.hpp"

#include "carerules/reports/budget.hpp"
#include "carerules/reports/cohort.hpp"

#include <optional>

namespace carerules::python {

namespace {

py::dict line_dict(const BudgetLine& l) {
  py::dict d;
  d["label"] = l.label;
  d["basis"] = l.basis;
  d["count"] = l.count;
  d["per_patient_pence"] = l.per_patient.value();
  d["total_pence"] = l.total.value();
  d["tariff"] = l.tariff;
  d["derivation"] = l.derivation;
  return d;
}

py::list lines(const std::vector<BudgetLine>& items) {
  py::list out;
  for (const BudgetLine& l : items) out.append(line_dict(l));
  return out;
}

std::optional<Date> optional_date(const py::object& value, const char* what) {
  if (value.is_none()) return std::nullopt;
  return to_date(value, what);
}

}  // namespace

py::list payment_total_rows(const ResultView& view) {
  std::vector<PaymentTotal> totals;
  {
    py::gil_scoped_release release;  // reads only the result and the population it came from
    const PopulationReadLock lock(view.population);  // append_event waits for it
    totals = payment_totals(view);
  }
  py::list out;
  for (const PaymentTotal& t : totals) {
    py::dict d;
    d["scheme"] = t.scheme;
    d["practice"] = t.practice.empty() ? py::object(py::none()) : py::object(py::str(t.practice));
    d["financial_year"] = t.year.label();
    d["quarter"] = t.quarter;  // 0: the whole financial year
    d["lines"] = t.lines;
    d["payable_pence"] = t.payable.value();
    d["pending_pence"] = t.pending.value();
    d["withheld_pence"] = t.withheld.value();
    d["unpriced_lines"] = t.unpriced_lines;
    d["superseded_lines"] = t.superseded_lines;
    d["superseded_pence"] = t.superseded.value();
    out.append(d);
  }
  return out;
}

void init_budget(py::module_& m) {
  m.def(
      "project_budget",
      [](const std::shared_ptr<Scheme>& scheme, std::int64_t care_home_patients, std::int64_t existing_with_plan,
         const py::object& projected_on, const py::object& current_on) {
        if (!scheme) throw py::value_error("scheme must not be None");
        BudgetInputs in;
        in.care_home_patients = care_home_patients;
        in.existing_with_plan = existing_with_plan;
        in.projected_on = optional_date(projected_on, "projected_on");
        in.current_on = optional_date(current_on, "current_on");
        const BudgetProjection p = project_budget(*scheme, in);
        py::dict d;
        d["scheme"] = p.scheme;
        d["current_on"] = from_date(p.current_on);
        d["projected_on"] = from_date(p.projected_on);
        d["activities_per_year"] = p.activities_per_year;
        d["current"] = lines(p.current);
        d["current_total_pence"] = p.current_total.value();
        d["projected"] = lines(p.projected);
        d["projected_total_pence"] = p.projected_total.value();
        d["impact_pence"] = p.impact.value();
        return d;
      },
      py::arg("scheme"), py::arg("care_home_patients"), py::arg("existing_with_plan"), py::arg("projected_on") = py::none(),
      py::arg("current_on") = py::none(),
      "Seed 004's Table 2 from counts and the scheme's tariffs: the current budget (every patient costed as new) "
      "and the projection (new patients and follow-ups), in pence");
  m.def(
      "budget_counts",
      [](const PopulationHandle& population, const std::shared_ptr<Scheme>& scheme, const py::object& as_of) {
        if (!scheme) throw py::value_error("scheme must not be None");
        const Date day = to_date(as_of, "as_of");
        BudgetInputs in;
        {
          py::gil_scoped_release release;  // reads only the population and the scheme
          const PopulationReadLock lock(*population.data);  // append_event waits for it
          in = budget_inputs(cohort_total(cohort_summary(population.data->population, *scheme, day), day));
        }
        py::dict d;
        d["care_home_patients"] = in.care_home_patients;
        d["existing_with_plan"] = in.existing_with_plan;
        return d;
      },
      py::arg("population"), py::arg("scheme"), py::arg("as_of"),
      "The budget projection's counts from a population on a date: care home patients, and those of them with a care plan");
}

}  // namespace carerules::python
