// Scheme definitions are data: the built-in ones load, and a broken file is refused with the field named.
#include "carerules/model/findings.hpp"
#include "carerules/schemes/scheme.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>

using namespace carerules;
using nlohmann::json;

namespace {

json shipped(const std::string& id) { return json::parse(builtin_scheme(id).text); }

std::string error_of(const json& doc) {
  try {
    (void)load_scheme_json(doc.dump(), "edited.json");
  } catch (const SchemeError& e) {
    return e.what();
  }
  return "";
}

// Whether a clinician of this role and these qualifications may perform `activity` by its default performers:
// the groups the engine gives a clinician, against the groups the activity accepts.
bool may_perform(const Scheme& s, Role role, QualificationSet qualifications, Activity activity) {
  return (s.performer_groups_of(role, qualifications) & s.accepted_performers(activity, 0)) != 0;
}

json& obligation(json& doc, const std::string& id) {
  for (auto& o : doc["obligations"])
    if (o["id"] == id) return o;
  throw std::runtime_error("no obligation " + id);
}

}  // namespace

TEST_CASE("scheme: both built-in schemes load with their obligations, versions and start") {
  const Scheme& ch = builtin_scheme("care-homes-es");
  CHECK(ch.obligations.size() == 13);
  CHECK(ch.start == test::d("2015-04-01"));
  CHECK(ch.versions.size() == 2);
  CHECK(ch.version_on(test::d("2016-03-31"))->version == "2015-16");
  CHECK(ch.version_on(test::d("2016-04-01"))->version == "uplift");
  CHECK(ch.version_on(test::d("2015-03-31")) == nullptr);
  CHECK(ch.versions[1].amount("new") == Pence(10353));
  CHECK(ch.find_obligation("care-plan-printed") != nullptr);
  const Scheme& cm = builtin_scheme("case-management-les");
  CHECK(cm.start == test::d("2012-04-01"));
  CHECK(cm.versions[1].amount("initial_review/care_home") == Pence(15000));
  CHECK_FALSE(cm.versions[1].amount("health_review").has_value());  // unpriced until a user sets a price
  CHECK(builtin_scheme_ids() == std::vector<std::string>{"care-homes-es", "case-management-les"});
  CHECK_THROWS_AS((void)builtin_scheme("no-such-scheme"), SchemeError);
}

TEST_CASE("scheme: performer rules follow the scheme's groups") {
  const Scheme& ch = builtin_scheme("care-homes-es");
  const auto gpn = static_cast<QualificationSet>(Qualification::gpn_specialist_practitioner);
  const auto dn = static_cast<QualificationSet>(Qualification::district_nurse_pgdip);
  CHECK(may_perform(ch, Role::gp, 0, Activity::care_plan));
  CHECK(may_perform(ch, Role::nurse, dn, Activity::care_plan));
  CHECK_FALSE(may_perform(ch, Role::nurse, 0, Activity::care_plan));
  CHECK_FALSE(may_perform(ch, Role::nurse, gpn, Activity::gp_review));
  CHECK(may_perform(ch, Role::pharmacist, 0, Activity::medication_review));
  CHECK_FALSE(may_perform(ch, Role::pharmacist, 0, Activity::holistic_assessment));
  CHECK(may_perform(ch, Role::other, 0, Activity::care_plan_printed));
  const Scheme& cm = builtin_scheme("case-management-les");
  // Seed 004 lists three nurse qualifications for the health review: the district nurse diploma is not one.
  CHECK_FALSE(may_perform(cm, Role::nurse, dn, Activity::health_review));
  CHECK(may_perform(cm, Role::nurse, gpn, Activity::health_review));
}

TEST_CASE("scheme: an edited copy changes windows and tariffs without recompiling") {
  json doc = shipped("care-homes-es");
  doc["id"] = "care-homes-es-local";
  obligation(doc, "care-plan")["due"] = "2 months";
  doc["versions"].push_back({{"version", "2026-27"}, {"effective", "2026-04-01"},
                             {"tariff", {{"new", "105.00"}, {"existing", "61.75"}, {"temporary", "61.75"}}}});
  const Scheme s = load_scheme_json(doc.dump(), "local.json");
  CHECK(s.find_obligation("care-plan")->window == Interval{2, IntervalUnit::months});
  CHECK(s.version_on(test::d("2026-04-01"))->amount("existing") == Pence(6175));
  CHECK(s.version_on(test::d("2026-03-31"))->version == "uplift");
}

