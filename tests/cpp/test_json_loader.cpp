// The population JSON loader (carerules.population/1): field by field, every bad record rejected with its
// collection, index, id, field and value while the rest loads; malformed JSON by line and column.
#include "carerules/io/json_loader.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
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

const InputCounts& counts(const LoadedPopulation& l, Collection c) { return l.counts[static_cast<std::size_t>(c)]; }

// The example of DESIGN.md, verbatim.
constexpr const char* design_example = R"({
  "format": "carerules.population/1",
  "practices":  [{"id": "P1", "name": "Park Surgery", "list_size": 9500}],
  "homes":      [{"id": "H1", "name": "Oak Lodge", "kind": "nursing", "beds": 42, "practice": "P1", "lead_gp": "C1"}],
  "clinicians": [{"id": "C1", "practice": "P1", "role": "gp", "qualifications": []}],
  "residents":  [{"id": "R1", "born": "1931-05-02", "practice": "P1", "declined_aligned_practice": false,
                  "cohort": {"reason": "care_home", "from": "2015-04-01"}, "risk_score": 0.42}],
  "stays":      [{"id": "S1", "resident": "R1", "home": "H1", "start": "2025-01-10", "end": null,
                  "residency": "permanent", "end_reason": null}],
  "admissions": [{"id": "A1", "resident": "R1", "start": "2025-03-01", "end": "2025-03-05", "method": "emergency"}],
  "events":     [{"id": "E1", "date": "2025-01-20", "resident": "R1", "activity": "care_plan", "performer": "C1"},
                 {"id": "E2", "date": "2025-01-21", "home": "H1", "code": "889311000000109"},
                 {"id": "E3", "date": "2024-06-01", "clinician": "C1", "activity": "safeguarding_training"}]
})";

// Checks one rejection: where it is, what it names, and that it is an invalid-record error.
void check_rejected(const LoadedPopulation& l, std::string_view collection, std::int64_t index, std::string_view id,
                    std::string_view field, std::string_view value) {
  INFO(collection, "[", index, "]");
  const Finding* f = find(l.findings, collection, index);
  REQUIRE(f != nullptr);
  CHECK(f->code == "invalid-record");
  CHECK(f->severity == Severity::error);
  CHECK(f->subject_kind == collection);
  CHECK(f->subject == (id.empty() ? "#" + std::to_string(index) : std::string(id)));
  CHECK(f->field == field);
  CHECK(f->value == value);
  // The message names the record and the field.
  CHECK(f->message.find(std::string(collection) + "[" + std::to_string(index) + "]") == 0);
  if (!field.empty()) CHECK(f->message.find("field \"" + std::string(field) + "\"") != std::string::npos);
}

ParseError parse_error_of(std::string_view text) {
  try {
    load_population_json(text, "pop.json");
  } catch (const ParseError& e) {
    return e;
  }
  FAIL("expected a ParseError");
  return ParseError("", 0, 0, "");
}

}  // namespace

