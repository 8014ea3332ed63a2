// care-homes-es through the engine: a scenario per obligation and per status, and the boundaries of
// DESIGN.md (inclusive due dates, month ends, 29 February, residences, leaving scope, time travel).
#include "carerules/results/output.hpp"
#include "payment_fixtures.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <random>

using namespace carerules;
using namespace carerules::test;

namespace {

constexpr QualificationSet gpn = static_cast<QualificationSet>(Qualification::gpn_specialist_practitioner);

// P1 with lead GP C1, qualified nurse N1, unqualified nurse N2, pharmacist PH; H1 and H2 aligned to P1.
Pop base() {
  Pop p;
  p.practice("P1", 9500, "Park Surgery").practice("P2", 8000, "Hill Practice");
  p.gp("C1", "P1").nurse("N1", "P1", gpn).nurse("N2", "P1", 0).clinician("PH", "P1", Role::pharmacist).gp("C9", "P2");
  p.home("H1", "P1", "C1").home("H2", "P1", "C1");
  return p;
}

// A resident admitted permanently to H1 on `start`.
Pop admitted(const char* start, const char* end = nullptr, EndReason reason = EndReason::none) {
  Pop p = base();
  p.resident("R1", "1935-05-02", "P1").stay("S1", "R1", "H1", start, end, Residency::permanent, reason);
  return p;
}

// The entry assessment's components, all on `day`, by C1.
Pop& entry_done(Pop& p, const char* day, bool with_care_planning = true) {
  p.event("EA1", day, "R1", Activity::holistic_assessment, "C1")
      .event("EA2", day, "R1", Activity::mca_assessment, "C1")
      .event("EA3", day, "R1", Activity::medication_review, "C1")
      .event("EA4", day, "R1", Activity::falls_assessment, "C1");
  if (with_care_planning) p.event("EA5", day, "R1", Activity::care_planning, "C1");
  return p;
}

TaskRecord only(const std::vector<TaskRecord>& tasks) {
  REQUIRE(tasks.size() == 1);
  return tasks.front();
}

std::string iso(std::optional<Date> d) { return d ? format_date(*d) : "null"; }

}  // namespace

TEST_CASE("engine care-homes-es: entry assessment done with every component, evidence listed") {
  Pop p = admitted("2025-01-10");
  entry_done(p, "2025-01-20");
  p.event("EA6", "2025-01-18", "R1", Activity::dementia_assessment, "C1");
  Evaluated e(p.finish(), {care_homes()}, "2025-02-01");
  const auto& t = only(e.tasks("entry-assessment"));
  CHECK(t.status == "done");
  CHECK(iso(t.due) == "2025-01-24");
  CHECK(iso(t.completed_on) == "2025-01-20");
  CHECK(t.missing.empty());
  CHECK(t.evidence == std::vector<std::string>{"EA1", "EA2", "EA3", "EA4", "EA5", "EA6"});  // dementia: optional evidence
  CHECK(t.home == "H1");
  CHECK(t.practice == "P1");
}

TEST_CASE("engine care-homes-es: a missing component is listed and the task goes overdue the day after its due date") {
  Pop p = admitted("2025-01-10");
  p.event("EA1", "2025-01-12", "R1", Activity::holistic_assessment, "C1")
      .event("EA2", "2025-01-12", "R1", Activity::mca_assessment, "C1")
      .event("EA3", "2025-01-12", "R1", Activity::medication_review, "PH")
      .event("EA5", "2025-01-12", "R1", Activity::care_plan, "N1");
  const Population pop = p.finish();
  {
    Evaluated e(Population(pop), {care_homes()}, "2025-01-24");  // the due date itself: still open
    const auto& t = only(e.tasks("entry-assessment"));
    CHECK(t.status == "open");
    CHECK(t.missing == std::vector<std::string>{"falls_assessment"});
    CHECK(t.because == "Assessment on entry to the home due by 2025-01-24: admitted to Home H1 on 2025-01-10; still missing falls assessment");
  }
  Evaluated e(Population(pop), {care_homes()}, "2025-01-25");
  const auto& t = only(e.tasks("entry-assessment"));
  CHECK(t.status == "overdue");
  CHECK(t.because.starts_with("Assessment on entry to the home overdue since 2025-01-24"));
}

