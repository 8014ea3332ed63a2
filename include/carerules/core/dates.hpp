// Calendar dates, month arithmetic with explicit month-end policies, ages, and the NHS financial year.
// Everything is a calendar date (date::sys_days): no times, no time zones.
#pragma once

#include <date/date.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace carerules {

using Date = date::sys_days;

// What "+ N months" does when the target month has no such day (31 January + 1 month).
//  clamp:        to the last day of the target month (2024-01-31 + 1 month = 2024-02-29). The scheme default.
//  roll_forward: to the first day of the following month (2024-01-31 + 1 month = 2024-03-01): the CDC
//                immunization / OpenSAFELY convention.
enum class MonthEndPolicy : std::uint8_t { clamp, roll_forward };

std::string_view to_string(MonthEndPolicy policy) noexcept;
std::optional<MonthEndPolicy> month_end_policy_from_string(std::string_view text) noexcept;

class DateError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

inline Date add_days(Date from, int days) noexcept { return from + date::days{days}; }

// Applies `policy` to a year_month_day whose day may not exist in its month.
inline Date resolve_month_end(date::year_month_day ymd, MonthEndPolicy policy) noexcept {
  if (ymd.ok()) return Date{ymd};
  if (policy == MonthEndPolicy::clamp) return Date{ymd.year() / ymd.month() / date::last};
  return Date{date::year_month_day{ymd.year() / ymd.month() / date::last}} + date::days{1};
}

inline Date add_months(Date from, int months, MonthEndPolicy policy) noexcept {
  const date::year_month_day ymd{from};
  return resolve_month_end(ymd + date::months{months}, policy);
}

// "+ N years": 29 February clamps to 28 February under `clamp`, rolls to 1 March under `roll_forward`.
inline Date add_years(Date from, int years, MonthEndPolicy policy = MonthEndPolicy::clamp) noexcept {
  const date::year_month_day ymd{from};
  return resolve_month_end(ymd + date::years{years}, policy);
}

// The day someone born on `born` reaches `years` of age: a 29 February birthday falls on 28 February
// in other years (DESIGN.md, case management).
inline Date birthday(Date born, int years) noexcept { return add_years(born, years, MonthEndPolicy::clamp); }

// Age in completed years on `on` (a person born on 29 February turns a year older on 28 February in a
// common year, by the clamp rule above).
inline int age_on(Date born, Date on) noexcept {
  const date::year_month_day b{born};
  const date::year_month_day o{on};
  int age = static_cast<int>(o.year()) - static_cast<int>(b.year());
  if (age > 0 && birthday(born, age) > on) --age;
  return age;
}

// Strict ISO 8601 calendar date "YYYY-MM-DD" that exists (2025-02-30 is rejected).
std::optional<Date> parse_date(std::string_view text) noexcept;
// As parse_date, but throws DateError naming the text.
Date parse_date_or_throw(std::string_view text);
std::string format_date(Date day);

// NHS financial year, 1 April to 31 March, named by the calendar year it starts in ("2025-26").
struct FinancialYear {
  int start_year = 0;
  Date first_day() const noexcept { return Date{date::year{start_year} / date::April / 1}; }
  Date last_day() const noexcept { return Date{date::year{start_year + 1} / date::March / 31}; }
  std::string label() const;  // "2025-26"
  friend bool operator==(FinancialYear, FinancialYear) = default;
  friend auto operator<=>(FinancialYear, FinancialYear) = default;
};

// Quarter of a financial year: Q1 April-June, Q2 July-September, Q3 October-December, Q4 January-March.
struct Quarter {
  FinancialYear year{};
  int number = 1;  // 1..4
  Date first_day() const noexcept {
    const int month_index = 3 + 3 * (number - 1);  // 0-based from January of the start year
    const date::year_month first = date::year{year.start_year} / date::January + date::months{month_index};
    return Date{first / 1};
  }
  Date last_day() const noexcept { return next().first_day() - date::days{1}; }
  Quarter next() const noexcept { return number == 4 ? Quarter{{year.start_year + 1}, 1} : Quarter{year, number + 1}; }
  std::string label() const;  // "2025-26 Q1"
  friend bool operator==(Quarter, Quarter) = default;
  friend auto operator<=>(Quarter, Quarter) = default;
};

inline FinancialYear financial_year_of(Date day) noexcept {
  const date::year_month_day ymd{day};
  const int y = static_cast<int>(ymd.year());
  return FinancialYear{ymd.month() >= date::April ? y : y - 1};
}

inline Quarter quarter_of(Date day) noexcept {
  const date::year_month_day ymd{day};
  const unsigned m = static_cast<unsigned>(ymd.month());  // 1..12
  const int number = m >= 4 ? static_cast<int>((m - 4) / 3 + 1) : 4;
  return Quarter{financial_year_of(day), number};
}

// Parses "2025-26"; the second part must be the year after the first.
std::optional<FinancialYear> parse_financial_year(std::string_view text) noexcept;

}  // namespace carerules
