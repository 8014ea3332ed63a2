// PopulationBuilder: every record accepted or rejected with a reason; sorting and per-subject offsets;
// overlapping stays; the incremental append_event.
#include "carerules/model/population_builder.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace carerules;
using carerules::test::d;

namespace {

const Finding* find(const std::vector<Finding>& findings, std::string_view collection, std::int64_t index) {
  for (const auto& f : findings)
    if (f.collection == collection && f.index == index) return &f;
  return nullptr;
}

// A small valid base: practices P1, P2; clinicians C1 (GP of P1), N1 (nurse of P1); homes H1 (P1, lead C1),
// H2 (not aligned); residents R1 (born 1931-05-02), R2 (born 1940-01-01).
void base(PopulationBuilder& b) {
  REQUIRE(b.add(PracticeRecord{"P1", "Park Surgery", 9500}, 0));
  REQUIRE(b.add(PracticeRecord{"P2", "Hill Surgery", std::nullopt}, 1));
  REQUIRE(b.add(ClinicianRecord{"C1", "P1", Role::gp, 0}, 0));
  REQUIRE(b.add(ClinicianRecord{"N1", "P1", Role::nurse,
                                static_cast<QualificationSet>(Qualification::district_nurse_pgdip)},
                1));
  REQUIRE(b.add(HomeRecord{"H1", "Oak Lodge", "nursing", 42, "P1", "C1"}, 0));
  REQUIRE(b.add(HomeRecord{"H2", "Elm House", "", std::nullopt, "", ""}, 1));
  ResidentRecord r1;
  r1.id = "R1";
  r1.born = d("1931-05-02");
  r1.practice = "P1";
  REQUIRE(b.add(r1, 0));
  ResidentRecord r2;
  r2.id = "R2";
  r2.born = d("1940-01-01");
  r2.practice = "P2";
  REQUIRE(b.add(r2, 1));
}

// R3, registered with a practice that does not exist: rejected by base()'s builder.
ResidentRecord resident_of_unknown_practice() {
  ResidentRecord r;
  r.id = "R3";
  r.born = d("1930-01-01");
  r.practice = "P9";
  return r;
}

StayRecord stay(std::string_view id, std::string_view resident, std::string_view home, const char* start,
                const char* end = nullptr) {
  StayRecord s;
  s.id = id;
  s.resident = resident;
  s.home = home;
  s.start = d(start);
  if (end != nullptr) s.end = d(end);
  return s;
}

EventRecord event(std::string_view id, const char* day, SubjectKind kind, std::string_view subject,
                  std::optional<Activity> activity, std::string_view code = {}) {
  EventRecord e;
  e.id = id;
  e.date = d(day);
  e.subject_kind = kind;
  e.subject = subject;
  e.activity = activity;
  e.code = code;
  return e;
}

Index subject_index(const Population& p, SubjectKind kind, std::string_view id) {
  const Interner* ids = &p.residents.ids;
  if (kind == SubjectKind::home) ids = &p.homes.ids;
  if (kind == SubjectKind::clinician) ids = &p.clinicians.ids;
  if (kind == SubjectKind::practice) ids = &p.practices.ids;
  const auto found = ids->find(id);
  REQUIRE(found.has_value());
  return *found;
}

}  // namespace

TEST_CASE("builder: a valid population is accepted whole and counted") {
  PopulationBuilder b;
  base(b);
  CHECK(b.add(stay("S1", "R1", "H1", "2025-01-10"), 0));
  CHECK(b.add(AdmissionRecord{"A1", "R1", d("2025-03-01"), d("2025-03-05"), AdmissionMethod::emergency}, 0));
  CHECK(b.add(event("E1", "2025-01-20", SubjectKind::resident, "R1", Activity::care_plan), 0));
  CHECK(b.findings().empty());
  const Population p = b.finish();
  CHECK(b.findings().empty());
  CHECK(p.practices.size() == 2);
  CHECK(p.practices.list_size[1] == -1);
  CHECK(p.homes.practice[1] == no_index);
  CHECK(p.homes.lead_gp[0] == *p.clinicians.ids.find("C1"));
  CHECK(p.homes.beds[1] == -1);
  CHECK(p.clinicians.qualifications[1] == static_cast<QualificationSet>(Qualification::district_nurse_pgdip));
  CHECK(p.residents.cohort_from[0] == no_date);
  CHECK(std::isnan(p.residents.risk_score[0]));
  CHECK(p.stays.end[0] == no_date);
  const auto counts = b.counts();
  CHECK(counts[static_cast<std::size_t>(Collection::residents)].read == 2);
  CHECK(counts[static_cast<std::size_t>(Collection::residents)].accepted == 2);
  const auto total = b.total_counts();
  CHECK(total.read == 11);
  CHECK(total.accepted == 11);
  CHECK(total.rejected == 0);
}

