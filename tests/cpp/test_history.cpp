// The population's dated history and networks (DESIGN.md "History", "ehch-des"): networks, registrations,
// alignments, participations, practices' networks, homes' clinical leads and CQC locations, residents' dates of
// death and the home an event names beside its resident; how each is validated, stored and read on a day.
#include "carerules/io/json_loader.hpp"
#include "carerules/model/population_builder.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace carerules;
using carerules::test::d;

namespace {

// Practices P1, P2 (network N1), P3 (no network); home H1 aligned to P1, H2 not aligned; GP C1 of P1; resident R1
// (registered with P1), R2 (died 2026-02-03).
std::string population(const std::string& extra) {
  return R"({"format": "carerules.population/1",
  "networks": [{"id": "N1", "name": "North PCN"}, {"id": "N2", "name": "South PCN"}],
  "practices": [{"id": "P1", "network": "N1"}, {"id": "P2", "network": "N2"}, {"id": "P3"}],
  "clinicians": [{"id": "C1", "practice": "P1", "role": "gp"}],
  "homes": [{"id": "H1", "name": "Oak Lodge", "practice": "P1", "lead_gp": "C1", "clinical_lead": "C1",
             "cqc_location": "1-123456789"},
            {"id": "H2", "name": "Elm House"}],
  "residents": [{"id": "R1", "born": "1931-05-02", "practice": "P1"},
                {"id": "R2", "born": "1935-01-01", "practice": "P1", "died": "2026-02-03"}])" +
         extra + "}";
}

LoadedPopulation load(const std::string& extra) { return load_population_json(population(extra), "population.json"); }

std::vector<std::string> messages(const LoadedPopulation& l, std::string_view collection) {
  std::vector<std::string> out;
  for (const Finding& f : l.findings)
    if (f.collection == collection) out.push_back(f.message);
  return out;
}

const InputCounts& counts(const LoadedPopulation& l, Collection c) { return l.counts[static_cast<std::size_t>(c)]; }

Index row(const Interner& ids, std::string_view id) {
  const auto at = ids.find(id);
  REQUIRE(at.has_value());
  return *at;
}

}  // namespace

TEST_CASE("a population without the history reads its undated fields on every day") {
  const auto l = load("");
  const Population& p = l.population;
  CHECK(l.findings.empty());
  const Index r1 = row(p.residents.ids, "R1");
  const Index h1 = row(p.homes.ids, "H1");
  const Index h2 = row(p.homes.ids, "H2");
  const Index p1 = row(p.practices.ids, "P1");
  CHECK(practice_on(p, r1, d("1990-01-01")) == p1);
  CHECK(practice_on(p, r1, d("2030-01-01")) == p1);
  CHECK(aligned_practice_on(p, h1, d("2000-01-01")) == p1);
  CHECK(aligned_practice_on(p, h2, d("2025-01-01")) == no_index);
  // No participation recorded: from the scheme's start, in any scheme.
  CHECK_FALSE(takes_part_on(p, p1, "care-homes-es", d("2015-03-31"), d("2015-04-01")));
  CHECK(takes_part_on(p, p1, "care-homes-es", d("2015-04-01"), d("2015-04-01")));
  CHECK(takes_part_on(p, p1, "ehch-des", d("2020-10-01"), d("2020-10-01")));
  CHECK(network_on(p, h1, d("2025-01-01")) == row(p.networks.ids, "N1"));
  CHECK(network_on(p, h2, d("2025-01-01")) == no_index);
  CHECK(p.registrations.size() == 0);
  CHECK(p.registrations_of(r1).empty());
  CHECK(p.events.home.empty());
}

TEST_CASE("networks, clinical leads, CQC locations and dates of death are stored") {
  const auto l = load("");
  const Population& p = l.population;
  CHECK(counts(l, Collection::networks).accepted == 2);
  CHECK(p.networks.name[row(p.networks.ids, "N1")] == "North PCN");
  CHECK(p.practices.network[row(p.practices.ids, "P2")] == row(p.networks.ids, "N2"));
  CHECK(p.practices.network[row(p.practices.ids, "P3")] == no_index);
  const Index h1 = row(p.homes.ids, "H1");
  CHECK(p.homes.clinical_lead[h1] == row(p.clinicians.ids, "C1"));
  CHECK(p.homes.cqc_location[h1] == "1-123456789");
  CHECK(p.homes.clinical_lead[row(p.homes.ids, "H2")] == no_index);
  CHECK(p.homes.cqc_location[row(p.homes.ids, "H2")].empty());
  CHECK(p.residents.died[row(p.residents.ids, "R2")] == d("2026-02-03"));
  CHECK(p.residents.died[row(p.residents.ids, "R1")] == no_date);
}