TEST_CASE("engine care-homes-es: done on the due date is done, the day after is late") {
  for (const auto& [day, status] : {std::pair{"2025-04-10", "done"}, std::pair{"2025-04-11", "late"}}) {
    Pop p = admitted("2025-01-10");
    p.event("CP", day, "R1", Activity::care_plan, "C1");
    Evaluated e(p.finish(), {care_homes()}, "2025-06-01");
    const auto& t = only(e.tasks("care-plan"));
    CHECK(iso(t.due) == "2025-04-10");
    CHECK(t.status == status);
  }
}

TEST_CASE("engine care-homes-es: a temporary residence needs no care planning, care plan or preferred place of death") {
  Pop p = base();
  p.resident("R1", "1935-05-02", "P1").temporary("S1", "R1", "H1", "2025-01-10", "2025-02-07");
  entry_done(p, "2025-01-15", false);
  Evaluated e(p.finish(), {care_homes()}, "2025-03-01");
  CHECK(only(e.tasks("entry-assessment")).status == "done");
  CHECK(e.tasks("care-plan").empty());
  CHECK(e.tasks("preferred-place-of-death").empty());
  CHECK(e.tasks("care-plan-review-6-monthly").empty());
}

TEST_CASE("engine care-homes-es: a temporary stay converted to permanent is one residence; the care plan counts from the conversion") {
  Pop p = base();
  p.resident("R1", "1935-05-02", "P1")
      .temporary("S1", "R1", "H1", "2025-01-10", "2025-01-31")
      .stay("S2", "R1", "H1", "2025-02-01");
  entry_done(p, "2025-01-15", false);
  Evaluated e(p.finish(), {care_homes()}, "2025-03-01");
  const auto& entry = only(e.tasks("entry-assessment"));  // once per residence
  CHECK(entry.status == "done");  // not permanent by its due date: no care planning component
  const auto& plan = only(e.tasks("care-plan"));
  CHECK(format_date(plan.opens) == "2025-02-01");
  CHECK(iso(plan.due) == "2025-05-01");
  CHECK(plan.because.find("permanent resident of Home H1 from 2025-02-01") != std::string::npos);
}

TEST_CASE("engine care-homes-es: a move to another home is a new residence with its own entry obligations") {
  Pop p = base();
  p.resident("R1", "1935-05-02", "P1")
      .stay("S1", "R1", "H1", "2025-01-10", "2025-03-01", Residency::permanent, EndReason::transfer)
      .stay("S2", "R1", "H2", "2025-03-02");
  Evaluated e(p.finish(), {care_homes()}, "2025-03-10");
  const auto entries = e.tasks("entry-assessment");
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].home == "H1");
  CHECK(entries[0].status == "missed");  // due 2025-01-24 passed while resident in H1
  CHECK(entries[1].home == "H2");
  CHECK(iso(entries[1].due) == "2025-03-16");
  CHECK(entries[1].status == "open");
  const auto plans = e.tasks("care-plan");
  REQUIRE(plans.size() == 2);
  CHECK(plans[0].status == "cancelled");  // left H1 before 2025-04-10: nothing owed there
  CHECK(plans[0].because.find("left Home H1 on 2025-03-01") != std::string::npos);
}

TEST_CASE("engine care-homes-es: death before the due date cancels, on it or after it misses") {
  const auto care_plan_status = [](const char* died) {
    Pop p = admitted("2025-01-10", died, EndReason::death);
    Evaluated e(p.finish(), {care_homes()}, "2025-12-31");
    return only(e.tasks("care-plan")).status;
  };
  CHECK(care_plan_status("2025-03-01") == "cancelled");
  CHECK(care_plan_status("2025-04-09") == "cancelled");  // the day before the due date: nothing was owed
  CHECK(care_plan_status("2025-04-10") == "missed");     // on it: the whole window was open
  CHECK(care_plan_status("2025-04-11") == "missed");
}