TEST_CASE("loader: the DESIGN.md example loads whole") {
  const LoadedPopulation l = load_population_json(design_example);
  CHECK(l.findings.empty());
  CHECK(l.total.read == 9);
  CHECK(l.total.accepted == 9);
  CHECK(l.total.rejected == 0);
  CHECK(counts(l, Collection::events).accepted == 3);
  const Population& p = l.population;
  CHECK(p.practices.name[0] == "Park Surgery");
  CHECK(p.practices.list_size[0] == 9500);
  CHECK(p.homes.kind[0] == "nursing");
  CHECK(p.homes.beds[0] == 42);
  CHECK(p.homes.practice[0] == 0);
  CHECK(p.homes.lead_gp[0] == 0);
  CHECK(p.clinicians.role[0] == Role::gp);
  CHECK(p.clinicians.qualifications[0] == 0);
  CHECK(p.residents.born[0] == d("1931-05-02"));
  CHECK(p.residents.declined_aligned_practice[0] == 0);
  CHECK(p.residents.cohort_reason[0] == CohortReason::care_home);
  CHECK(p.residents.cohort_from[0] == d("2015-04-01"));
  CHECK(p.residents.risk_score[0] == doctest::Approx(0.42));
  CHECK(p.stays.start[0] == d("2025-01-10"));
  CHECK(p.stays.end[0] == no_date);
  CHECK(p.stays.residency[0] == Residency::permanent);
  CHECK(p.stays.end_reason[0] == EndReason::none);
  CHECK(p.admissions.end[0] == d("2025-03-05"));
  CHECK(p.admissions.method[0] == AdmissionMethod::emergency);
  const auto r1 = p.events_of(SubjectKind::resident, 0);
  REQUIRE(r1.size() == 1);
  CHECK(p.events.activity[r1.begin] == Activity::care_plan);
  CHECK(p.events.performer[r1.begin] == 0);
  const auto h1 = p.events_of(SubjectKind::home, 0);
  REQUIRE(h1.size() == 1);
  CHECK(p.events.activity[h1.begin] == Activity::none);
  CHECK(p.codes.name(p.events.code[h1.begin]) == "889311000000109");
  CHECK(p.events.system[h1.begin] == CodeSystem::snomed);
  CHECK(p.events.performer[h1.begin] == no_index);
  CHECK(p.events_of(SubjectKind::clinician, 0).size() == 1);
}