TEST_CASE("a resident's practice on a day comes from their registrations, sorted whatever the file's order") {
  const auto l = load(R"(, "registrations": [
      {"id": "G2", "resident": "R1", "practice": "P2", "start": "2025-07-01", "end": null},
      {"id": "G1", "resident": "R1", "practice": "P1", "start": "2019-05-01", "end": "2025-06-20"}])");
  const Population& p = l.population;
  REQUIRE(l.findings.empty());
  const Index r1 = row(p.residents.ids, "R1");
  const auto range = p.registrations_of(r1);
  REQUIRE(range.size() == 2);
  CHECK(p.registration_ids.name(p.registrations.id[range.begin]) == "G1");
  CHECK(p.registrations.start[range.begin + 1] == d("2025-07-01"));
  CHECK(p.registrations.end[range.begin + 1] == no_date);
  CHECK(p.registrations_of(row(p.residents.ids, "R2")).empty());
  const Index p1 = row(p.practices.ids, "P1");
  const Index p2 = row(p.practices.ids, "P2");
  CHECK(practice_on(p, r1, d("2019-04-30")) == no_index);  // before the first registration: registered nowhere
  CHECK(practice_on(p, r1, d("2019-05-01")) == p1);
  CHECK(practice_on(p, r1, d("2025-06-20")) == p1);  // the end day is included
  CHECK(practice_on(p, r1, d("2025-06-25")) == no_index);  // between registrations
  CHECK(practice_on(p, r1, d("2025-07-01")) == p2);
  CHECK(practice_on(p, r1, d("2040-01-01")) == p2);
  // R2 has none: residents[].practice on every day.
  CHECK(practice_on(p, row(p.residents.ids, "R2"), d("2000-01-01")) == p1);
}

TEST_CASE("on the day one registration ends and the next starts, the next applies") {
  const auto l = load(R"(, "registrations": [
      {"id": "G1", "resident": "R1", "practice": "P1", "start": "2019-05-01", "end": "2025-07-01"},
      {"id": "G2", "resident": "R1", "practice": "P2", "start": "2025-07-01"}])");
  REQUIRE(l.findings.empty());
  const Population& p = l.population;
  const Index r1 = row(p.residents.ids, "R1");
  CHECK(practice_on(p, r1, d("2025-06-30")) == row(p.practices.ids, "P1"));
  CHECK(practice_on(p, r1, d("2025-07-01")) == row(p.practices.ids, "P2"));
}

TEST_CASE("a home's aligned practice and network on a day come from its alignments") {
  const auto l = load(R"(, "alignments": [
      {"id": "L1", "home": "H1", "practice": "P1", "start": "2015-04-01", "end": "2020-09-30"},
      {"id": "L2", "home": "H1", "practice": "P3", "start": "2020-10-01", "end": "2022-03-31"},
      {"id": "L3", "home": "H1", "practice": "P2", "start": "2022-04-01"}])");
  REQUIRE(l.findings.empty());
  const Population& p = l.population;
  const Index h1 = row(p.homes.ids, "H1");
  CHECK(p.alignments_of(h1).size() == 3);
  CHECK(aligned_practice_on(p, h1, d("2015-03-31")) == no_index);
  CHECK(aligned_practice_on(p, h1, d("2016-01-01")) == row(p.practices.ids, "P1"));
  CHECK(aligned_practice_on(p, h1, d("2021-01-01")) == row(p.practices.ids, "P3"));
  CHECK(aligned_practice_on(p, h1, d("2025-01-01")) == row(p.practices.ids, "P2"));
  CHECK(network_on(p, h1, d("2016-01-01")) == row(p.networks.ids, "N1"));
  CHECK(network_on(p, h1, d("2021-01-01")) == no_index);  // P3 is in no network
  CHECK(network_on(p, h1, d("2025-01-01")) == row(p.networks.ids, "N2"));
  CHECK(network_on(p, h1, d("2015-03-31")) == no_index);  // not aligned yet
  // H2 has none: homes[].practice (not aligned) on every day.
  CHECK(aligned_practice_on(p, row(p.homes.ids, "H2"), d("2025-01-01")) == no_index);
}

