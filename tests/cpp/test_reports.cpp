// The data behind the reports: clinic list, manager meeting pack, quarterly figures and overdue counts, on
// small populations built record by record, evaluated under the built-in care-homes-es scheme.
#include "carerules/engine/engine.hpp"
#include "carerules/model/population_builder.hpp"
#include "carerules/reports/reports.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace carerules;
using carerules::test::d;

namespace {

// Builds a population record by record; every record must be accepted.
class Build {
 public:
  Build() {
    REQUIRE(b_.add(PracticeRecord{"P1", "Park Surgery", 9500}, n_[0]++));
    REQUIRE(b_.add(PracticeRecord{"P2", "Hill Surgery", 8000}, n_[0]++));
    REQUIRE(b_.add(ClinicianRecord{"C1", "P1", Role::gp, 0}, n_[1]++));
    REQUIRE(b_.add(ClinicianRecord{"C2", "P2", Role::gp, 0}, n_[1]++));
    REQUIRE(b_.add(HomeRecord{"H1", "Oak Lodge", "nursing", 42, "P1", "C1"}, n_[2]++));
    REQUIRE(b_.add(HomeRecord{"H2", "Elm House", "residential", 20, "P1", "C1"}, n_[2]++));
    REQUIRE(b_.add(HomeRecord{"H3", "Ash Court", "nursing", 30, "P2", "C2"}, n_[2]++));
  }
  Build& resident(const char* id, const char* practice = "P1", const char* born = "1935-03-15") {
    ResidentRecord r;
    r.id = keep(id);
    r.born = d(born);
    r.practice = keep(practice);
    REQUIRE(b_.add(r, n_[3]++));
    return *this;
  }
  Build& stay(const char* id, const char* resident, const char* home, const char* start, const char* end = nullptr,
              Residency residency = Residency::permanent, EndReason reason = EndReason::none) {
    StayRecord s;
    s.id = keep(id);
    s.resident = keep(resident);
    s.home = keep(home);
    s.start = d(start);
    if (end != nullptr) s.end = d(end);
    s.residency = residency;
    s.end_reason = end != nullptr && reason == EndReason::none ? EndReason::discharge : reason;
    REQUIRE(b_.add(s, n_[4]++));
    return *this;
  }
  Build& admission(const char* id, const char* resident, const char* start, const char* end,
                   AdmissionMethod method = AdmissionMethod::emergency) {
    AdmissionRecord a{keep(id), keep(resident), d(start), std::nullopt, method};
    if (end != nullptr) a.end = d(end);
    REQUIRE(b_.add(a, n_[5]++));
    return *this;
  }
  Build& event(const char* day, SubjectKind kind, const char* subject, Activity activity, const char* performer = "C1") {
    EventRecord e;
    e.id = keep("E" + std::to_string(n_[6] + 1));
    e.date = d(day);
    e.subject_kind = kind;
    e.subject = keep(subject);
    e.activity = activity;
    e.performer = keep(performer);
    REQUIRE(b_.add(e, n_[6]++));
    return *this;
  }
  Build& resident_event(const char* day, const char* resident, Activity activity) {
    return event(day, SubjectKind::resident, resident, activity);
  }
  Build& home_event(const char* day, const char* home, Activity activity) { return event(day, SubjectKind::home, home, activity); }
  // The entry assessment in full (for a permanent resident) on one day.
  Build& entry_assessment(const char* day, const char* resident) {
    for (Activity a : {Activity::holistic_assessment, Activity::mca_assessment, Activity::medication_review,
                       Activity::falls_assessment, Activity::care_planning})
      resident_event(day, resident, a);
    return *this;
  }
  Population finish() {
    Population p = b_.finish();
    REQUIRE(b_.findings().empty());
    return p;
  }