TEST_CASE("loader: each bad record is rejected with collection, index, id, field and value; the rest loads") {
  const char* text = R"({
  "format": "carerules.population/1",
  "practices": [
    {"id": "P1", "name": "Park Surgery", "list_size": 9500},
    {"id": "P2", "list_size": -3},
    {"id": "P3", "list_size": "large"},
    {"id": "P1"},
    {"name": "no id"},
    {"id": 7}
  ],
  "clinicians": [
    {"id": "C1", "practice": "P1", "role": "gp"},
    {"id": "C2", "practice": "P1", "role": "doctor"},
    {"id": "C3", "practice": "P2", "role": "nurse"},
    {"id": "N1", "practice": "P1", "role": "nurse", "qualifications": ["district-nurse-pgdip", "phd"]},
    {"id": "N2", "practice": "P1", "role": "nurse", "qualifications": "district-nurse-pgdip"},
    {"id": "N3", "practice": "P1", "role": "nurse", "qualifications": ["gpn-specialist-practitioner", "district-nurse-pgdip"]}
  ],
  "homes": [
    {"id": "H1", "name": "Oak Lodge", "beds": 42, "practice": "P1", "lead_gp": "C1"},
    {"id": "H2", "name": "Elm House", "beds": "42"},
    {"id": "H3", "name": "Ash Court", "practice": "P9"},
    {"id": "H4", "name": "Yew Court", "lead_gp": "C2"},
    {"id": "H5", "beds": 10},
    {"id": "H6", "name": "Fir Court", "beds": 12.5}
  ],
  "residents": [
    {"id": "R1", "born": "1931-05-02", "practice": "P1"},
    {"id": "R2", "born": "1931-02-30", "practice": "P1"},
    {"id": "R3", "born": "1940-01-01", "practice": "P1", "cohort": {"reason": "frailty", "from": "2020-01-01"}},
    {"id": "R4", "born": "1940-01-01", "practice": "P1", "declined_aligned_practice": "no"},
    {"id": "R5", "born": "1940-01-01", "practice": "P1", "risk_score": 2},
    {"id": "R6", "born": "1940-01-01"},
    {"id": "R7", "born": "1940-01-01", "practice": "P1", "cohort": {"reason": "risk_tool"}},
    {"id": "R8", "born": "1940-01-01", "practice": "P1", "cohort": "care_home"}
  ],
  "stays": [
    {"id": "S1", "resident": "R1", "home": "H1", "start": "2025-01-10", "residency": "permanent"},
    {"id": "S2", "resident": "R2", "home": "H1", "start": "2025-01-10", "residency": "permanent"},
    {"id": "S3", "resident": "R9", "home": "H1", "start": "2025-01-10", "residency": "permanent"},
    {"id": "S4", "resident": "R1", "home": "H1", "start": "2025-01-10", "residency": "respite"},
    {"id": "S5", "resident": "R1", "home": "H1", "start": "2025-03-01", "end": "2025-02-01", "residency": "temporary"},
    {"id": "S6", "resident": "R1", "home": "H1", "start": "2025-02-01", "residency": "temporary"},
    {"id": "S7", "resident": "R1", "home": "H1", "start": "2026-01-01", "residency": "temporary", "end_reason": "moved"},
    {"id": "S8", "resident": "R1", "start": "2026-01-01", "residency": "temporary"}
  ],
  "admissions": [
    {"id": "A1", "resident": "R1", "start": "2025-03-01", "end": "2025-03-05", "method": "emergency"},
    {"id": "A2", "resident": "R1", "start": "2025-03-05", "end": "2025-03-01", "method": "emergency"},
    {"id": "A3", "resident": "R1", "start": "2025-04-01", "method": "urgent"}
  ],
  "events": [
    {"id": "E1", "date": "2025-01-20", "resident": "R1", "activity": "care_plan", "performer": "C1"},
    {"id": "E2", "date": "2025-01-20", "resident": "R1", "clinician": "C1", "activity": "care_plan"},
    {"id": "E3", "date": "2025-01-20", "activity": "care_plan"},
    {"id": "E4", "date": "2025-01-20", "resident": "R1"},
    {"id": "E5", "date": "2025-01-20", "resident": "R1", "activity": "tea_party"},
    {"id": "E6", "date": "2025-01-20", "resident": "R1", "code": 1234},
    {"id": "E7", "date": "2025-01-20", "resident": "R1", "code": "1234", "system": "icd10"},
    {"id": "E8", "date": "2025-01-20", "home": "H1", "activity": "clinic_visit", "performer": "C2"},
    {"id": "E9", "date": "20/01/2025", "home": "H1", "activity": "clinic_visit"},
    "E10",
    {"id": "E11", "date": "2025-01-21", "resident": "R1", "activity": "gp_review"},
    {"id": "E12", "date": "2025-01-21", "resident": "R1", "activity": "clinic_visit"}
  ]
})";
  const LoadedPopulation l = load_population_json(text);

  check_rejected(l, "practices", 1, "P2", "list_size", "-3");
  check_rejected(l, "practices", 2, "P3", "list_size", "large");
  check_rejected(l, "practices", 3, "P1", "id", "P1");
  check_rejected(l, "practices", 4, "", "id", "");
  check_rejected(l, "practices", 5, "", "id", "7");
  check_rejected(l, "clinicians", 1, "C2", "role", "doctor");
  check_rejected(l, "clinicians", 2, "C3", "practice", "P2");  // P2 was rejected
  check_rejected(l, "clinicians", 3, "N1", "qualifications", "phd");
  check_rejected(l, "clinicians", 4, "N2", "qualifications", "district-nurse-pgdip");
  check_rejected(l, "homes", 1, "H2", "beds", "42");
  check_rejected(l, "homes", 2, "H3", "practice", "P9");
  check_rejected(l, "homes", 3, "H4", "lead_gp", "C2");
  check_rejected(l, "homes", 4, "H5", "name", "");
  check_rejected(l, "homes", 5, "H6", "beds", "12.5");
  check_rejected(l, "residents", 1, "R2", "born", "1931-02-30");
  check_rejected(l, "residents", 2, "R3", "cohort.reason", "frailty");
  check_rejected(l, "residents", 3, "R4", "declined_aligned_practice", "no");
  check_rejected(l, "residents", 4, "R5", "risk_score", "2");
  check_rejected(l, "residents", 5, "R6", "practice", "");
  check_rejected(l, "residents", 6, "R7", "cohort.from", "");
  check_rejected(l, "residents", 7, "R8", "cohort", "care_home");
  check_rejected(l, "stays", 1, "S2", "resident", "R2");
  check_rejected(l, "stays", 2, "S3", "resident", "R9");
  check_rejected(l, "stays", 3, "S4", "residency", "respite");
  check_rejected(l, "stays", 4, "S5", "end", "2025-02-01");
  check_rejected(l, "stays", 5, "S6", "start", "2025-02-01");  // overlaps the open S1
  check_rejected(l, "stays", 6, "S7", "end_reason", "moved");
  check_rejected(l, "stays", 7, "S8", "home", "");
  check_rejected(l, "admissions", 1, "A2", "end", "2025-03-01");
  check_rejected(l, "admissions", 2, "A3", "method", "urgent");
  check_rejected(l, "events", 1, "E2", "clinician", "C1");
  check_rejected(l, "events", 2, "E3", "subject", "");
  check_rejected(l, "events", 3, "E4", "activity", "");
  check_rejected(l, "events", 4, "E5", "activity", "tea_party");
  check_rejected(l, "events", 5, "E6", "code", "1234");
  check_rejected(l, "events", 6, "E7", "system", "icd10");
  check_rejected(l, "events", 7, "E8", "performer", "C2");
  check_rejected(l, "events", 8, "E9", "date", "20/01/2025");
  check_rejected(l, "events", 9, "", "", "\"E10\"");
  check_rejected(l, "events", 11, "E12", "activity", "clinic_visit");

  // The messages a person reads.
  const auto message = [&l](std::string_view c, std::int64_t i) { return find(l.findings, c, i)->message; };
  CHECK(message("practices", 2) ==
        "practices[2] (id \"P3\"): field \"list_size\" = \"large\" must be a whole number, not a string");
  CHECK(message("practices", 5) == "practices[5]: field \"id\" = 7 must be a string, not a number");
  CHECK(message("clinicians", 1) ==
        "clinicians[1] (id \"C2\"): field \"role\" = \"doctor\" is not one of gp, nurse, pharmacist, other");
  CHECK(message("clinicians", 2) ==
        "clinicians[2] (id \"C3\"): field \"practice\" = \"P2\" names a practice that was rejected (practices[1])");
  CHECK(message("homes", 4) == "homes[4] (id \"H5\"): field \"name\" is missing: it is required");
  CHECK(message("residents", 1) ==
        "residents[1] (id \"R2\"): field \"born\" = \"1931-02-30\" is not a date that exists, in the form YYYY-MM-DD");
  CHECK(message("residents", 3) ==
        "residents[3] (id \"R4\"): field \"declined_aligned_practice\" = \"no\" must be true or false, not a string");
  CHECK(message("stays", 3) ==
        "stays[3] (id \"S4\"): field \"residency\" = \"respite\" is not one of permanent, temporary");
  CHECK(message("admissions", 2) ==
        "admissions[2] (id \"A3\"): field \"method\" = \"urgent\" is not one of emergency, elective");
  CHECK(message("events", 1) == "events[1] (id \"E2\"): field \"clinician\" = \"C1\" is given as well as resident \"R1\": "
                                "an event names exactly one of \"resident\", \"home\" or \"clinician\"");
  CHECK(message("events", 2) == "events[2] (id \"E3\"): field \"subject\" is missing: an event names exactly one of "
                                "\"resident\", \"home\" or \"clinician\"");
  CHECK(message("events", 5) == "events[5] (id \"E6\"): field \"code\" = 1234 must be a string, not a number");
  CHECK(message("events", 9) == "events[9] is a string, not an object: \"E10\"");
  CHECK(message("stays", 5).find("overlaps stay \"S1\" (stays[0], from 2025-01-10, not ended)") != std::string::npos);

  // Every rejected record has exactly one finding, in collection order then index.
  CHECK(l.findings.size() == l.total.rejected);
  for (std::size_t i = 1; i < l.findings.size(); ++i) {
    const auto a = collection_from_string(l.findings[i - 1].collection);
    const auto b = collection_from_string(l.findings[i].collection);
    REQUIRE(a);
    REQUIRE(b);
    CHECK((*a < *b || (*a == *b && l.findings[i - 1].index < l.findings[i].index)));
  }

  // The rest is loaded.
  const Population& p = l.population;
  CHECK(p.practices.size() == 1);
  CHECK(p.clinicians.size() == 2);  // C1, N3
  CHECK(p.clinicians.qualifications[1] ==
        (static_cast<QualificationSet>(Qualification::gpn_specialist_practitioner) |
         static_cast<QualificationSet>(Qualification::district_nurse_pgdip)));
  CHECK(p.homes.size() == 1);
  CHECK(p.residents.size() == 1);
  CHECK(p.stays.size() == 1);
  CHECK(p.admissions.size() == 1);
  CHECK(p.events.size() == 2);  // E1, E11

  CHECK(counts(l, Collection::practices).read == 6);
  CHECK(counts(l, Collection::practices).accepted == 1);
  CHECK(counts(l, Collection::practices).rejected == 5);
  CHECK(counts(l, Collection::stays).read == 8);
  CHECK(counts(l, Collection::stays).accepted == 1);
  CHECK(counts(l, Collection::stays).rejected == 7);
  CHECK(counts(l, Collection::events).read == 12);
  CHECK(counts(l, Collection::events).accepted == 2);
  CHECK(counts(l, Collection::events).rejected == 10);
  CHECK(l.total.read == 6 + 6 + 6 + 8 + 8 + 3 + 12);
  CHECK(l.total.accepted == 1 + 2 + 1 + 1 + 1 + 1 + 2);
  CHECK(l.total.read == l.total.accepted + l.total.rejected);
}

