#include "bindings.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "carerules C++ core: population loading, scheme data, the rules engine and its output";
  carerules::python::init_errors(m);
  carerules::python::init_dates(m);
  carerules::python::init_population(m);
  carerules::python::init_schemes(m);
  carerules::python::init_evaluate(m);
  carerules::python::init_reports(m);
}