TEST_CASE("builder: a stay ending before it starts is rejected with collection, index, id, field and value") {
  PopulationBuilder b;
  base(b);
  CHECK_FALSE(b.add(stay("S9", "R1", "H1", "2025-02-01", "2025-01-01"), 3));
  REQUIRE(b.findings().size() == 1);
  const Finding& f = b.findings()[0];
  CHECK(f.severity == Severity::error);
  CHECK(f.code == "invalid-record");
  CHECK(f.subject_kind == "stays");
  CHECK(f.subject == "S9");
  CHECK(f.collection == "stays");
  CHECK(f.index == 3);
  CHECK(f.field == "end");
  CHECK(f.value == "2025-01-01");
  CHECK(f.message == "stays[3] (id \"S9\"): field \"end\" = \"2025-01-01\" is before start 2025-02-01");
  // A one-day stay (end on the start date) is fine.
  CHECK(b.add(stay("S10", "R1", "H1", "2025-02-01", "2025-02-01"), 4));
  const auto& c = b.counts()[static_cast<std::size_t>(Collection::stays)];
  CHECK(c.read == 2);
  CHECK(c.accepted == 1);
  CHECK(c.rejected == 1);
}

TEST_CASE("builder: unknown references are rejected, and a reference to a rejected record says so") {
  PopulationBuilder b;
  base(b);
  // A resident of an unknown practice is rejected ...
  CHECK_FALSE(b.add(resident_of_unknown_practice(), 2));
  // ... so a stay of that resident names a rejected record, and a stay of R4 names an unknown one.
  CHECK_FALSE(b.add(stay("S1", "R3", "H1", "2025-01-10"), 0));
  CHECK_FALSE(b.add(stay("S2", "R4", "H1", "2025-01-10"), 1));
  CHECK_FALSE(b.add(stay("S3", "R1", "H9", "2025-01-10"), 2));
  CHECK_FALSE(b.add(HomeRecord{"H3", "Ash Court", "", std::nullopt, "P9", ""}, 2));
  CHECK_FALSE(b.add(HomeRecord{"H4", "Yew Court", "", std::nullopt, "P1", "C9"}, 3));
  CHECK_FALSE(b.add(ClinicianRecord{"C5", "P9", Role::gp, 0}, 2));
  CHECK_FALSE(b.add(AdmissionRecord{"A1", "R9", d("2025-03-01"), std::nullopt, AdmissionMethod::emergency}, 0));

  const auto& fs = b.findings();
  const Finding* f = find(fs, "residents", 2);
  REQUIRE(f);
  CHECK(f->field == "practice");
  CHECK(f->value == "P9");
  CHECK(f->message ==
        "residents[2] (id \"R3\"): field \"practice\" = \"P9\" is not a known practice (no such id in practices)");
  f = find(fs, "stays", 0);
  REQUIRE(f);
  CHECK(f->field == "resident");
  CHECK(f->value == "R3");
  CHECK(f->message ==
        "stays[0] (id \"S1\"): field \"resident\" = \"R3\" names a resident that was rejected (residents[2])");
  f = find(fs, "stays", 1);
  REQUIRE(f);
  CHECK(f->message.find("is not a known resident") != std::string::npos);
  f = find(fs, "stays", 2);
  REQUIRE(f);
  CHECK(f->field == "home");
  CHECK(f->value == "H9");
  f = find(fs, "homes", 2);
  REQUIRE(f);
  CHECK(f->field == "practice");
  f = find(fs, "homes", 3);
  REQUIRE(f);
  CHECK(f->field == "lead_gp");
  CHECK(f->value == "C9");
  CHECK(f->message.find("is not a known clinician") != std::string::npos);
  f = find(fs, "clinicians", 2);
  REQUIRE(f);
  CHECK(f->field == "practice");
  f = find(fs, "admissions", 0);
  REQUIRE(f);
  CHECK(f->field == "resident");
  CHECK(f->subject == "A1");
}