TEST_CASE("loader: collections are read in dependency order whatever their order in the file") {
  const char* text = R"({
    "events": [{"id": "E1", "date": "2025-01-20", "resident": "R1", "activity": "care_plan", "performer": "C1"}],
    "stays": [{"id": "S1", "resident": "R1", "home": "H1", "start": "2025-01-10", "residency": "temporary"}],
    "residents": [{"id": "R1", "born": "1931-05-02", "practice": "P1"}],
    "homes": [{"id": "H1", "name": "Oak Lodge", "practice": "P1", "lead_gp": "C1"}],
    "clinicians": [{"id": "C1", "practice": "P1", "role": "gp"}],
    "practices": [{"id": "P1", "name": "Park Surgery"}],
    "format": "carerules.population/1"
  })";
  const LoadedPopulation l = load_population_json(text);
  CHECK(l.findings.empty());
  CHECK(l.total.accepted == 6);
  CHECK(l.population.stays.residency[0] == Residency::temporary);
}

TEST_CASE("loader: null means absent, unknown fields and keys are ignored, absent collections are empty") {
  const char* text = R"({
    "format": "carerules.population/1",
    "generated_by": {"tool": "extract", "rows": [1, 2, {"deep": [true, null]}]},
    "practices": [{"id": "P1", "name": null, "list_size": null, "ccg": "X", "extra": {"a": [1, {"b": 2}]}}],
    "clinicians": [{"id": "C1", "practice": "P1", "role": "nurse", "qualifications": null}],
    "homes": [{"id": "H1", "name": "Oak Lodge", "kind": null, "beds": null, "practice": null, "lead_gp": null}],
    "residents": [{"id": "R1", "born": "1931-05-02", "practice": "P1", "cohort": null, "risk_score": null,
                   "declined_aligned_practice": null, "nhs_number": 1234567890}],
    "stays": null,
    "events": [{"id": "E1", "date": "2025-01-20", "resident": "R1", "home": null, "clinician": null,
                "code": "1234", "activity": null, "system": null, "performer": null, "notes": ["x"]}]
  })";
  const LoadedPopulation l = load_population_json(text);
  CHECK(l.findings.empty());
  CHECK(l.total.read == 5);
  CHECK(l.total.accepted == 5);
  const Population& p = l.population;
  CHECK(p.practices.list_size[0] == -1);
  CHECK(p.homes.practice[0] == no_index);
  CHECK(p.homes.lead_gp[0] == no_index);
  CHECK(p.homes.beds[0] == -1);
  CHECK(p.residents.cohort_reason[0] == CohortReason::none);
  CHECK(p.residents.cohort_from[0] == no_date);
  CHECK(std::isnan(p.residents.risk_score[0]));
  CHECK(p.events.system[0] == CodeSystem::snomed);
  CHECK(p.stays.size() == 0);
  CHECK(p.stays.offsets.size() == 2);
  CHECK(p.admissions.offsets.size() == 2);
  CHECK(p.stays_of(0).empty());
}

