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

#include <shared_mutex>

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

// Population.append_event changes a population in place, while another Python thread may be reading it with the
// GIL released (an evaluation, a report, a result written out). So each population has a reader/writer lock:
// - code that reads a population without the GIL holds PopulationReadLock, taken after releasing the GIL and
//   dropped before taking it back (so a thread holding the lock never waits for the GIL: no deadlock);
// - append_event holds the lock exclusively, and the GIL, while it changes the population: it waits for the
//   running readers, and new ones wait for it;
// - code that reads a population with the GIL held needs no lock: append_event holds the GIL throughout.
// Releasing the GIL therefore stays safe: nothing changes a population while a reader without the GIL holds it.
// The locks are striped by the population's address (a population never moves: it lives in a shared_ptr); two
// populations on one stripe only wait for each other, never race.
std::shared_mutex& population_lock(const Population& population) noexcept;
class PopulationReadLock {
 public:
  explicit PopulationReadLock(const Population& population) : lock_(population_lock(population)) {}
  explicit PopulationReadLock(const LoadedPopulation& population) : PopulationReadLock(population.population) {}

 private:
  std::shared_lock<std::shared_mutex> lock_;
};

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