TEST_CASE("builder: empty and duplicate ids") {
  PopulationBuilder b;
  base(b);
  CHECK_FALSE(b.add(PracticeRecord{"", "No Id Surgery", std::nullopt}, 2));
  CHECK_FALSE(b.add(PracticeRecord{"P1", "Again", std::nullopt}, 3));
  // First R5 is rejected (unknown practice), second R5 is a duplicate of a rejected record.
  ResidentRecord r;
  r.id = "R5";
  r.born = d("1930-01-01");
  r.practice = "P9";
  CHECK_FALSE(b.add(r, 2));
  r.practice = "P1";
  CHECK_FALSE(b.add(r, 3));
  CHECK(b.add(event("E1", "2025-01-01", SubjectKind::resident, "R1", Activity::care_plan), 0));
  CHECK_FALSE(b.add(event("E1", "2025-01-02", SubjectKind::resident, "R1", Activity::care_plan), 1));
  CHECK_FALSE(b.add(event("E2", "2025-01-02", SubjectKind::resident, "R9", Activity::care_plan), 2));
  CHECK_FALSE(b.add(event("E2", "2025-01-03", SubjectKind::resident, "R1", Activity::care_plan), 3));

  const auto& fs = b.findings();
  const Finding* f = find(fs, "practices", 2);
  REQUIRE(f);
  CHECK(f->subject == "#2");
  CHECK(f->field == "id");
  CHECK(f->value.empty());
  CHECK(f->message == "practices[2]: field \"id\" is empty: every record needs an id");
  f = find(fs, "practices", 3);
  REQUIRE(f);
  CHECK(f->field == "id");
  CHECK(f->value == "P1");
  CHECK(f->message == "practices[3] (id \"P1\"): field \"id\" = \"P1\" is already the id of practices[0]");
  f = find(fs, "residents", 3);
  REQUIRE(f);
  CHECK(f->message == "residents[3] (id \"R5\"): field \"id\" = \"R5\" is already the id of residents[2], which was rejected");
  f = find(fs, "events", 1);
  REQUIRE(f);
  CHECK(f->field == "id");
  CHECK(f->message.find("already the id of an earlier record in events") != std::string::npos);
  f = find(fs, "events", 3);
  REQUIRE(f);
  CHECK(f->message == "events[3] (id \"E2\"): field \"id\" = \"E2\" is already the id of events[2], which was rejected");
  const Population p = b.finish();
  CHECK(p.practices.size() == 2);
  CHECK(p.events.size() == 1);
}

TEST_CASE("builder: negative list size and beds are rejected") {
  PopulationBuilder b;
  base(b);
  CHECK_FALSE(b.add(PracticeRecord{"P3", "Low", -5}, 2));
  CHECK_FALSE(b.add(HomeRecord{"H5", "Neg", "", -1, "", ""}, 2));
  CHECK(b.add(PracticeRecord{"P4", "Empty list", 0}, 3));
  const Finding* f = find(b.findings(), "practices", 2);
  REQUIRE(f);
  CHECK(f->field == "list_size");
  CHECK(f->value == "-5");
  CHECK(f->message == "practices[2] (id \"P3\"): field \"list_size\" = -5 must not be negative");
  f = find(b.findings(), "homes", 2);
  REQUIRE(f);
  CHECK(f->field == "beds");
  CHECK(f->value == "-1");
}

