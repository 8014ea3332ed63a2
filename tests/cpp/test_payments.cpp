// Payment lines: capitation per resident per quarter (care-homes-es) and item-of-service lines (case
// management), tariffs with effective dates, claim statuses, and totals that equal the sum of their lines.
#include "carerules/reports/budget.hpp"
#include "payment_fixtures.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace carerules;
using namespace carerules::test;

namespace {

// P1 (aligned to H1 and H3, GP G1), P2 (aligned to H2, GP G2).
Pop base() {
  Pop p;
  p.practice("P1", 10000, "Park Surgery").practice("P2", 8000, "Hill Surgery");
  p.gp("G1", "P1").gp("G2", "P2");
  p.home("H1", "P1", "G1").home("H2", "P2", "G2").home("H3", "P1", "G1");
  return p;
}

// Everything the entry assessment of a permanent resident needs, on `day`, by G1.
void assess(Pop& p, const std::string& resident, const char* day) {
  for (Activity a : {Activity::holistic_assessment, Activity::mca_assessment, Activity::medication_review,
                     Activity::falls_assessment, Activity::care_planning})
    p.event(resident + "-" + std::string(to_string(a)) + "-" + day, day, resident, a, "G1");
}

Pence price(const Scheme& s, const char* version, const char* key) {
  for (const auto& v : s.versions)
    if (v.version == version) return v.amount(key).value();
  FAIL("no version " << version);
  return Pence{};
}

std::vector<std::string> labels(const std::vector<PaymentRecord>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(label(l) + " " + l.kind + " " + std::to_string(pence(l)) + " " + l.status);
  return out;
}

std::string scheme_text_with_version(const Scheme& base_scheme, const nlohmann::json& version) {
  nlohmann::json doc = nlohmann::json::parse(base_scheme.text);
  doc["versions"].push_back(version);
  return doc.dump();
}

}  // namespace

