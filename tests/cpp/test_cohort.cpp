// Cohort summary per practice: list size, cohort size and share, members by reason, care home patients,
// care plans, and the population-level figures seed 004 reports.
#include "carerules/reports/cohort.hpp"
#include "payment_fixtures.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace carerules;
using namespace carerules::test;

TEST_SUITE("cohort") {

TEST_CASE("Share: exact fraction, basis points and whole per cent rounded half up, in integers") {
  CHECK(Share{912, 1500}.basis_points() == 6080);
  CHECK(Share{912, 1500}.percent() == 61);
  CHECK(Share{912, 1500}.to_string() == "61%");
  CHECK(Share{8335, 13023}.percent() == 64);  // "8335 care plans (64% of the intended patient cohort)"
  CHECK(Share{1, 8}.basis_points() == 1250);
  CHECK(Share{1, 200}.percent() == 1);    // 0.5% rounds half up
  CHECK(Share{1, 201}.percent() == 0);
  CHECK(Share{1, 3}.basis_points() == 3333);
  CHECK(Share{2, 3}.basis_points() == 6667);
  CHECK(Share{5, 100}.basis_points() == 500);
  CHECK_FALSE(Share{3, 0}.percent().has_value());
  CHECK(Share{3, 0}.to_string() == "n/a");
  CHECK(Share{0, 10}.percent() == 0);
}

TEST_CASE("per practice: list, cohort and its share, members by reason, care home patients, care plans") {
  Pop p;
  p.practice("P1", 1000, "Park Surgery").practice("P2", 500, "Hill Surgery").practice("P3", std::nullopt, "Dale Surgery");
  p.gp("G1", "P1");
  p.home("H1", "P1", "G1").home("H2", "", "");
  // P1: three care home members, two with a care plan (one recorded by code), one whose plan comes after the as-of date.
  p.resident("A1", "1930-01-01", "P1", CohortReason::care_home, "2015-01-01").stay("SA1", "A1", "H1", "2014-06-01");
  p.event("cpA1", "2015-02-01", "A1", Activity::care_plan, "G1");
  p.resident("A2", "1930-01-01", "P1", CohortReason::care_home, "2015-01-01").stay("SA2", "A2", "H1", "2014-06-01");
  p.coded("cpA2", "2015-03-01", "A2", "734163000", "G1");  // SNOMED CT "Care plan"
  p.resident("A3", "1930-01-01", "P1", CohortReason::care_home, "2015-01-01").stay("SA3", "A3", "H2", "2014-06-01");
  p.event("cpA3", "2015-07-01", "A3", Activity::care_plan, "G1");  // after the as-of date
  p.coded("xA3", "2015-03-01", "A3", "1026051000000106", "G1");   // a case management review, not a plan
  // P1: two risk tool members (one at home with a plan), one clinical judgement member.
  p.resident("B1", "1940-01-01", "P1", CohortReason::risk_tool, "2015-02-01", 0.9);
  p.event("cpB1", "2015-02-10", "B1", Activity::care_plan, "G1");
  p.resident("B2", "1940-01-01", "P1", CohortReason::risk_tool, "2015-02-01", 0.8);
  p.resident("C1", "1940-01-01", "P1", CohortReason::clinical_judgement, "2015-03-01");
  // P1: not counted: joins after the as-of date; died (a member); a care home patient who left.
  p.resident("X1", "1940-01-01", "P1", CohortReason::risk_tool, "2015-07-01");
  p.resident("X2", "1930-01-01", "P1", CohortReason::care_home, "2015-01-01")
      .stay("SX2", "X2", "H1", "2014-01-01", "2015-05-01", Residency::permanent, EndReason::death);
  p.resident("X3", "1930-01-01", "P1").stay("SX3", "X3", "H1", "2014-01-01", "2015-05-01");
  // P1: a care home patient outside the cohort, with a care plan.
  p.resident("D1", "1930-01-01", "P1").stay("SD1", "D1", "H1", "2015-06-01");
  p.event("cpD1", "2015-06-01", "D1", Activity::care_plan, "G1");
  // P2: one care home member (a temporary stay counts), no plan. P3: one risk tool member.
  p.resident("E1", "1930-01-01", "P2", CohortReason::care_home, "2015-01-01").temporary("SE1", "E1", "H2", "2015-05-01");
  p.resident("F1", "1930-01-01", "P3", CohortReason::risk_tool, "2015-01-01");
  const Population pop = p.finish();

  const auto rows = cohort_summary(pop, case_management(), d("2015-06-01"));
  REQUIRE(rows.size() == 3);
  const CohortSummary& p1 = rows[0];
  CHECK(p1.practice == "P1");
  CHECK(p1.practice_name == "Park Surgery");
  CHECK(p1.as_of == d("2015-06-01"));
  CHECK(p1.list_size == 1000);
  CHECK(p1.cohort == 6);
  CHECK(p1.cohort_share == Share{6, 1000});
  CHECK(p1.cohort_share.basis_points() == 60);
  CHECK(p1.intended_cohort == 50);
  CHECK(p1.by_reason == CohortMembers{3, 2, 1});
  CHECK(p1.clinical_judgement_share == Share{1, 1000});
  CHECK(p1.care_home_patients == 4);  // A1, A2, A3 and D1 (the stay starting on the as-of date counts)
  CHECK(p1.care_home_patients_in_cohort == 3);
  CHECK(p1.care_home_patients_with_care_plan == 3);  // A1, A2 (coded), D1
  CHECK(p1.members_with_care_plan == 3);             // A1, A2, B1
  CHECK(p1.care_home_patients_in_cohort_share() == Share{3, 4});
  CHECK(p1.care_plans_of_care_home_patients().to_string() == "75%");
  CHECK(p1.care_plans_of_cohort() == Share{3, 6});
  CHECK(p1.care_plans_of_intended_cohort() == Share{3, 50});

  const CohortSummary& p2 = rows[1];
  CHECK(p2.practice == "P2");
  CHECK(p2.cohort == 1);
  CHECK(p2.cohort_share.basis_points() == 20);
  CHECK(p2.intended_cohort == 25);
  CHECK(p2.care_home_patients == 1);
  CHECK(p2.care_home_patients_in_cohort == 1);
  CHECK(p2.care_home_patients_with_care_plan == 0);

  const CohortSummary& p3 = rows[2];
  CHECK_FALSE(p3.list_size.has_value());
  CHECK_FALSE(p3.intended_cohort.has_value());
  CHECK(p3.cohort == 1);
  CHECK_FALSE(p3.cohort_share.basis_points().has_value());

  const CohortSummary total = cohort_total(rows, d("2015-06-01"));
  CHECK(total.practice.empty());
  CHECK(total.list_size == 1500);
  CHECK(total.cohort == 8);
  CHECK(total.cohort_share == Share{7, 1500});  // over the practices with a list size
  CHECK(total.intended_cohort == 75);
  CHECK(total.by_reason == CohortMembers{4, 3, 1});
  CHECK(total.care_home_patients == 5);
  CHECK(total.care_home_patients_in_cohort == 4);
  CHECK(total.care_home_patients_with_care_plan == 3);
  CHECK(total.members_with_care_plan == 3);
}

TEST_CASE("the same population on another date (time travel)") {
  Pop p;
  p.practice("P1", 100).gp("G1", "P1").home("H1", "P1", "G1");
  p.resident("A1", "1930-01-01", "P1", CohortReason::care_home, "2015-03-01").stay("S1", "A1", "H1", "2015-02-01");
  p.event("cp", "2015-04-01", "A1", Activity::care_plan, "G1");
  const Population pop = p.finish();
  auto at = [&](const char* day) { return cohort_summary(pop, case_management(), d(day)).at(0); };
  CHECK(at("2015-01-31").care_home_patients == 0);
  CHECK(at("2015-02-01").care_home_patients == 1);
  CHECK(at("2015-02-01").cohort == 0);
  CHECK(at("2015-03-01").cohort == 1);
  CHECK(at("2015-03-31").members_with_care_plan == 0);
  CHECK(at("2015-04-01").members_with_care_plan == 1);
}

TEST_CASE("the care plan codes are the scheme's: a user code list changes what counts") {
  Pop p;
  p.practice("P1", 100).gp("G1", "P1").home("H1", "P1", "G1");
  p.resident("A1", "1930-01-01", "P1").stay("S1", "A1", "H1", "2015-01-01");
  p.coded("cp", "2015-02-01", "A1", "999000001000000101", "G1");  // a local code the defaults do not know
  const Population pop = p.finish();
  CHECK(cohort_summary(pop, case_management(), d("2015-06-01")).at(0).care_home_patients_with_care_plan == 0);
  Scheme user = case_management();
  user.codes.add(CodeSystem::snomed, "999000001000000101", Activity::care_plan);
  CHECK(cohort_summary(pop, user, d("2015-06-01")).at(0).care_home_patients_with_care_plan == 1);
}

TEST_CASE("the seed's figure: 912 of 1,500 care home patients have a care plan, 61%") {
  Pop p;
  p.practice("P1", 90000).practice("P2", 80000).practice("P3", 90460);  // 260,460 patients: 5% is 13,023
  p.gp("G1", "P1").home("H1", "P1", "G1").home("H2", "P2").home("H3", "P3");
  const char* practices[] = {"P1", "P2", "P3"};
  const char* homes[] = {"H1", "H2", "H3"};
  for (int i = 0; i < 1500; ++i) {
    const std::string id = "R" + std::to_string(i);
    p.resident(id, "1930-01-01", practices[i % 3], CohortReason::care_home, "2014-06-01");
    p.stay("S" + id, id, homes[i % 3], "2014-04-01");
    if (i < 912) p.event("cp" + id, "2015-01-15", id, Activity::care_plan);
  }
  const Population pop = p.finish();
  const auto rows = cohort_summary(pop, case_management(), d("2015-02-28"));  // "as at the end of February 2015"
  const CohortSummary total = cohort_total(rows, d("2015-02-28"));
  CHECK(total.care_home_patients == 1500);
  CHECK(total.care_home_patients_with_care_plan == 912);
  CHECK(total.care_plans_of_care_home_patients() == Share{912, 1500});
  CHECK(total.care_plans_of_care_home_patients().to_string() == "61%");
  CHECK(total.care_plans_of_care_home_patients().basis_points() == 6080);
  CHECK(total.intended_cohort == 13023);
  CHECK(total.cohort == 1500);
  CHECK(total.cohort_share.basis_points() == 58);  // 1,500 of 260,460
  CHECK(rows[0].care_home_patients + rows[1].care_home_patients + rows[2].care_home_patients == 1500);
}

}  // TEST_SUITE