TEST_CASE("builder: events need one of activity and code, of their subject's kind, by a known performer") {
  PopulationBuilder b;
  base(b);
  CHECK_FALSE(b.add(event("E1", "2025-01-01", SubjectKind::resident, "R1", std::nullopt), 0));
  CHECK_FALSE(b.add(event("E2", "2025-01-01", SubjectKind::resident, "R1", Activity::care_plan, "123"), 1));
  CHECK_FALSE(b.add(event("E3", "2025-01-01", SubjectKind::resident, "R1", Activity::clinic_visit), 2));
  CHECK_FALSE(b.add(event("E4", "2025-01-01", SubjectKind::home, "H1", Activity::safeguarding_training), 3));
  auto e5 = event("E5", "2025-01-01", SubjectKind::resident, "R1", Activity::gp_review);
  e5.performer = "C9";
  CHECK_FALSE(b.add(e5, 4));
  CHECK_FALSE(b.add(event("E6", "2025-01-01", SubjectKind::home, "H9", Activity::clinic_visit), 5));
  CHECK_FALSE(b.add(event("E7", "2025-01-01", SubjectKind::resident, "", Activity::care_plan), 6));
  // Register markers are resident activities; codes need no activity; home and clinician activities fit.
  CHECK(b.add(event("E8", "2025-01-01", SubjectKind::resident, "R1", Activity::lives_in_care_home), 7));
  CHECK(b.add(event("E9", "2025-01-01", SubjectKind::home, "H1", std::nullopt, "889311000000109"), 8));
  CHECK(b.add(event("E10", "2025-01-01", SubjectKind::clinician, "C1", Activity::mca_training), 9));

  const auto& fs = b.findings();
  const Finding* f = find(fs, "events", 0);
  REQUIRE(f);
  CHECK(f->field == "activity");
  CHECK(f->message == "events[0] (id \"E1\"): field \"activity\" is missing and so is \"code\": an event records "
                      "exactly one of \"activity\" and \"code\"");
  f = find(fs, "events", 1);
  REQUIRE(f);
  CHECK(f->field == "code");
  CHECK(f->value == "123");
  f = find(fs, "events", 2);
  REQUIRE(f);
  CHECK(f->field == "activity");
  CHECK(f->value == "clinic_visit");
  CHECK(f->message == "events[2] (id \"E3\"): field \"activity\" = \"clinic_visit\" is a home activity, but the "
                      "event is recorded against resident \"R1\"");
  f = find(fs, "events", 3);
  REQUIRE(f);
  CHECK(f->value == "safeguarding_training");
  f = find(fs, "events", 4);
  REQUIRE(f);
  CHECK(f->field == "performer");
  CHECK(f->value == "C9");
  f = find(fs, "events", 5);
  REQUIRE(f);
  CHECK(f->field == "home");
  CHECK(f->value == "H9");
  f = find(fs, "events", 6);
  REQUIRE(f);
  CHECK(f->field == "subject");
  const Population p = b.finish();
  CHECK(p.events.size() == 3);
  REQUIRE(p.codes.size() == 1);
  CHECK(p.codes.name(0) == "889311000000109");
}

TEST_CASE("builder: resident cohort, risk score and dates before birth") {
  PopulationBuilder b;
  base(b);
  ResidentRecord r;
  r.id = "R3";
  r.born = d("1930-01-01");
  r.practice = "P1";
  r.cohort_reason = CohortReason::care_home;
  CHECK_FALSE(b.add(r, 2));  // reason without from
  r.id = "R4";
  r.cohort_reason = CohortReason::none;
  r.cohort_from = d("2015-04-01");
  CHECK_FALSE(b.add(r, 3));  // from without reason
  r.id = "R5";
  r.cohort_reason = CohortReason::risk_tool;
  r.risk_score = 1.5;
  CHECK_FALSE(b.add(r, 4));
  r.id = "R6";
  r.risk_score = std::numeric_limits<double>::quiet_NaN();
  CHECK_FALSE(b.add(r, 5));
  r.id = "R7";
  r.risk_score = 1.0;
  CHECK(b.add(r, 6));
  // A stay, admission or resident event dated before the resident was born cannot be true.
  CHECK_FALSE(b.add(stay("S1", "R1", "H1", "1930-01-01"), 0));
  CHECK_FALSE(b.add(AdmissionRecord{"A1", "R1", d("1931-05-01"), std::nullopt, AdmissionMethod::elective}, 0));
  CHECK_FALSE(b.add(event("E1", "1920-01-01", SubjectKind::resident, "R1", Activity::care_plan), 0));
  CHECK(b.add(stay("S2", "R1", "H1", "1931-05-02"), 1));

  const auto& fs = b.findings();
  const Finding* f = find(fs, "residents", 2);
  REQUIRE(f);
  CHECK(f->field == "cohort.from");
  CHECK(f->message == "residents[2] (id \"R3\"): field \"cohort.from\" is missing: a cohort member needs the date "
                      "they joined (cohort reason \"care_home\")");
  f = find(fs, "residents", 3);
  REQUIRE(f);
  CHECK(f->field == "cohort.reason");
  f = find(fs, "residents", 4);
  REQUIRE(f);
  CHECK(f->field == "risk_score");
  CHECK(f->value == "1.5");
  CHECK(f->message == "residents[4] (id \"R5\"): field \"risk_score\" = 1.5 is outside 0 to 1");
  f = find(fs, "residents", 5);
  REQUIRE(f);
  CHECK(f->value == "NaN");
  f = find(fs, "stays", 0);
  REQUIRE(f);
  CHECK(f->field == "start");
  CHECK(f->message == "stays[0] (id \"S1\"): field \"start\" = \"1930-01-01\" is before resident \"R1\" was born "
                      "(1931-05-02)");
  f = find(fs, "admissions", 0);
  REQUIRE(f);
  CHECK(f->field == "start");
  f = find(fs, "events", 0);
  REQUIRE(f);
  CHECK(f->field == "date");
}

