// The case management local enhanced service (seed 004) as data/schemes/case-management-les.json: the
// initial review, reviews every 4 months, the annual health review for patients aged 75 and over who are
// not case managed, who may do it, the cohort findings, and both schemes evaluated in one call.
#include "payment_fixtures.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

using namespace carerules;
using namespace carerules::test;

namespace {

Pop base(std::optional<std::int64_t> list = 10000) {
  Pop p;
  p.practice("P1", list, "Park Surgery");
  p.gp("G1", "P1");
  p.nurse("N-gpn", "P1", qual(Qualification::gpn_specialist_practitioner));
  p.nurse("N-phc", "P1", qual(Qualification::primary_health_care_diploma));
  p.nurse("N-cvr", "P1", qual(Qualification::cardiovascular_respiratory_diploma));
  p.nurse("N-dn", "P1", qual(Qualification::district_nurse_pgdip));
  p.nurse("N-none", "P1", 0);
  p.clinician("Ph1", "P1", Role::pharmacist);
  p.home("H1", "P1", "G1");
  return p;
}

std::string statuses(const std::vector<TaskRecord>& tasks) {
  std::string out;
  for (const auto& t : tasks)
    out += (out.empty() ? "" : ", ") + format_date(t.opens) + ".." + (t.due ? format_date(*t.due) : std::string("?")) + " " + t.status;
  return out;
}

std::vector<std::string> labels_of(const std::vector<PaymentRecord>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(label(l) + " " + l.kind);
  return out;
}

Scheme case_management_with(const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json doc = nlohmann::json::parse(case_management().text);
  edit(doc);
  return load_scheme_json(doc.dump(), "user-cm.json");
}

}  // namespace

