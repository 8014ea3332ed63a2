// Code lists: parsing users' CSV files, the subject-aware code map, the shipped defaults, and what the
// defaults say about real published lists (reference/codelists, loaded exactly as a user would load them).
#include "carerules/io/codelist.hpp"
#include "carerules/model/findings.hpp"
#include "core/embedded.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace carerules;
using carerules::test::read_text;
using carerules::test::reference_path;
using carerules::test::source_path;

namespace {

// Runs `f`, which must throw ParseError, and returns the error.
template <typename F>
ParseError parse_error(F&& f) {
  try {
    f();
  } catch (const ParseError& e) {
    return e;
  }
  FAIL("expected a ParseError");
  return ParseError("", 0, 0, "");
}

std::vector<CodeListEntry> reference_list(const std::string& file) {
  return parse_code_list_csv(read_text(reference_path("codelists/" + file)), file);
}

std::vector<Activity> all_activities() {
  std::vector<Activity> out;
  for (std::size_t i = 0; i < activity_count; ++i) out.push_back(static_cast<Activity>(i));
  return out;
}

}  // namespace

TEST_CASE("a code list CSV names its columns in the header, in any order, other columns ignored") {
  const auto entries = parse_code_list_csv("term,system,code\nLives in care home,SNOMED,248171000000108\n", "mine.csv");
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].code == "248171000000108");
  CHECK(entries[0].term == "Lives in care home");

  // Exports from spreadsheets capitalise headers and pad cells.
  const auto padded = parse_code_list_csv("Code , TERM\n 314530002 , Medication review done \n", "mine.csv");
  REQUIRE(padded.size() == 1);
  CHECK(padded[0].code == "314530002");
  CHECK(padded[0].term == "Medication review done");
}

TEST_CASE("quoted terms keep their commas and quotes; CRLF line ends and a byte order mark are accepted") {
  const std::string text =
      "\xEF\xBB\xBF"
      "code,term\r\n"
      "18083007,\"Hospital admission, emergency, indirect\"\r\n"
      "183452005,\"The \"\"emergency\"\" admission\"\r\n"
      "\r\n";
  const auto entries = parse_code_list_csv(text, "gp-export.csv");
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].code == "18083007");
  CHECK(entries[0].term == "Hospital admission, emergency, indirect");
  CHECK(entries[1].term == "The \"emergency\" admission");
}

TEST_CASE("a list without a code or term column is rejected at its header") {
  const ParseError no_term = parse_error([] { parse_code_list_csv("code,description\n160734000,x\n", "a.csv"); });
  CHECK(no_term.source() == "a.csv");
  CHECK(no_term.line() == 1);
  CHECK(no_term.column() == 1);
  CHECK(std::string(no_term.what()).find("'term'") != std::string::npos);

  const ParseError neither = parse_error([] { parse_code_list_csv("id,name\n", "b.csv"); });
  CHECK(std::string(neither.what()).find("'code' and 'term'") != std::string::npos);

  const ParseError empty = parse_error([] { parse_code_list_csv("", "c.csv"); });
  CHECK(empty.line() == 1);

  const ParseError twice = parse_error([] { parse_code_list_csv("code,term,Code\n", "d.csv"); });
  CHECK(twice.line() == 1);
  CHECK(twice.column() == 11);
}

TEST_CASE("a bad code is reported at its line and column") {
  SUBCASE("letters in a SNOMED CT id") {
    const ParseError e = parse_error([] { parse_code_list_csv("term,code\nLives,16073400X\n", "home.csv"); });
    CHECK(e.source() == "home.csv");
    CHECK(e.line() == 2);
    CHECK(e.column() == 7);
    CHECK(std::string(e.what()).find("'16073400X' is not a SNOMED CT code") != std::string::npos);
  }
  SUBCASE("too short, or a leading zero") {
    CHECK(parse_error([] { parse_code_list_csv("code,term\n12345,x\n", "s.csv"); }).line() == 2);
    CHECK(parse_error([] { parse_code_list_csv("code,term\n0160734000,x\n", "s.csv"); }).line() == 2);
  }
  SUBCASE("an empty code") {
    const ParseError e = parse_error([] { parse_code_list_csv("code,term\n314530002,a\n  ,b\n", "e.csv"); });
    CHECK(e.line() == 3);
    CHECK(e.column() == 1);
    CHECK(std::string(e.what()).find("empty code") != std::string::npos);
  }
  SUBCASE("a row too short to hold both columns") {
    const ParseError e = parse_error([] { parse_code_list_csv("code,term\n314530002\n", "short.csv"); });
    CHECK(e.line() == 2);
    CHECK(e.column() == 10);
  }
  SUBCASE("after a quoted term spanning two lines, the column is counted on the line the code is on") {
    const ParseError e = parse_error([] { parse_code_list_csv("term,code\n\"two\nlines\",12x\n", "m.csv"); });
    CHECK(e.line() == 3);
    CHECK(e.column() == 8);
  }
}