TEST_CASE("builder: admission ending before it starts, end reason without an end") {
  PopulationBuilder b;
  base(b);
  CHECK_FALSE(b.add(AdmissionRecord{"A1", "R1", d("2025-03-05"), d("2025-03-01"), AdmissionMethod::emergency}, 0));
  auto s = stay("S1", "R1", "H1", "2025-01-10");
  s.end_reason = EndReason::death;
  CHECK_FALSE(b.add(s, 0));
  const Finding* f = find(b.findings(), "admissions", 0);
  REQUIRE(f);
  CHECK(f->field == "end");
  CHECK(f->value == "2025-03-01");
  CHECK(f->message == "admissions[0] (id \"A1\"): field \"end\" = \"2025-03-01\" is before start 2025-03-05");
  f = find(b.findings(), "stays", 0);
  REQUIRE(f);
  CHECK(f->field == "end_reason");
  CHECK(f->value == "death");
}

TEST_CASE("builder: overlapping stays of one resident: the later is rejected, naming both") {
  PopulationBuilder b;
  base(b);
  // R1: S1 Jan-Mar; S2 starts on S1's end date (contiguous); S3 the day after S2 ends (contiguous);
  // S4 starts inside S3 (overlap); S5 after a gap, open-ended; S6 after the open S5 (overlap).
  CHECK(b.add(stay("S1", "R1", "H1", "2025-01-10", "2025-03-01"), 0));
  CHECK(b.add(stay("S4", "R1", "H2", "2025-03-20", "2025-04-01"), 1));
  CHECK(b.add(stay("S2", "R1", "H1", "2025-03-01", "2025-03-10"), 2));
  CHECK(b.add(stay("S3", "R1", "H2", "2025-03-11", "2025-03-31"), 3));
  CHECK(b.add(stay("S5", "R1", "H1", "2025-05-01"), 4));
  CHECK(b.add(stay("S6", "R1", "H1", "2025-06-01", "2025-06-02"), 5));
  CHECK(b.add(stay("S7", "R2", "H1", "2025-02-01"), 6));
  const Population p = b.finish();

  const auto& fs = b.findings();
  REQUIRE(fs.size() == 2);
  CHECK(fs[0].index == 1);  // findings in input order within the collection
  CHECK(fs[0].subject == "S4");
  CHECK(fs[0].field == "start");
  CHECK(fs[0].value == "2025-03-20");
  CHECK(fs[0].message == "stays[1] (id \"S4\"): field \"start\" = \"2025-03-20\" overlaps stay \"S3\" (stays[3], "
                         "2025-03-11 to 2025-03-31) of resident \"R1\": a resident's next stay starts on or after the "
                         "previous one's end date");
  CHECK(fs[1].index == 5);
  CHECK(fs[1].subject == "S6");
  CHECK(fs[1].message.find("overlaps stay \"S5\" (stays[4], from 2025-05-01, not ended)") != std::string::npos);

  const auto& c = b.counts()[static_cast<std::size_t>(Collection::stays)];
  CHECK(c.read == 7);
  CHECK(c.accepted == 5);
  CHECK(c.rejected == 2);
  CHECK(b.total_counts().rejected == 2);

  REQUIRE(p.stays.size() == 5);
  CHECK(p.stays.offsets.size() == p.residents.size() + 1);
  const auto r1 = p.stays_of(*p.residents.ids.find("R1"));
  REQUIRE(r1.size() == 4);
  std::vector<std::string> ids;
  for (Index i = r1.begin; i < r1.end; ++i) ids.push_back(p.stay_ids.name(p.stays.id[i]));
  CHECK(ids == std::vector<std::string>{"S1", "S2", "S3", "S5"});
  CHECK_FALSE(p.stay_ids.contains("S4"));
  CHECK(p.stays_of(*p.residents.ids.find("R2")).size() == 1);
}

