// Working days: the shipped England and Wales calendar, checked date by date against the published list, and
// the working-day arithmetic behind "within 7 working days".
#include "carerules/core/calendar.hpp"
#include "carerules/model/findings.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <set>
#include <string>

using namespace carerules;
using carerules::test::d;

namespace {

// Counts working days in (from, to] one day at a time: the slow, obvious answer.
int count_by_walking(const WorkingDayCalendar& cal, Date from, Date to) {
  int n = 0;
  for (Date day = from + date::days{1}; day <= to; day += date::days{1})
    if (cal.is_working_day(day)) ++n;
  return n;
}

}  // namespace

TEST_CASE("calendar: the shipped England and Wales calendar matches the published bank holidays 2012-2028") {
  const auto reference = nlohmann::json::parse(test::read_text(test::reference_path("bank-holidays.json")));
  std::set<std::string> published;
  for (const auto& event : reference.at("england-and-wales").at("events")) {
    const auto day = event.at("date").get<std::string>();
    if (day >= "2012-01-01" && day <= "2028-12-31") published.insert(day);
  }
  REQUIRE(published.size() > 100);

  const auto& cal = WorkingDayCalendar::england_and_wales();
  std::set<std::string> shipped;
  for (const auto& h : cal.holidays()) {
    CHECK_FALSE(h.title.empty());
    shipped.insert(format_date(h.day));
  }
  for (const auto& day : published) {
    INFO("published, not shipped: ", day);
    CHECK(shipped.count(day) == 1);
    CHECK(cal.is_bank_holiday(d(day.c_str())));
  }
  for (const auto& day : shipped) {
    INFO("shipped, not published: ", day);
    CHECK(published.count(day) == 1);
  }
  CHECK(cal.first_covered() == d("2012-01-01"));
  CHECK(cal.last_covered() == d("2028-12-31"));
  CHECK(cal.name() == "england-and-wales");
}

TEST_CASE("calendar: one-off and substitute holidays are in the shipped calendar") {
  const auto& cal = WorkingDayCalendar::england_and_wales();
  for (const char* day : {"2012-06-04", "2012-06-05", "2020-05-08", "2022-06-02", "2022-06-03", "2022-09-19",
                          "2023-05-08", "2021-12-27", "2021-12-28", "2022-01-03", "2016-12-27"}) {
    INFO(day);
    CHECK(cal.is_bank_holiday(d(day)));
    CHECK_FALSE(cal.is_working_day(d(day)));
  }
  // The usual dates those replaced are ordinary working days.
  for (const char* day : {"2012-05-28", "2020-05-04", "2022-05-30"}) {
    INFO(day);
    CHECK_FALSE(cal.is_bank_holiday(d(day)));
    CHECK(cal.is_working_day(d(day)));
  }
  CHECK_FALSE(cal.is_working_day(d("2025-01-04")));  // a Saturday
  CHECK_FALSE(cal.is_working_day(d("2025-01-05")));  // a Sunday
  CHECK_FALSE(cal.is_bank_holiday(d("2025-01-04")));
  CHECK(cal.is_working_day(d("2025-01-06")));
}

TEST_CASE("calendar: add_working_days over Easter and Christmas") {
  const auto& cal = WorkingDayCalendar::england_and_wales();
  // Easter 2025: Good Friday 18 April, Easter Monday 21 April.
  CHECK(cal.add_working_days(d("2025-04-17"), 1) == d("2025-04-22"));
  CHECK(cal.add_working_days(d("2025-04-17"), 7) == d("2025-04-30"));
  // Christmas 2025 (Thursday and Friday) and New Year's Day.
  CHECK(cal.add_working_days(d("2025-12-24"), 1) == d("2025-12-29"));
  CHECK(cal.add_working_days(d("2025-12-24"), 7) == d("2026-01-07"));
  // Christmas 2021 on a Saturday: substitute days Monday 27 and Tuesday 28, New Year on Monday 3 January.
  CHECK(cal.add_working_days(d("2021-12-24"), 1) == d("2021-12-29"));
  CHECK(cal.add_working_days(d("2021-12-31"), 1) == d("2022-01-04"));
  // From a weekend, the first working day is Monday.
  CHECK(cal.add_working_days(d("2025-01-04"), 1) == d("2025-01-06"));
  // An ordinary week: within 7 working days of a Monday is the Wednesday of the next week.
  CHECK(cal.add_working_days(d("2025-06-02"), 7) == d("2025-06-11"));
  CHECK(cal.add_working_days(d("2025-06-02"), 0) == d("2025-06-02"));
  CHECK_THROWS_AS(static_cast<void>(cal.add_working_days(d("2025-06-02"), -1)), std::invalid_argument);
}