TEST_CASE("a code listed twice is rejected, naming where it first appeared") {
  const ParseError e = parse_error(
      [] { parse_code_list_csv("code,term\n314530002,a\n182836005,b\n314530002,c\n", "dup.csv"); });
  CHECK(e.line() == 4);
  CHECK(e.column() == 1);
  CHECK(std::string(e.what()).find("first on line 2") != std::string::npos);
}

TEST_CASE("malformed CSV stops with the line and column of the fault") {
  const ParseError e = parse_error([] { parse_code_list_csv("code,term\n314530002,\"unterminated\n", "bad.csv"); });
  CHECK(e.line() == 2);
  CHECK(e.column() == 11);
}

TEST_CASE("Read v2 and CTV3 lists are checked as 5-character codes when the system says so") {
  const auto read = parse_code_list_csv("code,term\n6AB..,Dementia annual review\n8BM02,Dementia medication review\n",
                                        "read.csv", CodeSystem::read2);
  REQUIRE(read.size() == 2);
  CHECK(read[0].code == "6AB..");
  // The 7-character form carries a term code; users trim it to the 5-character concept.
  CHECK(parse_error([] { parse_code_list_csv("code,term\n6AB..00,x\n", "r.csv", CodeSystem::read2); }).line() == 2);
  CHECK(parse_error([] { parse_code_list_csv("code,term\nXaJ1-,x\n", "c.csv", CodeSystem::ctv3); }).column() == 1);
  // A Read code is not a SNOMED CT id.
  CHECK(parse_error([] { parse_code_list_csv("code,term\n6AB..,x\n", "s.csv"); }).line() == 2);
}

TEST_CASE("SNOMED CT check digits catch mistyped ids") {
  CHECK(snomed_check_digit_ok("160734000"));
  CHECK(snomed_check_digit_ok("1239511000000100"));
  CHECK_FALSE(snomed_check_digit_ok("160734001"));   // last digit changed
  CHECK_FALSE(snomed_check_digit_ok("160743000"));   // neighbours swapped
  CHECK_FALSE(snomed_check_digit_ok("6AB.."));
}

TEST_CASE("a code maps to at most one activity per subject kind") {
  CodeMap map;
  map.add(CodeSystem::snomed, "889351000000108", Activity::clinic_review);
  map.add(CodeSystem::snomed, "889351000000108", Activity::clinic_visit);
  CHECK(map.size() == 2);

  // The same code means a review for a resident and a visit for a home.
  CHECK(map.lookup(CodeSystem::snomed, "889351000000108", SubjectKind::resident) == Activity::clinic_review);
  CHECK(map.lookup(CodeSystem::snomed, "889351000000108", SubjectKind::home) == Activity::clinic_visit);
  CHECK_FALSE(map.lookup(CodeSystem::snomed, "889351000000108", SubjectKind::clinician));
  CHECK(map.activities_of(CodeSystem::snomed, "889351000000108") ==
        std::vector<Activity>{Activity::clinic_review, Activity::clinic_visit});
  CHECK_FALSE(map.lookup(CodeSystem::snomed, "314530002", SubjectKind::resident));
  CHECK(map.activities_of(CodeSystem::snomed, "314530002").empty());

  // Adding the same mapping again changes nothing.
  map.add(CodeSystem::snomed, "889351000000108", Activity::clinic_review);
  CHECK(map.size() == 2);

  // A second resident activity for the same code would make an event's meaning depend on load order.
  CHECK_THROWS_AS(map.add(CodeSystem::snomed, "889351000000108", Activity::gp_review), std::invalid_argument);
  CHECK(map.lookup(CodeSystem::snomed, "889351000000108", SubjectKind::resident) == Activity::clinic_review);
  CHECK(map.size() == 2);
}

