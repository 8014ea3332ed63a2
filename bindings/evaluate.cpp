// Evaluation: the engine with the GIL released, and its result as columns (for pandas), JSON or CSV.
#include "bindings.hpp"

#include "carerules/results/columns.hpp"
#include "carerules/results/describe.hpp"
#include "carerules/results/output.hpp"

#include <pybind11/numpy.h>

#include <limits>
#include <map>
#include <unordered_map>
#include <sstream>

namespace carerules::python {

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

// A new reference to `s` as a Python str.
PyObject* new_str(std::string_view s) {
  PyObject* o = PyUnicode_FromStringAndSize(s.data(), static_cast<py::ssize_t>(s.size()));
  if (o == nullptr) throw py::error_already_set();
  return o;
}

PyObject* none() {
  Py_INCREF(Py_None);
  return Py_None;
}

// One column of `n` rows as Python data, by its type: text as a list of str (None when null), dates as int64
// days (NaT when null), whole numbers as int64 (a nullable one as (values, mask of nulls)), lists as lists.
// Repeated text is made once: a category's values by content, ids by where they are held.
template <typename Read>
py::object column_data(const Column& column, std::size_t n, Read read) {
  CellValue v;
  const auto size = static_cast<py::ssize_t>(n);
  switch (column.type) {
    case ColumnType::date: {
      py::array_t<std::int64_t> days(size);
      auto d = days.mutable_unchecked<1>();
      for (py::ssize_t i = 0; i < size; ++i) {
        read(static_cast<std::size_t>(i), v);
        d(i) = v.null ? nat : v.number;
      }
      return days;
    }
    case ColumnType::integer:
    case ColumnType::pence: {
      py::array_t<std::int64_t> values(size);
      py::array_t<bool> missing(size);
      auto a = values.mutable_unchecked<1>();
      auto m = missing.mutable_unchecked<1>();
      for (py::ssize_t i = 0; i < size; ++i) {
        read(static_cast<std::size_t>(i), v);
        a(i) = v.null ? 0 : v.number;
        m(i) = v.null;
      }
      if (!column.nullable) return values;
      return py::make_tuple(values, missing);
    }
    case ColumnType::category:
    case ColumnType::id:
    case ColumnType::text: {
      py::list out(size);
      std::map<std::string, py::object, std::less<>> by_text;      // category
      std::unordered_map<const char*, py::object> by_address;     // id: names held by the population, not `owned`
      for (py::ssize_t i = 0; i < size; ++i) {
        read(static_cast<std::size_t>(i), v);
        PyObject* item = nullptr;
        if (v.null) {
          item = none();
        } else if (column.type == ColumnType::category) {
          auto it = by_text.find(v.text);
          if (it == by_text.end()) it = by_text.emplace(std::string(v.text), py::reinterpret_steal<py::object>(new_str(v.text))).first;
          item = it->second.inc_ref().ptr();
        } else if (column.type == ColumnType::id && !v.is_owned()) {
          auto [it, added] = by_address.try_emplace(v.text.data());
          if (added) it->second = py::reinterpret_steal<py::object>(new_str(v.text));
          item = it->second.inc_ref().ptr();
        } else {
          item = new_str(v.text);
        }
        PyList_SET_ITEM(out.ptr(), i, item);
      }
      return out;
    }
    case ColumnType::text_list: {
      py::list out(size);
      for (py::ssize_t i = 0; i < size; ++i) {
        read(static_cast<std::size_t>(i), v);
        PyObject* items = PyList_New(static_cast<py::ssize_t>(v.items.size()));
        if (items == nullptr) throw py::error_already_set();
        PyList_SET_ITEM(out.ptr(), i, items);
        for (std::size_t k = 0; k < v.items.size(); ++k) PyList_SET_ITEM(items, static_cast<py::ssize_t>(k), new_str(v.items[k]));
      }
      return out;
    }
  }
  return py::none();
}

template <typename Table, typename Read>
py::dict table_data(const Table& table, std::size_t n, Read read) {
  py::dict out;
  for (const auto& c : table)
    out[py::str(std::string(c.column.name))] = column_data(c.column, n, [&](std::size_t i, CellValue& v) { read(c, i, v); });
  return out;
}

py::dict task_columns(const ResultHandle& h) {
  const ResultView view = h.view();
  const auto& tasks = h.result.tasks;
  return table_data(carerules::task_columns(), tasks.size(),
                    [&](const TaskColumn& c, std::size_t i, CellValue& v) { c.read(view, tasks[i], v); });
}

py::dict payment_columns(const ResultHandle& h) {
  const ResultView view = h.view();
  const auto& lines = h.result.payments;
  return table_data(carerules::payment_columns(), lines.size(),
                    [&](const PaymentColumn& c, std::size_t i, CellValue& v) { c.read(view, lines[i], v); });
}

py::dict finding_columns(const std::vector<Finding>& findings) {
  return table_data(carerules::finding_columns(), findings.size(),
                    [&](const FindingColumn& c, std::size_t i, CellValue& v) { c.read(findings[i], v); });
}

py::object optional_str(const std::string& s) { return s.empty() ? py::object(py::none()) : py::object(py::str(s)); }

py::list declarations(const std::string& table) {
  const std::vector<Column> columns = output_columns(table);
  if (columns.empty()) throw py::value_error("no output table \"" + table + "\": expected tasks, payments or findings");
  py::list out;
  for (const Column& c : columns) {
    py::dict d;
    d["name"] = std::string(c.name);
    d["type"] = std::string(to_string(c.type));
    d["nullable"] = c.nullable;
    d["description"] = std::string(c.description);
    out.append(d);
  }
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

// One finding as a dict of its columns (None where it has no value).
py::dict finding_dict(const Finding& f) {
  py::dict d;
  CellValue v;
  for (const FindingColumn& c : carerules::finding_columns()) {
    c.read(f, v);
    const auto name = py::str(std::string(c.column.name));
    if (v.null) d[name] = py::none();
    else if (c.column.type == ColumnType::integer) d[name] = v.number;
    else d[name] = py::reinterpret_steal<py::str>(new_str(v.text));
  }
  return d;
}

void init_evaluate(py::module_& m) {
  m.def("output_columns", &declarations, py::arg("table"),
        "The columns of an output table (tasks, payments, findings): name, type, nullable and description");
  m.def("unmapped_code_finding", [](const std::string& system, const std::string& code, std::int64_t events) {
        const auto parsed = code_system_from_string(system);
        if (!parsed) throw py::value_error("no code system \"" + system + "\": expected snomed, read2 or ctv3");
        return finding_dict(unmapped_code_finding(*parsed, code, events));
      },
      py::arg("system"), py::arg("code"), py::arg("events"),
      "The unmapped-code finding for `events` events with `code` (for counts summed over partitions)");
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
      .def("finding_columns", [](const ResultHandle& h) { return finding_columns(h.result.findings); })
      .def("findings", [](const ResultHandle& h) {
        py::list out;
        for (const Finding& f : h.result.findings) out.append(finding_dict(f));
        return out;
      })
      .def("to_json", [](const ResultHandle& h, int indent) {
            std::string text;
            {
              py::gil_scoped_release release;  // formatting reads only C++ data owned by the handle
              const PopulationReadLock lock(*h.population);
              text = to_json(h.view(), indent);
            }
            return text;
          },
          py::arg("indent") = 2)
      .def("write_csv", [](const ResultHandle& h, const std::string& directory) {
            py::gil_scoped_release release;  // as above
            const PopulationReadLock lock(*h.population);
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
             // From the loaded population, so that every evaluation carries its input counts and findings.
             h.evaluator = std::make_unique<Evaluator>(*h.population, *h.schemes, options);
             return h;
           }),
           py::arg("population"), py::arg("schemes"), py::arg("threads") = 1, py::arg("payments") = true)
      .def("evaluate", [](const EvaluatorHandle& h, const py::object& as_of) {
            const Date day = to_date(as_of, "as_of");
            ResultHandle r{h.population, h.schemes, {}};
            {
              // Safe without the GIL: evaluation reads only C++ data (the population and schemes, kept alive by
              // this handle) and writes only its own result; it calls back into no Python object.
              // Population.append_event waits for this lock, so the population does not change meanwhile.
              py::gil_scoped_release release;
              const PopulationReadLock lock(*h.population);
              r.result = h.evaluator->evaluate(day);
            }
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
              const PopulationReadLock lock(*h.population);
              r.result = h.evaluator->evaluate_resident(*index, day);
            }
            return r;
          },
          py::arg("resident"), py::arg("as_of"));
}

}  // namespace carerules::python
