// The case management cohort summary per practice and over all practices (carerules/reports/cohort.hpp): counts and
// exact shares (basis points and whole per cent), no floating point, as the C++ API gives them.
#include "bindings.hpp"

#include "carerules/reports/cohort.hpp"

#include <optional>

namespace carerules::python {

namespace {

py::object optional_int(const std::optional<std::int64_t>& value) {
  return value ? py::object(py::int_(*value)) : py::object(py::none());
}

// A share as basis points and whole per cent, each rounded half up in integers (None when the whole is not
// positive); its part and whole are counts of the summary already.
void put_share(py::dict& d, const char* name, const Share& share) {
  const std::string key(name);
  d[py::str(key + "_basis_points")] = optional_int(share.basis_points());
  d[py::str(key + "_percent")] = optional_int(share.percent());
}

py::dict summary_dict(const CohortSummary& s) {
  py::dict d;
  d["practice"] = s.practice;
  d["practice_name"] = s.practice_name;
  d["as_of"] = from_date(s.as_of);
  d["list_size"] = optional_int(s.list_size);
  d["cohort"] = s.cohort;
  d["intended_cohort"] = optional_int(s.intended_cohort);
  d["members_care_home"] = s.by_reason.care_home;
  d["members_risk_tool"] = s.by_reason.risk_tool;
  d["members_clinical_judgement"] = s.by_reason.clinical_judgement;
  d["care_home_patients"] = s.care_home_patients;
  d["care_home_patients_in_cohort"] = s.care_home_patients_in_cohort;
  d["care_home_patients_with_care_plan"] = s.care_home_patients_with_care_plan;
  d["members_with_care_plan"] = s.members_with_care_plan;
  put_share(d, "cohort_share", s.cohort_share);
  put_share(d, "clinical_judgement_share", s.clinical_judgement_share);
  put_share(d, "care_plans_of_care_home_patients", s.care_plans_of_care_home_patients());
  put_share(d, "care_plans_of_cohort", s.care_plans_of_cohort());
  put_share(d, "care_plans_of_intended_cohort", s.care_plans_of_intended_cohort());
  put_share(d, "care_home_patients_in_cohort_share", s.care_home_patients_in_cohort_share());
  return d;
}

}  // namespace

void init_cohort(py::module_& m) {
  m.def(
      "cohort_summary",
      [](const PopulationHandle& population, const std::shared_ptr<Scheme>& scheme, const py::object& as_of) {
        if (!scheme) throw py::value_error("scheme must not be None");
        const Date day = to_date(as_of, "as_of");
        std::vector<CohortSummary> practices;
        CohortSummary total;
        {
          py::gil_scoped_release release;  // reads only the population and the scheme
          const PopulationReadLock lock(*population.data);  // append_event waits for it
          practices = cohort_summary(population.data->population, *scheme, day);
          total = cohort_total(practices, day);
        }
        py::list out;
        for (const CohortSummary& s : practices) out.append(summary_dict(s));
        out.append(summary_dict(total));
        return out;
      },
      py::arg("population"), py::arg("scheme"), py::arg("as_of"),
      "The case management cohort of each practice on a date, then the total over practices (practice \"\"): "
      "counts, and shares in basis points and whole per cent");
}

}  // namespace carerules::python