TEST_SUITE("case_management") {

TEST_CASE("the scheme as shipped: obligations, performers, structural checks") {
  const Scheme s = case_management();
  CHECK(s.id == "case-management-les");
  CHECK(s.start == d("2012-04-01"));
  REQUIRE(s.obligations.size() == 3);
  CHECK(s.obligations[0].id == "case-management-initial-review");
  CHECK(s.obligations[0].window == Interval{3, IntervalUnit::months});
  CHECK(s.obligations[1].id == "case-management-review");
  CHECK(s.obligations[1].window == Interval{4, IntervalUnit::months});
  CHECK(s.obligations[2].id == "health-review-annual");
  CHECK(s.obligations[2].anchor_age == 75);
  CHECK(s.obligations[2].window == Interval{12, IntervalUnit::months});
  REQUIRE(s.structural.size() == 4);
  CHECK(s.structural[0].max_basis_points == 500);
  CHECK(s.structural[1].max_basis_points == 200);
  CHECK(s.structural[1].reason == CohortReason::clinical_judgement);
  CHECK(s.structural[3].threshold == doctest::Approx(0.7));
}

TEST_CASE("initial review: due 3 months after joining the cohort") {
  auto run = [](const char* joined, std::initializer_list<const char*> reviews, const char* as_of) {
    Pop p = base();
    p.resident("R1", "1935-01-01", "P1", CohortReason::risk_tool, joined);
    p.events("cmr", "R1", Activity::case_management_review, reviews, "G1");
    Evaluated e(p.finish(), {case_management()}, as_of);
    return statuses(e.tasks("case-management-initial-review", "R1"));
  };
  CHECK(run("2015-06-15", {}, "2015-08-01") == "2015-06-15..2015-09-15 open");
  CHECK(run("2015-06-15", {}, "2015-09-15") == "2015-06-15..2015-09-15 open");
  CHECK(run("2015-06-15", {}, "2015-09-16") == "2015-06-15..2015-09-15 overdue");
  CHECK(run("2015-06-15", {"2015-09-15"}, "2015-12-31") == "2015-06-15..2015-09-15 done");
  CHECK(run("2015-06-15", {"2015-09-16"}, "2015-12-31") == "2015-06-15..2015-09-15 late");
  CHECK(run("2015-06-15", {"2015-06-15"}, "2015-12-31") == "2015-06-15..2015-09-15 done");
  // A review before joining does not count.
  CHECK(run("2015-06-15", {"2015-06-14"}, "2015-12-31") == "2015-06-15..2015-09-15 overdue");
  // Month ends clamp: 30 November + 3 months is 29 February in a leap year.
  CHECK(run("2015-11-30", {}, "2015-12-01") == "2015-11-30..2016-02-29 open");
  // Time travel: not yet joined on the as-of date, no task.
  CHECK(run("2015-06-15", {}, "2015-06-14").empty());
  // Joined before the scheme began (2012-04-01): no initial review is owed.
  CHECK(run("2012-03-01", {}, "2015-12-31").empty());
  CHECK(run("2012-04-01", {}, "2012-04-02") == "2012-04-01..2012-07-01 open");
}

TEST_CASE("initial review: the because sentence") {
  Pop p = base();
  p.resident("R1", "1935-01-01", "P1", CohortReason::risk_tool, "2015-06-15");
  Evaluated e(p.finish(), {case_management()}, "2015-10-01");
  const auto t = e.tasks("case-management-initial-review", "R1").at(0);
  CHECK(t.because == "Case management initial review overdue since 2015-09-15: joined the case management cohort on 2015-06-15; none recorded");
  CHECK(t.scheme == "case-management-les");
  CHECK(t.practice == "P1");
  CHECK(t.missing == std::vector<std::string>{"case_management_review"});
}

TEST_CASE("reviews every 4 months, anchored on the first case management review on or after joining") {
  Pop p = base();
  p.resident("R1", "1935-01-01", "P1", CohortReason::risk_tool, "2015-06-15");
  // Before joining (ignored), the initial review and anchor, on the due date, then late.
  p.events("cmr", "R1", Activity::case_management_review, {"2015-06-01", "2015-07-01", "2015-11-01", "2016-04-01"}, "G1");
  p.resident("R2", "1935-01-01", "P1", CohortReason::risk_tool, "2015-06-15");  // never reviewed
  Evaluated e(p.finish(), {case_management()}, "2016-09-01");
  CHECK(statuses(e.tasks("case-management-initial-review", "R1")) == "2015-06-15..2015-09-15 done");
  const auto reviews = e.tasks("case-management-review", "R1");
  CHECK(statuses(reviews) == "2015-07-01..2015-11-01 done, 2015-11-01..2016-03-01 late, 2016-04-01..2016-08-01 overdue");
  CHECK(reviews[0].because == "Case management review every 4 months done on 2015-11-01 (due by 2015-11-01): 4 months after the first "
                              "case management review on 2015-07-01");
  // While an instance is overdue no further one exists; with no review at all there is no series yet.
  CHECK(e.tasks("case-management-review", "R2").empty());
  CHECK(statuses(e.tasks("case-management-initial-review", "R2")) == "2015-06-15..2015-09-15 overdue");
}

TEST_CASE("a case-managed patient who dies leaves scope: the review is missed or not owed") {
  Pop p = base();
  p.home("H2", "P1", "G1");
  p.resident("R1", "1935-01-01", "P1", CohortReason::care_home, "2015-06-15");
  p.stay("S1", "R1", "H1", "2015-01-01", "2015-08-01", Residency::permanent, EndReason::death);
  p.resident("R2", "1935-01-01", "P1", CohortReason::care_home, "2015-06-15");
  p.stay("S2", "R2", "H2", "2015-01-01", "2015-10-01", Residency::permanent, EndReason::death);
  Evaluated e(p.finish(), {case_management()}, "2016-01-01");
  CHECK(statuses(e.tasks("case-management-initial-review", "R1")) == "2015-06-15..2015-09-15 cancelled");
  CHECK(statuses(e.tasks("case-management-initial-review", "R2")) == "2015-06-15..2015-09-15 missed");
}

TEST_CASE("health review: opens on the 75th birthday (upcoming before), due 12 months later, recurring") {
  auto run = [](const char* born, std::initializer_list<const char*> reviews, const char* as_of) {
    Pop p = base();
    p.resident("R1", born, "P1");
    p.events("hr", "R1", Activity::health_review, reviews, "G1");
    Evaluated e(p.finish(), {case_management()}, as_of);
    return statuses(e.tasks("health-review-annual", "R1"));
  };
  CHECK(run("1940-05-01", {}, "2015-04-30") == "2015-05-01..2016-05-01 upcoming");
  CHECK(run("1940-05-01", {}, "2015-05-01") == "2015-05-01..2016-05-01 open");
  CHECK(run("1940-05-01", {}, "2016-05-01") == "2015-05-01..2016-05-01 open");
  CHECK(run("1940-05-01", {}, "2016-05-02") == "2015-05-01..2016-05-01 overdue");
  // Done, and the next one is due 12 months after it.
  CHECK(run("1940-05-01", {"2015-06-01"}, "2016-01-01") == "2015-05-01..2016-05-01 done, 2015-06-01..2016-06-01 open");
  CHECK(run("1940-05-01", {"2015-06-01", "2016-06-01", "2017-08-01"}, "2017-09-01") ==
        "2015-05-01..2016-05-01 done, 2015-06-01..2016-06-01 done, 2016-06-01..2017-06-01 late, 2017-08-01..2018-08-01 open");
  // Before the 75th birthday a health review does not count.
  CHECK(run("1940-05-01", {"2015-04-30"}, "2016-05-02") == "2015-05-01..2016-05-01 overdue");
  // Already 75 when the scheme began: anchored on the scheme's start.
  CHECK(run("1930-01-01", {}, "2012-05-01") == "2012-04-01..2013-04-01 open");
}

TEST_CASE("health review: a 29 February birthday falls on 28 February in a common year") {
  Pop p = base();
  p.resident("R1", "1940-02-29", "P1");  // 75 on 2015-02-28 (2015 is a common year)
  p.resident("R2", "1944-02-29", "P1");  // 75 on 2019-02-28
  p.resident("R3", "1941-02-28", "P1");  // 75 on 2016-02-28, a leap year: the 28th, not the 29th
  Evaluated before(p.finish(), {case_management()}, "2015-02-27");
  CHECK(statuses(before.tasks("health-review-annual", "R1")) == "2015-02-28..2016-02-28 upcoming");
  Pop q = base();
  q.resident("R1", "1940-02-29", "P1");
  q.resident("R2", "1944-02-29", "P1");
  q.resident("R3", "1941-02-28", "P1");
  Evaluated e(q.finish(), {case_management()}, "2015-02-28");
  CHECK(statuses(e.tasks("health-review-annual", "R1")) == "2015-02-28..2016-02-28 open");
  CHECK(statuses(e.tasks("health-review-annual", "R2")) == "2019-02-28..2020-02-28 upcoming");
  CHECK(statuses(e.tasks("health-review-annual", "R3")) == "2016-02-28..2017-02-28 upcoming");
  CHECK(e.tasks("health-review-annual", "R1").at(0).because ==
        "Annual health review (75 and over) due by 2016-02-28: 75th birthday on 2015-02-28; none recorded");
}

TEST_CASE("health review: joining the case management cohort ends its scope") {
  auto run = [](const char* joined, std::initializer_list<const char*> reviews, const char* as_of) {
    Pop p = base();
    p.resident("R1", "1940-05-01", "P1", CohortReason::clinical_judgement, joined);
    p.events("hr", "R1", Activity::health_review, reviews, "G1");
    Evaluated e(p.finish(), {case_management()}, as_of);
    return e.tasks("health-review-annual", "R1");
  };
  // Joined before the review was due: nothing was owed.
  auto t = run("2015-09-01", {}, "2016-12-31");
  CHECK(statuses(t) == "2015-05-01..2016-05-01 cancelled");
  CHECK(t.at(0).because == "Annual health review (75 and over) not owed: joined the case management cohort on 2015-09-01, before it "
                           "was due on 2016-05-01: 75th birthday on 2015-05-01");
  // Joined after it was due, never done: missed.
  CHECK(statuses(run("2016-06-01", {}, "2016-12-31")) == "2015-05-01..2016-05-01 missed");
  // Joined the day before the due date: not owed; on the due date: the whole window was open, missed.
  CHECK(statuses(run("2016-04-30", {}, "2016-12-31")) == "2015-05-01..2016-05-01 cancelled");
  CHECK(statuses(run("2016-05-01", {}, "2016-12-31")) == "2015-05-01..2016-05-01 missed");
  // Done, then joined: the next instance is not owed.
  CHECK(statuses(run("2015-09-01", {"2015-06-01"}, "2016-12-31")) == "2015-05-01..2016-05-01 done, 2015-06-01..2016-06-01 cancelled");
  // Time travel: on a date before joining, the review is still owed.
  CHECK(statuses(run("2016-06-01", {}, "2016-05-02")) == "2015-05-01..2016-05-01 overdue");
  // Joined before the 75th birthday: never in scope.
  CHECK(run("2015-04-01", {}, "2016-12-31").empty());
  // Case managed patients get the case management obligations instead.
  Pop p = base();
  p.resident("R1", "1940-05-01", "P1", CohortReason::clinical_judgement, "2015-04-01");
  Evaluated e(p.finish(), {case_management()}, "2016-12-31");
  CHECK(e.tasks("case-management-initial-review", "R1").size() == 1);
}

TEST_CASE("health review performers: a GP, or a nurse holding one of seed 004's three qualifications") {
  auto run = [](const char* performer) {
    Pop p = base();
    p.resident("R1", "1940-05-01", "P1");
    p.event("hr", "2015-06-01", "R1", Activity::health_review, performer);
    Evaluated e(p.finish(), {case_management()}, "2015-07-01");
    const auto tasks = e.tasks("health-review-annual", "R1");
    const auto unqualified = e.findings("unqualified-performer");
    return std::make_pair(tasks.at(0).status, unqualified.size());
  };
  CHECK(run("G1") == std::make_pair(std::string("done"), std::size_t{0}));
  CHECK(run("N-gpn") == std::make_pair(std::string("done"), std::size_t{0}));
  CHECK(run("N-phc") == std::make_pair(std::string("done"), std::size_t{0}));
  CHECK(run("N-cvr") == std::make_pair(std::string("done"), std::size_t{0}));
  // District nurse PGDip is in seed 000's list but not in seed 004's: it does not count here.
  CHECK(run("N-dn") == std::make_pair(std::string("open"), std::size_t{1}));
  CHECK(run("N-none") == std::make_pair(std::string("open"), std::size_t{1}));
  CHECK(run("Ph1") == std::make_pair(std::string("open"), std::size_t{1}));
  // No performer recorded: counted, and reported.
  CHECK(run("") == std::make_pair(std::string("done"), std::size_t{0}));

  Pop p = base();
  p.resident("R1", "1940-05-01", "P1");
  p.event("hr", "2015-06-01", "R1", Activity::health_review, "N-dn");
  p.event("hr2", "2015-06-02", "R1", Activity::health_review, "");
  Evaluated e(p.finish(), {case_management()}, "2015-07-01");
  const auto f = e.findings("unqualified-performer");
  REQUIRE(f.size() == 1);
  CHECK(f[0].scheme == "case-management-les");
  CHECK(f[0].message == "health_review on 2015-06-01 (event hr) was done by N-dn (nurse without a qualification the scheme accepts for it), who is not "
                        "qualified to do it under case-management-les: it does not count");
  CHECK(statuses(e.tasks("health-review-annual", "R1")) == "2015-05-01..2016-05-01 done, 2015-06-02..2016-06-02 open");
  CHECK(e.findings("no-performer").size() == 1);
}

TEST_CASE("the district nurse qualification does count under the care homes scheme (seed 000's list of four)") {
  Pop p = base();
  p.resident("R1", "1935-01-01", "P1").stay("S1", "R1", "H1", "2015-05-01");
  p.event("e1", "2015-05-02", "R1", Activity::holistic_assessment, "N-dn");
  Evaluated e(p.finish(), {care_homes(), case_management()}, "2015-05-10");
  CHECK(e.tasks("entry-assessment", "R1").at(0).missing ==
        std::vector<std::string>{"mca_assessment", "medication_review", "falls_assessment", "care_planning or care_plan"});
  CHECK(e.findings("unqualified-performer").empty());
}

TEST_CASE("case management reviews: any clinician (GP, nurse, pharmacist) counts") {
  Pop p = base();
  p.resident("R1", "1935-01-01", "P1", CohortReason::risk_tool, "2015-06-15");
  p.event("a", "2015-07-01", "R1", Activity::case_management_review, "N-none");
  p.event("b", "2015-10-01", "R1", Activity::case_management_review, "Ph1");
  Evaluated e(p.finish(), {case_management()}, "2015-12-01");
  CHECK(statuses(e.tasks("case-management-initial-review", "R1")) == "2015-06-15..2015-09-15 done");
  CHECK(statuses(e.tasks("case-management-review", "R1")) == "2015-07-01..2015-11-01 done, 2015-10-01..2016-02-01 open");
}

TEST_CASE("cohort-over-5-percent: integer arithmetic, exactly 5% is not over") {
  auto findings = [](std::optional<std::int64_t> list, int members, int dead_members = 0) {
    Pop p = base(list);
    for (int i = 0; i < members; ++i)
      p.resident("R" + std::to_string(i), "1935-01-01", "P1", CohortReason::risk_tool, "2015-01-01");
    for (int i = 0; i < dead_members; ++i) {
      const std::string id = "D" + std::to_string(i);
      p.resident(id, "1935-01-01", "P1", CohortReason::care_home, "2015-01-01");
      p.stay("S" + id, id, "H1", "2014-01-01", "2015-03-01", Residency::permanent, EndReason::death);
    }
    Evaluated e(p.finish(), {case_management()}, "2015-06-01");
    return e.findings("cohort-over-5-percent");
  };
  CHECK(findings(100, 5).empty());
  CHECK(findings(100, 6).size() == 1);
  CHECK(findings(40, 2).empty());      // 5.0% exactly
  CHECK(findings(39, 2).size() == 1);  // 5.13%
  CHECK(findings(20, 1).empty());
  CHECK(findings(100, 5, 3).empty());  // the dead are not members
  const auto f = findings(39, 2);
  CHECK(f[0].subject_kind == "practice");
  CHECK(f[0].subject == "P1");
  CHECK(f[0].scheme == "case-management-les");
  CHECK(f[0].message == "Park Surgery has 2 patients in its case management cohort, 5.1% of its list of 39 (at most 5%)");
  // No list size: nothing to compare with.
  CHECK(findings(std::nullopt, 3).empty());
}

TEST_CASE("cohort-over-5-percent: members are those who joined by the as-of date") {
  Pop p = base(100);
  for (int i = 0; i < 6; ++i)
    p.resident("R" + std::to_string(i), "1935-01-01", "P1", CohortReason::risk_tool, i < 5 ? "2015-01-01" : "2015-07-01");
  Population pop = p.finish();
  CHECK(evaluate(pop, {case_management()}, d("2015-06-30")).findings.size() == 0);
  const auto after = evaluate(pop, {case_management()}, d("2015-07-01"));
  CHECK(std::count_if(after.findings.begin(), after.findings.end(),
                      [](const Finding& f) { return f.code == "cohort-over-5-percent"; }) == 1);
}

TEST_CASE("clinical-judgement-over-2-percent") {
  auto findings = [](std::int64_t list, int judgement, int other) {
    Pop p = base(list);
    for (int i = 0; i < judgement; ++i)
      p.resident("J" + std::to_string(i), "1935-01-01", "P1", CohortReason::clinical_judgement, "2015-01-01");
    for (int i = 0; i < other; ++i) p.resident("O" + std::to_string(i), "1935-01-01", "P1", CohortReason::risk_tool, "2015-01-01");
    Evaluated e(p.finish(), {case_management()}, "2015-06-01");
    return e.findings("clinical-judgement-over-2-percent");
  };
  CHECK(findings(100, 2, 3).empty());  // exactly 2%
  CHECK(findings(100, 3, 0).size() == 1);
  CHECK(findings(150, 3, 0).empty());
  CHECK(findings(149, 3, 0).size() == 1);
  CHECK(findings(100, 3, 0)[0].message == "Park Surgery has 3 cohort members by clinical_judgement, 3.0% of its list of 100 (at most 2%)");
}

TEST_CASE("a limit that is not a whole per cent is written as people write it") {
  const Scheme s = case_management_with([](nlohmann::json& doc) {
    doc["structural"][0]["max_percent"] = "2.05";
    doc["structural"][1]["max_percent"] = "1.5";
  });
  CHECK(s.structural[0].max_basis_points == 205);
  Pop p = base(100);
  for (int i = 0; i < 3; ++i) p.resident("J" + std::to_string(i), "1935-01-01", "P1", CohortReason::clinical_judgement, "2015-01-01");
  Evaluated e(p.finish(), {s}, "2015-06-01");
  const auto share = e.findings("cohort-over-5-percent");
  REQUIRE(share.size() == 1);
  CHECK(share[0].message.ends_with("(at most 2.05%)"));
  const auto cj = e.findings("clinical-judgement-over-2-percent");
  REQUIRE(cj.size() == 1);
  CHECK(cj[0].message.ends_with("(at most 1.5%)"));
}

TEST_CASE("care-home-resident-not-in-cohort: a current care home patient of the practice") {
  Pop p = base();
  p.resident("R1", "1935-01-01", "P1").stay("S1", "R1", "H1", "2015-01-01");                   // finding
  p.resident("R2", "1935-01-01", "P1", CohortReason::care_home, "2015-02-01").stay("S2", "R2", "H1", "2015-01-01");
  p.resident("R3", "1935-01-01", "P1").stay("S3", "R3", "H1", "2015-01-01", "2015-05-01");     // left
  p.resident("R4", "1935-01-01", "P1", CohortReason::care_home, "2015-07-01").stay("S4", "R4", "H1", "2015-01-01");  // joins later
  p.resident("R5", "1935-01-01", "P1").stay("S5", "R5", "H1", "2015-06-01");                   // stay starts on the as-of date
  p.resident("R6", "1935-01-01", "P1").stay("S6", "R6", "H1", "2015-06-02");                   // not yet
  p.resident("R7", "1935-01-01", "P1").stay("S7", "R7", "H1", "2015-01-01", "2015-06-01", Residency::permanent, EndReason::death);
  Evaluated e(p.finish(), {case_management()}, "2015-06-01");
  std::vector<std::string> subjects;
  for (const auto& f : e.findings("care-home-resident-not-in-cohort")) subjects.push_back(f.subject);
  CHECK(subjects == std::vector<std::string>{"R1", "R4", "R5"});
  CHECK(e.findings("care-home-resident-not-in-cohort")[0].message ==
        "Resident R1 of Home H1 is a care home patient of Park Surgery but is not in its case management cohort");
}

TEST_CASE("risk-tool-not-in-cohort: the threshold comes from the scheme (0.7 shipped)") {
  auto subjects = [](const Scheme& scheme) {
    Pop p = base();
    p.resident("R1", "1935-01-01", "P1", CohortReason::none, nullptr, 0.7);   // at the threshold: finding
    p.resident("R2", "1935-01-01", "P1", CohortReason::none, nullptr, 0.69);  // below
    p.resident("R3", "1935-01-01", "P1", CohortReason::risk_tool, "2015-01-01", 0.95);  // in the cohort
    p.resident("R4", "1935-01-01", "P1", CohortReason::none, nullptr, 0.55);
    p.resident("R5", "1935-01-01", "P1");  // no score
    Evaluated e(p.finish(), {scheme}, "2015-06-01");
    std::vector<std::string> out;
    for (const auto& f : e.findings("risk-tool-not-in-cohort")) out.push_back(f.subject + ": " + f.message);
    return out;
  };
  CHECK(subjects(case_management()) ==
        std::vector<std::string>{"R1: Patient R1 of Park Surgery has a risk score of 0.7 (threshold 0.7) but is not in the case management cohort"});
  const Scheme lower = case_management_with([](nlohmann::json& doc) { doc["structural"][3]["threshold"] = 0.5; });
  CHECK(subjects(lower) == std::vector<std::string>{
                               "R1: Patient R1 of Park Surgery has a risk score of 0.7 (threshold 0.5) but is not in the case management cohort",
                               "R2: Patient R2 of Park Surgery has a risk score of 0.69 (threshold 0.5) but is not in the case management cohort",
                               "R4: Patient R4 of Park Surgery has a risk score of 0.55 (threshold 0.5) but is not in the case management cohort"});
}

TEST_CASE("both schemes in one call: every task, line and scheme finding says which scheme it belongs to") {
  Pop p = base();
  p.resident("R1", "1935-01-01", "P1", CohortReason::care_home, "2015-06-01").stay("S1", "R1", "H1", "2015-05-01");
  for (Activity a : {Activity::holistic_assessment, Activity::mca_assessment, Activity::medication_review, Activity::falls_assessment,
                     Activity::care_plan})
    p.event("e-" + std::string(to_string(a)), "2015-05-02", "R1", a, "G1");
  p.event("cmr1", "2015-06-10", "R1", Activity::case_management_review, "G1");
  p.resident("R2", "1938-01-01", "P1").stay("S2", "R2", "H1", "2015-05-01");  // care home patient outside the cohort
  Evaluated e(p.finish(), {care_homes(), case_management()}, "2015-09-30");

  REQUIRE(e.result.schemes.size() == 2);
  CHECK(e.result.schemes[0].id == "care-homes-es");
  CHECK(e.result.schemes[0].version == "2015-16");
  CHECK(e.result.schemes[1].id == "case-management-les");
  CHECK(e.result.schemes[1].version == "2015-16");

  std::vector<std::string> obligations_of[2];
  for (const Task& t : e.result.tasks) {
    const TaskRecord r = task_record(e.view(), t);
    REQUIRE(t.scheme < 2);
    CHECK(r.scheme == e.schemes[t.scheme].id);
    CHECK(e.schemes[t.scheme].obligations[t.obligation].id == r.obligation);
    obligations_of[t.scheme].push_back(r.obligation);
  }
  auto has = [](const std::vector<std::string>& v, const char* id) { return std::find(v.begin(), v.end(), id) != v.end(); };
  CHECK(has(obligations_of[0], "entry-assessment"));
  CHECK(has(obligations_of[0], "clinic-fortnightly"));
  CHECK_FALSE(has(obligations_of[0], "case-management-initial-review"));
  CHECK(has(obligations_of[1], "case-management-initial-review"));
  CHECK(has(obligations_of[1], "health-review-annual"));
  CHECK_FALSE(has(obligations_of[1], "entry-assessment"));

  const auto ch = e.lines("R1", "care-homes-es");
  const auto cm = e.lines("R1", "case-management-les");
  CHECK(labels_of(ch) == std::vector<std::string>{"2015-16 Q1 new", "2015-16 Q2 existing"});
  CHECK(labels_of(cm) == std::vector<std::string>{"2015-16 Q1 initial_review"});
  CHECK(e.lines().size() == ch.size() + cm.size() + e.lines("R2").size());
  for (const auto& l : e.lines()) CHECK((l.scheme == "care-homes-es" || l.scheme == "case-management-les"));

  const auto not_in = e.findings("care-home-resident-not-in-cohort");
  REQUIRE(not_in.size() == 1);
  CHECK(not_in[0].subject == "R2");
  CHECK(not_in[0].scheme == "case-management-les");
  for (const Finding& f : e.result.findings)
    if (f.code == "no-lead-gp" || f.code == "home-not-aligned" || f.code == "registered-elsewhere") CHECK(f.scheme == "care-homes-es");
}

}  // TEST_SUITE
