// Evaluation: the engine with the GIL released, and its result as columns (for pandas), JSON or CSV.
#include "bindings.hpp"

#include "carerules/results/describe.hpp"
#include "carerules/results/output.hpp"

#include <pybind11/numpy.h>

#include <limits>
#include <sstream>

namespace carerules::python {

py::dict finding_dict(const Finding& f);  // population.cpp

namespace {

struct EvaluatorHandle {
  std::shared_ptr<LoadedPopulation> population;
  std::shared_ptr<const std::vector<Scheme>> schemes;
  std::unique_ptr<Evaluator> evaluator;
};

struct ResultHandle {
  std::shared_ptr<LoadedPopulation> population;
  std::shared_ptr<const std::vector<Scheme>> schemes;
  EvaluationResult result;
  ResultView view() const { return ResultView{population->population, *schemes, result}; }
};

constexpr std::int64_t nat = std::numeric_limits<std::int64_t>::min();  // numpy's NaT for datetime64

std::int64_t days(Date d) { return d == no_date ? nat : static_cast<std::int64_t>(d.time_since_epoch().count()); }

py::object optional_str(const std::string& s) { return s.empty() ? py::object(py::none()) : py::object(py::str(s)); }

py::list string_list(const std::vector<std::string>& items) {
  py::list out;
  for (const auto& s : items) out.append(s);
  return out;
}

py::dict task_columns(const ResultHandle& h) {
  const ResultView view = h.view();
  const auto& tasks = h.result.tasks;
  const auto n = static_cast<py::ssize_t>(tasks.size());
  py::list scheme, obligation, subject_kind, subject, practice, home, status, missing, evidence, because;
  py::array_t<std::int64_t> opens(n), due(n), completed(n);
  auto o = opens.mutable_unchecked<1>();
  auto d = due.mutable_unchecked<1>();
  auto c = completed.mutable_unchecked<1>();
  // Repeated strings (ids of schemes, obligations, statuses) are made once and shared.
  std::vector<std::vector<py::str>> obligation_ids;
  std::vector<py::str> scheme_ids;
  for (const Scheme& s : *h.schemes) {
    scheme_ids.emplace_back(s.id);
    obligation_ids.emplace_back();
    for (const Obligation& ob : s.obligations) obligation_ids.back().emplace_back(ob.id);
  }
  const Population& pop = h.population->population;
  for (py::ssize_t i = 0; i < n; ++i) {
    const Task& t = tasks[static_cast<std::size_t>(i)];
    scheme.append(scheme_ids[t.scheme]);
    obligation.append(obligation_ids[t.scheme][t.obligation]);
    subject_kind.append(std::string(to_string(t.subject_kind)));
    subject.append(pop.subject_id(t.subject_kind, t.subject));
    practice.append(t.practice == no_index ? py::object(py::none()) : py::object(py::str(pop.practices.ids.name(t.practice))));
    home.append(t.home == no_index ? py::object(py::none()) : py::object(py::str(pop.homes.ids.name(t.home))));
    o(i) = days(t.opens);
    d(i) = days(t.due);
    c(i) = days(t.completed_on);
    status.append(std::string(to_string(t.status)));
    missing.append(string_list(task_missing(view, t)));
    evidence.append(string_list(task_evidence(view, t)));
    because.append(task_because(view, t));
  }
  py::dict out;
  out["scheme"] = scheme;
  out["obligation"] = obligation;
  out["subject_kind"] = subject_kind;
  out["subject"] = subject;
  out["practice"] = practice;
  out["home"] = home;
  out["opens"] = opens;
  out["due"] = due;
  out["status"] = status;
  out["completed_on"] = completed;
  out["missing"] = missing;
  out["evidence"] = evidence;
  out["because"] = because;
  return out;
}

py::dict payment_columns(const ResultHandle& h) {
  const ResultView view = h.view();
  const auto& lines = h.result.payments;
  const auto n = static_cast<py::ssize_t>(lines.size());
  py::list scheme, practice, resident, home, financial_year, kind, status, tariff, because;
  py::array_t<std::int64_t> quarter(n), amount(n);
  py::array_t<bool> has_amount(n);
  auto q = quarter.mutable_unchecked<1>();
  auto a = amount.mutable_unchecked<1>();
  auto has = has_amount.mutable_unchecked<1>();
  for (py::ssize_t i = 0; i < n; ++i) {
    const PaymentRecord r = payment_record(view, lines[static_cast<std::size_t>(i)]);
    scheme.append(r.scheme);
    practice.append(optional_str(r.practice));
    resident.append(optional_str(r.resident));
    home.append(optional_str(r.home));
    financial_year.append(r.financial_year);
    q(i) = r.quarter;
    kind.append(r.kind);
    a(i) = r.amount ? r.amount->value() : 0;
    has(i) = r.amount.has_value();
    status.append(r.status);
    tariff.append(optional_str(r.tariff));
    because.append(r.because);
  }
  py::dict out;
  out["scheme"] = scheme;
  out["practice"] = practice;
  out["resident"] = resident;
  out["home"] = home;
  out["financial_year"] = financial_year;
  out["quarter"] = quarter;
  out["kind"] = kind;
  out["amount_pence"] = amount;
  out["has_amount"] = has_amount;
  out["status"] = status;
  out["tariff"] = tariff;
  out["because"] = because;
  return out;
}

std::shared_ptr<const std::vector<Scheme>> scheme_list(const std::vector<std::shared_ptr<Scheme>>& schemes) {
  auto out = std::make_shared<std::vector<Scheme>>();
  for (const auto& s : schemes) {
    if (!s) throw py::value_error("schemes must not contain None");
    out->push_back(*s);
  }
  if (out->empty()) throw py::value_error("at least one scheme is needed");
  return out;
}

}  // namespace

void init_evaluate(py::module_& m) {
  py::class_<ResultHandle>(m, "Result", "Tasks, payment lines and findings for one as-of date")
      .def_property_readonly("as_of", [](const ResultHandle& h) { return from_date(h.result.as_of); })
      .def_property_readonly("schemes", [](const ResultHandle& h) {
            py::list out;
            for (const SchemeRef& s : h.result.schemes) out.append(py::make_tuple(s.id, optional_str(s.version)));
            return out;
          })
      .def_property_readonly("input", [](const ResultHandle& h) {
            py::dict d;
            d["read"] = h.result.input.read;
            d["accepted"] = h.result.input.accepted;
            d["rejected"] = h.result.input.rejected;
            return d;
          })
      .def_property_readonly("task_count", [](const ResultHandle& h) { return h.result.tasks.size(); })
      .def_property_readonly("payment_count", [](const ResultHandle& h) { return h.result.payments.size(); })
      .def("task_columns", &task_columns)
      .def("payment_columns", &payment_columns)
      .def("payment_totals", [](const ResultHandle& h) { return payment_total_rows(h.view()); })
      .def("findings", [](const ResultHandle& h) {
        py::list out;
        for (const Finding& f : h.result.findings) out.append(finding_dict(f));
        return out;
      })
      .def("to_json", [](const ResultHandle& h, int indent) {
            std::string text;
            {
              py::gil_scoped_release release;  // formatting reads only C++ data owned by the handle
              text = to_json(h.view(), indent);
            }
            return text;
          },
          py::arg("indent") = 2)
      .def("write_csv", [](const ResultHandle& h, const std::string& directory) {
            py::gil_scoped_release release;  // as above
            write_csv_directory(directory, h.view());
          },
          py::arg("directory"));

  py::class_<EvaluatorHandle>(m, "Evaluator", "Schemes compiled against a population, ready to evaluate at any as-of date")
      .def(py::init([](const PopulationHandle& population, const std::vector<std::shared_ptr<Scheme>>& schemes, unsigned threads,
                       bool payments) {
             EvaluatorHandle h;
             h.population = population.data;
             h.schemes = scheme_list(schemes);
             EvaluateOptions options;
             options.threads = threads;
             options.payments = payments;
             h.evaluator = std::make_unique<Evaluator>(h.population->population, *h.schemes, options);
             return h;
           }),
           py::arg("population"), py::arg("schemes"), py::arg("threads") = 1, py::arg("payments") = true)
      .def("evaluate", [](const EvaluatorHandle& h, const py::object& as_of) {
            const Date day = to_date(as_of, "as_of");
            ResultHandle r{h.population, h.schemes, {}};
            {
              // Safe without the GIL: evaluation reads only C++ data (the population and schemes, kept alive by
              // this handle) and writes only its own result; it calls back into no Python object.
              py::gil_scoped_release release;
              r.result = h.evaluator->evaluate(day);
            }
            r.result.input = h.population->total;
            r.result.findings.insert(r.result.findings.begin(), h.population->findings.begin(), h.population->findings.end());
            return r;
          },
          py::arg("as_of"))
      .def("evaluate_resident", [](const EvaluatorHandle& h, const std::string& resident, const py::object& as_of) {
            const Date day = to_date(as_of, "as_of");
            auto index = h.population->population.residents.ids.find(resident);
            if (!index) throw InputError("residents", -1, resident, "id", resident, "no resident with id \"" + resident + "\"");
            ResultHandle r{h.population, h.schemes, {}};
            {
              py::gil_scoped_release release;  // as in evaluate()
              r.result = h.evaluator->evaluate_resident(*index, day);
            }
            return r;
          },
          py::arg("resident"), py::arg("as_of"));
}

}  // namespace carerules::python