TEST_CASE("engine care-homes-es: leaving on the due date misses the task, and no sentence says it left before it was due") {
  const auto care_plan = [](const char* left, EndReason why) {
    Pop p = admitted("2025-01-10", left, why);
    Evaluated e(p.finish(), {care_homes()}, "2025-12-31");
    return only(e.tasks("care-plan"));
  };
  const TaskRecord before = care_plan("2025-04-09", EndReason::discharge);
  CHECK(before.status == "cancelled");
  CHECK(before.because.find("left Home H1 on 2025-04-09, before it was due on 2025-04-10") != std::string::npos);
  const TaskRecord on = care_plan("2025-04-10", EndReason::discharge);
  CHECK(on.status == "missed");
  CHECK(on.because.find("missed: due by 2025-04-10") != std::string::npos);
  CHECK(on.because.find("before it was due") == std::string::npos);
  const TaskRecord died = care_plan("2025-04-10", EndReason::death);
  CHECK(died.status == "missed");
  CHECK(died.because.find("died on 2025-04-10") != std::string::npos);
  CHECK(died.because.find("before it was due") == std::string::npos);
}

TEST_CASE("engine care-homes-es: month ends clamp by default and roll forward when the scheme says so") {
  Pop p = admitted("2024-11-30");
  const Population pop = p.finish();
  Evaluated clamped(Population(pop), {care_homes()}, "2025-01-01");
  CHECK(iso(only(clamped.tasks("care-plan")).due) == "2025-02-28");
  auto doc = nlohmann::json::parse(care_homes().text);
  doc["month_end"] = "roll_forward";
  Evaluated rolled(Population(pop), {load_scheme_json(doc.dump(), "roll.json")}, "2025-01-01");
  CHECK(iso(only(rolled.tasks("care-plan")).due) == "2025-03-01");
  // 29 February: 2023-11-30 + 3 months
  Pop leap = admitted("2023-11-30");
  Evaluated e(leap.finish(), {care_homes()}, "2024-01-01");
  CHECK(iso(only(e.tasks("care-plan")).due) == "2024-02-29");
}

TEST_CASE("engine care-homes-es: due in working days or weeks when the scheme says so") {
  Pop p = admitted("2024-11-01");
  p.event("CP1", "2024-12-20", "R1", Activity::care_plan, "C1")
      .subject_event("V1", "2024-12-23", SubjectKind::home, "H1", Activity::clinic_visit, "C1");
  const Population pop = p.finish();
  auto doc = nlohmann::json::parse(care_homes().text);
  for (auto& o : doc["obligations"]) {
    if (o["id"] == "care-plan-printed") o["due"] = "7 working days";
    if (o["id"] == "clinic-fortnightly") o["every"] = "2 weeks";
  }
  Evaluated e(Population(pop), {load_scheme_json(doc.dump(), "working-days.json")}, "2025-01-06");
  // Friday 20 December 2024 + 7 working days, past Christmas, Boxing Day and New Year's Day.
  CHECK(iso(only(e.tasks("care-plan-printed")).due) == "2025-01-03");
  CHECK(only(e.tasks("care-plan-printed")).status == "overdue");
  const auto clinics = e.tasks("clinic-fortnightly", "H1");
  REQUIRE(clinics.size() == 2);
  CHECK(iso(clinics[1].due) == "2025-01-06");
  CHECK(clinics[1].because == "Clinic at the home every fortnight due by 2025-01-06: 2 weeks after the last one on 2024-12-23; none recorded");
  Evaluated shipped(Population(pop), {care_homes()}, "2025-01-06");
  CHECK(iso(only(shipped.tasks("care-plan-printed")).due) == "2024-12-27");
}

