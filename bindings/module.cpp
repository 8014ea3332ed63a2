#include "bindings.hpp"

#include "carerules/model/findings.hpp"
#include "carerules/core/money.hpp"

#include <stdexcept>

namespace carerules::python {
namespace {

// The last line of defence: no C++ exception reaches Python as a bare RuntimeError. init_errors translates
// carerules' own exceptions (InputError, ParseError, SchemeError, DateError, MoneyError); this translator,
// local to the module and so tried first, passes those on and turns everything else into a carerules
// exception: a bad argument (std::invalid_argument, std::out_of_range, std::domain_error, py::value_error)
// into ArgumentError (a CareRulesError and a ValueError), anything else into CareRulesError. Python's own
// protocol exceptions (TypeError, KeyError, IndexError, StopIteration) and MemoryError stay what they are.
void init_error_fallback(py::module_& m) {
  // Held for the life of the process (never released: the translator may run until the interpreter stops).
  static py::handle base = py::object(m.attr("CareRulesError")).release();
  static py::handle argument_error = [&] {
    py::dict ns;
    ns["__module__"] = "carerules._core";
    ns["__doc__"] = "A value passed to a carerules function is outside what it accepts.";
    py::object cls = py::module_::import("builtins").attr("type")("ArgumentError", py::make_tuple(base, py::handle(PyExc_ValueError)), ns);
    m.attr("ArgumentError") = cls;
    return cls.release();
  }();
  py::register_local_exception_translator([](std::exception_ptr p) {
    if (!p) return;
    try {
      std::rethrow_exception(p);
    } catch (const InputError&) {
      throw;
    } catch (const ParseError&) {
      throw;
    } catch (const SchemeError&) {
      throw;
    } catch (const DateError&) {
      throw;
    } catch (const MoneyError&) {
      throw;
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const py::value_error& e) {
      py::set_error(argument_error, e.what());
    } catch (const py::cast_error& e) {
      py::set_error(base, e.what());
    } catch (const py::builtin_exception&) {
      throw;
    } catch (const std::invalid_argument& e) {
      py::set_error(argument_error, e.what());
    } catch (const std::out_of_range& e) {
      py::set_error(argument_error, e.what());
    } catch (const std::domain_error& e) {
      py::set_error(argument_error, e.what());
    } catch (const std::exception& e) {
      py::set_error(base, e.what());
    }
  });
}

}  // namespace
}  // namespace carerules::python

PYBIND11_MODULE(_core, m) {
  m.doc() = "carerules C++ core: population loading, scheme data, the rules engine and its output";
  carerules::python::init_errors(m);
  carerules::python::init_error_fallback(m);
  carerules::python::init_dates(m);
  carerules::python::init_population(m);
  carerules::python::init_columns(m);
  carerules::python::init_schemes(m);
  carerules::python::init_evaluate(m);
  carerules::python::init_reports(m);
  carerules::python::init_budget(m);
  carerules::python::init_cohort(m);
}