TEST_CASE("loader: a collection that is not an array is reported and nothing of it read") {
  const char* text = R"({
    "format": "carerules.population/1",
    "practices": [{"id": "P1"}],
    "residents": {"R1": {"born": "1931-05-02", "practice": "P1"}},
    "stays": "none"
  })";
  const LoadedPopulation l = load_population_json(text, "x.json");
  REQUIRE(l.findings.size() == 2);
  CHECK(l.findings[0].collection == "residents");
  CHECK(l.findings[0].index == -1);
  CHECK(l.findings[0].code == "invalid-record");
  CHECK(l.findings[0].value == R"({"R1":{"born":"1931-05-02","practice":"P1"}})");
  CHECK(l.findings[0].message == R"(x.json: "residents" must be an array of records, not an object: )"
                                 R"({"R1":{"born":"1931-05-02","practice":"P1"}}; no residents were read)");
  CHECK(l.findings[1].collection == "stays");
  CHECK(l.findings[1].value == "\"none\"");
  CHECK(l.total.read == 1);
  CHECK(l.population.practices.size() == 1);
}

TEST_CASE("loader: events out of order in the file come out sorted per subject") {
  const char* text = R"({
    "format": "carerules.population/1",
    "practices": [{"id": "P1"}],
    "clinicians": [{"id": "C1", "practice": "P1", "role": "gp"}],
    "homes": [{"id": "H1", "name": "Oak Lodge", "practice": "P1"}],
    "residents": [{"id": "R1", "born": "1931-05-02", "practice": "P1"},
                  {"id": "R2", "born": "1935-01-01", "practice": "P1"}],
    "events": [
      {"id": "E1", "date": "2025-05-01", "resident": "R2", "activity": "care_plan"},
      {"id": "E2", "date": "2025-04-01", "home": "H1", "activity": "clinic_visit"},
      {"id": "E3", "date": "2025-03-01", "resident": "R1", "activity": "care_plan"},
      {"id": "E4", "date": "2025-01-01", "resident": "R2", "activity": "care_plan"},
      {"id": "E5", "date": "2025-02-01", "resident": "R1", "code": "X"},
      {"id": "E6", "date": "2025-03-01", "resident": "R1", "activity": "gp_review"},
      {"id": "E7", "date": "2025-01-01", "home": "H1", "activity": "manager_meeting"}
    ]
  })";
  const LoadedPopulation l = load_population_json(text);
  REQUIRE(l.findings.empty());
  const Population& p = l.population;
  const auto ids = [&p](SubjectKind kind, Index subject) {
    std::vector<std::string> out;
    const auto r = p.events_of(kind, subject);
    for (Index i = r.begin; i < r.end; ++i) out.emplace_back(p.event_ids.name(p.events.id[i]));
    return out;
  };
  CHECK(ids(SubjectKind::resident, 0) == std::vector<std::string>{"E5", "E3", "E6"});
  CHECK(ids(SubjectKind::resident, 1) == std::vector<std::string>{"E4", "E1"});
  CHECK(ids(SubjectKind::home, 0) == std::vector<std::string>{"E7", "E2"});
  CHECK(ids(SubjectKind::clinician, 0).empty());
  CHECK(p.events.offsets[static_cast<std::size_t>(SubjectKind::resident)].size() == 3);
  CHECK(p.events.offsets[static_cast<std::size_t>(SubjectKind::practice)].size() == 2);
}