TEST_CASE("calendar: working_days_between counts (from, to]") {
  const auto& cal = WorkingDayCalendar::england_and_wales();
  CHECK(cal.working_days_between(d("2025-04-17"), d("2025-04-30")) == 7);
  CHECK(cal.working_days_between(d("2025-12-24"), d("2026-01-07")) == 7);
  CHECK(cal.working_days_between(d("2025-06-02"), d("2025-06-03")) == 1);
  CHECK(cal.working_days_between(d("2025-06-06"), d("2025-06-08")) == 0);  // Friday to Sunday
  CHECK(cal.working_days_between(d("2025-06-02"), d("2025-06-02")) == 0);
  CHECK(cal.working_days_between(d("2025-06-09"), d("2025-06-02")) == 0);
  // 2025 has 261 weekdays, 8 of them bank holidays.
  CHECK(cal.working_days_between(d("2024-12-31"), d("2025-12-31")) == 253);
}

TEST_CASE("calendar: working_days_between agrees with walking the days, and inverts add_working_days") {
  const auto& cal = WorkingDayCalendar::england_and_wales();
  // Across the whole shipped range, and across 1970 and past the covered years.
  for (const Date start : {d("2011-12-20"), d("1969-12-01"), d("2028-12-01")}) {
    for (Date from = start; from < start + date::days{6300}; from += date::days{11}) {
      for (const int span : {0, 1, 2, 5, 6, 7, 9, 13, 30, 45}) {
        const Date to = from + date::days{span};
        INFO(format_date(from), " .. ", format_date(to));
        REQUIRE(cal.working_days_between(from, to) == count_by_walking(cal, from, to));
      }
      for (const int n : {1, 3, 7, 10}) {
        const Date due = cal.add_working_days(from, n);
        REQUIRE(cal.is_working_day(due));
        REQUIRE(cal.working_days_between(from, due) == n);
      }
      if (start != d("2011-12-20")) break;  // the outside ranges need only a few
    }
  }
}

TEST_CASE("calendar: a calendar supplied by the user as CSV") {
  // Unsorted, a duplicate, a quoted title with a comma, a row without a title, an extra column, CRLF.
  const std::string csv =
      "date,title,notes\r\n"
      "2025-08-04,Summer bank holiday,Scotland\r\n"
      "2025-01-02,\"2nd January, Scotland\",\r\n"
      "2025-01-01,New Year's Day,\r\n"
      "2025-01-02,again,\r\n"
      "2025-11-28\r\n";
  const auto cal = WorkingDayCalendar::from_csv("scotland", csv);
  CHECK(cal.name() == "scotland");
  REQUIRE(cal.holidays().size() == 4);
  CHECK(cal.holidays()[0].day == d("2025-01-01"));
  CHECK(cal.holidays()[1].title == "2nd January, Scotland");
  CHECK(cal.holidays()[3].title.empty());
  CHECK(cal.is_bank_holiday(d("2025-08-04")));
  CHECK_FALSE(cal.is_bank_holiday(d("2025-08-25")));  // England's summer holiday is not in this one
  CHECK(cal.add_working_days(d("2024-12-31"), 1) == d("2025-01-03"));
  CHECK(cal.first_covered() == d("2025-01-01"));
  CHECK(cal.last_covered() == d("2025-12-31"));

  // Columns found by header name, in any order.
  const auto swapped = WorkingDayCalendar::from_csv("swapped", "title,date\nFounders' day,2025-03-03\n");
  CHECK(swapped.is_bank_holiday(d("2025-03-03")));
  CHECK(swapped.holidays().front().title == "Founders' day");

  // No holidays at all: only weekends are non-working.
  const auto none = WorkingDayCalendar::from_csv("none", "date,title\n");
  CHECK(none.holidays().empty());
  CHECK(none.is_working_day(d("2025-12-25")));
}

TEST_CASE("calendar: a bad calendar CSV names the line and column") {
  try {
    static_cast<void>(WorkingDayCalendar::from_csv("mine.csv", "date,title\n2025-01-01,New Year\n2025-02-30,Bad\n"));
    FAIL("expected a ParseError");
  } catch (const ParseError& e) {
    CHECK(e.source() == "mine.csv");
    CHECK(e.line() == 3);
    CHECK(e.column() == 1);
    CHECK(std::string(e.what()).find("2025-02-30") != std::string::npos);
  }
  try {
    static_cast<void>(WorkingDayCalendar::from_csv("mine.csv", "title,date\n\"Quoted, title\",31/12/2025\n"));
    FAIL("expected a ParseError");
  } catch (const ParseError& e) {
    CHECK(e.line() == 2);
    CHECK(e.column() == 17);  // after the 16 characters of the quoted field and its comma
  }
  try {
    static_cast<void>(WorkingDayCalendar::from_csv("mine.csv", "day,name\n2025-01-01,New Year\n"));
    FAIL("expected a ParseError");
  } catch (const ParseError& e) {
    CHECK(e.line() == 1);
    CHECK(std::string(e.what()).find("date") != std::string::npos);
  }
  CHECK_THROWS_AS(WorkingDayCalendar::from_csv("empty.csv", ""), ParseError);
  CHECK_THROWS_AS(WorkingDayCalendar::from_csv("quote.csv", "date,title\n2025-01-01,\"open\n"), ParseError);
  CHECK_THROWS_AS(WorkingDayCalendar::from_csv("blank.csv", "date,title\n,No date\n"), ParseError);
}
