#include "carerules/core/calendar.hpp"

#include "carerules/core/detail/csv.hpp"
#include "carerules/core/errors.hpp"
#include "core/embedded.hpp"

#include <algorithm>
#include <stdexcept>

namespace carerules {
namespace detail {
namespace {

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// 1-based character column where field `field_index` of the row starting on `line` begins, so that an error
// points at the cell (parse_csv gives rows and fields, not positions).
std::size_t column_of_field(std::string_view text, std::size_t line, std::size_t field_index) noexcept {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::size_t i = 0;
  for (std::size_t l = 1; l < line && i < text.size(); ++i)
    if (text[i] == '\n') ++l;
  const std::size_t line_start = i;
  bool quoted = false;
  for (std::size_t field = 0; i < text.size() && field < field_index; ++i) {
    if (text[i] == '"') quoted = !quoted;  // a doubled quote flips twice
    else if (text[i] == ',' && !quoted) ++field;
    else if (text[i] == '\n' && !quoted) break;
  }
  return i - line_start + 1;
}

// Weekdays (Monday to Friday) in [1969-12-29, day): negative before that Monday. Differences of this count
// the weekdays in a range without walking it.
std::int64_t weekdays_before(Date day) noexcept {
  constexpr Date monday = Date{date::year{1969} / date::December / 29};
  const std::int64_t n = (day - monday).count();
  const std::int64_t weeks = n >= 0 ? n / 7 : -((-n + 6) / 7);
  const std::int64_t rest = n - weeks * 7;  // 0..6 days into the week, Monday first
  return weeks * 5 + std::min<std::int64_t>(rest, 5);
}

bool is_weekday(Date day) noexcept {
  const unsigned iso = date::weekday{day}.iso_encoding();  // Monday 1 .. Sunday 7
  return iso <= 5;
}

}  // namespace
}  // namespace detail

WorkingDayCalendar::WorkingDayCalendar(std::string name, std::vector<BankHoliday> holidays)
    : name_(std::move(name)), holidays_(std::move(holidays)) {
  // Sorted and unique so that look-ups can binary search; a repeated date keeps its first title.
  std::stable_sort(holidays_.begin(), holidays_.end(),
                   [](const BankHoliday& a, const BankHoliday& b) { return a.day < b.day; });
  holidays_.erase(std::unique(holidays_.begin(), holidays_.end(),
                              [](const BankHoliday& a, const BankHoliday& b) { return a.day == b.day; }),
                  holidays_.end());
}

const WorkingDayCalendar& WorkingDayCalendar::england_and_wales() {
  static const WorkingDayCalendar calendar = [] {
    const auto text = detail::embedded_file("calendars/england-and-wales.csv");
    if (!text) throw std::logic_error("carerules was built without data/calendars/england-and-wales.csv");
    return from_csv("england-and-wales", *text);
  }();
  return calendar;
}

WorkingDayCalendar WorkingDayCalendar::from_csv(std::string name, std::string_view csv_text) {
  const auto rows = detail::parse_csv(csv_text, name);
  if (rows.empty()) throw ParseError(name, 1, 1, "empty calendar: expected a header line \"date,title\"");

  const auto& header = rows.front().fields;
  std::size_t date_column = header.size();
  std::size_t title_column = header.size();
  for (std::size_t k = 0; k < header.size(); ++k) {
    const auto field = detail::trim(header[k]);
    if (field == "date") date_column = k;
    if (field == "title") title_column = k;
  }
  if (date_column == header.size())
    throw ParseError(name, rows.front().line, 1, "the header has no \"date\" column (expected \"date,title\")");

  std::vector<BankHoliday> holidays;
  holidays.reserve(rows.size() - 1);
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    const std::string_view text = date_column < row.fields.size() ? detail::trim(row.fields[date_column]) : "";
    const auto day = parse_date(text);
    if (!day)
      throw ParseError(name, row.line, detail::column_of_field(csv_text, row.line, date_column),
                       "not a date in the form YYYY-MM-DD that exists: \"" + std::string(text) + "\"");
    std::string title;
    if (title_column < row.fields.size()) title = std::string(detail::trim(row.fields[title_column]));
    holidays.push_back(BankHoliday{*day, std::move(title)});
  }
  return WorkingDayCalendar(std::move(name), std::move(holidays));
}

Date WorkingDayCalendar::first_covered() const noexcept {
  if (holidays_.empty()) return Date{};
  return Date{date::year_month_day{holidays_.front().day}.year() / date::January / 1};
}

Date WorkingDayCalendar::last_covered() const noexcept {
  if (holidays_.empty()) return Date{};
  return Date{date::year_month_day{holidays_.back().day}.year() / date::December / 31};
}

bool WorkingDayCalendar::is_bank_holiday(Date day) const noexcept {
  const auto it = std::lower_bound(holidays_.begin(), holidays_.end(), day,
                                   [](const BankHoliday& h, Date d) { return h.day < d; });
  return it != holidays_.end() && it->day == day;
}

bool WorkingDayCalendar::is_working_day(Date day) const noexcept {
  return detail::is_weekday(day) && !is_bank_holiday(day);
}

Date WorkingDayCalendar::add_working_days(Date from, int n) const {
  if (n < 0) throw std::invalid_argument("add_working_days: n must not be negative, got " + std::to_string(n));
  Date day = from;
  while (n > 0) {
    day += date::days{1};
    if (is_working_day(day)) --n;
  }
  return day;
}

int WorkingDayCalendar::working_days_between(Date from, Date to) const {
  if (to <= from) return 0;
  const Date after_from = from + date::days{1};
  const Date after_to = to + date::days{1};
  std::int64_t count = detail::weekdays_before(after_to) - detail::weekdays_before(after_from);
  // Less the holidays in (from, to] that fall on a weekday (a listed weekend date costs nothing).
  const auto by_day = [](const BankHoliday& h, Date d) { return h.day < d; };
  auto it = std::lower_bound(holidays_.begin(), holidays_.end(), after_from, by_day);
  for (; it != holidays_.end() && it->day < after_to; ++it)
    if (detail::is_weekday(it->day)) --count;
  return static_cast<int>(count);
}

}  // namespace carerules