TEST_CASE("loader: malformed JSON stops with the line and column of the first error") {
  SUBCASE("missing comma between records") {
    const auto e = parse_error_of("{\n  \"format\": \"carerules.population/1\",\n  \"practices\": [{\"id\": \"P1\"} {\"id\": \"P2\"}]\n}");
    CHECK(e.source() == "pop.json");
    CHECK(e.line() == 3);
    CHECK(e.column() == 30);
    CHECK(std::string(e.what()).rfind("pop.json:3:30: malformed JSON: syntax error", 0) == 0);
  }
  SUBCASE("error deep inside the events, after the other collections") {
    const auto e = parse_error_of(
        "{\"format\": \"carerules.population/1\",\n\"events\": [\n{\"id\": \"E1\", \"date\": 2025-01-01}\n],\n"
        "\"practices\": []}");
    CHECK(e.line() == 3);
    CHECK(e.column() == 27);
  }
  SUBCASE("an earlier error in a collection read later is the one reported") {
    // "events" comes first in the file but is read last; its error is still the first in the file.
    const auto e = parse_error_of(
        "{\"events\": [tru],\n \"practices\": [{\"id\": }], \"format\": \"carerules.population/1\"}");
    CHECK(e.line() == 1);
    CHECK(e.column() == 16);  // the "]" that shows "tru" is no literal
  }
  SUBCASE("unterminated string") {
    const auto e = parse_error_of("{\"format\": \"carerules.population/1\",\n\"practices\": [{\"id\": \"P1}]}\n");
    CHECK(e.line() == 2);
  }
  SUBCASE("trailing text after the document") {
    const auto e = parse_error_of("{\"format\": \"carerules.population/1\"}\nx");
    CHECK(e.line() == 2);
    CHECK(e.column() == 1);
  }
  SUBCASE("malformed JSON is reported before a missing format") {
    const auto e = parse_error_of("{\"practices\": [{\"id\": }]}");
    CHECK(e.line() == 1);
    CHECK(e.column() == 23);
  }
  SUBCASE("empty text") {
    const auto e = parse_error_of("");
    CHECK(e.line() == 1);
    CHECK(e.column() == 1);
  }
  SUBCASE("malformed value of an unknown top-level key") {
    const auto e = parse_error_of("{\"format\": \"carerules.population/1\",\n \"notes\": [1, 2,]}");
    CHECK(e.line() == 2);
    CHECK(e.column() == 17);
  }
  SUBCASE("a top-level key given twice") {
    const auto e = parse_error_of("{\"format\": \"carerules.population/1\",\n\"events\": [],\n\"events\": []}");
    CHECK(e.line() == 3);
    CHECK(e.column() == 1);
    CHECK(std::string(e.what()).find("\"events\" appears twice") != std::string::npos);
  }
}