TEST_CASE("engine care-homes-es: 30- and 31-day months in a recurring series") {
  Pop p = admitted("2025-01-31");
  p.events("SEEN", "R1", Activity::clinic_review, {"2025-03-31", "2025-05-30"}, "N1");
  Evaluated e(p.finish(), {care_homes()}, "2025-06-15");
  const auto seen = e.tasks("seen-2-monthly");
  REQUIRE(seen.size() == 3);
  CHECK(iso(seen[0].due) == "2025-03-31");  // 31 January + 2 months
  CHECK(seen[0].status == "done");
  CHECK(iso(seen[1].due) == "2025-05-31");  // from the completion on 31 March
  CHECK(seen[1].status == "done");
  CHECK(iso(seen[2].due) == "2025-07-30");
  CHECK(seen[2].status == "open");
}

TEST_CASE("engine care-homes-es: no further instance while one is overdue") {
  Pop p = admitted("2025-01-10");
  p.event("SEEN1", "2025-02-01", "R1", Activity::admin_review, "C1");
  Evaluated e(p.finish(), {care_homes()}, "2025-12-31");
  const auto seen = e.tasks("seen-2-monthly");
  REQUIRE(seen.size() == 2);
  CHECK(seen[1].status == "overdue");
  CHECK(iso(seen[1].due) == "2025-04-01");
}

TEST_CASE("engine care-homes-es: GP review only by a GP; medication review by a GP or pharmacist") {
  Pop p = admitted("2025-01-10");
  p.event("GP1", "2025-03-01", "R1", Activity::gp_review, "N1")   // a nurse: does not count
      .event("GP2", "2025-04-01", "R1", Activity::gp_review, "C1")
      .event("MR1", "2025-03-01", "R1", Activity::medication_review, "N1")  // qualified nurse: not for the 6-monthly review
      .event("MR2", "2025-05-01", "R1", Activity::medication_review, "PH");
  Evaluated e(p.finish(), {care_homes()}, "2025-06-01");
  const auto gp = e.tasks("gp-review-6-monthly");
  CHECK(iso(gp[0].completed_on) == "2025-04-01");
  CHECK(gp[0].evidence == std::vector<std::string>{"GP2"});
  const auto mr = e.tasks("medication-review-6-monthly");
  CHECK(iso(mr[0].completed_on) == "2025-05-01");
  CHECK(mr[0].evidence == std::vector<std::string>{"MR2"});
  const auto f = e.findings("unqualified-performer");
  REQUIRE(f.size() == 2);
  CHECK(f[0].message.find("event GP1") != std::string::npos);  // a nurse's GP review counts nowhere
  // A qualified nurse's medication review counts on entry but not for the 6-monthly review, and says so.
  CHECK(f[1].message == "medication_review on 2025-03-01 (event MR1) by N1 (nurse) does not count for "
                        "medication-review-6-monthly, which needs gp or pharmacist");
}

TEST_CASE("engine care-homes-es: an unqualified performer's activity does not count, and a finding says so") {
  Pop p = admitted("2025-01-10");
  p.event("PP", "2025-02-01", "R1", Activity::preferred_place_of_death, "N2");
  Evaluated e(p.finish(), {care_homes()}, "2025-03-01");
  CHECK(only(e.tasks("preferred-place-of-death")).status == "open");
  const auto f = e.findings("unqualified-performer");
  REQUIRE(f.size() == 1);
  CHECK(f[0].subject == "R1");
  CHECK(f[0].message.find("event PP") != std::string::npos);
}

TEST_CASE("engine care-homes-es: an event with no performer counts and is counted") {
  Pop p = admitted("2025-01-10");
  p.event("PP", "2025-02-01", "R1", Activity::preferred_place_of_death);
  Evaluated e(p.finish(), {care_homes()}, "2025-03-01");
  CHECK(only(e.tasks("preferred-place-of-death")).status == "done");
  const auto f = e.findings("no-performer");
  REQUIRE(f.size() == 1);
  CHECK(f[0].subject == "P1");
  CHECK(f[0].message.starts_with("1 event of Park Surgery"));
}