TEST_CASE("builder: events come out sorted by subject kind, subject and date, with offsets per kind") {
  PopulationBuilder b;
  base(b);
  b.reserve_events(16);
  // Out of order in the input, across subjects and kinds; E4 and E3 share a date and come out by id, not in
  // the order the file lists them, so that a shuffled file gives the same result.
  CHECK(b.add(event("E1", "2025-03-01", SubjectKind::resident, "R2", Activity::care_plan), 0));
  CHECK(b.add(event("E2", "2025-02-01", SubjectKind::home, "H1", Activity::clinic_visit), 1));
  CHECK(b.add(event("E4", "2025-02-15", SubjectKind::resident, "R1", Activity::care_plan), 2));
  CHECK(b.add(event("E3", "2025-02-15", SubjectKind::resident, "R1", Activity::gp_review), 3));
  CHECK(b.add(event("E5", "2025-01-01", SubjectKind::resident, "R1", Activity::holistic_assessment), 4));
  CHECK(b.add(event("E6", "2024-06-01", SubjectKind::clinician, "N1", Activity::mca_training), 5));
  CHECK(b.add(event("E7", "2025-01-01", SubjectKind::home, "H1", Activity::manager_meeting), 6));
  CHECK(b.add(event("E8", "2025-01-05", SubjectKind::resident, "R2", Activity::care_plan), 7));
  const Population p = b.finish();

  const auto ids_of = [&p](SubjectKind kind, std::string_view subject) {
    const Index s = subject_index(p, kind, subject);
    std::vector<std::string> out;
    const auto range = p.events_of(kind, s);
    for (Index i = range.begin; i < range.end; ++i) {
      CHECK(p.events.subject_kind[i] == kind);
      CHECK(p.events.subject[i] == s);
      out.emplace_back(p.event_ids.name(p.events.id[i]));
    }
    return out;
  };
  CHECK(ids_of(SubjectKind::resident, "R1") == std::vector<std::string>{"E5", "E3", "E4"});
  CHECK(ids_of(SubjectKind::resident, "R2") == std::vector<std::string>{"E8", "E1"});
  CHECK(ids_of(SubjectKind::home, "H1") == std::vector<std::string>{"E7", "E2"});
  CHECK(ids_of(SubjectKind::home, "H2").empty());
  CHECK(ids_of(SubjectKind::clinician, "N1") == std::vector<std::string>{"E6"});
  CHECK(ids_of(SubjectKind::clinician, "C1").empty());
  for (std::size_t k = 0; k < 4; ++k) {
    const auto kind = static_cast<SubjectKind>(k);
    CHECK(p.events.offsets[k].size() == p.subject_count(kind) + 1);
  }
  CHECK(p.events.offsets[0].front() == 0);
  CHECK(p.events.offsets[3].back() == p.events.size());
  // Columns stay aligned through the sort.
  const auto e5 = p.events_of(SubjectKind::resident, *p.residents.ids.find("R1")).begin;
  CHECK(p.events.activity[e5] == Activity::holistic_assessment);
  CHECK(p.events.date[e5] == d("2025-01-01"));
  CHECK(p.events.code[e5] == no_index);
}

