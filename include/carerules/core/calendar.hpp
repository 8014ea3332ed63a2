// Working days: Monday to Friday, less a calendar's bank holidays. The project ships the England and Wales
// calendar as its own data; a user can supply another.
#pragma once

#include "carerules/core/dates.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace carerules {

struct BankHoliday {
  Date day;
  std::string title;
};

class WorkingDayCalendar {
 public:
  WorkingDayCalendar() = default;
  WorkingDayCalendar(std::string name, std::vector<BankHoliday> holidays);

  // The calendar shipped with the library: England and Wales bank holidays 2012-2028.
  static const WorkingDayCalendar& england_and_wales();
  // A calendar from `date,title` CSV text (header required; title optional; other columns ignored). Throws
  // ParseError (findings.hpp) naming `name`, the line and the column of a bad row.
  static WorkingDayCalendar from_csv(std::string name, std::string_view csv_text);

  const std::string& name() const noexcept { return name_; }
  const std::vector<BankHoliday>& holidays() const noexcept { return holidays_; }
  // Outside these years only weekends are known: callers that care (a due date after 2028) can say so.
  Date first_covered() const noexcept;  // 1 January of the first year with a holiday (1970-01-01 if none)
  Date last_covered() const noexcept;   // 31 December of the last year with a holiday (1970-01-01 if none)

  bool is_bank_holiday(Date day) const noexcept;
  bool is_working_day(Date day) const noexcept;
  // The day `n` working days after `from` (n >= 0, else std::invalid_argument; `from` itself is not counted,
  // and n = 0 gives `from`). "Within 7 working days of X".
  Date add_working_days(Date from, int n) const;
  // Working days in (from, to]: 0 when to <= from.
  int working_days_between(Date from, Date to) const;

 private:
  std::string name_;
  std::vector<BankHoliday> holidays_;  // sorted by day, unique
};

}  // namespace carerules