TEST_CASE("engine care-homes-es: codes map through the code lists; unmapped codes are counted") {
  Pop p = admitted("2025-01-10");
  p.coded("MR", "2025-02-01", "R1", "314530002", "C1")  // Medication review done
      .coded("MI", "2025-02-02", "R1", "22298006", "C1")  // myocardial infarction: no activity
      .coded("MI2", "2025-02-03", "R1", "22298006", "C1");
  Evaluated e(p.finish(), {care_homes()}, "2025-03-01");
  CHECK(e.tasks("medication-review-6-monthly")[0].evidence == std::vector<std::string>{"MR"});
  const auto f = e.findings("unmapped-code");
  REQUIRE(f.size() == 1);
  CHECK(f[0].subject == "22298006");
  CHECK(f[0].message.find("2 events") != std::string::npos);
}

TEST_CASE("engine care-homes-es: care plan review anchored on the first care plan, which completes nothing") {
  Pop p = admitted("2025-01-10");
  p.event("CP1", "2025-01-20", "R1", Activity::care_plan, "C1")
      .event("CP1b", "2025-01-20", "R1", Activity::care_plan, "C1")  // same day: not a review
      .event("CP2", "2025-06-01", "R1", Activity::care_plan, "C1");
  Evaluated e(p.finish(), {care_homes()}, "2025-07-01");
  const auto reviews = e.tasks("care-plan-review-6-monthly");
  REQUIRE(reviews.size() == 2);
  CHECK(format_date(reviews[0].opens) == "2025-01-20");
  CHECK(iso(reviews[0].due) == "2025-07-20");
  CHECK(reviews[0].evidence == std::vector<std::string>{"CP2"});
  CHECK(iso(reviews[1].due) == "2025-12-01");
  // One printing task per care plan event, each due 7 days after it.
  const auto printed = e.tasks("care-plan-printed");
  REQUIRE(printed.size() == 3);
  CHECK(iso(printed[2].due) == "2025-06-08");
  CHECK(printed[2].status == "overdue");
}

TEST_CASE("engine care-homes-es: admission reviews: upcoming while in hospital, due 14 days after discharge, elective ignored") {
  Pop p = admitted("2025-01-10");
  p.admission("A1", "R1", "2025-03-01", "2025-03-05")
      .admission("A2", "R1", "2025-04-01", nullptr, AdmissionMethod::elective)
      .admission("A3", "R1", "2025-05-01", "2025-05-20")
      .event("AR", "2025-03-10", "R1", Activity::admission_review, "C1");
  const Population pop = p.finish();
  Evaluated e(Population(pop), {care_homes()}, "2025-05-10");
  const auto reviews = e.tasks("admission-review");
  REQUIRE(reviews.size() == 2);
  CHECK(reviews[0].status == "done");
  CHECK(iso(reviews[0].due) == "2025-03-19");
  CHECK(reviews[1].status == "upcoming");  // still in hospital on the as-of date: the discharge has not happened
  CHECK_FALSE(reviews[1].due.has_value());
  CHECK(reviews[1].because.find("still in hospital") != std::string::npos);
  Evaluated later(Population(pop), {care_homes()}, "2025-06-04");
  CHECK(iso(later.tasks("admission-review")[1].due) == "2025-06-03");
  CHECK(later.tasks("admission-review")[1].status == "overdue");
}

TEST_CASE("engine care-homes-es: home and clinician obligations") {
  Pop p = base();
  p.home("H3", "", "").resident("R1", "1935-05-02", "P1").stay("S1", "R1", "H1", "2025-01-10");
  p.subject_event("V1", "2025-01-20", SubjectKind::home, "H1", Activity::clinic_visit, "C1")
      .subject_event("MM1", "2025-02-01", SubjectKind::home, "H1", Activity::manager_meeting, "C1")
      .subject_event("T1", "2024-06-01", SubjectKind::clinician, "C1", Activity::safeguarding_training);
  Evaluated e(p.finish(), {care_homes()}, "2025-02-10");
  const auto clinics = e.tasks("clinic-fortnightly", "H1");
  REQUIRE(clinics.size() == 2);
  CHECK(format_date(clinics[0].opens) == "2025-01-10");  // the first day H1 has a resident of P1
  CHECK(clinics[0].status == "done");
  CHECK(iso(clinics[1].due) == "2025-02-03");
  CHECK(clinics[1].status == "overdue");
  CHECK(e.tasks("clinic-fortnightly", "H2").empty());  // aligned, but no resident of P1 yet
  CHECK(e.tasks("clinic-fortnightly", "H3").empty());  // not aligned
  // Training: GPs of aligned practices only, from the scheme's start.
  const auto training = e.tasks("safeguarding-training-3-yearly", "C1");
  REQUIRE(training.size() == 2);
  CHECK(training[0].status == "late");  // due 2018-04-01, done 2024-06-01
  CHECK(iso(training[1].due) == "2027-06-01");
  CHECK(e.tasks("safeguarding-training-3-yearly", "N1").empty());
  CHECK(e.tasks("safeguarding-training-3-yearly", "C9").empty());  // P2 has no aligned home
  CHECK(e.findings("home-not-aligned").size() == 1);
}

