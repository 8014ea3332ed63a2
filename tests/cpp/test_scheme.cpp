// Scheme definitions are data: the built-in ones load, and a broken file is refused with the field named.
#include "carerules/model/findings.hpp"
#include "carerules/schemes/scheme.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

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
  CHECK(ch.performer_allowed(Role::gp, 0, Activity::care_plan, 0));
  CHECK(ch.performer_allowed(Role::nurse, dn, Activity::care_plan, 0));
  CHECK_FALSE(ch.performer_allowed(Role::nurse, 0, Activity::care_plan, 0));
  CHECK_FALSE(ch.performer_allowed(Role::nurse, gpn, Activity::gp_review, 0));
  CHECK(ch.performer_allowed(Role::pharmacist, 0, Activity::medication_review, 0));
  CHECK_FALSE(ch.performer_allowed(Role::pharmacist, 0, Activity::holistic_assessment, 0));
  CHECK(ch.performer_allowed(Role::other, 0, Activity::care_plan_printed, 0));
  const Scheme& cm = builtin_scheme("case-management-les");
  // Seed 004 lists three nurse qualifications for the health review: the district nurse diploma is not one.
  CHECK_FALSE(cm.performer_allowed(Role::nurse, dn, Activity::health_review, 0));
  CHECK(cm.performer_allowed(Role::nurse, gpn, Activity::health_review, 0));
}

TEST_CASE("scheme: an edited copy changes windows and tariffs without recompiling") {
  json doc = shipped("care-homes-es");
  doc["id"] = "care-homes-es-local";
  obligation(doc, "care-plan")["due"] = {{"months", 2}};
  doc["versions"].push_back({{"version", "2026-27"}, {"effective", "2026-04-01"},
                             {"tariff", {{"new", "105.00"}, {"existing", "61.75"}, {"temporary", "61.75"}}}});
  const Scheme s = load_scheme_json(doc.dump(), "local.json");
  CHECK(s.find_obligation("care-plan")->window.months == 2);
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
