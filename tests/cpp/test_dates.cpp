// Dates: the month and year arithmetic every due date rests on, ages, financial years, and strict parsing.
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <array>
#include <string>

using namespace carerules;
using carerules::test::d;

namespace {

// Calendar facts computed here without the date library, so the expectations are independent of it.
bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
unsigned days_in(int y, unsigned m) {
  constexpr std::array<unsigned, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : days[m - 1];
}
Date ymd(int y, unsigned m, unsigned day) {
  return Date{date::year{y} / date::month{m} / date::day{day}};
}

// Where month end (y, m, last day) + k months lands under each policy, by counting months by hand.
Date expected_month_end_plus(int y, unsigned m, int k, MonthEndPolicy policy) {
  const unsigned day = days_in(y, m);
  const int index = static_cast<int>(m) - 1 + k;
  const int ty = y + index / 12;
  const unsigned tm = static_cast<unsigned>(index % 12) + 1;
  if (day <= days_in(ty, tm)) return ymd(ty, tm, day);
  if (policy == MonthEndPolicy::clamp) return ymd(ty, tm, days_in(ty, tm));
  return tm == 12 ? ymd(ty + 1, 1, 1) : ymd(ty, tm + 1, 1);
}

}  // namespace

TEST_CASE("dates: 'within N days' is inclusive: the due date is X + N") {
  CHECK(add_days(d("2025-01-10"), 14) == d("2025-01-24"));
  CHECK(add_days(d("2024-02-20"), 14) == d("2024-03-05"));  // through a 29 February
  CHECK(add_days(d("2025-12-25"), 7) == d("2026-01-01"));
}

TEST_CASE("dates: add_months from every month end of a common and a leap year, both policies") {
  int differing = 0;  // the policies must actually disagree somewhere, or this loop proves little
  for (const int year : {2023, 2024}) {
    for (unsigned month = 1; month <= 12; ++month) {
      const Date from = ymd(year, month, days_in(year, month));
      for (const int k : {1, 2, 3, 6, 12, 24}) {
        for (const auto policy : {MonthEndPolicy::clamp, MonthEndPolicy::roll_forward}) {
          INFO(format_date(from), " + ", k, " months, ", to_string(policy));
          CHECK(format_date(add_months(from, k, policy)) ==
                format_date(expected_month_end_plus(year, month, k, policy)));
        }
        if (add_months(from, k, MonthEndPolicy::clamp) != add_months(from, k, MonthEndPolicy::roll_forward))
          ++differing;
      }
    }
  }
  CHECK(differing > 20);
}

TEST_CASE("dates: add_months on days that exist in the target month ignores the policy") {
  for (const auto policy : {MonthEndPolicy::clamp, MonthEndPolicy::roll_forward}) {
    CHECK(add_months(d("2025-01-10"), 3, policy) == d("2025-04-10"));
    CHECK(add_months(d("2024-11-28"), 3, policy) == d("2025-02-28"));
    CHECK(add_months(d("2025-10-15"), 4, policy) == d("2026-02-15"));  // across a year end
    CHECK(add_months(d("2025-04-30"), -1, policy) == d("2025-03-30"));
  }
}

TEST_CASE("dates: add_months, the DESIGN examples for clamp") {
  CHECK(add_months(d("2024-11-30"), 3, MonthEndPolicy::clamp) == d("2025-02-28"));
  CHECK(add_months(d("2023-11-30"), 3, MonthEndPolicy::clamp) == d("2024-02-29"));
  CHECK(add_months(d("2024-01-31"), 1, MonthEndPolicy::clamp) == d("2024-02-29"));
  CHECK(add_months(d("2025-08-31"), 6, MonthEndPolicy::clamp) == d("2026-02-28"));
  CHECK(add_months(d("2025-03-31"), 2, MonthEndPolicy::clamp) == d("2025-05-31"));
}

TEST_CASE("dates: add_months with roll_forward goes to the 1st of the next month") {
  CHECK(add_months(d("2024-01-31"), 1, MonthEndPolicy::roll_forward) == d("2024-03-01"));
  CHECK(add_months(d("2023-01-31"), 1, MonthEndPolicy::roll_forward) == d("2023-03-01"));
  CHECK(add_months(d("2024-01-30"), 1, MonthEndPolicy::roll_forward) == d("2024-03-01"));
  CHECK(add_months(d("2024-01-29"), 1, MonthEndPolicy::roll_forward) == d("2024-02-29"));
  CHECK(add_months(d("2024-11-30"), 3, MonthEndPolicy::roll_forward) == d("2025-03-01"));
  CHECK(add_months(d("2025-05-31"), 6, MonthEndPolicy::roll_forward) == d("2025-12-01"));
  CHECK(add_months(d("2025-10-31"), 1, MonthEndPolicy::roll_forward) == d("2025-12-01"));
}