TEST_CASE("engine care-homes-es: lead GP findings") {
  Pop p = base();
  p.home("H3", "P1", "").home("H4", "P1", "C9").home("H5", "P1", "N1");
  Evaluated e(p.finish(), {care_homes()}, "2025-02-10");
  const auto none = e.findings("no-lead-gp");
  REQUIRE(none.size() == 1);
  CHECK(none[0].subject == "H3");
  const auto other = e.findings("lead-gp-not-of-aligned-practice");
  REQUIRE(other.size() == 2);
  CHECK(other[0].subject == "H4");
  CHECK(other[1].message.find("not a GP") != std::string::npos);
}

TEST_CASE("engine care-homes-es: registered elsewhere: a finding and no tasks, unless declined") {
  Pop p = base();
  p.resident("R1", "1935-05-02", "P2").stay("S1", "R1", "H1", "2025-01-10");
  p.resident("R2", "1935-05-02", "P2", CohortReason::none, nullptr, std::nullopt, true).stay("S2", "R2", "H1", "2025-01-10");
  Evaluated e(p.finish(), {care_homes()}, "2025-02-10");
  CHECK(e.tasks("entry-assessment").empty());
  const auto f = e.findings("registered-elsewhere");
  REQUIRE(f.size() == 1);
  CHECK(f[0].subject == "R1");
  CHECK(e.lines().empty());
}

TEST_CASE("engine care-homes-es: time travel: later stays and events do not exist yet; later ends have not happened") {
  Pop p = admitted("2025-01-10", "2025-06-01", EndReason::death);
  p.event("CP", "2025-05-01", "R1", Activity::care_plan, "C1");
  p.resident("R2", "1940-01-01", "P1").stay("S2", "R2", "H1", "2025-03-01");
  const Population pop = p.finish();
  Evaluated e(Population(pop), {care_homes()}, "2025-02-15");
  CHECK(e.tasks("entry-assessment", "R2").empty());
  const auto& plan = only(e.tasks("care-plan", "R1"));
  CHECK(plan.status == "open");  // the care plan of 1 May and the death of 1 June are in the future
  CHECK_FALSE(plan.completed_on.has_value());
  Evaluated later(Population(pop), {care_homes()}, "2025-07-01");
  CHECK(only(later.tasks("care-plan", "R1")).status == "late");
}

TEST_CASE("engine care-homes-es: re-evaluating one resident after a new event equals a full evaluation") {
  Pop p = admitted("2025-01-10");
  Population pop = p.finish();
  const std::vector<Scheme> schemes{care_homes()};
  Evaluator evaluator(pop, schemes);
  const Index r1 = *pop.residents.ids.find("R1");
  const auto before = evaluator.evaluate_resident(r1, d("2025-03-01"));
  EventRecord ev;
  ev.id = "NEW";
  ev.date = d("2025-02-01");
  ev.subject = "R1";
  ev.activity = Activity::preferred_place_of_death;
  ev.performer = "C1";
  append_event(pop, ev);
  const auto after = evaluator.evaluate_resident(r1, d("2025-03-01"));
  const auto full = evaluator.evaluate(d("2025-03-01"));
  const ResultView after_view{pop, schemes, after};
  const ResultView full_view{pop, schemes, full};
  std::vector<std::string> a, f;
  for (const Task& t : after.tasks) a.push_back(nlohmann::json(task_record(after_view, t).because).dump() + task_record(after_view, t).status);
  for (const Task& t : full.tasks)
    if (t.subject_kind == SubjectKind::resident) f.push_back(nlohmann::json(task_record(full_view, t).because).dump() + task_record(full_view, t).status);
  CHECK(a == f);
  CHECK(before.tasks.size() == after.tasks.size());
  const auto& ppod = std::find_if(after.tasks.begin(), after.tasks.end(), [&](const Task& t) {
    return schemes[0].obligations[t.obligation].id == "preferred-place-of-death";
  });
  CHECK(ppod->status == TaskStatus::done);
}