TEST_CASE("code systems are separate name spaces, and malformed codes cannot be added") {
  CodeMap map;
  map.add(CodeSystem::read2, "6AB..", Activity::dementia_assessment);
  map.add(CodeSystem::ctv3, "6AB..", Activity::care_plan);  // a different code in another system
  CHECK(map.lookup(CodeSystem::read2, "6AB..", SubjectKind::resident) == Activity::dementia_assessment);
  CHECK(map.lookup(CodeSystem::ctv3, "6AB..", SubjectKind::resident) == Activity::care_plan);
  CHECK_FALSE(map.contains(CodeSystem::snomed, "6AB.."));

  CHECK_THROWS_AS(map.add(CodeSystem::snomed, "6AB..", Activity::care_plan), std::invalid_argument);
  CHECK_THROWS_AS(map.add(CodeSystem::snomed, "314530002", Activity::none), std::invalid_argument);
  CHECK(map.size() == 2);
}

TEST_CASE("add_list maps a parsed list, and entries() lists every mapping in order") {
  CodeMap map;
  map.add_list(Activity::medication_review, CodeSystem::snomed,
               parse_code_list_csv("code,term\n719329004,by pharmacist\n314530002,done\n", "m.csv"));
  map.add(CodeSystem::read2, "8BM02", Activity::medication_review);
  const auto entries = map.entries();
  REQUIRE(entries.size() == 3);
  CHECK(entries[0].code == "314530002");
  CHECK(entries[1].code == "719329004");
  CHECK(entries[2].system == CodeSystem::read2);
  CHECK(entries[2].activity == Activity::medication_review);

  // A conflict part-way through names the code and both activities.
  try {
    map.add_list(Activity::care_plan, CodeSystem::snomed, {{"734163000", "Care plan"}, {"314530002", "oops"}});
    FAIL("expected a conflict");
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    CHECK(what.find("314530002") != std::string::npos);
    CHECK(what.find("medication_review") != std::string::npos);
    CHECK(what.find("care_plan") != std::string::npos);
  }
}

TEST_CASE("the project ships one default list per activity and marker, each mapping to its own activity") {
  std::set<std::string> shipped;
  for (const auto& f : detail::embedded_files()) {
    const std::string name(f.name);
    if (name.rfind("codelists/", 0) != 0) continue;
    const std::string stem = name.substr(10, name.size() - 14);
    INFO(name);
    CHECK(activity_from_string(stem).has_value());
    shipped.insert(stem);
  }
  CHECK(shipped.size() == activity_count);

  const CodeMap& map = default_code_map();
  std::size_t total = 0;
  for (const Activity a : all_activities()) {
    INFO(to_string(a));
    CHECK(shipped.count(std::string(to_string(a))) == 1);
    for (const CodeListEntry& e : default_code_list(a)) {
      INFO(e.code);
      CHECK(map.lookup(CodeSystem::snomed, e.code, activity_subject(a)) == a);
      CHECK(snomed_check_digit_ok(e.code));  // guards the shipped data against typos
      CHECK_FALSE(e.term.empty());
      ++total;
    }
  }
  CHECK(map.size() == total);
  CHECK(default_code_list(Activity::none).empty());
}