TEST_CASE("loader: every truncation of a valid document is a ParseError, never a crash or a partial load") {
  const std::string full = design_example;
  for (std::size_t n = 0; n < full.size(); ++n) {
    INFO("prefix of ", n, " bytes");
    CHECK_THROWS_AS(load_population_json(std::string_view(full).substr(0, n)), ParseError);
  }
}

TEST_CASE("loader: the document must be an object of format carerules.population/1") {
  CHECK_THROWS_WITH_AS(load_population_json(R"({"practices": []})", "a.json"),
                       "a.json: \"format\" is missing: expected \"format\": \"carerules.population/1\"", InputError);
  CHECK_THROWS_WITH_AS(load_population_json(R"({"format": "carerules.population/2"})", "a.json"),
                       "a.json: \"format\" is \"carerules.population/2\": expected \"format\": "
                       "\"carerules.population/1\" (this version reads only that format)",
                       InputError);
  CHECK_THROWS_AS(load_population_json(R"({"format": 1})"), InputError);
  CHECK_THROWS_AS(load_population_json(R"([{"format": "carerules.population/1"}])"), InputError);
  try {
    load_population_json(R"({"format": "v2"})");
    FAIL("expected InputError");
  } catch (const InputError& e) {
    CHECK(e.field() == "format");
    CHECK(e.value() == "v2");
  }
  // A byte order mark and an empty object with the format are fine.
  const auto l = load_population_json("\xEF\xBB\xBF{\"format\": \"carerules.population/1\"}");
  CHECK(l.total.read == 0);
  CHECK(l.population.events.offsets[0].size() == 1);
}

