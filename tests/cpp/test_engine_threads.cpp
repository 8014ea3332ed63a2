// The engine cuts an evaluation into work items (structural rules, blocks of residents, homes and clinicians,
// ranges of events for the population-wide counts) that threads take in turn. These tests evaluate a
// population large enough for several items of every kind and check that the result does not depend on the
// number of threads.
#include "carerules/engine.hpp"
#include "carerules/json_loader.hpp"
#include "carerules/output.hpp"
#include "carerules/scheme.hpp"

#include "../../benchmarks/replicate.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

using namespace carerules;

namespace {

// The bundled demo nine times over: 1,278 residents, 36 homes, 153 clinicians, about 23,600 events.
const Population& demo_x9() {
  static const Population pop =
      bench::replicate(load_population_file(CARERULES_SOURCE_DIR "/python/carerules/data/demo_population.json").population, 9);
  return pop;
}

std::string evaluated(const Population& pop, const std::vector<Scheme>& schemes, const char* as_of, unsigned threads) {
  EvaluateOptions options;
  options.threads = threads;
  const EvaluationResult result = Evaluator(pop, schemes, options).evaluate(*parse_date(as_of));
  return to_json(ResultView{pop, schemes, result}, -1);
}

}  // namespace

TEST_CASE("engine: both schemes give the same tasks, payment lines and findings on 1, 2, 3, 8 and all threads") {
  const Population& pop = demo_x9();
  REQUIRE(pop.residents.size() == 9 * 142);
  REQUIRE(pop.homes.size() == 9 * 4);
  const std::vector<Scheme> schemes{builtin_scheme("care-homes-es"), builtin_scheme("case-management-les")};
  for (const char* as_of : {"2025-06-30", "2026-11-01"}) {
    CAPTURE(as_of);
    const std::string one = evaluated(pop, schemes, as_of, 1);
    for (unsigned threads : {2U, 3U, 8U, 0U}) {
      CAPTURE(threads);
      CHECK(evaluated(pop, schemes, as_of, threads) == one);
    }
  }
}

TEST_CASE("engine: with many work items, every kind of output is there and in canonical order") {
  const Population& pop = demo_x9();
  const std::vector<Scheme> schemes{builtin_scheme("care-homes-es"), builtin_scheme("case-management-les")};
  EvaluateOptions options;
  options.threads = 2;
  const EvaluationResult result = Evaluator(pop, schemes, options).evaluate(*parse_date("2026-11-01"));
  // Nine copies of the demo: nine times its tasks and lines (2,831 and 817 with both schemes).
  CHECK(result.tasks.size() == 9 * 2831);
  CHECK(result.payments.size() == 9 * 817);
  std::map<std::string, std::size_t> codes;
  for (const Finding& f : result.findings) ++codes[f.code];
  // Per resident (registered-elsewhere, unqualified-performer), per home and per cohort rule (structural), and
  // counted over all events (unmapped-code, no-performer: one finding per code and per practice, summed
  // over the threads' ranges of events).
  CHECK(codes["registered-elsewhere"] == 9);
  CHECK(codes["unqualified-performer"] == 9 * 27);
  CHECK(codes["home-not-aligned"] == 9);
  CHECK(codes["care-home-resident-not-in-cohort"] == 9 * 3);
  CHECK(codes["unmapped-code"] == 1);
  CHECK(codes["no-performer"] == 9);
  // Residents, then homes, then clinicians, each in id order (a subject's tasks under both schemes together):
  // the order of the work items, whichever thread did each.
  bool ordered = true;
  for (std::size_t i = 1; i < result.tasks.size(); ++i) {
    const Task& a = result.tasks[i - 1];
    const Task& b = result.tasks[i];
    if (a.subject_kind != b.subject_kind) {
      ordered = ordered && a.subject_kind < b.subject_kind;
      continue;
    }
    ordered = ordered && pop.subject_id(a.subject_kind, a.subject) <= pop.subject_id(b.subject_kind, b.subject);
  }
  CHECK(ordered);
  // Every payment line that names a task names one of the same resident.
  for (const PaymentLine& line : result.payments)
    if (line.task != no_index) CHECK(result.tasks.at(line.task).subject == line.resident);
  // Evidence rows of every task are events of that task's subject.
  bool evidence_ok = true;
  for (const Task& t : result.tasks)
    for (std::uint32_t e = t.evidence_begin; e < t.evidence_begin + t.evidence_count; ++e)
      evidence_ok = evidence_ok && pop.events.subject[result.evidence.at(e)] == t.subject &&
                    pop.events.subject_kind[result.evidence.at(e)] == t.subject_kind;
  CHECK(evidence_ok);
}