TEST_SUITE("payments") {

TEST_CASE("the shipped tariffs are the seed's figures, with the shipped effective dates") {
  const Scheme ch = care_homes();
  REQUIRE(ch.versions.size() == 2);
  CHECK(ch.versions[0].version == "2015-16");
  CHECK(ch.versions[0].effective == d("2015-04-01"));
  CHECK(ch.versions[1].version == "uplift");
  CHECK(ch.versions[1].effective == d("2016-04-01"));
  CHECK(price(ch, "2015-16", "new") == parse_pounds("102"));
  CHECK(price(ch, "2015-16", "existing") == parse_pounds("60"));
  CHECK(price(ch, "2015-16", "temporary") == parse_pounds("60"));
  CHECK(price(ch, "uplift", "new") == parse_pounds("103.53"));
  CHECK(price(ch, "uplift", "existing") == parse_pounds("60.90"));
  CHECK(price(ch, "uplift", "temporary") == parse_pounds("60.90"));
  // "A total sum of £282 £286.23 per patient per annum": new + 3 x existing.
  CHECK(price(ch, "2015-16", "new") + 3 * price(ch, "2015-16", "existing") == Pence(28200));
  CHECK(price(ch, "uplift", "new") + 3 * price(ch, "uplift", "existing") == Pence(28623));

  const Scheme cm = case_management();
  REQUIRE(cm.versions.size() == 2);
  CHECK(cm.versions[0].effective == d("2012-04-01"));
  CHECK(cm.versions[1].effective == d("2015-04-01"));
  CHECK(price(cm, "2015-16", "initial_review/care_home") + 2 * price(cm, "2015-16", "review/care_home") == Pence(23000));
  CHECK(3 * price(cm, "2015-16", "review/care_home") == Pence(12000));
  CHECK(price(cm, "original", "initial_review") + 2 * price(cm, "original", "review") == Pence(17000));
  CHECK(price(cm, "2015-16", "initial_review/other") + 2 * price(cm, "2015-16", "review/other") == Pence(17000));
  CHECK(cm.payments.annual_cap == 3);
}

TEST_CASE("a year of capitation is the seed's annual figure: 102 + 3 x 60 = 282 and 103.53 + 3 x 60.90 = 286.23") {
  Pop p = base();
  p.resident("R1", "1930-01-01", "P1").stay("S1", "R1", "H1", "2015-04-01");
  assess(p, "R1", "2015-04-03");
  p.resident("R2", "1930-01-01", "P1").stay("S2", "R2", "H1", "2016-04-01");
  assess(p, "R2", "2016-04-05");
  Evaluated e(p.finish(), {care_homes()}, "2017-03-31");

  const auto r1 = e.lines("R1");
  CHECK(labels(r1) == std::vector<std::string>{
                          "2015-16 Q1 new 10200 payable", "2015-16 Q2 existing 6000 payable", "2015-16 Q3 existing 6000 payable",
                          "2015-16 Q4 existing 6000 payable", "2016-17 Q1 existing 6090 payable", "2016-17 Q2 existing 6090 payable",
                          "2016-17 Q3 existing 6090 payable", "2016-17 Q4 existing 6090 payable"});
  std::int64_t year1 = 0;
  for (const auto& l : r1)
    if (l.financial_year == "2015-16") year1 += pence(l);
  CHECK(year1 == 28200);

  const auto r2 = e.lines("R2");
  CHECK(labels(r2) == std::vector<std::string>{"2016-17 Q1 new 10353 payable", "2016-17 Q2 existing 6090 payable",
                                               "2016-17 Q3 existing 6090 payable", "2016-17 Q4 existing 6090 payable"});
  std::int64_t year = 0;
  for (const auto& l : r2) year += pence(l);
  CHECK(year == 28623);
  CHECK(r2[0].tariff == "uplift");
  CHECK(r2[0].practice == "P1");
  CHECK(r2[0].home == "H1");
  CHECK(r2[0].scheme == "care-homes-es");
  CHECK(r2[0].because == "New permanent resident of Home H1 from 2016-04-01 (2016-17 Q1); £103.53 at tariff uplift");
}

TEST_CASE("quarter boundaries: a stay starting on 31 March and on 1 April") {
  Pop p = base();
  p.resident("R1", "1930-01-01", "P1").stay("S1", "R1", "H1", "2016-03-31");
  assess(p, "R1", "2016-03-31");
  p.resident("R2", "1930-01-01", "P1").stay("S2", "R2", "H1", "2016-04-01");
  assess(p, "R2", "2016-04-01");
  Evaluated e(p.finish(), {care_homes()}, "2016-09-30");
  // One day in Q4 earns Q4's new line, at the tariff in force on 1 January 2016.
  CHECK(labels(e.lines("R1")) == std::vector<std::string>{"2015-16 Q4 new 10200 payable", "2016-17 Q1 existing 6090 payable",
                                                          "2016-17 Q2 existing 6090 payable"});
  CHECK(e.lines("R1")[0].tariff == "2015-16");
  CHECK(labels(e.lines("R2")) == std::vector<std::string>{"2016-17 Q1 new 10353 payable", "2016-17 Q2 existing 6090 payable"});
}

TEST_CASE("quarter boundaries: a stay ending on a quarter's first day earns that quarter, and nothing after") {
  Pop p = base();
  p.resident("R1", "1930-01-01", "P1").stay("S1", "R1", "H1", "2015-05-01", "2015-07-01");
  assess(p, "R1", "2015-05-02");
  p.resident("R2", "1930-01-01", "P1").stay("S2", "R2", "H1", "2015-05-01", "2015-06-30");
  assess(p, "R2", "2015-05-02");
  Evaluated e(p.finish(), {care_homes()}, "2016-03-31");
  CHECK(labels(e.lines("R1")) == std::vector<std::string>{"2015-16 Q1 new 10200 payable", "2015-16 Q2 existing 6000 payable"});
  CHECK(labels(e.lines("R2")) == std::vector<std::string>{"2015-16 Q1 new 10200 payable"});
}

TEST_CASE("death in mid-quarter: that quarter is paid, no later one") {
  Pop p = base();
  p.resident("R1", "1930-01-01", "P1").stay("S1", "R1", "H1", "2015-05-01", "2015-08-15", Residency::permanent, EndReason::death);
  assess(p, "R1", "2015-05-02");
  Evaluated e(p.finish(), {care_homes()}, "2016-03-31");
  CHECK(labels(e.lines("R1")) == std::vector<std::string>{"2015-16 Q1 new 10200 payable", "2015-16 Q2 existing 6000 payable"});
}

TEST_CASE("an as-of date inside a stay sees only the quarters begun so far (time travel)") {
  Pop p = base();
  p.resident("R1", "1930-01-01", "P1").stay("S1", "R1", "H1", "2015-05-01", "2015-08-15", Residency::permanent, EndReason::death);
  assess(p, "R1", "2015-05-02");
  Evaluated e(p.finish(), {care_homes()}, "2015-06-30");
  CHECK(labels(e.lines("R1")) == std::vector<std::string>{"2015-16 Q1 new 10200 payable"});
  Evaluated before(base().finish(), {care_homes()}, "2015-04-30");
  CHECK(before.result.payments.empty());
}

TEST_CASE("a temporary stay converted to permanent: new in the quarter of the conversion") {
  Pop p = base();
  // Converted within Q1: one line, new.
  p.resident("R1", "1930-01-01", "P1").temporary("S1", "R1", "H1", "2015-05-01", "2015-05-20").stay("S1b", "R1", "H1", "2015-05-21");
  assess(p, "R1", "2015-05-02");
  // Temporary in Q1, converted in Q2 (the next stay starts the day after the temporary one ends).
  p.resident("R2", "1930-01-01", "P1").temporary("S2", "R2", "H1", "2015-06-01", "2015-07-09").stay("S2b", "R2", "H1", "2015-07-10");
  assess(p, "R2", "2015-06-02");
  // Converted on the very day the temporary stay ends (contiguous: starts on its end date).
  p.resident("R3", "1930-01-01", "P1").temporary("S3", "R3", "H1", "2015-09-01", "2015-10-01").stay("S3b", "R3", "H1", "2015-10-01");
  assess(p, "R3", "2015-09-01");
  // Only ever temporary.
  p.resident("R4", "1930-01-01", "P1").temporary("S4", "R4", "H1", "2015-05-01", "2015-05-31");
  assess(p, "R4", "2015-05-01");
  Evaluated e(p.finish(), {care_homes()}, "2015-12-31");

  const auto r1 = e.lines("R1");
  CHECK(labels(r1) == std::vector<std::string>{"2015-16 Q1 new 10200 payable", "2015-16 Q2 existing 6000 payable",
                                               "2015-16 Q3 existing 6000 payable"});
  CHECK(r1[0].because.find("from 2015-05-21") != std::string::npos);
  CHECK(labels(e.lines("R2")) == std::vector<std::string>{"2015-16 Q1 temporary 6000 payable", "2015-16 Q2 new 10200 payable",
                                                          "2015-16 Q3 existing 6000 payable"});
  CHECK(labels(e.lines("R3")) == std::vector<std::string>{"2015-16 Q2 temporary 6000 payable", "2015-16 Q3 new 10200 payable"});
  CHECK(labels(e.lines("R4")) == std::vector<std::string>{"2015-16 Q1 temporary 6000 payable"});
}

TEST_CASE("one line per resident per quarter: new > existing > temporary across residences") {
  Pop p = base();
  // Permanent in H1, moves to H3 (same practice) in Q3 2015-16: a new residency in Q3, one line.
  p.resident("R1", "1930-01-01", "P1").stay("S1", "R1", "H1", "2015-04-01", "2015-11-01").stay("S2", "R1", "H3", "2015-11-02");
  assess(p, "R1", "2015-04-01");
  assess(p, "R1", "2015-11-02");
  // Permanent in H1, then after a gap a temporary stay in H3 in the same quarter: existing wins.
  p.resident("R2", "1930-01-01", "P1").stay("S3", "R2", "H1", "2015-04-01", "2015-07-15").temporary("S4", "R2", "H3", "2015-08-01", "2015-08-20");
  assess(p, "R2", "2015-04-01");
  p.event("R2-ha", "2015-08-01", "R2", Activity::holistic_assessment, "G1")
      .event("R2-mca", "2015-08-01", "R2", Activity::mca_assessment, "G1")
      .event("R2-med", "2015-08-01", "R2", Activity::medication_review, "G1")
      .event("R2-falls", "2015-08-01", "R2", Activity::falls_assessment, "G1");
  Evaluated e(p.finish(), {care_homes()}, "2015-12-31");
  const auto r1 = e.lines("R1");
  CHECK(labels(r1) == std::vector<std::string>{"2015-16 Q1 new 10200 payable", "2015-16 Q2 existing 6000 payable",
                                               "2015-16 Q3 new 10200 payable"});
  CHECK(r1[2].home == "H3");
  CHECK(labels(e.lines("R2")) == std::vector<std::string>{"2015-16 Q1 new 10200 payable", "2015-16 Q2 existing 6000 payable"});
}

TEST_CASE("capitation goes to the registered practice only when it is aligned to the home") {
  Pop p = base();
  // Registered with P2, lives in H1 (aligned to P1), declined to move: no lines, no finding.
  p.resident("R1", "1930-01-01", "P2", CohortReason::none, nullptr, std::nullopt, true).stay("S1", "R1", "H1", "2015-04-01");
  // Registered with P2 without the declined code: no lines either, and a registered-elsewhere finding.
  p.resident("R2", "1930-01-01", "P2").stay("S2", "R2", "H1", "2015-04-01");
  // Registered with P2, lives in H2 (aligned to P2): P2 is paid.
  p.resident("R3", "1930-01-01", "P2").stay("S3", "R3", "H2", "2015-04-01");
  p.event("R3-ha", "2015-04-02", "R3", Activity::holistic_assessment, "G2")
      .event("R3-mca", "2015-04-02", "R3", Activity::mca_assessment, "G2")
      .event("R3-med", "2015-04-02", "R3", Activity::medication_review, "G2")
      .event("R3-falls", "2015-04-02", "R3", Activity::falls_assessment, "G2")
      .event("R3-cp", "2015-04-02", "R3", Activity::care_plan, "G2");
  Evaluated e(p.finish(), {care_homes()}, "2015-09-30");
  CHECK(e.lines("R1").empty());
  CHECK(e.lines("R2").empty());
  const auto elsewhere = e.findings("registered-elsewhere");
  REQUIRE(elsewhere.size() == 1);
  CHECK(elsewhere[0].subject == "R2");
  const auto r3 = e.lines("R3");
  REQUIRE(r3.size() == 2);
  CHECK(r3[0].practice == "P2");
  CHECK(r3[0].status == "payable");
}

TEST_CASE("a new line is pending until the entry assessment is due, then payable or withheld") {
  Pop p = base();
  // Admitted 2015-06-25: assessment due 2015-07-09; on 2015-06-30 it is not yet due.
  p.resident("R1", "1930-01-01", "P1").stay("S1", "R1", "H1", "2015-06-25");
  // Admitted 2015-05-01, nothing recorded: overdue since 2015-05-15.
  p.resident("R2", "1930-01-01", "P1").stay("S2", "R2", "H1", "2015-05-01");
  // Admitted 2015-05-01, left on 2015-06-10 without an assessment: missed.
  p.resident("R3", "1930-01-01", "P1").stay("S3", "R3", "H1", "2015-05-01", "2015-06-10");
  // Admitted 2015-05-01, assessed on time: payable.
  p.resident("R4", "1930-01-01", "P1").stay("S4", "R4", "H1", "2015-05-01");
  assess(p, "R4", "2015-05-10");
  // Admitted 2015-05-01, died on 2015-05-05 before the assessment was due: nothing was owed, payable.
  p.resident("R5", "1930-01-01", "P1").stay("S5", "R5", "H1", "2015-05-01", "2015-05-05", Residency::permanent, EndReason::death);
  // Assessed late (2015-05-20, due 2015-05-15): done, so the line is payable.
  p.resident("R6", "1930-01-01", "P1").stay("S6", "R6", "H1", "2015-05-01");
  assess(p, "R6", "2015-05-20");
  // Assessed except the start of care planning: still overdue.
  p.resident("R7", "1930-01-01", "P1").stay("S7", "R7", "H1", "2015-05-01");
  p.event("R7-ha", "2015-05-02", "R7", Activity::holistic_assessment, "G1")
      .event("R7-mca", "2015-05-02", "R7", Activity::mca_assessment, "G1")
      .event("R7-med", "2015-05-02", "R7", Activity::medication_review, "G1")
      .event("R7-falls", "2015-05-02", "R7", Activity::falls_assessment, "G1");
  Evaluated e(p.finish(), {care_homes()}, "2015-06-30");

  auto first = [&](const char* r) { return e.lines(r).at(0); };
  CHECK(first("R1").status == "pending");
  CHECK(first("R1").because == "New permanent resident of Home H1 from 2015-06-25 (2015-16 Q1); pending: the assessment on entry is "
                               "not yet due (due by 2015-07-09); £102.00 at tariff 2015-16");
  CHECK(first("R2").status == "withheld");
  CHECK(first("R2").because.find("withheld: the assessment on entry is overdue since 2015-05-15") != std::string::npos);
  CHECK(first("R3").status == "withheld");
  CHECK(first("R3").because.find("withheld: the assessment on entry was never done (due by 2015-05-15)") != std::string::npos);
  CHECK(first("R4").status == "payable");
  CHECK(first("R5").status == "payable");
  CHECK(first("R5").because.find("not owed") != std::string::npos);
  CHECK(first("R6").status == "payable");
  CHECK(first("R7").status == "withheld");
  // The amount stays on a withheld or pending line: it is what would be paid.
  CHECK(pence(first("R2")) == 10200);
  CHECK(pence(first("R1")) == 10200);

}

TEST_CASE("a withheld new line does not hold back the resident's later existing lines") {
  Pop p = base();
  p.resident("R1", "1930-01-01", "P1").stay("S1", "R1", "H1", "2015-05-01");
  Evaluated e(p.finish(), {care_homes()}, "2015-12-31");
  CHECK(labels(e.lines("R1")) == std::vector<std::string>{"2015-16 Q1 new 10200 withheld", "2015-16 Q2 existing 6000 payable",
                                                          "2015-16 Q3 existing 6000 payable"});
}

TEST_CASE("a tariff change between two quarters: each quarter at the version in force on its first day") {
  Pop p = base();
  p.resident("R1", "1930-01-01", "P1").stay("S1", "R1", "H1", "2015-04-01");
  assess(p, "R1", "2015-04-01");
  Evaluated e(p.finish(), {care_homes()}, "2016-06-30");
  const auto lines = e.lines("R1");
  REQUIRE(lines.size() == 5);
  CHECK(label(lines[3]) == "2015-16 Q4");
  CHECK(pence(lines[3]) == 6000);
  CHECK(lines[3].tariff == "2015-16");
  CHECK(label(lines[4]) == "2016-17 Q1");
  CHECK(pence(lines[4]) == 6090);
  CHECK(lines[4].tariff == "uplift");
}

TEST_CASE("a user scheme with an added 2026-27 version, loaded from JSON text, changes the amount") {
  const std::string text = scheme_text_with_version(
      care_homes(), {{"version", "2026-27"},
                     {"effective", "2026-04-01"},
                     {"tariff", {{"new", "110.00"}, {"existing", "65.00"}, {"temporary", "65.00"}}}});
  const Scheme user = load_scheme_json(text, "user-care-homes.json");
  REQUIRE(user.versions.size() == 3);
  CHECK(user.start == d("2015-04-01"));

  auto population = [] {
    Pop p = base();
    p.resident("R1", "1930-01-01", "P1").stay("S1", "R1", "H1", "2025-01-10");
    assess(p, "R1", "2025-01-10");
    p.resident("R2", "1930-01-01", "P1").stay("S2", "R2", "H1", "2026-05-01");
    assess(p, "R2", "2026-05-01");
    return p.finish();
  };
  Evaluated shipped(population(), {care_homes()}, "2026-06-30");
  Evaluated edited(population(), {user}, "2026-06-30");
  const auto before = shipped.lines("R1");
  const auto after = edited.lines("R1");
  REQUIRE(before.size() == after.size());
  CHECK(label(after.back()) == "2026-27 Q1");
  CHECK(pence(before.back()) == 6090);
  CHECK(pence(after.back()) == 6500);
  CHECK(after.back().tariff == "2026-27");
  CHECK(pence(after[after.size() - 2]) == 6090);  // 2025-26 Q4: still the uplift
  CHECK(pence(edited.lines("R2").at(0)) == 11000);
  CHECK(edited.result.schemes.at(0).version == "2026-27");
}

TEST_CASE("a tariff version without an amount for a kind makes its lines unpriced") {
  const std::string text = scheme_text_with_version(
      care_homes(), {{"version", "2026-27"}, {"effective", "2026-04-01"}, {"tariff", {{"new", "110.00"}, {"existing", nullptr}}}});
  const Scheme user = load_scheme_json(text, "user.json");
  Pop p = base();
  p.resident("R1", "1930-01-01", "P1").stay("S1", "R1", "H1", "2026-01-10");
  assess(p, "R1", "2026-01-10");
  Evaluated e(p.finish(), {user}, "2026-06-30");
  const auto lines = e.lines("R1");
  REQUIRE(lines.size() == 2);
  CHECK(lines[1].status == "unpriced");
  CHECK_FALSE(lines[1].amount.has_value());
  CHECK(lines[1].because.find("unpriced: tariff 2026-27 sets no amount for it") != std::string::npos);
}

TEST_CASE("case management lines: £150 + 2 x £40 = £230 for a new care home patient, 3 x £40 = £120 after") {
  Pop p = base();
  p.resident("R1", "1930-01-01", "P1", CohortReason::care_home, "2015-04-01").stay("S1", "R1", "H1", "2015-01-01");
  p.events("cmr", "R1", Activity::case_management_review,
           {"2015-04-10", "2015-08-10", "2015-12-10", "2016-04-10", "2016-08-10", "2016-12-10"}, "G1");
  Evaluated e(p.finish(), {case_management()}, "2017-03-31");
  const auto lines = e.lines("R1");
  CHECK(labels(lines) == std::vector<std::string>{"2015-16 Q1 initial_review 15000 payable", "2015-16 Q2 review 4000 payable",
                                                  "2015-16 Q3 review 4000 payable", "2016-17 Q1 review 4000 payable",
                                                  "2016-17 Q2 review 4000 payable", "2016-17 Q3 review 4000 payable"});
  std::int64_t y1 = 0, y2 = 0;
  for (const auto& l : lines) (l.financial_year == "2015-16" ? y1 : y2) += pence(l);
  CHECK(y1 == 23000);
  CHECK(y2 == 12000);
  CHECK(lines[0].scheme == "case-management-les");
  CHECK(lines[0].home == "H1");
  CHECK(lines[0].tariff == "2015-16");
  CHECK(lines[0].because == "Initial review done on 2015-04-10 (care home patient); £150.00 at tariff 2015-16");
}

TEST_CASE("case management lines: £110 + 2 x £30 = £170 before 2015-04-01 and for the rest of the cohort") {
  Pop p = base();
  // A care home patient in the original year: £110 and £30 (the original version prices everyone alike).
  p.resident("R1", "1930-01-01", "P1", CohortReason::care_home, "2013-04-01").stay("S1", "R1", "H1", "2013-01-01");
  p.events("a", "R1", Activity::case_management_review, {"2013-04-10", "2013-08-10", "2013-12-10"}, "G1");
  // A patient at home (risk tool) in 2015-16: the standard rate stays.
  p.resident("R2", "1935-01-01", "P1", CohortReason::risk_tool, "2015-04-01", 0.8);
  p.events("b", "R2", Activity::case_management_review, {"2015-04-10", "2015-08-10", "2015-12-10"}, "G1");
  // A care home patient whose initial review fell before the stay began: £110 then, £40 once in the home.
  p.resident("R3", "1930-01-01", "P1", CohortReason::risk_tool, "2015-04-01");
  p.stay("S3", "R3", "H1", "2015-06-01");
  p.events("c", "R3", Activity::case_management_review, {"2015-04-10", "2015-08-10"}, "G1");
  Evaluated e(p.finish(), {case_management()}, "2016-03-31");

  CHECK(labels(e.lines("R1")) == std::vector<std::string>{"2013-14 Q1 initial_review 11000 payable", "2013-14 Q2 review 3000 payable",
                                                          "2013-14 Q3 review 3000 payable"});
  CHECK(e.lines("R1")[0].tariff == "original");
  const auto r2 = e.lines("R2");
  CHECK(labels(r2) == std::vector<std::string>{"2015-16 Q1 initial_review 11000 payable", "2015-16 Q2 review 3000 payable",
                                               "2015-16 Q3 review 3000 payable"});
  CHECK(r2[0].home.empty());
  CHECK(r2[0].because == "Initial review done on 2015-04-10 (not a care home patient); £110.00 at tariff 2015-16");
  CHECK(labels(e.lines("R3")) == std::vector<std::string>{"2015-16 Q1 initial_review 11000 payable", "2015-16 Q2 review 4000 payable"});
}

TEST_CASE("care home patient means a stay in progress on the activity's date, both ends included") {
  Pop p = base();
  p.resident("R1", "1930-01-01", "P1", CohortReason::risk_tool, "2015-04-01");
  p.stay("S1", "R1", "H1", "2015-08-10", "2015-12-10");
  p.events("a", "R1", Activity::case_management_review, {"2015-04-10", "2015-08-10", "2015-12-10", "2016-04-10"}, "G1");
  Evaluated e(p.finish(), {case_management()}, "2016-06-30");
  CHECK(labels(e.lines("R1")) == std::vector<std::string>{"2015-16 Q1 initial_review 11000 payable", "2015-16 Q2 review 4000 payable",
                                                          "2015-16 Q3 review 4000 payable", "2016-17 Q1 review 3000 payable"});
}

TEST_CASE("at most three paid case-management activities per patient per financial year: the fourth is withheld") {
  Pop p = base();
  p.resident("R1", "1930-01-01", "P1", CohortReason::care_home, "2016-04-01").stay("S1", "R1", "H1", "2016-01-01");
  // Four in 2016-17 (the 2nd early: reviews may be done sooner than due), then one in 2017-18.
  p.events("a", "R1", Activity::case_management_review, {"2016-04-10", "2016-06-10", "2016-09-10", "2016-12-10", "2017-04-10"}, "G1");
  Evaluated e(p.finish(), {case_management()}, "2017-06-30");
  const auto lines = e.lines("R1");
  CHECK(labels(lines) == std::vector<std::string>{"2016-17 Q1 initial_review 15000 payable", "2016-17 Q1 review 4000 payable",
                                                  "2016-17 Q2 review 4000 payable", "2016-17 Q3 review 4000 withheld",
                                                  "2017-18 Q1 review 4000 payable"});
  CHECK(lines[3].because == "Review done on 2016-12-10 (care home patient); withheld: more than 3 paid case-management activities "
                            "in 2016-17; £40.00 at tariff 2015-16");
}

TEST_CASE("no double funding: a care home patient's case management is superseded while the practice takes part in care-homes-es") {
  // Seed 004, lines 140-149: once the care homes service is introduced there is no further funding within
  // case management for care home patients. care-homes-es starts on 2015-04-01.
  Pop p = base();
  p.resident("R1", "1930-01-01", "P1", CohortReason::care_home, "2016-04-01").stay("S1", "R1", "H1", "2016-01-01");
  p.events("a", "R1", Activity::case_management_review, {"2016-04-10", "2016-08-10"}, "G1");
  p.resident("R2", "1930-01-01", "P1", CohortReason::risk_tool, "2016-04-01");  // lives at home
  p.events("b", "R2", Activity::case_management_review, {"2016-04-10"}, "G1");
  p.resident("R3", "1930-01-01", "P1", CohortReason::care_home, "2015-01-01").stay("S3", "R3", "H1", "2014-06-01");
  p.events("c", "R3", Activity::case_management_review, {"2015-02-10", "2015-05-10"}, "G1");
  const Population pop = p.finish();

  Evaluated both(Population(pop), {care_homes(), case_management()}, "2016-09-30");
  const auto r1 = both.lines("R1", "case-management-les");
  CHECK(labels(r1) == std::vector<std::string>{"2016-17 Q1 initial_review 0 superseded", "2016-17 Q2 review 0 superseded"});
  CHECK(r1.at(0).because == "Initial review done on 2016-04-10 (care home patient); superseded: Park Surgery takes part in "
                            "care-homes-es from 2015-04-01, which pays for this care home resident in 2016-17 Q1 instead "
                            "(no double funding: £150.00 not paid)");
  // care-homes-es pays for R1 in those quarters.
  const auto r1_capitation = both.lines("R1", "care-homes-es");
  CHECK(labels(r1_capitation) ==
        std::vector<std::string>{"2015-16 Q4 new 10200 withheld", "2016-17 Q1 existing 6090 payable", "2016-17 Q2 existing 6090 payable"});
  // A community patient is paid as before.
  CHECK(labels(both.lines("R2", "case-management-les")) == std::vector<std::string>{"2016-17 Q1 initial_review 11000 payable"});
  // A review before care-homes-es's start is paid; the next one, after it, is superseded.
  CHECK(labels(both.lines("R3", "case-management-les")) ==
        std::vector<std::string>{"2014-15 Q4 initial_review 11000 payable", "2015-16 Q1 review 0 superseded"});

  // Without care-homes-es in the run, nothing else pays for R1: paid as before.
  Evaluated alone(Population(pop), {case_management()}, "2016-09-30");
  CHECK(labels(alone.lines("R1")) == std::vector<std::string>{"2016-17 Q1 initial_review 15000 payable", "2016-17 Q2 review 4000 payable"});
  CHECK(labels(alone.lines("R3")) == std::vector<std::string>{"2014-15 Q4 initial_review 11000 payable", "2015-16 Q1 review 4000 payable"});
}

TEST_CASE("superseded_by names a scheme; a scheme cannot supersede itself") {
  nlohmann::json doc = nlohmann::json::parse(case_management().text);
  CHECK(doc["payments"]["superseded_by"] == "care-homes-es");
  doc["payments"]["superseded_by"] = "case-management-les";
  CHECK_THROWS_AS(load_scheme_json(doc.dump(), "user-cm.json"), SchemeError);
}

TEST_CASE("the health review is unpriced until a price is set, and does not count towards the cap") {
  Pop p = base();
  p.resident("R1", "1940-05-01", "P1");  // 75 on 2015-05-01, not case managed
  p.event("hr1", "2015-06-01", "R1", Activity::health_review, "G1");
  p.event("hr2", "2016-05-20", "R1", Activity::health_review, "G1");
  Evaluated e(p.finish(), {case_management()}, "2016-06-30");
  const auto lines = e.lines("R1");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].kind == "health_review");
  CHECK(lines[0].status == "unpriced");
  CHECK_FALSE(lines[0].amount.has_value());
  CHECK(lines[0].because == "Health review done on 2015-06-01 (not a care home patient); unpriced: tariff 2015-16 sets no amount for it");

  // A commissioner sets a price in a new version: the health review is paid from then on, never capped.
  const std::string text = scheme_text_with_version(
      case_management(), {{"version", "2016-17"},
                          {"effective", "2016-04-01"},
                          {"tariff",
                           {{"initial_review/care_home", "150.00"}, {"initial_review/other", "110.00"}, {"review/care_home", "40.00"},
                            {"review/other", "30.00"}, {"health_review", "25.00"}}}});
  Pop q = base();
  q.resident("R1", "1940-05-01", "P1");
  q.events("hr", "R1", Activity::health_review, {"2015-06-01", "2016-05-20", "2016-06-01", "2016-07-01", "2016-08-01"}, "G1");
  Evaluated priced(q.finish(), {load_scheme_json(text, "user-cm.json")}, "2016-09-30");
  CHECK(labels(priced.lines("R1")) == std::vector<std::string>{"2015-16 Q1 health_review -1 unpriced", "2016-17 Q1 health_review 2500 payable",
                                                               "2016-17 Q1 health_review 2500 payable", "2016-17 Q2 health_review 2500 payable",
                                                               "2016-17 Q2 health_review 2500 payable"});
}