TEST_CASE("scheme: a broken definition is refused, naming the field") {
  json doc = shipped("care-homes-es");
  SUBCASE("malformed JSON gives line and column") {
    CHECK_THROWS_AS((void)load_scheme_json("{\n \"format\": ,\n}", "bad.json"), ParseError);
  }
  SUBCASE("an interval with two units") {
    obligation(doc, "care-plan")["due"] = {{"months", 3}, {"days", 1}};
    CHECK(error_of(doc).find("care-plan") != std::string::npos);
  }
  SUBCASE("an unknown activity") {
    obligation(doc, "care-plan")["requires"][0]["any_of"] = {"care_plans"};
    CHECK(error_of(doc).find("unknown activity \"care_plans\"") != std::string::npos);
  }
  SUBCASE("a wrong JSON type names its field instead of escaping as a JSON error") {
    obligation(doc, "entry-assessment")["requires"][4]["only_if_permanent"] = "yes";
    CHECK(error_of(doc).find("only_if_permanent") != std::string::npos);
  }
  SUBCASE("an anchor that does not fit the scope") {
    obligation(doc, "seen-2-monthly")["anchor"] = "permanent_start";
    CHECK(error_of(doc).find("cannot be anchored on permanent_start") != std::string::npos);
  }
  SUBCASE("a misspelt tariff key would leave lines unpriced: refused") {
    doc["versions"][1]["tariff"]["existng"] = "60.90";
    CHECK(error_of(doc).find("tariff.existng") != std::string::npos);
  }
  SUBCASE("negative amounts") {
    doc["versions"][1]["tariff"]["new"] = "-1.00";
    CHECK(error_of(doc).find("negative") != std::string::npos);
  }
  SUBCASE("two versions with one name") {
    doc["versions"][1]["version"] = "2015-16";
    CHECK(error_of(doc).find("two versions are named") != std::string::npos);
  }
  SUBCASE("a trigger recorded on another kind of subject") {
    obligation(doc, "care-plan-printed")["trigger"] = "clinic_visit";
    CHECK(error_of(doc).find("not recorded on a resident") != std::string::npos);
  }
}

TEST_CASE("scheme: case management checks need their parameters") {
  json doc = shipped("case-management-les");
  doc["structural"][0].erase("max_percent");
  CHECK(error_of(doc).find("max_percent") != std::string::npos);
  json doc2 = shipped("case-management-les");
  doc2["payments"]["items"][0]["line_kind"] = "initial";
  CHECK(error_of(doc2).find("line_kind") != std::string::npos);
  json doc3 = shipped("case-management-les");
  doc3["payments"]["annual_cap"] = -1;
  CHECK(error_of(doc3).find("annual_cap") != std::string::npos);
}

TEST_CASE("scheme: intervals are written with their unit") {
  const WorkingDayCalendar& ew = WorkingDayCalendar::england_and_wales();
  const auto after = [&](const char* text, const char* from, MonthEndPolicy policy = MonthEndPolicy::clamp) {
    const auto interval = parse_interval(text);
    REQUIRE(interval.has_value());
    return format_date(interval->after(test::d(from), policy, ew));
  };
  SUBCASE("days") {
    CHECK(parse_interval("14 days") == Interval{14, IntervalUnit::days});
    CHECK(after("14 days", "2025-01-10") == "2025-01-24");
    CHECK(after("1 day", "2024-02-28") == "2024-02-29");
  }
  SUBCASE("weeks: seven days each, whatever the weekday") {
    CHECK(parse_interval("2 weeks") == Interval{2, IntervalUnit::weeks});
    CHECK(after("1 week", "2025-01-10") == "2025-01-17");
    CHECK(after("2 weeks", "2024-12-25") == "2025-01-08");
  }
  SUBCASE("months: the month-end policy stays a named choice") {
    CHECK(after("1 month", "2024-01-31") == "2024-02-29");
    CHECK(after("1 month", "2024-01-31", MonthEndPolicy::roll_forward) == "2024-03-01");
    CHECK(after("3 months", "2025-01-10") == "2025-04-10");
  }
  SUBCASE("years") {
    CHECK(after("1 year", "2024-02-29") == "2025-02-28");
    CHECK(after("1 year", "2024-02-29", MonthEndPolicy::roll_forward) == "2025-03-01");
    CHECK(after("3 years", "2025-06-30") == "2028-06-30");
  }
  SUBCASE("working days skip weekends and the Christmas bank holidays") {
    CHECK(parse_interval("7 working days") == Interval{7, IntervalUnit::working_days});
    // Friday 20 December 2024: 23, 24, (25, 26 bank holidays), 27.
    CHECK(after("3 working days", "2024-12-20") == "2024-12-27");
    // ... 30, 31, (1 January), 2, 3.
    CHECK(after("7 working days", "2024-12-20") == "2025-01-03");
  }
  SUBCASE("working days skip Good Friday and Easter Monday") {
    // Wednesday 16 April 2025: 17, (18 Good Friday, weekend, 21 Easter Monday), 22.
    CHECK(after("2 working days", "2025-04-16") == "2025-04-22");
    CHECK(after("1 working day", "2025-04-17") == "2025-04-22");
  }
  SUBCASE("a sentence says the interval as the file does") {
    CHECK(parse_interval("1 week")->describe() == "1 week");
    CHECK(parse_interval("7 working days")->describe() == "7 working days");
    CHECK(parse_interval("1 working day")->describe() == "1 working day");
    CHECK(parse_interval("3 months")->describe() == "3 months");
    CHECK(parse_interval("1 year")->describe() == "1 year");
  }
  SUBCASE("anything else is not an interval") {
    for (const char* bad : {"", "14", "days", "0 days", "-1 days", "14  days", "14 fortnights", "1.5 months", "10000 days",
                            "07 days", "14 Days", "3 working weeks"})
      CHECK_MESSAGE(!parse_interval(bad).has_value(), bad);
  }
}

