// The output table and its writers: every column declared once and written by JSON and CSV in that order; an
// evaluator made from a loaded population carries the loader's findings and counts; findings' structured fields.
#include "carerules/engine/engine.hpp"
#include "carerules/io/json_loader.hpp"
#include "carerules/results/columns.hpp"
#include "carerules/results/output.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

using namespace carerules;
using carerules::test::d;

namespace {

// Two bad records (a resident born on 30 February, an event of an unknown resident), an unmapped code in two
// events, and a cohort of one in a list of ten.
constexpr const char* population_json = R"({
  "format": "carerules.population/1",
  "practices":  [{"id": "P1", "name": "Park Surgery", "list_size": 10}],
  "homes":      [{"id": "H1", "name": "Oak Lodge", "kind": "nursing", "beds": 42, "practice": "P1", "lead_gp": "C1"}],
  "clinicians": [{"id": "C1", "practice": "P1", "role": "gp", "qualifications": []}],
  "residents":  [{"id": "R1", "born": "1931-05-02", "practice": "P1", "cohort": {"reason": "care_home", "from": "2025-01-10"}},
                 {"id": "R2", "born": "1931-02-30", "practice": "P1"}],
  "stays":      [{"id": "S1", "resident": "R1", "home": "H1", "start": "2025-01-10", "end": null, "residency": "permanent"}],
  "events":     [{"id": "E1", "date": "2025-01-20", "resident": "R1", "activity": "care_plan", "performer": "C1"},
                 {"id": "E2", "date": "2025-01-21", "resident": "R1", "code": "123456789"},
                 {"id": "E3", "date": "2025-01-22", "resident": "R1", "code": "123456789"},
                 {"id": "E4", "date": "2025-01-22", "resident": "R9", "activity": "care_plan"}]
})";

template <typename Table>
std::vector<std::string> names(const Table& table) {
  std::vector<std::string> out;
  for (const auto& c : table) out.emplace_back(c.column.name);
  return out;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find("\r\n")); }

}  // namespace

TEST_CASE("output: an evaluator made from a loaded population carries its invalid-record findings and counts") {
  const LoadedPopulation loaded = load_population_json(population_json);
  REQUIRE(loaded.findings.size() == 2);
  const std::vector<Scheme> schemes{builtin_scheme("care-homes-es"), builtin_scheme("case-management-les")};
  const Evaluator evaluator(loaded, schemes);
  const EvaluationResult result = evaluator.evaluate(d("2025-06-30"));
  CHECK(result.input.read == loaded.total.read);
  CHECK(result.input.rejected == 2);
  REQUIRE(result.findings.size() > 2);
  CHECK(result.findings[0].code == finding_code::invalid_record);
  CHECK(result.findings[0].collection == "residents");
  CHECK(result.findings[1].collection == "events");
  CHECK(result.findings[2].code != finding_code::invalid_record);

  // The same through the one-call form, and none of it from a bare population.
  CHECK(evaluate(loaded, schemes, d("2025-06-30")).findings.size() == result.findings.size());
  const EvaluationResult bare = Evaluator(loaded.population, schemes).evaluate(d("2025-06-30"));
  CHECK(bare.input.read == 0);
  CHECK(bare.findings.size() == result.findings.size() - 2);

  const auto doc = nlohmann::json::parse(to_json({loaded.population, evaluator.schemes(), result}));
  CHECK(doc["input"]["rejected"] == 2);
  CHECK(doc["findings"][0]["field"] == "born");
  CHECK(doc["findings"][0]["value"] == "1931-02-30");
}

TEST_CASE("output: JSON and CSV write the declared columns in order; structured finding keys only when set") {
  const LoadedPopulation loaded = load_population_json(population_json);
  const std::vector<Scheme> schemes{builtin_scheme("care-homes-es"), builtin_scheme("case-management-les")};
  const Evaluator evaluator(loaded, schemes);
  const EvaluationResult result = evaluator.evaluate(d("2025-06-30"));
  const ResultView view{loaded.population, evaluator.schemes(), result};
  REQUIRE(!result.tasks.empty());
  REQUIRE(!result.payments.empty());

  const auto doc = nlohmann::json::parse(to_json(view));
  std::vector<std::string> task_keys;
  for (const auto& [key, value] : doc["tasks"][0].items()) task_keys.push_back(key);
  // nlohmann's object sorts keys: compare as sets, and the order through the text below.
  std::vector<std::string> declared = names(task_columns());
  std::sort(declared.begin(), declared.end());
  CHECK(task_keys == declared);
  const std::string text = to_json(view, -1);
  CHECK(text.find(R"({"scheme": "care-homes-es", "obligation": )") != std::string::npos);

  std::ostringstream tasks_csv, payments_csv, findings_csv;
  write_tasks_csv(tasks_csv, view);
  write_payments_csv(payments_csv, view);
  write_findings_csv(findings_csv, view);
  CHECK(first_line(tasks_csv.str()) ==
        "scheme,obligation,subject_kind,subject,practice,home,opens,due,status,completed_on,missing,evidence,because");
  CHECK(first_line(payments_csv.str()) == "scheme,practice,resident,home,financial_year,quarter,kind,amount_pence,status,tariff,because");
  CHECK(first_line(findings_csv.str()) ==
        "severity,code,subject_kind,subject,message,scheme,collection,index,field,value,rule,obligation,code_system,count,list_size,"
        "limit_basis_points");

  const nlohmann::json* unmapped = nullptr;
  const nlohmann::json* share = nullptr;
  for (const auto& f : doc["findings"]) {
    if (f["code"] == "unmapped-code") unmapped = &f;
    if (f["code"] == "cohort-over-5-percent") share = &f;
    if (f["code"] != "invalid-record") CHECK(!f.contains("collection"));
  }
  REQUIRE(unmapped != nullptr);
  CHECK((*unmapped)["code_system"] == "snomed");
  CHECK((*unmapped)["count"] == 2);
  CHECK((*unmapped)["subject"] == "123456789");
  CHECK(!unmapped->contains("rule"));
  REQUIRE(share != nullptr);
  CHECK((*share)["rule"] == "cohort_share");
  CHECK((*share)["count"] == 1);
}

TEST_CASE("output: a share finding has its rule, count, list size and limit") {
  const LoadedPopulation loaded = load_population_json(population_json);
  const std::vector<Scheme> schemes{builtin_scheme("case-management-les")};
  const EvaluationResult result = evaluate(loaded, schemes, d("2025-06-30"));
  const Finding* share = nullptr;
  for (const Finding& f : result.findings)
    if (f.code == finding_code::cohort_over_5_percent) share = &f;
  REQUIRE(share != nullptr);  // one cohort member in a list of 10: 10%, over the 5% limit
  CHECK(share->rule == "cohort_share");
  CHECK(share->count == 1);
  CHECK(share->list_size == 10);
  CHECK(share->limit_basis_points == 500);
}

TEST_CASE("output: unmapped_code_finding writes the engine's sentence") {
  const Finding f = unmapped_code_finding(CodeSystem::read2, "XaBcD", 1);
  CHECK(f.message == "read2 code XaBcD in 1 event maps to no activity of the evaluated schemes: kept, counted and not used");
  CHECK(f.subject == "XaBcD");
  CHECK(f.code_system == "read2");
  CHECK(f.count == 1);
}