TEST_CASE("builder: stays and admissions are sorted by resident and start") {
  PopulationBuilder b;
  base(b);
  CHECK(b.add(stay("S1", "R2", "H1", "2025-01-01"), 0));
  CHECK(b.add(stay("S2", "R1", "H1", "2025-02-01"), 1));
  CHECK(b.add(stay("S3", "R1", "H2", "2024-02-01", "2024-03-01"), 2));
  CHECK(b.add(AdmissionRecord{"A1", "R2", d("2025-03-01"), std::nullopt, AdmissionMethod::emergency}, 0));
  CHECK(b.add(AdmissionRecord{"A2", "R1", d("2025-06-01"), d("2025-06-03"), AdmissionMethod::emergency}, 1));
  CHECK(b.add(AdmissionRecord{"A3", "R1", d("2025-04-01"), d("2025-04-03"), AdmissionMethod::elective}, 2));
  const Population p = b.finish();
  const Index r1 = *p.residents.ids.find("R1");
  const auto s = p.stays_of(r1);
  REQUIRE(s.size() == 2);
  CHECK(p.stay_ids.name(p.stays.id[s.begin]) == "S3");
  CHECK(p.stays.home[s.begin] == *p.homes.ids.find("H2"));
  CHECK(p.stays.end[s.begin] == d("2024-03-01"));
  const auto a = p.admissions_of(r1);
  REQUIRE(a.size() == 2);
  CHECK(p.admission_ids.name(p.admissions.id[a.begin]) == "A3");
  CHECK(p.admissions.method[a.begin] == AdmissionMethod::elective);
  CHECK(p.admissions.offsets.size() == p.residents.size() + 1);
  CHECK(p.admissions_of(*p.residents.ids.find("R2")).size() == 1);
}

TEST_CASE("builder: reject() counts a record a front end could not read") {
  PopulationBuilder b;
  b.reject(Collection::homes, 4, "H7", "beds", "\"many\"", "must be a whole number, not a string", true);
  b.reject(Collection::events, 2, "", "", "42", "is a number, not an object: 42", true);
  REQUIRE(b.findings().size() == 2);
  CHECK(b.findings()[0].message == "homes[4] (id \"H7\"): field \"beds\" = \"many\" must be a whole number, not a string");
  CHECK(b.findings()[1].subject == "#2");
  CHECK(b.findings()[1].message == "events[2] is a number, not an object: 42");
  CHECK(b.total_counts().read == 2);
  CHECK(b.total_counts().rejected == 2);
  CHECK(b.total_counts().accepted == 0);
}

TEST_CASE("builder: append_event adds a validated event listed per subject in date order") {
  PopulationBuilder b;
  base(b);
  CHECK(b.add(event("E1", "2025-01-20", SubjectKind::resident, "R1", Activity::care_plan), 0));
  Population p = b.finish();
  const Index r1 = *p.residents.ids.find("R1");
  const auto before = p.events_of(SubjectKind::resident, r1);

  auto e2 = event("E2", "2025-03-01", SubjectKind::resident, "R1", Activity::gp_review);
  e2.performer = "C1";
  const Index row2 = append_event(p, e2);
  const Index row3 = append_event(p, event("E3", "2025-02-01", SubjectKind::resident, "R1", std::nullopt, "12345"));
  const Index row4 = append_event(p, event("E4", "2025-03-01", SubjectKind::resident, "R1", Activity::care_plan));
  const Index row5 = append_event(p, event("E5", "2025-02-02", SubjectKind::home, "H1", Activity::clinic_visit));
  CHECK(row2 == 1);
  CHECK(p.events.performer[row2] == *p.clinicians.ids.find("C1"));
  CHECK(p.events.code[row3] == *p.codes.find("12345"));

  const auto appended = p.appended_events_of(SubjectKind::resident, r1);
  CHECK(std::vector<Index>(appended.begin(), appended.end()) == std::vector<Index>{row3, row2, row4});
  const auto home = p.appended_events_of(SubjectKind::home, *p.homes.ids.find("H1"));
  CHECK(std::vector<Index>(home.begin(), home.end()) == std::vector<Index>{row5});
  CHECK(p.appended_events_of(SubjectKind::resident, *p.residents.ids.find("R2")).empty());
  // The built rows are untouched.
  CHECK(p.events_of(SubjectKind::resident, r1).begin == before.begin);
  CHECK(p.events_of(SubjectKind::resident, r1).end == before.end);

  // A bad record throws InputError naming the field and value, and adds nothing.
  const auto rows = p.events.size();
  try {
    append_event(p, event("E6", "2025-03-01", SubjectKind::resident, "R9", Activity::care_plan));
    FAIL("expected InputError");
  } catch (const InputError& e) {
    CHECK(e.collection() == "events");
    CHECK(e.id() == "E6");
    CHECK(e.field() == "resident");
    CHECK(e.value() == "R9");
    CHECK(std::string(e.what()) ==
          "event (id \"E6\"): field \"resident\" = \"R9\" is not a known resident (no such id in residents)");
  }
  CHECK_THROWS_AS(append_event(p, event("E1", "2025-03-01", SubjectKind::resident, "R1", Activity::care_plan)),
                  InputError);
  CHECK_THROWS_AS(append_event(p, event("E7", "2025-03-01", SubjectKind::resident, "R1", Activity::clinic_visit)),
                  InputError);
  CHECK_THROWS_AS(append_event(p, event("", "2025-03-01", SubjectKind::resident, "R1", Activity::care_plan)),
                  InputError);
  CHECK(p.events.size() == rows);
  CHECK_FALSE(p.event_ids.contains("E6"));
}