TEST_CASE("dates: add_years from 29 February under both policies") {
  CHECK(add_years(d("2024-02-29"), 1) == d("2025-02-28"));  // clamp is the default
  CHECK(add_years(d("2024-02-29"), 3, MonthEndPolicy::clamp) == d("2027-02-28"));
  CHECK(add_years(d("2024-02-29"), 1, MonthEndPolicy::roll_forward) == d("2025-03-01"));
  for (const auto policy : {MonthEndPolicy::clamp, MonthEndPolicy::roll_forward}) {
    CHECK(add_years(d("2024-02-29"), 4, policy) == d("2028-02-29"));
    CHECK(add_years(d("2025-02-28"), 3, policy) == d("2028-02-28"));
    CHECK(add_years(d("2024-06-15"), 3, policy) == d("2027-06-15"));
  }
  CHECK(add_years(d("2096-02-29"), 4) == d("2100-02-28"));  // 2100 is not a leap year
  CHECK(add_years(d("2096-02-29"), 4, MonthEndPolicy::roll_forward) == d("2100-03-01"));
  CHECK(add_years(d("2020-02-29"), 3) == d("2023-02-28"));  // "every 3 years" training
}

TEST_CASE("dates: birthdays and ages, including 29 February birthdays") {
  const Date leapling = d("1940-02-29");
  CHECK(birthday(leapling, 75) == d("2015-02-28"));  // common year: 28 February
  CHECK(birthday(leapling, 76) == d("2016-02-29"));  // leap year: the day itself
  CHECK(age_on(leapling, d("2015-02-27")) == 74);
  CHECK(age_on(leapling, d("2015-02-28")) == 75);
  CHECK(age_on(leapling, d("2015-03-01")) == 75);
  CHECK(age_on(leapling, d("2016-02-28")) == 75);
  CHECK(age_on(leapling, d("2016-02-29")) == 76);

  const Date born = d("1950-05-02");
  CHECK(birthday(born, 75) == d("2025-05-02"));
  CHECK(age_on(born, d("2025-05-01")) == 74);
  CHECK(age_on(born, d("2025-05-02")) == 75);
  CHECK(age_on(born, d("2025-12-31")) == 75);
  CHECK(age_on(born, d("2026-01-01")) == 75);
  CHECK(age_on(born, born) == 0);
  CHECK(age_on(d("1950-12-31"), d("2025-01-01")) == 74);
}

TEST_CASE("dates: financial year and quarter at every quarter boundary") {
  struct Case {
    const char* day;
    int fy;
    int quarter;
    const char* label;
  };
  const Case cases[] = {
      {"2025-03-31", 2024, 4, "2024-25 Q4"}, {"2025-04-01", 2025, 1, "2025-26 Q1"},
      {"2025-06-30", 2025, 1, "2025-26 Q1"}, {"2025-07-01", 2025, 2, "2025-26 Q2"},
      {"2025-09-30", 2025, 2, "2025-26 Q2"}, {"2025-10-01", 2025, 3, "2025-26 Q3"},
      {"2025-12-31", 2025, 3, "2025-26 Q3"}, {"2026-01-01", 2025, 4, "2025-26 Q4"},
      {"2024-02-29", 2023, 4, "2023-24 Q4"}, {"2000-01-01", 1999, 4, "1999-00 Q4"},
  };
  for (const auto& c : cases) {
    INFO(c.day);
    const Quarter q = quarter_of(d(c.day));
    CHECK(financial_year_of(d(c.day)).start_year == c.fy);
    CHECK(q.year.start_year == c.fy);
    CHECK(q.number == c.quarter);
    CHECK(q.label() == c.label);
    CHECK(q.first_day() <= d(c.day));
    CHECK(d(c.day) <= q.last_day());
  }
}

