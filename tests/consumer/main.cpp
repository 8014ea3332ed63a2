// Uses the installed library: headers, the static library, its dependencies and its embedded calendar.
#include <carerules/carerules.hpp>  // the umbrella header compiles on its own
#include <carerules/core/calendar.hpp>
#include <carerules/core/dates.hpp>
#include <carerules/core/money.hpp>

#include <iostream>
#include <string>

namespace {

int failures = 0;

void expect(bool ok, const std::string& what) {
  if (!ok) {
    std::cerr << "consumer: wrong result: " << what << '\n';
    ++failures;
  }
}

}  // namespace

int main() {
  using carerules::MonthEndPolicy;
  const auto from = carerules::parse_date_or_throw("2024-11-30");
  expect(carerules::format_date(carerules::add_months(from, 3, MonthEndPolicy::clamp)) == "2025-02-28",
         "2024-11-30 + 3 months (clamp)");
  expect(carerules::format_date(carerules::add_months(from, 3, MonthEndPolicy::roll_forward)) == "2025-03-01",
         "2024-11-30 + 3 months (roll_forward)");
  expect(carerules::format_pounds(carerules::Pence(10353) + 3 * carerules::Pence(6090)) == "\xC2\xA3" "286.23",
         "103.53 + 3 x 60.90");
  expect(carerules::format_pounds(carerules::Pence(125000), true) == "\xC2\xA3" "1,250.00", "thousands");
  // The shipped calendar is compiled into the library, so it needs no data files after installation.
  const auto& calendar = carerules::WorkingDayCalendar::england_and_wales();
  expect(calendar.is_bank_holiday(carerules::parse_date_or_throw("2025-12-25")), "Christmas 2025 is a bank holiday");
  if (failures == 0) std::cout << "consumer: ok\n";
  return failures == 0 ? 0 : 1;
}
