// Shared pieces of the carerules._core bindings (split by area: errors, dates, population, columns, schemes,
// evaluation, reports, budget, cohort).
#pragma once

#include "carerules/core/dates.hpp"
#include "carerules/engine/engine.hpp"
#include "carerules/io/json_loader.hpp"
#include "carerules/results/describe.hpp"
#include "carerules/schemes/scheme.hpp"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace carerules::python {

namespace py = pybind11;

void init_errors(py::module_& m);
void init_dates(py::module_& m);
void init_population(py::module_& m);
void init_schemes(py::module_& m);
void init_evaluate(py::module_& m);
void init_reports(py::module_& m);
void init_columns(py::module_& m);
void init_budget(py::module_& m);
void init_cohort(py::module_& m);

// A population as Python holds it: shared, so that evaluators and results keep it alive.
struct PopulationHandle {
  std::shared_ptr<LoadedPopulation> data;
};
PopulationHandle wrap_population(LoadedPopulation&& loaded);

// Population.append_event: one event given as a dict shaped like a population JSON event (columns.cpp).
Index append_event_from_dict(Population& population, const py::dict& record);

// datetime.date, or an ISO "YYYY-MM-DD" string, to a Date.
Date to_date(const py::handle& value, const char* what);
py::object from_date(Date day);
py::object from_date_or_none(Date day);

// Days since 1970-01-01, as array code (the synthetic generator) holds dates.
using DayArray = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;
// f applied to every day of `days`, one C++ call per element: no Python call per date (dates.cpp).
py::array_t<std::int64_t> map_days(const DayArray& days, const std::function<Date(Date)>& f);

// The payment totals of a result (carerules/reports/budget.hpp) as rows for Python (budget.cpp).
py::list payment_total_rows(const ResultView& view);

}  // namespace carerules::python