TEST_CASE("loader: numbers: whole numbers may be written 42.0; fractions and huge values are rejected") {
  const char* text = R"({"format": "carerules.population/1", "practices": [
    {"id": "P1", "list_size": 9500.0},
    {"id": "P2", "list_size": 18446744073709551615},
    {"id": "P3", "list_size": true}
  ], "homes": [{"id": "H1", "name": "Big", "beds": 3000000000}],
  "residents": [{"id": "R1", "born": "1931-05-02", "practice": "P1", "risk_score": 0},
                {"id": "R2", "born": "1931-05-02", "practice": "P1", "risk_score": -0.1},
                {"id": "R3", "born": 1931, "practice": "P1"}]})";
  const auto l = load_population_json(text);
  CHECK(l.population.practices.list_size[0] == 9500);
  check_rejected(l, "practices", 1, "P2", "list_size", "18446744073709551615");
  check_rejected(l, "practices", 2, "P3", "list_size", "true");
  check_rejected(l, "homes", 0, "H1", "beds", "3000000000");
  CHECK(l.population.residents.risk_score[0] == 0.0);
  check_rejected(l, "residents", 1, "R2", "risk_score", "-0.1");
  check_rejected(l, "residents", 2, "R3", "born", "1931");
  CHECK(find(l.findings, "residents", 2)->message ==
        "residents[2] (id \"R3\"): field \"born\" = 1931 must be a date string (YYYY-MM-DD), not a number");
}

TEST_CASE("loader: a file is read from disk, and an unreadable path is named") {
  const std::string path = "carerules_test_population.json";
  {
    std::ofstream out(path, std::ios::binary);
    out << design_example;
  }
  const auto l = load_population_file(path);
  CHECK(l.total.accepted == 9);
  std::remove(path.c_str());
  CHECK_THROWS_WITH_AS(load_population_file("/nonexistent/pop.json"),
                       "cannot read population file /nonexistent/pop.json", std::runtime_error);
  CHECK_THROWS_AS(load_population_file("/"), std::runtime_error);
  // A malformed file names itself in the error.
  {
    std::ofstream out(path, std::ios::binary);
    out << "{\n\"format\": }";
  }
  try {
    load_population_file(path);
    FAIL("expected ParseError");
  } catch (const ParseError& e) {
    CHECK(e.source() == path);
    CHECK(e.line() == 2);
    CHECK(e.column() == 11);
  }
  std::remove(path.c_str());
}

TEST_CASE("loader: a field given twice in a record rejects the record") {
  const LoadedPopulation l = load_population_json(
      R"({"format": "carerules.population/1", "practices": [{"id": "P1", "name": "a", "name": "b"}, {"id": "P2", "name": "c"}]})");
  CHECK(counts(l, Collection::practices).rejected == 1);
  CHECK(l.population.practices.size() == 1);
  REQUIRE(l.findings.size() == 1);
  CHECK(l.findings[0].message == "practices[0] (id \"P1\"): field \"name\" appears twice in the record: give each field once");
}

TEST_CASE("loader: invalid UTF-8 is a ParseError whose message is valid UTF-8 (the byte written as \\xff)") {
  const std::string text = "{\"format\": \"carerules.population/1\", \"practices\": [{\"id\": \"P\xff\"}]}";
  try {
    load_population_json(text, "pop.json");
    FAIL("no ParseError");
  } catch (const ParseError& e) {
    const std::string what = e.what();
    CHECK(what.find("\\xff") != std::string::npos);
    CHECK(what.find('\xff') == std::string::npos);
  }
}