TEST_CASE("per-practice per-quarter and per-year totals equal the sum of their lines") {
  Pop p = base();
  p.resident("R1", "1930-01-01", "P1").stay("S1", "R1", "H1", "2015-04-01");
  assess(p, "R1", "2015-04-01");
  p.resident("R2", "1930-01-01", "P1").stay("S2", "R2", "H1", "2015-05-01");  // withheld new line
  p.resident("R3", "1930-01-01", "P1").stay("S3", "R3", "H1", "2016-03-25");  // pending on 2016-03-31
  p.resident("R4", "1930-01-01", "P1").temporary("S4", "R4", "H3", "2015-10-01", "2015-10-20");
  p.resident("R5", "1930-01-01", "P2").stay("S5", "R5", "H2", "2015-07-01");
  p.event("R5-ha", "2015-07-01", "R5", Activity::holistic_assessment, "G2")
      .event("R5-mca", "2015-07-01", "R5", Activity::mca_assessment, "G2")
      .event("R5-med", "2015-07-01", "R5", Activity::medication_review, "G2")
      .event("R5-falls", "2015-07-01", "R5", Activity::falls_assessment, "G2")
      .event("R5-cp", "2015-07-01", "R5", Activity::care_plan, "G2");
  p.resident("R6", "1930-01-01", "P1", CohortReason::care_home, "2015-04-01").stay("S6", "R6", "H1", "2015-04-01");
  assess(p, "R6", "2015-04-01");
  p.events("cm", "R6", Activity::case_management_review, {"2015-04-10", "2015-05-10", "2015-06-10", "2015-07-10"}, "G1");
  p.resident("R7", "1940-05-01", "P1");
  p.event("hr", "2015-06-01", "R7", Activity::health_review, "G1");
  Evaluated e(p.finish(), {care_homes(), case_management()}, "2016-03-31");

  const auto totals = payment_totals(e.view());
  REQUIRE_FALSE(totals.empty());
  for (const PaymentTotal& t : totals) {
    CAPTURE(t.scheme);
    CAPTURE(t.practice);
    CAPTURE(t.quarter);
    std::int64_t lines = 0, unpriced = 0, superseded_lines = 0;
    Pence payable{}, pending{}, withheld{}, superseded{};
    for (const PaymentLine& l : e.result.payments) {
      const PaymentRecord r = payment_record(e.view(), l);
      if (r.scheme != t.scheme || r.practice != t.practice || l.quarter.year != t.year) continue;
      if (t.quarter != 0 && l.quarter.number != t.quarter) continue;
      ++lines;
      if (l.status == ClaimStatus::superseded) {
        ++superseded_lines;
        superseded += l.superseded_amount;
      } else if (!l.amount) ++unpriced;
      else if (l.status == ClaimStatus::payable) payable += *l.amount;
      else if (l.status == ClaimStatus::pending) pending += *l.amount;
      else if (l.status == ClaimStatus::withheld) withheld += *l.amount;
    }
    CHECK(t.lines == lines);
    CHECK(t.unpriced_lines == unpriced);
    CHECK(t.payable == payable);
    CHECK(t.pending == pending);
    CHECK(t.withheld == withheld);
    CHECK(t.superseded_lines == superseded_lines);
    CHECK(t.superseded == superseded);
  }
  // Each year row is the sum of its quarter rows.
  for (const PaymentTotal& year : totals) {
    if (year.quarter != 0) continue;
    Pence payable{};
    std::int64_t lines = 0;
    for (const PaymentTotal& q : totals)
      if (q.quarter != 0 && q.scheme == year.scheme && q.practice == year.practice && q.year == year.year) {
        payable += q.payable;
        lines += q.lines;
      }
    CHECK(year.payable == payable);
    CHECK(year.lines == lines);
  }
  // And by hand, for P1's 2015-16 capitation: R1 102 + 3 x 60 = 282; R2 withheld 102 then 3 x 60;
  // R3 pending 102; R4 temporary 60; R6 102 + 3 x 60.
  auto find = [&](std::string_view scheme, std::string_view practice, int quarter) {
    auto it = std::find_if(totals.begin(), totals.end(), [&](const PaymentTotal& t) {
      return t.scheme == scheme && t.practice == practice && t.quarter == quarter && t.year.start_year == 2015;
    });
    REQUIRE(it != totals.end());
    return *it;
  };
  const PaymentTotal ch_year = find("care-homes-es", "P1", 0);
  CHECK(ch_year.payable == Pence(28200 + 3 * 6000 + 6000 + 28200));
  CHECK(ch_year.withheld == Pence(10200));
  CHECK(ch_year.pending == Pence(10200));
  CHECK(ch_year.lines == 4 + 4 + 1 + 1 + 4);
  const PaymentTotal ch_q4 = find("care-homes-es", "P1", 4);
  CHECK(ch_q4.payable == Pence(3 * 6000));
  CHECK(ch_q4.pending == Pence(10200));
  CHECK(find("care-homes-es", "P2", 0).payable == Pence(10200 + 2 * 6000));
  // R6 is a care home patient of a practice in care-homes-es: case management's lines are superseded, counted
  // apart with what they would have paid (150 + 40 + 40; the fourth review was over the cap), never payable.
  const PaymentTotal cm_year = find("case-management-les", "P1", 0);
  CHECK(cm_year.payable == Pence(0));
  CHECK(cm_year.withheld == Pence(0));
  CHECK(cm_year.superseded_lines == 4);
  CHECK(cm_year.superseded == Pence(15000 + 4000 + 4000));
  CHECK(cm_year.unpriced_lines == 1);
  CHECK(cm_year.lines == 5);
  // Without care-homes-es in the run, they are paid as before.
  Evaluated alone(Population(e.population), {case_management()}, "2016-03-31");
  const auto alone_totals = payment_totals(alone.view());
  const auto cm_alone = std::find_if(alone_totals.begin(), alone_totals.end(), [](const PaymentTotal& t) {
    return t.practice == "P1" && t.quarter == 0 && t.year.start_year == 2015;
  });
  REQUIRE(cm_alone != alone_totals.end());
  CHECK(cm_alone->payable == Pence(15000 + 4000 + 4000));
  CHECK(cm_alone->withheld == Pence(4000));
  CHECK(cm_alone->superseded_lines == 0);
  // Order: scheme in evaluation order, practice, year, quarters then the year.
  CHECK(totals.front().scheme == "care-homes-es");
  CHECK(totals.back().scheme == "case-management-les");
}

}  // TEST_SUITE
