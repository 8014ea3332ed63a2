#include "carerules/core/dates.hpp"

#include <string>

namespace carerules {
namespace detail {
namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// The value of text[pos, pos + count) when every character is a digit.
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t count) noexcept {
  if (pos + count > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!is_digit(text[i])) return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

std::string two_digits(int value) {
  const int v = ((value % 100) + 100) % 100;
  return std::string{static_cast<char>('0' + v / 10), static_cast<char>('0' + v % 10)};
}

}  // namespace
}  // namespace detail

std::string_view to_string(MonthEndPolicy policy) noexcept {
  switch (policy) {
    case MonthEndPolicy::clamp:
      return "clamp";
    case MonthEndPolicy::roll_forward:
      return "roll_forward";
  }
  return "clamp";
}

std::optional<MonthEndPolicy> month_end_policy_from_string(std::string_view text) noexcept {
  if (text == "clamp") return MonthEndPolicy::clamp;
  if (text == "roll_forward") return MonthEndPolicy::roll_forward;
  return std::nullopt;
}

std::optional<Date> parse_date(std::string_view text) noexcept {
  // Exactly "YYYY-MM-DD": no sign, no time part, no surrounding space.
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto y = detail::digits(text, 0, 4);
  const auto m = detail::digits(text, 5, 2);
  const auto dd = detail::digits(text, 8, 2);
  if (!y || !m || !dd) return std::nullopt;
  const date::year_month_day ymd{date::year{*y}, date::month{static_cast<unsigned>(*m)},
                                 date::day{static_cast<unsigned>(*dd)}};
  if (!ymd.ok()) return std::nullopt;  // 2025-02-30, 2023-02-29, month 13, day 00
  return Date{ymd};
}

Date parse_date_or_throw(std::string_view text) {
  if (const auto day = parse_date(text)) return *day;
  throw DateError("not a date in the form YYYY-MM-DD that exists: \"" + std::string(text) + "\"");
}

// By hand rather than date::format: results carry many dates and this avoids a stream per date.
std::string format_date(Date day) {
  const date::year_month_day ymd{day};
  const int y = static_cast<int>(ymd.year());
  if (y < 0 || y > 9999) return date::format("%F", day);
  const unsigned m = static_cast<unsigned>(ymd.month());
  const unsigned dd = static_cast<unsigned>(ymd.day());
  std::string out(10, '-');
  out[0] = static_cast<char>('0' + y / 1000);
  out[1] = static_cast<char>('0' + y / 100 % 10);
  out[2] = static_cast<char>('0' + y / 10 % 10);
  out[3] = static_cast<char>('0' + y % 10);
  out[5] = static_cast<char>('0' + m / 10);
  out[6] = static_cast<char>('0' + m % 10);
  out[8] = static_cast<char>('0' + dd / 10);
  out[9] = static_cast<char>('0' + dd % 10);
  return out;
}

std::string FinancialYear::label() const {
  // Four digits, zero-padded ("0999-00"), so that parse_financial_year reads every label back.
  std::string year = std::to_string(start_year);
  if (start_year >= 0 && year.size() < 4) year.insert(0, 4 - year.size(), '0');
  return year + "-" + detail::two_digits(start_year + 1);
}

std::string Quarter::label() const { return year.label() + " Q" + std::to_string(number); }

std::optional<FinancialYear> parse_financial_year(std::string_view text) noexcept {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  const auto first = detail::digits(text, 0, 4);
  const auto second = detail::digits(text, 5, 2);
  if (!first || !second || *second != (*first + 1) % 100) return std::nullopt;
  return FinancialYear{*first};
}

}  // namespace carerules