TEST_CASE("a practice takes part in a scheme while a participation for that scheme covers the day") {
  const auto l = load(R"(, "participations": [
      {"id": "T2", "practice": "P1", "scheme": "care-homes-es", "start": "2017-01-01"},
      {"id": "T1", "practice": "P1", "scheme": "care-homes-es", "start": "2015-10-01", "end": "2016-06-30"},
      {"id": "T3", "practice": "P1", "scheme": "ehch-des", "start": "2020-08-01", "end": "2021-03-31"}])");
  REQUIRE(l.findings.empty());
  const Population& p = l.population;
  const Index p1 = row(p.practices.ids, "P1");
  const Date ches_start = d("2015-04-01");
  CHECK(p.participations_of(p1).size() == 3);
  CHECK_FALSE(takes_part_on(p, p1, "care-homes-es", d("2015-06-01"), ches_start));  // joined late
  CHECK(takes_part_on(p, p1, "care-homes-es", d("2015-10-01"), ches_start));
  CHECK(takes_part_on(p, p1, "care-homes-es", d("2016-06-30"), ches_start));
  CHECK_FALSE(takes_part_on(p, p1, "care-homes-es", d("2016-07-01"), ches_start));  // withdrawn for a while
  CHECK(takes_part_on(p, p1, "care-homes-es", d("2025-01-01"), ches_start));
  CHECK(takes_part_on(p, p1, "ehch-des", d("2021-03-31"), d("2020-08-01")));
  CHECK_FALSE(takes_part_on(p, p1, "ehch-des", d("2021-04-01"), d("2020-08-01")));
  // Another scheme, with no participation recorded: from its start.
  CHECK(takes_part_on(p, p1, "case-management-les", d("2015-04-01"), d("2014-04-01")));
  CHECK_FALSE(takes_part_on(p, p1, "case-management-les", d("2014-03-31"), d("2014-04-01")));
  // Another practice, with none recorded: from the scheme's start.
  CHECK(takes_part_on(p, row(p.practices.ids, "P2"), "care-homes-es", d("2015-06-01"), ches_start));
}

TEST_CASE("an event names its home beside its resident as context") {
  const auto l = load(R"(, "events": [
      {"id": "E1", "date": "2025-01-10", "resident": "R1", "home": "H1", "code": "160734000"},
      {"id": "E2", "date": "2025-01-09", "resident": "R1", "activity": "care_plan"},
      {"id": "E3", "date": "2025-01-11", "home": "H1", "activity": "clinic_visit"},
      {"id": "E4", "date": "2025-01-11", "resident": "R1", "home": "H9", "code": "160734000"},
      {"id": "E5", "date": "2025-01-11", "home": "H1", "clinician": "C1", "activity": "clinic_visit"},
      {"id": "E6", "date": "2025-01-11", "resident": "R1", "home": "H1", "clinician": "C1", "code": "1"}])");
  const Population& p = l.population;
  CHECK(counts(l, Collection::events).accepted == 3);
  CHECK(messages(l, "events") ==
        std::vector<std::string>{
            R"(events[3] (id "E4"): field "home" = "H9" is not a known home (no such id in homes))",
            R"(events[4] (id "E5"): field "clinician" = "C1" is given as well as home "H1": an event names exactly one of "resident", "home" or "clinician")",
            R"(events[5] (id "E6"): field "clinician" = "C1" is given as well as resident "R1": an event names exactly one of "resident", "home" or "clinician")"});
  const Index r1 = row(p.residents.ids, "R1");
  const auto range = p.events_of(SubjectKind::resident, r1);
  REQUIRE(range.size() == 2);
  // Sorted by date: E2 (no home), then E1 (H1).
  CHECK(p.context_home(range.begin) == no_index);
  CHECK(p.context_home(range.begin + 1) == row(p.homes.ids, "H1"));
  const auto home_events = p.events_of(SubjectKind::home, row(p.homes.ids, "H1"));
  REQUIRE(home_events.size() == 1);
  CHECK(p.context_home(home_events.begin) == no_index);  // the home is the subject, not context
}

TEST_CASE("append_event keeps an appended event's context home") {
  auto l = load(R"(, "events": [{"id": "E1", "date": "2025-01-10", "resident": "R1", "activity": "care_plan"}])");
  Population& p = l.population;
  CHECK(p.events.home.empty());
  EventRecord e;
  e.id = "E2";
  e.date = d("2025-02-01");
  e.subject = "R1";
  e.home = "H1";
  e.code = "160734000";
  const Index at = append_event(p, e);
  CHECK(p.context_home(at) == row(p.homes.ids, "H1"));
  CHECK(p.context_home(0) == no_index);
  e.id = "E3";
  e.subject_kind = SubjectKind::clinician;
  e.subject = "C1";
  e.code = {};
  e.activity = Activity::mca_training;
  CHECK_THROWS_WITH(append_event(p, e),
                    R"(event (id "E3"): field "home" = "H1" is given as well as clinician "C1": only a resident's event names a home beside its subject)");
}

