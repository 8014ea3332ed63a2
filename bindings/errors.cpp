// C++ exceptions become carerules exceptions carrying the record, field and value; none escapes as a bare
// RuntimeError.
#include "bindings.hpp"

#include "carerules/core/calendar.hpp"
#include "carerules/core/money.hpp"

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
      py::object exc = py::handle(input_error.ptr())(e.what());
      exc.attr("collection") = e.collection();
      exc.attr("index") = e.index();
      exc.attr("record") = e.id();
      exc.attr("field") = e.field();
      exc.attr("value") = e.value();
      py::set_error(input_error, exc);
    } catch (const ParseError& e) {
      py::object exc = py::handle(parse_error.ptr())(e.what());
      exc.attr("source") = e.source();
      exc.attr("line") = e.line();
      exc.attr("column") = e.column();
      py::set_error(parse_error, exc);
    } catch (const SchemeError& e) {
      py::set_error(scheme_error, e.what());
    } catch (const DateError& e) {
      py::set_error(date_error, e.what());
    } catch (const MoneyError& e) {
      py::set_error(money_error, e.what());
    }
  });
}

}  // namespace carerules::python