namespace {

// A random population (seeded) built with the records added in a given order.
std::string evaluate_shuffled(unsigned seed, unsigned shuffle_seed, const char* as_of, unsigned threads = 1) {
  std::mt19937 rng(seed);
  struct Ev {
    std::string id, resident;
    std::string day;
    Activity activity;
  };
  std::vector<std::tuple<std::string, std::string, std::string>> stays;
  std::vector<Ev> events;
  const Activity kinds[] = {Activity::holistic_assessment, Activity::mca_assessment, Activity::medication_review,
                            Activity::falls_assessment, Activity::care_plan, Activity::clinic_review, Activity::gp_review,
                            Activity::preferred_place_of_death, Activity::care_plan_printed};
  for (int r = 0; r < 60; ++r) {
    const std::string id = "R" + std::to_string(r);
    const Date start = d("2024-01-01") + date::days{static_cast<int>(rng() % 500)};
    stays.emplace_back("S" + std::to_string(r), id, format_date(start));
    for (int k = 0; k < 12; ++k)
      events.push_back({"E" + std::to_string(r) + "-" + std::to_string(k), id,
                        format_date(start + date::days{static_cast<int>(rng() % 400)}), kinds[rng() % 9]});
  }
  std::mt19937 order(shuffle_seed);
  std::shuffle(stays.begin(), stays.end(), order);
  std::shuffle(events.begin(), events.end(), order);
  Pop p = base();
  for (const auto& [sid, rid, start] : stays) p.resident(rid, "1935-05-02", "P1");
  for (const auto& [sid, rid, start] : stays) p.stay(sid, rid, "H1", start.c_str());
  for (const auto& e : events) p.event(e.id, e.day.c_str(), e.resident, e.activity, "C1");
  Population pop = p.finish();
  const std::vector<Scheme> schemes{care_homes()};
  EvaluateOptions options;
  options.threads = threads;
  const auto result = Evaluator(pop, schemes, options).evaluate(d(as_of));
  return to_json(ResultView{pop, schemes, result}, -1);
}

}  // namespace

TEST_CASE("engine care-homes-es: shuffling the input records leaves the output unchanged; threads do not change it") {
  const std::string a = evaluate_shuffled(7, 1, "2025-06-30");
  CHECK(a == evaluate_shuffled(7, 2, "2025-06-30"));
  CHECK(a == evaluate_shuffled(7, 3, "2025-06-30", 4));
}

TEST_CASE("engine care-homes-es: a later as-of date never turns a completed task back") {
  std::map<std::string, std::string> completed;  // task key -> completed_on
  for (const char* as_of : {"2024-06-30", "2024-12-31", "2025-06-30", "2025-12-31"}) {
    const auto doc = nlohmann::json::parse(evaluate_shuffled(11, 1, as_of));
    std::map<std::string, std::string> now;
    for (const auto& t : doc["tasks"]) {
      const std::string key = t["obligation"].get<std::string>() + "/" + t["subject"].get<std::string>() + "/" +
                              t["opens"].get<std::string>();
      if (!t["completed_on"].is_null()) now[key] = t["completed_on"].get<std::string>();
    }
    for (const auto& [key, day] : completed) {
      INFO(key << " at " << as_of);
      REQUIRE(now.count(key) == 1);
      CHECK(now[key] == day);
    }
    completed = now;
  }
  CHECK(completed.size() > 100);
}