TEST_CASE("dates: first and last day of each quarter and of the financial year") {
  const FinancialYear fy{2023};
  CHECK(fy.label() == "2023-24");
  CHECK(fy.first_day() == d("2023-04-01"));
  CHECK(fy.last_day() == d("2024-03-31"));
  const char* bounds[4][2] = {{"2023-04-01", "2023-06-30"},
                              {"2023-07-01", "2023-09-30"},
                              {"2023-10-01", "2023-12-31"},
                              {"2024-01-01", "2024-03-31"}};
  for (int n = 1; n <= 4; ++n) {
    INFO("Q", n);
    const Quarter q{fy, n};
    CHECK(format_date(q.first_day()) == bounds[n - 1][0]);
    CHECK(format_date(q.last_day()) == bounds[n - 1][1]);
  }
  CHECK(Quarter{fy, 4}.next() == Quarter{FinancialYear{2024}, 1});
  CHECK(Quarter{fy, 2}.next() == Quarter{fy, 3});
  CHECK(Quarter{fy, 4} < Quarter{FinancialYear{2024}, 1});
  CHECK(Quarter{fy, 1} < Quarter{fy, 2});
}

TEST_CASE("dates: financial year labels and parsing") {
  CHECK(FinancialYear{2025}.label() == "2025-26");
  CHECK(FinancialYear{1999}.label() == "1999-00");
  CHECK(FinancialYear{2009}.label() == "2009-10");
  CHECK(Quarter{FinancialYear{2015}, 3}.label() == "2015-16 Q3");

  CHECK(parse_financial_year("2025-26") == FinancialYear{2025});
  CHECK(parse_financial_year("1999-00") == FinancialYear{1999});
  for (const char* bad : {"2025-27", "2025-25", "2025-2026", "25-26", "2025/26", "2025-26 ", "", "abcd-ef", "2025-2a"}) {
    INFO(bad);
    CHECK_FALSE(parse_financial_year(bad).has_value());
  }
}

TEST_CASE("dates: parse_date accepts only real YYYY-MM-DD dates") {
  CHECK(parse_date("2024-02-29") == Date{date::year{2024} / 2 / 29});
  CHECK(parse_date("2000-02-29").has_value());  // divisible by 400: a leap year
  CHECK(parse_date("2025-12-31") == Date{date::year{2025} / 12 / 31});
  for (const char* bad : {"2025-02-30", "2023-02-29", "1900-02-29", "2025-04-31", "2025-13-01", "2025-00-10",
                          "2025-01-00", "2025-1-05", "25-01-05", "02025-01-05", "2025-01-05T00:00",
                          "2025-01-05 ", " 2025-01-05", "2025/01/05", "+025-01-05", "2025-01-5x", "", "today",
                          "2025-01-05x"}) {
    INFO("\"", bad, "\"");
    CHECK_FALSE(parse_date(bad).has_value());
  }
}

TEST_CASE("dates: parse_date_or_throw names the bad text; format_date round-trips") {
  CHECK_THROWS_AS(parse_date_or_throw("2025-02-30"), DateError);
  CHECK_THROWS_WITH(parse_date_or_throw("31/01/2025"), doctest::Contains("31/01/2025"));
  for (const char* text : {"2024-02-29", "2025-01-01", "1999-12-31", "0999-03-07", "2100-02-28"}) {
    CHECK(format_date(d(text)) == text);
  }
}

TEST_CASE("dates: month-end policy names") {
  CHECK(to_string(MonthEndPolicy::clamp) == "clamp");
  CHECK(to_string(MonthEndPolicy::roll_forward) == "roll_forward");
  CHECK(month_end_policy_from_string("clamp") == MonthEndPolicy::clamp);
  CHECK(month_end_policy_from_string("roll_forward") == MonthEndPolicy::roll_forward);
  CHECK_FALSE(month_end_policy_from_string("roll-forward").has_value());
  CHECK_FALSE(month_end_policy_from_string("Clamp").has_value());
  CHECK_FALSE(month_end_policy_from_string("").has_value());
}

TEST_CASE("dates: financial year label below year 1000 is zero padded and parses back") {
  CHECK(FinancialYear{999}.label() == "0999-00");
  CHECK(FinancialYear{5}.label() == "0005-06");
  for (const int year : {1, 99, 999, 1000, 2025, 9998}) {
    const auto back = parse_financial_year(FinancialYear{year}.label());
    REQUIRE(back.has_value());
    CHECK(back->start_year == year);
  }
}