TEST_CASE("scheme: an obligation due in working days is a change of data") {
  json doc = shipped("care-homes-es");
  obligation(doc, "care-plan-printed")["due"] = "7 working days";
  obligation(doc, "clinic-fortnightly")["every"] = "2 weeks";
  const Scheme s = load_scheme_json(doc.dump(), "edited.json");
  CHECK(s.find_obligation("care-plan-printed")->window == Interval{7, IntervalUnit::working_days});
  CHECK(s.find_obligation("clinic-fortnightly")->window == Interval{2, IntervalUnit::weeks});
  CHECK(s.calendar.name() == "england-and-wales");
  CHECK(format_date(s.after(s.find_obligation("care-plan-printed")->window, test::d("2024-12-20"))) == "2025-01-03");
}

TEST_CASE("scheme: the earlier spelling of intervals still loads, and a wrong one says how to write it") {
  json doc = shipped("case-management-les");
  obligation(doc, "case-management-initial-review")["due"] = {{"months", 3}};
  obligation(doc, "case-management-review")["every"] = {{"days", 120}};
  obligation(doc, "health-review-annual")["every"] = {{"years", 1}};
  const Scheme s = load_scheme_json(doc.dump(), "old.json");
  CHECK(s.obligations[0].window == Interval{3, IntervalUnit::months});
  CHECK(s.obligations[1].window == Interval{120, IntervalUnit::days});
  CHECK(s.obligations[2].window == Interval{1, IntervalUnit::years});

  obligation(doc, "health-review-annual")["every"] = {{"weeks", 52}};
  CHECK(error_of(doc).find("obligations[2] (health-review-annual).every: unknown unit \"weeks\": expected an interval such as "
                           "\"14 days\", \"2 weeks\", \"3 months\", \"1 year\" or \"7 working days\"") != std::string::npos);
  obligation(doc, "health-review-annual")["every"] = "12 monthly";
  CHECK(error_of(doc).find("(health-review-annual).every: expected an interval such as \"14 days\"") != std::string::npos);
  CHECK(error_of(doc).find("got \"12 monthly\"") != std::string::npos);
  obligation(doc, "health-review-annual")["every"] = {{"months", 0}};
  CHECK(error_of(doc).find("every.months: expected a whole number from 1 to 9999") != std::string::npos);
}

TEST_CASE("scheme: a scheme names its own working-day calendar") {
  const auto dir = std::filesystem::temp_directory_path() / "carerules-test-calendar";
  std::filesystem::create_directories(dir);
  {
    std::ofstream csv(dir / "island.csv");
    csv << "date,title\n2025-03-17,Saint Patrick's Day\n2024-12-25,Christmas Day\n";
  }
  json doc = shipped("care-homes-es");
  doc["calendar"] = {{"name", "island"}, {"file", "island.csv"}};
  obligation(doc, "care-plan-printed")["due"] = "1 working day";
  {
    std::ofstream out(dir / "scheme.json");
    out << doc.dump(2);
  }
  const Scheme s = load_scheme_file((dir / "scheme.json").string());
  CHECK(s.calendar.name() == "island");
  const Interval& due = s.find_obligation("care-plan-printed")->window;
  // Friday 14 March 2025: Monday 17 March is a holiday of this calendar only.
  CHECK(format_date(s.after(due, test::d("2025-03-14"))) == "2025-03-18");
  CHECK(format_date(builtin_scheme("care-homes-es").after(due, test::d("2025-03-14"))) == "2025-03-17");
  // Boxing Day is not a holiday of this calendar.
  CHECK(format_date(s.after(due, test::d("2024-12-24"))) == "2024-12-26");

  SUBCASE("a shipped calendar by name") {
    doc["calendar"] = "england-and-wales";
    CHECK(load_scheme_json(doc.dump(), "named.json").calendar.name() == "england-and-wales");
  }
  SUBCASE("an unknown name or a missing file is refused") {
    doc["calendar"] = "scotland";
    CHECK(error_of(doc).find("calendar: no calendar named \"scotland\"") != std::string::npos);
    doc["calendar"] = {{"file", "no-such-file.csv"}};
    CHECK(error_of(doc).find("calendar.file: cannot read") != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("scheme: what `schemes show` prints loads back to the same scheme") {
  for (const std::string& id : builtin_scheme_ids()) {
    CAPTURE(id);
    const Scheme& shipped_scheme = builtin_scheme(id);
    const Scheme again = load_scheme_json(shipped_scheme.text, id + ".json");
    REQUIRE(again.obligations.size() == shipped_scheme.obligations.size());
    for (std::size_t o = 0; o < again.obligations.size(); ++o) {
      CHECK(again.obligations[o].id == shipped_scheme.obligations[o].id);
      CHECK(again.obligations[o].window == shipped_scheme.obligations[o].window);
    }
    CHECK(again.calendar.holidays().size() == shipped_scheme.calendar.holidays().size());
  }
  CHECK(builtin_scheme_ids().size() >= 2);
}
