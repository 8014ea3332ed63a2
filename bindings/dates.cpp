// Dates, money and the calendar for Python (the same rules as the C++ library, so that notebooks and reports
// never re-implement month arithmetic or pence formatting).
#include "bindings.hpp"

#include "carerules/core/calendar.hpp"
#include "carerules/core/money.hpp"

#include <datetime.h>

namespace carerules::python {

Date to_date(const py::handle& value, const char* what) {
  if (py::isinstance<py::str>(value)) return parse_date_or_throw(value.cast<std::string>());
  if (!PyDateTimeAPI) PyDateTime_IMPORT;
  if (PyDate_Check(value.ptr())) {
    const int y = PyDateTime_GET_YEAR(value.ptr());
    const unsigned mo = static_cast<unsigned>(PyDateTime_GET_MONTH(value.ptr()));
    const unsigned d = static_cast<unsigned>(PyDateTime_GET_DAY(value.ptr()));
    return Date{date::year{y} / date::month{mo} / date::day{d}};
  }
  throw py::type_error(std::string(what) + ": expected a datetime.date or an ISO date string, got " +
                       py::str(py::type::of(value)).cast<std::string>());
}

py::object from_date(Date day) {
  if (!PyDateTimeAPI) PyDateTime_IMPORT;
  const date::year_month_day ymd{day};
  return py::reinterpret_steal<py::object>(PyDate_FromDate(static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
                                                           static_cast<int>(static_cast<unsigned>(ymd.day()))));
}

py::object from_date_or_none(Date day) { return day == no_date ? py::none() : from_date(day); }

namespace {

MonthEndPolicy policy_arg(const std::string& policy) {
  auto p = month_end_policy_from_string(policy);
  if (!p) throw py::value_error("month-end policy must be 'clamp' or 'roll_forward', not '" + policy + "'");
  return *p;
}

Quarter quarter_arg(int start_year, int number) {
  if (number < 1 || number > 4) throw py::value_error("quarter number must be 1 to 4, not " + std::to_string(number));
  return Quarter{FinancialYear{start_year}, number};
}

}  // namespace

py::array_t<std::int64_t> map_days(const DayArray& days, const std::function<Date(Date)>& f) {
  py::array_t<std::int64_t> out(days.size());
  const std::int64_t* in = days.data();
  std::int64_t* o = out.mutable_data();
  for (py::ssize_t i = 0; i < days.size(); ++i) o[i] = f(Date{date::days{in[i]}}).time_since_epoch().count();
  return out;
}

void init_dates(py::module_& m) {
  if (!PyDateTimeAPI) PyDateTime_IMPORT;
  m.def("add_months", [](const py::object& day, int months, const std::string& policy) {
        return from_date(add_months(to_date(day, "day"), months, policy_arg(policy)));
      },
      py::arg("day"), py::arg("months"), py::arg("policy") = "clamp");
  m.def("add_years", [](const py::object& day, int years, const std::string& policy) {
        return from_date(add_years(to_date(day, "day"), years, policy_arg(policy)));
      },
      py::arg("day"), py::arg("years"), py::arg("policy") = "clamp");
  m.def("birthdays", [](const DayArray& born, int years) {
        return map_days(born, [&](Date d) { return birthday(d, years); });
      },
      py::arg("born"), py::arg("years"),
      "The day each person born on `born` (days since 1970-01-01) reaches `years` of age");
  m.def("add_working_days", [](const py::object& day, int n) {
        return from_date(WorkingDayCalendar::england_and_wales().add_working_days(to_date(day, "day"), n));
      },
      py::arg("day"), py::arg("n"));
  m.def("financial_year", [](const py::object& day) { return financial_year_of(to_date(day, "day")).label(); }, py::arg("day"));
  m.def("quarter", [](const py::object& day) {
        const Quarter q = quarter_of(to_date(day, "day"));
        return py::make_tuple(q.year.label(), q.number);
      },
      py::arg("day"));
  m.def("quarter_of", [](const py::object& day) {
        const Quarter q = quarter_of(to_date(day, "day"));
        return py::make_tuple(q.year.start_year, q.number);
      },
      py::arg("day"), "(financial year start, quarter number) of a day");
  m.def("quarter_bounds", [](int start_year, int number) {
        const Quarter q = quarter_arg(start_year, number);
        return py::make_tuple(from_date(q.first_day()), from_date(q.last_day()));
      },
      py::arg("start_year"), py::arg("number"), "(first day, last day) of a quarter");
  m.def("quarter_label", [](int start_year, int number) { return quarter_arg(start_year, number).label(); },
        py::arg("start_year"), py::arg("number"));
  m.def("financial_year_label", [](int start_year) { return FinancialYear{start_year}.label(); }, py::arg("start_year"));
  m.def("parse_financial_year", [](const std::string& text) -> py::object {
        const auto year = parse_financial_year(text);
        return year ? py::object(py::int_(year->start_year)) : py::object(py::none());
      },
      py::arg("text"), "The start year of \"2025-26\", or None when the text is not a financial year");
  m.def("is_working_day", [](const py::object& day) {
        return WorkingDayCalendar::england_and_wales().is_working_day(to_date(day, "day"));
      },
      py::arg("day"), "Monday to Friday and not an England and Wales bank holiday");
  m.def("parse_pounds", [](const std::string& text) { return parse_pounds(text).value(); }, py::arg("text"));
  m.def("format_pounds", [](std::int64_t pence, bool thousands) { return format_pounds(Pence(pence), thousands); },
        py::arg("pence"), py::arg("thousands") = false);
}

}  // namespace carerules::python