TEST_CASE("the defaults cover the care homes codes a practice records") {
  const CodeMap& map = default_code_map();
  auto resident = [&](const char* code) { return map.lookup(CodeSystem::snomed, code, SubjectKind::resident); };
  CHECK(resident("160734000") == Activity::lives_in_care_home);
  CHECK(resident("394923006") == Activity::lives_in_care_home);
  CHECK(resident("248171000000108") == Activity::lives_in_care_home);
  CHECK(resident("1240291000000104") == Activity::lives_temporarily_in_care_home);
  CHECK(resident("1325851000000107") == Activity::declined_aligned_practice);
  CHECK(resident("876880009") == Activity::died_in_care_home);
  CHECK(resident("698747008") == Activity::died_in_care_home);
  CHECK(resident("314530002") == Activity::medication_review);
  CHECK(resident("1239511000000100") == Activity::medication_review);
  CHECK(resident("719328007") == Activity::medication_review);
  CHECK(resident("719329004") == Activity::medication_review);
  CHECK(resident("183452005") == Activity::emergency_admission);
  CHECK(resident("889331000000101") == Activity::clinic_review);
  CHECK(resident("889351000000108") == Activity::clinic_review);
  for (const char* code : {"1187911000000105", "1187921000000104", "734163000", "425268008", "913681000000100",
                           "736373009"}) {
    INFO(code);
    CHECK(resident(code) == Activity::care_plan);
  }
  // A care home visit recorded against the home is the fortnightly clinic.
  CHECK(map.lookup(CodeSystem::snomed, "889311000000109", SubjectKind::home) == Activity::clinic_visit);
  CHECK(map.lookup(CodeSystem::snomed, "889351000000108", SubjectKind::home) == Activity::clinic_visit);
  CHECK_FALSE(map.lookup(CodeSystem::snomed, "314530002", SubjectKind::home));
}

TEST_CASE("the default map is built once and shared between threads") {
  std::vector<const CodeMap*> seen(4, nullptr);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i) threads.emplace_back([&seen, i] { seen[i] = &default_code_map(); });
  for (auto& t : threads) t.join();
  for (const CodeMap* m : seen) CHECK(m == &default_code_map());
}

TEST_CASE("every real published list in reference/codelists loads as a user's list would") {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(reference_path("codelists")))
    if (e.path().extension() == ".csv") files.push_back(e.path().filename().string());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() == 6);
  for (const std::string& f : files) {
    INFO(f);
    const auto entries = reference_list(f);
    CHECK_FALSE(entries.empty());
    const CodeCoverage c = code_coverage(entries);
    // Nothing is silently lost: every code is either mapped or listed as unmapped.
    CHECK(c.mapped + c.unmapped == entries.size());
    CHECK(c.unmapped_codes.size() == c.unmapped);
    for (const std::string& code : c.unmapped_codes) CHECK_FALSE(default_code_map().contains(CodeSystem::snomed, code));
  }
}

TEST_CASE("every MEDRVW_COD code and the structured medication review map to medication_review") {
  const auto medrvw = reference_list("nhsd-primary-care-domain-refsets-medrvw_cod.csv");
  REQUIRE(medrvw.size() == 16);
  const CodeCoverage c = code_coverage(medrvw);
  CHECK(c.mapped == 16);
  CHECK(c.unmapped == 0);
  for (const auto& e : medrvw) {
    INFO(e.code << " " << e.term);
    CHECK(default_code_map().activities_of(CodeSystem::snomed, e.code) ==
          std::vector<Activity>{Activity::medication_review});
  }

  const auto smr = reference_list("opensafely-structured-medication-review-nhs-england.csv");
  REQUIRE(smr.size() == 1);
  CHECK(default_code_map().lookup(CodeSystem::snomed, smr[0].code, SubjectKind::resident) == Activity::medication_review);
}

TEST_CASE("the care planning medication review refset: general reviews map, condition-specific reviews are reported") {
  const auto list = reference_list("opensafely-care-planning-medication-review-simple-reference-set-nhs-digital.csv");
  REQUIRE(list.size() == 70);
  const CodeCoverage c = code_coverage(list);
  // The 7 MEDRVW codes in this refset and "Medication review of medical notes"; reviews of one condition or
  // drug (lithium, warfarin, asthma, ...) are not the whole-medication review the schemes ask for.
  CHECK(c.mapped == 8);
  CHECK(c.unmapped == 62);
  for (const auto& e : list)
    for (const Activity a : default_code_map().activities_of(CodeSystem::snomed, e.code)) CHECK(a == Activity::medication_review);
  CHECK(std::find(c.unmapped_codes.begin(), c.unmapped_codes.end(), "753951000000101") != c.unmapped_codes.end());
  CHECK(c.unmapped_codes.front() == "753951000000101");  // reported in the list's own order
}

