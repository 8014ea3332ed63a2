// C++ exceptions become carerules exceptions carrying the record, field and value; none escapes as a bare
// RuntimeError.
#include "bindings.hpp"

#include "carerules/calendar.hpp"
#include "carerules/money.hpp"

namespace carerules::python {

void init_errors(py::module_& m) {
  static py::exception<std::exception> base(m, "CareRulesError", PyExc_Exception);
  static py::exception<InputError> input_error(m, "InputError", base.ptr());
  static py::exception<ParseError> parse_error(m, "ParseError", base.ptr());
  static py::exception<SchemeError> scheme_error(m, "SchemeError", base.ptr());
  static py::exception<DateError> date_error(m, "DateError", base.ptr());
  static py::exception<MoneyError> money_error(m, "MoneyError", base.ptr());
  // Exceptions are also ValueErrors where the caller passed a bad value, so generic handlers work.
  py::register_exception_translator([](std::exception_ptr p) {
    if (!p) return;
    try {
      std::rethrow_exception(p);
    } catch (const InputError& e) {
      py::object exc = input_error(e.what());
      exc.attr("collection") = e.collection();
      exc.attr("index") = e.index();
      exc.attr("record") = e.id();
      exc.attr("field") = e.field();
      exc.attr("value") = e.value();
      PyErr_SetObject(input_error.ptr(), exc.ptr());
    } catch (const ParseError& e) {
      py::object exc = parse_error(e.what());
      exc.attr("source") = e.source();
      exc.attr("line") = e.line();
      exc.attr("column") = e.column();
      PyErr_SetObject(parse_error.ptr(), exc.ptr());
    } catch (const SchemeError& e) {
      PyErr_SetString(scheme_error.ptr(), e.what());
    } catch (const DateError& e) {
      PyErr_SetString(date_error.ptr(), e.what());
    } catch (const MoneyError& e) {
      PyErr_SetString(money_error.ptr(), e.what());
    }
  });
}

}  // namespace carerules::python