TEST_CASE("the new references, dates and periods are validated, each rejection naming record, field and value") {
  const auto l = load_population_json(R"({"format": "carerules.population/1",
  "networks": [{"id": "N1"}, {"id": "N1"}, {"name": "no id"}],
  "practices": [{"id": "P1", "network": "N1"}, {"id": "P2"}, {"id": "P3", "network": "N9"}],
  "clinicians": [{"id": "C1", "practice": "P1", "role": "gp"}],
  "homes": [{"id": "H1", "name": "Oak", "practice": "P1", "clinical_lead": "C9"}, {"id": "H2", "name": "Elm"},
            {"id": "H3", "name": "Ash", "cqc_location": 12}],
  "residents": [{"id": "R1", "born": "1931-05-02", "practice": "P1", "died": "1930-01-01"},
                {"id": "R2", "born": "1931-05-02", "practice": "P1", "died": "2026-02-03"},
                {"id": "R3", "born": "1931-05-02", "practice": "P1", "died": "2026-02-30"}],
  "stays": [{"id": "S1", "resident": "R2", "home": "H2", "start": "2026-03-01", "residency": "permanent"},
            {"id": "S2", "resident": "R2", "home": "H2", "start": "2025-01-01", "residency": "permanent"},
            {"id": "S3", "resident": "R2", "home": "H2", "start": "2024-01-01", "end": "2024-06-01",
             "residency": "temporary", "end_reason": "discharge"}],
  "registrations": [{"id": "G1", "resident": "R2", "practice": "P1", "start": "2019-05-01"},
                    {"id": "G2", "resident": "R2", "practice": "P2", "start": "2025-01-01"},
                    {"id": "G3", "resident": "R9", "practice": "P1", "start": "2019-05-01"},
                    {"id": "G4", "resident": "R2", "practice": "P3", "start": "2019-05-01"},
                    {"id": "G5", "resident": "R2", "practice": "P1", "start": "2019-05-01", "end": "2019-04-01"},
                    {"id": "G6", "resident": "R2", "practice": "P1", "start": "2026-03-01"},
                    {"id": "G7", "resident": "R2", "practice": "P1", "start": "1920-01-01", "end": "1930-01-01"},
                    {"id": "G8", "resident": "R2", "practice": "P1"}],
  "alignments": [{"id": "L1", "home": "H2", "practice": "P1", "start": "2015-04-01", "end": "2020-03-31"},
                 {"id": "L2", "home": "H2", "practice": "P2", "start": "2020-03-01"},
                 {"id": "L3", "home": "H9", "practice": "P1", "start": "2015-04-01"},
                 {"id": "L4", "home": "H2", "practice": "P9", "start": "2015-04-01"}],
  "participations": [{"id": "T1", "practice": "P1", "scheme": "care-homes-es", "start": "2015-10-01"},
                     {"id": "T2", "practice": "P1", "scheme": "care-homes-es", "start": "2016-01-01"},
                     {"id": "T3", "practice": "P1", "scheme": "ehch-des", "start": "2016-01-01"},
                     {"id": "T4", "practice": "P1", "scheme": "", "start": "2016-01-01"},
                     {"id": "T5", "practice": "P1", "start": "2016-01-01"},
                     {"id": "T6", "practice": "P1", "scheme": "ehch-des", "start": "2021-01-01", "end": "2020-01-01"}]
  })",
                                      "population.json");
  CHECK(messages(l, "networks") == std::vector<std::string>{
                                       R"(networks[1] (id "N1"): field "id" = "N1" is already the id of networks[0])",
                                       R"(networks[2]: field "id" is missing: it is required)"});
  CHECK(messages(l, "practices") ==
        std::vector<std::string>{R"(practices[2] (id "P3"): field "network" = "N9" is not a known network (no such id in networks))"});
  CHECK(messages(l, "homes") ==
        std::vector<std::string>{
            R"(homes[0] (id "H1"): field "clinical_lead" = "C9" is not a known clinician (no such id in clinicians))",
            R"(homes[2] (id "H3"): field "cqc_location" = 12 must be a string, not a number)"});
  CHECK(messages(l, "residents") ==
        std::vector<std::string>{
            R"(residents[0] (id "R1"): field "died" = "1930-01-01" is before the resident was born (1931-05-02))",
            R"(residents[2] (id "R3"): field "died" = "2026-02-30" is not a date that exists, in the form YYYY-MM-DD)"});
  CHECK(messages(l, "stays") ==
        std::vector<std::string>{
            R"(stays[0] (id "S1"): field "start" = "2026-03-01" is after resident "R2" died (2026-02-03))",
            R"(stays[1] (id "S2"): field "end" is not given, but resident "R2" died (2026-02-03): the death ends the stay)"});
  CHECK(messages(l, "registrations") ==
        std::vector<std::string>{
            R"(registrations[1] (id "G2"): field "start" = "2025-01-01" overlaps registration "G1" (registrations[0], from 2019-05-01, not ended) of resident "R2": a resident's next registration starts on or after the previous one's end date)",
            R"(registrations[2] (id "G3"): field "resident" = "R9" is not a known resident (no such id in residents))",
            R"(registrations[3] (id "G4"): field "practice" = "P3" names a practice that was rejected (practices[2]))",
            R"(registrations[4] (id "G5"): field "end" = "2019-04-01" is before start 2019-05-01)",
            R"(registrations[5] (id "G6"): field "start" = "2026-03-01" is after resident "R2" died (2026-02-03))",
            R"(registrations[6] (id "G7"): field "start" = "1920-01-01" is before resident "R2" was born (1931-05-02))",
            R"(registrations[7] (id "G8"): field "start" is missing: it is required)"});
  CHECK(messages(l, "alignments") ==
        std::vector<std::string>{
            R"(alignments[1] (id "L2"): field "start" = "2020-03-01" overlaps alignment "L1" (alignments[0], 2015-04-01 to 2020-03-31) of home "H2": a home's next alignment starts on or after the previous one's end date)",
            R"(alignments[2] (id "L3"): field "home" = "H9" is not a known home (no such id in homes))",
            R"(alignments[3] (id "L4"): field "practice" = "P9" is not a known practice (no such id in practices))"});
  CHECK(messages(l, "participations") ==
        std::vector<std::string>{
            R"(participations[1] (id "T2"): field "start" = "2016-01-01" overlaps participation "T1" (participations[0], from 2015-10-01, not ended) of practice "P1" in scheme "care-homes-es": a practice's next participation in a scheme starts on or after the previous one's end date)",
            R"(participations[3] (id "T4"): field "scheme" is empty: a participation names a scheme's id)",
            R"(participations[4] (id "T5"): field "scheme" is missing: it is required)",
            R"(participations[5] (id "T6"): field "end" = "2020-01-01" is before start 2021-01-01)"});
  // Rejections are errors; the stay running past death is a warning, and the stay is kept.
  for (const Finding& f : l.findings) {
    if (f.code == "stay-past-death") {
      CHECK(f.severity == Severity::warning);
      CHECK(f.subject_kind == "resident");
      CHECK(f.subject == "R2");
    } else {
      CHECK(f.code == "invalid-record");
      CHECK(f.severity == Severity::error);
    }
  }
  CHECK(counts(l, Collection::stays).accepted == 2);
  CHECK(counts(l, Collection::stays).rejected == 1);
  CHECK(counts(l, Collection::registrations).accepted == 1);
  CHECK(counts(l, Collection::registrations).rejected == 7);
  CHECK(counts(l, Collection::alignments).accepted == 1);
  CHECK(counts(l, Collection::participations).accepted == 2);
  const Population& p = l.population;
  // Overlap rejections leave the kept periods, ids re-interned: a rejected id is not found.
  CHECK(p.registration_ids.size() == 1);
  CHECK_FALSE(p.registration_ids.find("G2").has_value());
  CHECK(p.participations.size() == 2);
  // Findings come in collection order: networks before practices, the history after events.
  std::vector<std::string> order;
  for (const Finding& f : l.findings)
    if (order.empty() || order.back() != f.collection) order.push_back(f.collection);
  CHECK(order == std::vector<std::string>{"networks", "practices", "homes", "residents", "stays", "registrations",
                                          "alignments", "participations"});
}

TEST_CASE("a stay that ends on the day of death, or before it, is no finding") {
  const auto l = load(R"(, "stays": [
      {"id": "S1", "resident": "R2", "home": "H1", "start": "2025-01-01", "end": "2026-02-03",
       "residency": "permanent", "end_reason": "death"}])");
  CHECK(l.findings.empty());
  const auto ended_after = load(R"(, "stays": [
      {"id": "S1", "resident": "R2", "home": "H1", "start": "2025-01-01", "end": "2026-02-04",
       "residency": "permanent", "end_reason": "discharge"}])");
  REQUIRE(ended_after.findings.size() == 1);
  CHECK(ended_after.findings[0].message ==
        R"(stays[0] (id "S1"): field "end" = "2026-02-04" is after resident "R2" died (2026-02-03): the death ends the stay)");
  CHECK(ended_after.findings[0].value == "2026-02-04");
  CHECK(ended_after.population.stays.size() == 1);
}