TEST_CASE("CAREHOME_COD: 53 of its 68 codes map, by what they record; 15 are reported unmapped") {
  const auto carehome = reference_list("nhsd-primary-care-domain-refsets-carehome_cod.csv");
  REQUIRE(carehome.size() == 68);

  std::map<Activity, std::size_t> resident_count;
  std::size_t home_visits = 0;
  for (const auto& e : carehome) {
    if (auto a = default_code_map().lookup(CodeSystem::snomed, e.code, SubjectKind::resident)) ++resident_count[*a];
    if (default_code_map().lookup(CodeSystem::snomed, e.code, SubjectKind::home) == Activity::clinic_visit) ++home_visits;
  }
  CHECK(resident_count[Activity::lives_in_care_home] == 27);
  CHECK(resident_count[Activity::lives_temporarily_in_care_home] == 1);
  CHECK(resident_count[Activity::declined_aligned_practice] == 1);
  CHECK(resident_count[Activity::died_in_care_home] == 9);
  CHECK(resident_count[Activity::clinic_review] == 15);
  CHECK(resident_count.size() == 5);
  CHECK(home_visits == 6);  // the six "Care home visit" concepts also mean the home's clinic

  const CodeCoverage c = code_coverage(carehome);
  CHECK(c.mapped == 53);
  CHECK(c.unmapped == 15);
  // Referrals, requests, falls, delayed discharges and types of nursing care record no scheme activity.
  const std::vector<std::string> expected{
      "1025041000000100", "1025051000000102", "1078511000000102", "1129891000000107", "151902007",
      "183672007",        "371381000000107",  "390829003",        "391272008",        "431181000000104",
      "439570003",        "454801000000101",  "719023008",        "751801000000106",  "838691000000105"};
  std::vector<std::string> unmapped = c.unmapped_codes;
  std::sort(unmapped.begin(), unmapped.end());
  CHECK(unmapped == expected);
}

TEST_CASE("TEMPCARHOME_COD and the emergency admission list") {
  const auto temp = reference_list("nhsd-primary-care-domain-refsets-tempcarhome_cod.csv");
  REQUIRE(temp.size() == 1);
  CHECK(default_code_map().lookup(CodeSystem::snomed, temp[0].code, SubjectKind::resident) ==
        Activity::lives_temporarily_in_care_home);

  const auto admissions = reference_list("gm-sde-emergency-admission-snomed.csv");
  REQUIRE(admissions.size() == 6);
  const CodeCoverage c = code_coverage(admissions);
  CHECK(c.mapped == 5);
  // An emergency operation is not an admission.
  CHECK(c.unmapped_codes == std::vector<std::string>{"73994005"});
  for (const auto& e : admissions)
    if (e.code != "73994005")
      CHECK(default_code_map().lookup(CodeSystem::snomed, e.code, SubjectKind::resident) == Activity::emergency_admission);
}

TEST_CASE("a user's list is checked against any map, not only the defaults") {
  CodeMap mine;
  mine.add(CodeSystem::read2, "6AB..", Activity::dementia_assessment);
  const auto list = parse_code_list_csv("code,term\n6AB..,Dementia annual review\n8BM02,Dementia medication review\n",
                                        "read.csv", CodeSystem::read2);
  const CodeCoverage c = code_coverage(list, mine, CodeSystem::read2);
  CHECK(c.mapped == 1);
  CHECK(c.unmapped_codes == std::vector<std::string>{"8BM02"});
  // The same text as SNOMED CT would not even be a code; as Read v2 against the defaults nothing maps.
  CHECK(code_coverage(list, CodeSystem::read2).unmapped == 2);
}

TEST_CASE("docs/codelists.md lists every default code under its activity") {
  const std::string doc = read_text(source_path("docs/codelists.md"));
  for (const Activity a : all_activities()) {
    const std::string heading = "### `" + std::string(to_string(a)) + "`";
    INFO(heading);
    const auto at = doc.find(heading);
    REQUIRE(at != std::string::npos);
    const auto next = doc.find("\n### ", at + heading.size());
    const std::string section = doc.substr(at, next == std::string::npos ? std::string::npos : next - at);
    for (const CodeListEntry& e : default_code_list(a)) {
      INFO(e.code);
      CHECK(section.find("| " + e.code + " |") != std::string::npos);
    }
  }
}