TEST_CASE("builder: find_id gives accepted rows, and an event's row hints are used only when they hold its ids") {
  PopulationBuilder b;
  base(b);
  REQUIRE_FALSE(b.add(resident_of_unknown_practice(), 2));
  const Index r1 = *b.find_id(Collection::residents, "R1");
  const Index r2 = *b.find_id(Collection::residents, "R2");
  CHECK(r1 != r2);
  const Index n1 = *b.find_id(Collection::clinicians, "N1");
  CHECK(b.find_id(Collection::clinicians, "C1") != n1);
  CHECK(b.find_id(Collection::homes, "H2").has_value());
  CHECK(b.find_id(Collection::practices, "P2").has_value());
  CHECK_FALSE(b.find_id(Collection::residents, "R3").has_value());  // rejected
  CHECK_FALSE(b.find_id(Collection::residents, "R9").has_value());  // unknown
  CHECK_FALSE(b.find_id(Collection::events, "R1").has_value());

  // A right hint, a hint naming another resident, a hint out of range: each event is its text's resident.
  EventRecord right = event("E1", "2025-01-20", SubjectKind::resident, "R1", Activity::care_plan);
  right.subject_row = r1;
  right.performer = "N1";
  right.performer_row = n1;
  EventRecord wrong = event("E2", "2025-01-21", SubjectKind::resident, "R2", Activity::care_plan);
  wrong.subject_row = r1;
  wrong.performer = "C1";
  wrong.performer_row = n1;
  EventRecord outside = event("E3", "2025-01-22", SubjectKind::resident, "R1", Activity::care_plan);
  outside.subject_row = 1000;
  // A hint cannot make an unknown or rejected id known.
  EventRecord unknown = event("E4", "2025-01-23", SubjectKind::resident, "R3", Activity::care_plan);
  unknown.subject_row = r1;
  CHECK(b.add(right, 0));
  CHECK(b.add(wrong, 1));
  CHECK(b.add(outside, 2));
  CHECK_FALSE(b.add(unknown, 3));
  const Finding* f = find(b.findings(), "events", 3);
  REQUIRE(f);
  CHECK(f->message == "events[3] (id \"E4\"): field \"resident\" = \"R3\" names a resident that was rejected (residents[2])");

  const Population p = b.finish();
  REQUIRE(p.events.size() == 3);
  auto row_of = [&](std::string_view id) {
    for (Index row = 0; row < p.events.size(); ++row)
      if (p.event_ids.name(p.events.id[row]) == id) return row;
    FAIL("no event " << id);
    return no_index;
  };
  CHECK(p.residents.ids.name(p.events.subject[row_of("E1")]) == "R1");
  CHECK(p.clinicians.ids.name(p.events.performer[row_of("E1")]) == "N1");
  CHECK(p.residents.ids.name(p.events.subject[row_of("E2")]) == "R2");
  CHECK(p.clinicians.ids.name(p.events.performer[row_of("E2")]) == "C1");
  CHECK(p.residents.ids.name(p.events.subject[row_of("E3")]) == "R1");
}
