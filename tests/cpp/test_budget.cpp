// The budget projection of seed 004, Table 2, from patient counts and the scheme's tariffs.
#include "carerules/reports/budget.hpp"
#include "payment_fixtures.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <stdexcept>
#include <string>

using namespace carerules;
using namespace carerules::test;

namespace {

Scheme edited(const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json doc = nlohmann::json::parse(case_management().text);
  edit(doc);
  return load_scheme_json(doc.dump(), "user-cm.json");
}

}  // namespace

TEST_SUITE("budget") {

TEST_CASE("Table 2: every figure, from counts and the shipped tariffs") {
  const BudgetProjection b = project_budget(case_management(), BudgetInputs{1500, 912, std::nullopt, std::nullopt});
  CHECK(b.scheme == "case-management-les");
  CHECK(b.projected_on == d("2015-04-01"));
  CHECK(b.current_on == d("2015-03-31"));
  CHECK(b.activities_per_year == 3);

  // "Current Budget for Care Home Patients: costed for each patient as a new @ £170 pa: £255,000"
  REQUIRE(b.current.size() == 1);
  CHECK(b.current[0].label == "Costed for each patient as new");
  CHECK(b.current[0].basis == "new");
  CHECK(b.current[0].count == 1500);
  CHECK(b.current[0].per_patient == parse_pounds("170"));
  CHECK(b.current[0].derivation == "£110.00 + 2 x £30.00");
  CHECK(b.current[0].tariff == "original");
  CHECK(b.current[0].total == parse_pounds("255,000"));
  CHECK(b.current_total == parse_pounds("255,000"));

  // "Projected: expected number of new patients @ £230 p.a. £135,240; expected number of follow ups @ £120
  // p.a. £109,440"
  REQUIRE(b.projected.size() == 2);
  CHECK(b.projected[0].label == "Expected number of new patients");
  CHECK(b.projected[0].count == 588);
  CHECK(b.projected[0].per_patient == parse_pounds("230"));
  CHECK(b.projected[0].derivation == "£150.00 + 2 x £40.00");
  CHECK(b.projected[0].tariff == "2015-16");
  CHECK(b.projected[0].total == parse_pounds("135,240"));
  CHECK(b.projected[1].label == "Expected number of follow ups");
  CHECK(b.projected[1].basis == "existing");
  CHECK(b.projected[1].count == 912);
  CHECK(b.projected[1].per_patient == parse_pounds("120"));
  CHECK(b.projected[1].derivation == "3 x £40.00");
  CHECK(b.projected[1].total == parse_pounds("109,440"));
  CHECK(b.projected_total == parse_pounds("244,680"));

  // The impact of the change, honestly: 244,680 - 255,000 = -10,320 (a saving of £10,320).
  CHECK(b.impact == parse_pounds("-10,320"));
  CHECK(format_pounds(b.impact, true) == "-£10,320.00");
}

TEST_CASE("the source's printed cost impact (-£119,760) is not the difference of its totals") {
  const BudgetProjection b = project_budget(case_management(), BudgetInputs{1500, 912, std::nullopt, std::nullopt});
  const Pence printed = parse_pounds("-119,760");
  CHECK(b.impact != printed);
  // What it appears to be: the new patients' line alone less the current budget (135,240 - 255,000), the
  // follow-ups' £109,440 left out.
  CHECK(b.projected[0].total - b.current_total == printed);
  CHECK(b.impact - printed == b.projected[1].total);
}

TEST_CASE("a user's tariff change flows through the projection") {
  const Scheme user = edited([](nlohmann::json& doc) {
    doc["versions"].push_back({{"version", "2016-17"},
                               {"effective", "2016-04-01"},
                               {"tariff",
                                {{"initial_review/care_home", "160.00"}, {"initial_review/other", "115.00"},
                                 {"review/care_home", "45.00"}, {"review/other", "32.00"}, {"health_review", nullptr}}}});
  });
  // By default: the latest version against the one before it.
  const BudgetProjection b = project_budget(user, BudgetInputs{1500, 912, std::nullopt, std::nullopt});
  CHECK(b.projected_on == d("2016-04-01"));
  CHECK(b.current[0].tariff == "2015-16");
  CHECK(b.current[0].per_patient == parse_pounds("230"));
  CHECK(b.projected[0].per_patient == parse_pounds("250"));  // 160 + 2 x 45
  CHECK(b.projected[1].per_patient == parse_pounds("135"));  // 3 x 45
  CHECK(b.projected_total == parse_pounds("250") * 588 + parse_pounds("135") * 912);
  CHECK(b.impact == b.projected_total - parse_pounds("230") * 1500);
  // Asked for the seed's dates, the same scheme gives the seed's figures.
  const BudgetProjection seed = project_budget(user, BudgetInputs{1500, 912, d("2015-04-01"), std::nullopt});
  CHECK(seed.current_total == parse_pounds("255,000"));
  CHECK(seed.projected_total == parse_pounds("244,680"));
  // Or any two days.
  const BudgetProjection chosen = project_budget(user, BudgetInputs{10, 4, d("2016-06-01"), d("2013-01-01")});
  CHECK(chosen.current[0].tariff == "original");
  CHECK(chosen.current_total == parse_pounds("1700"));
  CHECK(chosen.projected_total == parse_pounds("250") * 6 + parse_pounds("135") * 4);
}

TEST_CASE("the number of paid activities a year is the scheme's annual cap") {
  const Scheme four = edited([](nlohmann::json& doc) { doc["payments"]["annual_cap"] = 4; });
  const BudgetProjection b = project_budget(four, BudgetInputs{1500, 912, std::nullopt, std::nullopt});
  CHECK(b.activities_per_year == 4);
  CHECK(b.current[0].per_patient == parse_pounds("200"));     // 110 + 3 x 30
  CHECK(b.projected[0].per_patient == parse_pounds("270"));   // 150 + 3 x 40
  CHECK(b.projected[1].per_patient == parse_pounds("160"));   // 4 x 40
  // With no cap, as many reviews as fit in a year at the review interval (every 4 months: 3).
  const Scheme uncapped = edited([](nlohmann::json& doc) { doc["payments"].erase("annual_cap"); });
  CHECK(project_budget(uncapped, BudgetInputs{1500, 912, std::nullopt, std::nullopt}).projected_total == parse_pounds("244,680"));
}

TEST_CASE("bad inputs and schemes that cannot be projected are refused") {
  CHECK_THROWS_AS(project_budget(case_management(), BudgetInputs{100, 101, std::nullopt, std::nullopt}), std::invalid_argument);
  CHECK_THROWS_AS(project_budget(case_management(), BudgetInputs{-1, 0, std::nullopt, std::nullopt}), std::invalid_argument);
  CHECK_THROWS_AS(project_budget(case_management(), BudgetInputs{100, 50, std::nullopt, d("2010-01-01")}), SchemeError);
  CHECK_THROWS_AS(project_budget(care_homes(), BudgetInputs{100, 50, std::nullopt, std::nullopt}), SchemeError);
  const Scheme unpriced = edited([](nlohmann::json& doc) { doc["versions"][1]["tariff"]["review/care_home"] = nullptr; });
  CHECK_THROWS_WITH_AS(project_budget(unpriced, BudgetInputs{100, 50, std::nullopt, std::nullopt}),
                       "case-management-les: tariff 2015-16 sets no amount for review/care_home (nor review)", SchemeError);
  // No patients: all zero.
  const BudgetProjection none = project_budget(case_management(), BudgetInputs{});
  CHECK(none.current_total == Pence(0));
  CHECK(none.projected_total == Pence(0));
  CHECK(none.impact == Pence(0));
}

TEST_CASE("budget inputs from a cohort summary: care home patients, and those with a care plan as follow-ups") {
  Pop p;
  p.practice("P1", 10000).gp("G1", "P1").home("H1", "P1", "G1");
  for (int i = 0; i < 10; ++i) {
    const std::string id = "R" + std::to_string(i);
    p.resident(id, "1930-01-01", "P1", CohortReason::care_home, "2015-01-01").stay("S" + id, id, "H1", "2014-06-01");
    if (i < 6) p.event("cp" + id, "2015-01-20", id, Activity::care_plan, "G1");
  }
  const Population pop = p.finish();
  const auto rows = cohort_summary(pop, case_management(), d("2015-02-28"));
  const BudgetInputs in = budget_inputs(cohort_total(rows, d("2015-02-28")));
  CHECK(in.care_home_patients == 10);
  CHECK(in.existing_with_plan == 6);
  const BudgetProjection b = project_budget(case_management(), in);
  CHECK(b.current_total == parse_pounds("1700"));
  CHECK(b.projected_total == parse_pounds("230") * 4 + parse_pounds("120") * 6);
}

}  // TEST_SUITE