 private:
  std::string_view keep(std::string s) {
    strings_.push_back(std::make_unique<std::string>(std::move(s)));
    return *strings_.back();
  }
  PopulationBuilder b_;
  std::size_t n_[7] = {};
  std::vector<std::unique_ptr<std::string>> strings_;
};

struct Evaluated {
  Population population;
  std::vector<Scheme> schemes{builtin_scheme("care-homes-es")};
  EvaluationResult result;
  Evaluated(Population p, const char* as_of) : population(std::move(p)) {
    result = evaluate(population, schemes, d(as_of));
  }
  ResultView view() const { return ResultView{population, schemes, result}; }
};

std::vector<std::string> obligations_of(const ClinicListResident& r) {
  std::vector<std::string> out;
  for (const auto& item : r.items) out.push_back(item.obligation);
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------

TEST_CASE("report clinic list: residents of the home with overdue tasks first, then what falls due by visit + days") {
  Build b;
  b.resident("R1").resident("R2").resident("R3").resident("R4").resident("R5", "P2");
  b.stay("S1", "R1", "H1", "2025-01-10");
  b.stay("S2", "R2", "H1", "2025-06-20");
  b.stay("S3", "R3", "H2", "2025-01-10");                // another home
  b.stay("S4", "R4", "H1", "2025-01-10", "2025-05-01");  // left before the visit
  b.stay("S5", "R5", "H1", "2025-01-10");                // registered with another practice
  b.resident_event("2025-01-20", "R1", Activity::care_plan);
  b.home_event("2025-06-25", "H1", Activity::clinic_visit);
  Evaluated e(b.finish(), "2025-06-30");

  const ClinicList list = clinic_list(e.view(), "H1", {d("2025-06-30"), 14});
  CHECK(list.home_name == "Oak Lodge");
  CHECK(list.practice == "P1");
  CHECK(list.residents_in_home == 3);  // R1, R2, R5 (R3 lives elsewhere, R4 left)
  REQUIRE(list.residents.size() == 2);  // R5 has no task of the home's practice

  const ClinicListResident& r1 = list.residents[0];
  CHECK(r1.resident == "R1");
  CHECK(r1.residency == "permanent");
  CHECK(r1.resident_since == d("2025-01-10"));
  CHECK(r1.age == 90);
  // Earliest due first: the entry assessment (due 2025-01-24), the printed care plan (7 days after the care plan
  // of 2025-01-20), seen every 2 months (2025-03-10), preferred place of death (2025-04-10); then the two 6-monthly
  // reviews due on 2025-07-10, within 14 days of the visit, in scheme order. The care plan review (due
  // 2025-07-20) is beyond the horizon and the care plan itself is done.
  CHECK(obligations_of(r1) == std::vector<std::string>{"entry-assessment", "care-plan-printed", "seen-2-monthly",
                                                       "preferred-place-of-death", "gp-review-6-monthly",
                                                       "medication-review-6-monthly"});
  const ClinicListItem& entry = r1.items[0];
  CHECK(entry.status == "overdue");
  CHECK(entry.due == d("2025-01-24"));
  CHECK(entry.days_overdue == 157);
  CHECK(entry.missing == std::vector<std::string>{"holistic_assessment", "mca_assessment", "medication_review", "falls_assessment"});
  CHECK(entry.because.find("overdue since 2025-01-24") != std::string::npos);
  CHECK(r1.items[4].status == "open");
  CHECK(r1.items[4].days_overdue == 0);

  const ClinicListResident& r2 = list.residents[1];
  CHECK(r2.resident == "R2");
  REQUIRE(r2.items.size() == 1);
  CHECK(r2.items[0].obligation == "entry-assessment");
  CHECK(r2.items[0].status == "open");
  CHECK(r2.items[0].due == d("2025-07-04"));

  // The home's own tasks: the manager meeting is overdue (due 2025-03-10); after the clinic of 2025-06-25 the
  // next fortnightly clinic is due on 2025-07-09.
  REQUIRE(list.home_items.size() == 2);
  CHECK(list.home_items[0].obligation == "manager-meeting-2-monthly");
  CHECK(list.home_items[0].status == "overdue");
  CHECK(list.home_items[1].obligation == "clinic-fortnightly");
  CHECK(list.home_items[1].status == "open");
  CHECK(list.home_items[1].due == d("2025-07-09"));
}

TEST_CASE("report clinic list: the horizon, a visit after the list is made, and errors") {
  Build b;
  b.resident("R1");
  b.stay("S1", "R1", "H1", "2025-06-20");
  Evaluated e(b.finish(), "2025-06-25");
  // Made on 2025-06-25 for a visit on 2025-07-08: the entry assessment (due 2025-07-04) will be 4 days overdue.
  ClinicList list = clinic_list(e.view(), "H1", {d("2025-07-08"), 0});
  REQUIRE(list.residents.size() == 1);
  REQUIRE(list.residents[0].items.size() == 1);
  CHECK(list.residents[0].items[0].status == "open");
  CHECK(list.residents[0].items[0].days_overdue == 4);
  // With a visit on 2025-06-25 and 7 days' horizon nothing is due by 2025-07-02.
  list = clinic_list(e.view(), "H1", {d("2025-06-25"), 7});
  CHECK(list.residents.empty());
  CHECK(list.residents_in_home == 1);
  CHECK_THROWS_AS(clinic_list(e.view(), "H9", {d("2025-06-25"), 7}), std::invalid_argument);
  CHECK_THROWS_AS(clinic_list(e.view(), "H1", {d("2025-06-25"), -1}), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------------------

namespace {

// H1 with meetings on 2025-03-01 and 2025-05-01, evaluated on 2025-06-30.
Population meeting_population() {
  Build b;
  b.resident("R1").resident("R2").resident("R3").resident("R4").resident("R6");
  b.stay("S1", "R1", "H1", "2025-01-10");
  b.stay("S2", "R2", "H1", "2025-01-10");
  b.stay("S3", "R3", "H2", "2025-01-10");
  b.stay("S4", "R4", "H1", "2025-01-10", "2025-06-10", Residency::permanent, EndReason::death);
  b.stay("S6", "R6", "H1", "2025-01-10", "2025-05-20", Residency::permanent, EndReason::death);
  b.home_event("2025-03-01", "H1", Activity::manager_meeting);
  b.home_event("2025-05-01", "H1", Activity::manager_meeting);
  // R1: an admission before the period, reviewed (late) in it; one in the period, reviewed on time.
  b.admission("A0", "R1", "2025-04-01", "2025-04-03");
  b.resident_event("2025-05-02", "R1", Activity::admission_review);
  b.admission("A1", "R1", "2025-05-10", "2025-05-15");
  b.resident_event("2025-05-20", "R1", Activity::admission_review);
  // R2: an elective admission (not listed) and an emergency one, still in hospital.
  b.admission("A2", "R2", "2025-06-01", "2025-06-03", AdmissionMethod::elective);
  b.admission("A3", "R2", "2025-06-25", nullptr);
  // R6 died in hospital; R4 died in the home with a preferred place of death recorded.
  b.admission("A6", "R6", "2025-05-18", nullptr);
  b.resident_event("2025-03-01", "R4", Activity::preferred_place_of_death);
  // Out-of-hours contacts and significant events.
  b.resident_event("2025-04-15", "R1", Activity::ooh_contact);
  b.resident_event("2025-06-01", "R1", Activity::ooh_contact);
  b.resident_event("2025-06-05", "R2", Activity::significant_event);
  b.resident_event("2025-06-02", "R3", Activity::ooh_contact);  // H2's resident
  return b.finish();
}

}  // namespace

TEST_CASE("report meeting pack: since the previous meeting, admissions with their reviews, deaths, contacts, events") {
  Evaluated e(meeting_population(), "2025-06-30");
  const MeetingPack pack = meeting_pack(e.view(), "H1");
  CHECK(pack.previous_meeting == d("2025-05-01"));
  CHECK(pack.from == d("2025-05-01"));
  CHECK(pack.period.find("previous meeting") != std::string::npos);

  // A1 (reviewed on 2025-05-20) and A3 (still in hospital); A6 too: R6 lived in the home when admitted.
  REQUIRE(pack.admissions.size() == 3);
  CHECK(pack.admissions[0].admission == "A1");
  CHECK(pack.admissions[0].reviewed);
  CHECK(pack.admissions[0].reviewed_on == d("2025-05-20"));
  CHECK(pack.admissions[0].review_status == "done");
  CHECK(pack.admissions[0].review_due == d("2025-05-29"));
  CHECK(pack.admissions[1].admission == "A6");
  CHECK(pack.admissions[2].admission == "A3");
  CHECK_FALSE(pack.admissions[2].reviewed);
  CHECK_FALSE(pack.admissions[2].end.has_value());
  CHECK(pack.admissions[2].review_status == "upcoming");
  CHECK_FALSE(pack.admissions[2].review_due.has_value());

  REQUIRE(pack.deaths.size() == 2);
  CHECK(pack.deaths[0].resident == "R6");
  CHECK(pack.deaths[0].died_on == d("2025-05-20"));
  CHECK(pack.deaths[0].in_hospital);
  CHECK_FALSE(pack.deaths[0].preferred_place_recorded);
  CHECK(pack.deaths[1].resident == "R4");
  CHECK(pack.deaths[1].stay == "S4");
  CHECK_FALSE(pack.deaths[1].in_hospital);
  CHECK(pack.deaths[1].preferred_place_recorded);
  CHECK(pack.deaths[1].preferred_place_recorded_on == d("2025-03-01"));

  REQUIRE(pack.ooh_contacts.size() == 1);  // 2025-04-15 is before the period; R3 lives in H2
  CHECK(pack.ooh_contacts[0].resident == "R1");
  CHECK(pack.ooh_contacts[0].date == d("2025-06-01"));
  CHECK(pack.ooh_contacts[0].performer == "C1");
  REQUIRE(pack.significant_events.size() == 1);
  CHECK(pack.significant_events[0].resident == "R2");

  // Reviews to discuss: A0's (done late on 2025-05-02, in the period), A1's (done), A6's (R6 died in hospital:
  // never discharged, so never due: cancelled, not listed) and A3's (still owed).
  std::vector<std::string> reviewed;
  for (const auto& r : pack.reviews) reviewed.push_back(r.admission + ":" + r.status);
  CHECK(reviewed == std::vector<std::string>{"A0:late", "A1:done", "A3:upcoming"});
  CHECK(pack.reviews[0].completed_on == d("2025-05-02"));
  CHECK(pack.reviews[0].evidence.size() == 1);
}

TEST_CASE("report meeting pack: a given start date, and a home with no meeting recorded") {
  Evaluated e(meeting_population(), "2025-06-30");
  MeetingPackOptions options;
  options.since = d("2025-03-01");
  const MeetingPack pack = meeting_pack(e.view(), "H1", options);
  CHECK(pack.from == d("2025-03-01"));
  CHECK(pack.admissions.front().admission == "A0");
  CHECK(pack.ooh_contacts.size() == 2);

  const MeetingPack h2 = meeting_pack(e.view(), "H2");
  CHECK_FALSE(h2.previous_meeting.has_value());
  CHECK(h2.from == d("2025-01-10"));  // the home's first resident
  REQUIRE(h2.ooh_contacts.size() == 1);
  CHECK(h2.ooh_contacts[0].resident == "R3");
  CHECK(h2.admissions.empty());
  CHECK_THROWS_AS(meeting_pack(e.view(), "nope"), std::invalid_argument);

  // On the day of the meeting of 2025-05-01 the pack looks back to the one before.
  Evaluated on_the_day(meeting_population(), "2025-05-01");
  CHECK(meeting_pack(on_the_day.view(), "H1").previous_meeting == d("2025-03-01"));
}

// ---------------------------------------------------------------------------------------------------------

namespace {

// P1's register in 2024-25 Q4 and 2025-26 Q1; R4 lives in P1's home but is registered with P2.
Population quarterly_population() {
  Build b;
  b.resident("R1").resident("R2").resident("R3").resident("R4", "P2").resident("R5", "P2");
  b.stay("S1", "R1", "H1", "2025-01-10");
  b.stay("S2", "R2", "H1", "2025-02-01", "2025-02-28", Residency::temporary);
  b.stay("S3", "R3", "H1", "2025-04-05", "2025-06-10", Residency::permanent, EndReason::death);
  b.stay("S4", "R4", "H1", "2025-01-10");
  b.stay("S5", "R5", "H3", "2025-05-01");
  b.entry_assessment("2025-01-15", "R1");
  b.admission("A1", "R1", "2025-05-01", "2025-05-03");
  b.admission("A4", "R4", "2025-05-01", "2025-05-03");
  b.admission("A5", "R5", "2025-06-01", "2025-06-03", AdmissionMethod::elective);
  return b.finish();
}

const RegisterFigures& register_of(const QuarterlyFigures& q, const std::string& practice, int fy, int number) {
  for (const auto& r : q.registers)
    if (r.practice == practice && r.quarter == Quarter{{fy}, number}) return r;
  FAIL("no register row");
  return q.registers.front();
}

const CompletionFigures& completion_of(const QuarterlyFigures& q, const std::string& practice, int fy, int number,
                                       const std::string& obligation) {
  for (const auto& c : q.completion)
    if (c.practice == practice && c.quarter == Quarter{{fy}, number} && c.obligation == obligation) return c;
  FAIL("no completion row");
  return q.completion.front();
}

}  // namespace

TEST_CASE("report quarterly: register, resident-days and emergency admissions per practice and quarter") {
  Evaluated e(quarterly_population(), "2025-06-30");
  const QuarterlyFigures q = quarterly_figures(e.view(), Quarter{{2024}, 4}, Quarter{{2025}, 1}, "P1");
  CHECK(q.practices == std::vector<std::string>{"P1"});
  REQUIRE(q.registers.size() == 2);

  const RegisterFigures& q4 = register_of(q, "P1", 2024, 4);
  CHECK(q4.residents == 2);  // R1, R2 (R4 is registered with P2)
  CHECK(q4.permanent == 1);
  CHECK(q4.temporary == 0);  // R2 left on 2025-02-28
  CHECK(q4.new_entries == 2);
  CHECK(q4.leavers == 1);
  CHECK(q4.deaths == 0);
  CHECK(q4.resident_days == 81 + 28);  // R1 2025-01-10..03-31, R2 2025-02-01..02-28
  CHECK(q4.emergency_admissions == 0);

  const RegisterFigures& q1 = register_of(q, "P1", 2025, 1);
  CHECK(q1.residents == 2);  // R1, R3
  CHECK(q1.permanent == 1);
  CHECK(q1.new_entries == 1);
  CHECK(q1.deaths == 1);
  CHECK(q1.leavers == 0);
  CHECK(q1.resident_days == 91 + 67);  // R1 all quarter, R3 2025-04-05..06-10
  CHECK(q1.emergency_admissions == 1);  // A1 (A4 is R4's: not on P1's register)
  CHECK(q1.last_day == d("2025-06-30"));
}

TEST_CASE("report quarterly: completion in time counts decided tasks due in the quarter") {
  Evaluated e(quarterly_population(), "2025-06-30");
  const QuarterlyFigures q = quarterly_figures(e.view(), Quarter{{2024}, 4}, Quarter{{2025}, 1}, "P1");
  // 2024-25 Q4: R1's entry assessment done on time (due 2025-01-24), R2's missed (left 2025-02-28 after it was due).
  const CompletionFigures& entry_q4 = completion_of(q, "P1", 2024, 4, "entry-assessment");
  CHECK(entry_q4.due == 2);
  CHECK(entry_q4.on_time == 1);
  CHECK(entry_q4.missed == 1);
  CHECK(rounded_percent(entry_q4.on_time, entry_q4.due) == 50);
  // 2025-26 Q1: R3's entry assessment (due 2025-04-19) overdue until R3 died: missed.
  const CompletionFigures& entry_q1 = completion_of(q, "P1", 2025, 1, "entry-assessment");
  CHECK(entry_q1.due == 1);
  CHECK(entry_q1.missed == 1);
  CHECK(entry_q1.on_time == 0);
  // Every obligation has a row in every quarter, zero or not.
  const std::size_t obligations = e.schemes[0].obligations.size();
  CHECK(q.completion.size() == 2 * obligations);
  const CompletionFigures& mca = completion_of(q, "P1", 2024, 4, "mca-training-3-yearly");
  CHECK(mca.due == 0);
  CHECK_FALSE(rounded_percent(mca.on_time, mca.due).has_value());
}

TEST_CASE("report quarterly: payment lines by kind and status, and totals across practices") {
  Evaluated e(quarterly_population(), "2025-06-30");
  const QuarterlyFigures q = quarterly_figures(e.view(), Quarter{{2024}, 4}, Quarter{{2025}, 1});
  CHECK(q.practices == std::vector<std::string>{"P1", "P2"});
  auto pay = [&](const std::string& practice, int fy, int number, const std::string& kind, const std::string& status) {
    std::int64_t lines = 0;
    std::int64_t pence = 0;
    for (const auto& p : q.payments)
      if (p.practice == practice && p.quarter == Quarter{{fy}, number} && p.kind == kind && p.status == status) {
        lines += p.lines;
        pence += p.amount.value();
      }
    return std::pair{lines, pence};
  };
  // Uplift tariff (from 2016-04-01): new £103.53, existing and temporary £60.90.
  CHECK(pay("P1", 2024, 4, "new", "payable") == std::pair<std::int64_t, std::int64_t>{1, 10353});
  CHECK(pay("P1", 2024, 4, "temporary", "payable") == std::pair<std::int64_t, std::int64_t>{1, 6090});
  CHECK(pay("P1", 2025, 1, "existing", "payable") == std::pair<std::int64_t, std::int64_t>{1, 6090});
  CHECK(pay("P1", 2025, 1, "new", "withheld") == std::pair<std::int64_t, std::int64_t>{1, 10353});
  // P2's resident in P2's home H3, new in Q1 (entry assessment overdue: withheld).
  CHECK(pay("P2", 2025, 1, "new", "withheld") == std::pair<std::int64_t, std::int64_t>{1, 10353});
  // Totals across practices are the sums.
  CHECK(pay("", 2025, 1, "new", "withheld") == std::pair<std::int64_t, std::int64_t>{2, 20706});
  const RegisterFigures& all_q1 = register_of(q, "", 2025, 1);
  CHECK(all_q1.residents == 3);  // R1, R3 (P1) and R5 (P2)
  CHECK(all_q1.resident_days == 91 + 67 + 61);
  CHECK(all_q1.emergency_admissions == 1);
  const CompletionFigures& all_entry = completion_of(q, "", 2025, 1, "entry-assessment");
  CHECK(all_entry.due == 2);  // R3's (P1) and R5's (P2, overdue since 2025-05-15)
  CHECK(all_entry.overdue == 1);
  CHECK(all_entry.missed == 1);
}

TEST_CASE("report quarterly: quarters not yet begun are left out; errors") {
  Evaluated e(quarterly_population(), "2025-06-30");
  const QuarterlyFigures q = quarterly_figures(e.view(), Quarter{{2025}, 1}, Quarter{{2025}, 3}, "P1");
  REQUIRE(q.registers.size() == 1);
  CHECK(q.last == Quarter{{2025}, 1});
  CHECK(first_reporting_quarter(e.view()) == Quarter{{2024}, 4});  // the first stay, 2025-01-10
  CHECK_THROWS_AS(quarterly_figures(e.view(), Quarter{{2025}, 1}, Quarter{{2024}, 4}), std::invalid_argument);
  CHECK_THROWS_AS(quarterly_figures(e.view(), Quarter{{2025}, 1}, Quarter{{2025}, 1}, "P9"), std::invalid_argument);
}

TEST_CASE("report rounded_percent: integer counts, rounded half up for display") {
  CHECK(rounded_percent(1, 2) == 50);
  CHECK(rounded_percent(2, 3) == 67);
  CHECK(rounded_percent(1, 3) == 33);
  CHECK(rounded_percent(1, 8) == 13);  // 12.5
  CHECK(rounded_percent(7, 7) == 100);
  CHECK(rounded_percent(0, 5) == 0);
  CHECK_FALSE(rounded_percent(0, 0).has_value());
}

TEST_CASE("report overdue by home: counts of overdue tasks per practice, home and obligation") {
  Evaluated e(quarterly_population(), "2025-06-30");
  const auto rows = overdue_by_home(e.view());
  REQUIRE_FALSE(rows.empty());
  std::int64_t total = 0;
  for (const auto& r : rows) {
    CHECK(r.overdue > 0);
    total += r.overdue;
  }
  std::int64_t expected = 0;
  for (const Task& t : e.result.tasks) expected += t.status == TaskStatus::overdue;
  CHECK(total == expected);
  CHECK(std::is_sorted(rows.begin(), rows.end(), [](const OverdueCount& a, const OverdueCount& b) {
    return std::tie(a.practice, a.home) < std::tie(b.practice, b.home);
  }));
  // Clinicians' training has no home.
  CHECK(std::any_of(rows.begin(), rows.end(), [](const OverdueCount& r) { return r.home.empty() && r.obligation == "safeguarding-training-3-yearly"; }));
}
