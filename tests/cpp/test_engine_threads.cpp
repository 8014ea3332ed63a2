// The engine cuts an evaluation into work items (structural rules, blocks of residents, homes and clinicians,
// ranges of events for the population-wide counts) that threads take in turn. These tests evaluate a
// population large enough for several items of every kind and check that the result does not depend on the
// number of threads.
#include "carerules/engine/engine.hpp"
#include "carerules/io/json_loader.hpp"
#include "carerules/model/population_builder.hpp"
#include "carerules/schemes/scheme.hpp"

#include "../../benchmarks/replicate.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <string>
#include <utility>
#include <vector>

using namespace carerules;

namespace {

// The bundled demo nine times over: 1,278 residents, 36 homes, 153 clinicians, about 23,600 events.
const Population& demo_x9() {
  static const Population pop =
      bench::replicate(load_population_file(CARERULES_SOURCE_DIR "/python/carerules/data/demo_population.json").population, 9);
  return pop;
}

EvaluationResult evaluated(const Population& pop, const std::vector<Scheme>& schemes, const char* as_of, unsigned threads) {
  EvaluateOptions options;
  options.threads = threads;
  return Evaluator(pop, schemes, options).evaluate(*parse_date(as_of));
}

// Every field of every task, line and finding (compared directly: writing the JSON is slow under sanitizers).
auto fields(const Task& t) {
  return std::tie(t.scheme, t.obligation, t.subject_kind, t.status, t.anchor_kind, t.scope_exit, t.subject, t.practice, t.home,
                  t.opens, t.due, t.completed_on, t.anchor_date, t.scope_end, t.anchor_ref, t.missing, t.evidence_begin,
                  t.evidence_count, t.instance);
}
auto fields(const PaymentLine& l) {
  return std::tie(l.scheme, l.kind, l.status, l.reason, l.care_home_patient, l.practice, l.resident, l.home, l.quarter, l.amount,
                  l.tariff, l.residency_start, l.activity_date, l.task);
}
auto fields(const Finding& f) { return std::tie(f.severity, f.code, f.subject_kind, f.subject, f.scheme, f.message); }

template <typename T>
bool same_rows(const std::vector<T>& a, const std::vector<T>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const T& x, const T& y) { return fields(x) == fields(y); });
}

// Every task, evidence row, payment line and finding of `got` is `expected`'s, in the same order.
void check_same_rows(const EvaluationResult& got, const EvaluationResult& expected) {
  CHECK(same_rows(got.tasks, expected.tasks));
  CHECK(got.evidence == expected.evidence);
  CHECK(same_rows(got.payments, expected.payments));
  CHECK(same_rows(got.findings, expected.findings));
}

}  // namespace

TEST_CASE("engine: both schemes give the same tasks, payment lines and findings on 1, 2, 3, 8 and all threads") {
  const Population& pop = demo_x9();
  REQUIRE(pop.residents.size() == 9 * 142);
  REQUIRE(pop.homes.size() == 9 * 4);
  const std::vector<Scheme> schemes{builtin_scheme("care-homes-es"), builtin_scheme("case-management-les")};
  const std::vector<std::pair<const char*, std::vector<unsigned>>> runs{{"2025-06-30", {2U, 8U}}, {"2026-11-01", {2U, 3U, 0U}}};
  for (const auto& [as_of, thread_counts] : runs) {
    CAPTURE(as_of);
    const EvaluationResult one = evaluated(pop, schemes, as_of, 1);
    for (unsigned threads : thread_counts) {
      CAPTURE(threads);
      const EvaluationResult more = evaluated(pop, schemes, as_of, threads);
      check_same_rows(more, one);
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

TEST_CASE("engine: results far larger than the population suggests are complete and the same on any number of threads") {
  // The engine reserves room for its rows from the population's size (about a task per event, a few per
  // resident). Residents admitted to hospital every other month for five years, with no care recorded, owe a
  // review of every admission: several times the rows reserved, so every thread's rows outgrow their storage
  // and the result is put together from grown storage.
  PopulationBuilder b;
  REQUIRE(b.add(PracticeRecord{"P1", "Park Surgery", 9500}, 0));
  REQUIRE(b.add(ClinicianRecord{"C1", "P1", Role::gp, 0}, 0));
  REQUIRE(b.add(HomeRecord{"H1", "Oak Lodge", "nursing", 600, "P1", "C1"}, 0));
  constexpr std::size_t residents = 600;
  constexpr std::size_t admissions_each = 30;
  std::vector<std::string> ids, stay_ids, admission_ids;
  for (std::size_t i = 0; i < residents; ++i) {
    ids.push_back("R" + std::to_string(1000 + i));
    stay_ids.push_back("S" + std::to_string(1000 + i));
    for (std::size_t a = 0; a < admissions_each; ++a) admission_ids.push_back("A" + std::to_string(1000 + i) + "-" + std::to_string(a));
  }
  for (std::size_t i = 0; i < residents; ++i) {
    ResidentRecord r;
    r.id = ids[i];
    r.born = *parse_date("1930-01-01");
    r.practice = "P1";
    REQUIRE(b.add(r, i));
  }
  for (std::size_t i = 0; i < residents; ++i) {
    StayRecord s;
    s.id = stay_ids[i];
    s.resident = ids[i];
    s.home = "H1";
    s.start = *parse_date("2020-01-06");
    REQUIRE(b.add(s, i));
  }
  for (std::size_t i = 0; i < residents; ++i)
    for (std::size_t a = 0; a < admissions_each; ++a) {
      const Date start = add_months(*parse_date("2021-01-10"), static_cast<int>(2 * a), MonthEndPolicy::clamp);
      const std::size_t row = i * admissions_each + a;
      REQUIRE(b.add(AdmissionRecord{admission_ids[row], ids[i], start, start + date::days{2}, AdmissionMethod::emergency}, row));
    }
  const Population pop = b.finish();
  REQUIRE(pop.events.size() == 0);
  const std::vector<Scheme> schemes{builtin_scheme("care-homes-es")};
  const EvaluationResult one = evaluated(pop, schemes, "2026-06-30", 1);
  std::size_t admission_reviews = 0;
  for (const Task& t : one.tasks) admission_reviews += t.anchor_kind == AnchorKind::admission ? 1 : 0;
  CHECK(admission_reviews == residents * admissions_each);
  CHECK(one.tasks.size() > 2 * (pop.events.size() + 4 * residents));
  for (unsigned threads : {2U, 3U, 8U}) {
    CAPTURE(threads);
    const EvaluationResult more = evaluated(pop, schemes, "2026-06-30", threads);
    check_same_rows(more, one);
  }
}

TEST_CASE("engine: evaluating into a previous result replaces it with exactly what a fresh evaluation gives") {
  const Population& pop = demo_x9();
  const std::vector<Scheme> schemes{builtin_scheme("care-homes-es"), builtin_scheme("case-management-les")};
  for (unsigned threads : {1U, 2U}) {
    CAPTURE(threads);
    EvaluateOptions options;
    options.threads = threads;
    const Evaluator evaluator(pop, schemes, options);
    EvaluationResult reused;
    // A later date first (more rows than the next evaluation writes), then an earlier one, then the later
    // one again: each time the result is what a fresh evaluation returns, with nothing left of the last.
    for (const char* as_of : {"2026-11-01", "2025-06-30", "2026-11-01"}) {
      CAPTURE(as_of);
      evaluator.evaluate(*parse_date(as_of), reused);
      const EvaluationResult fresh = evaluator.evaluate(*parse_date(as_of));
      CHECK(reused.as_of == fresh.as_of);
      CHECK(reused.schemes.size() == fresh.schemes.size());
      check_same_rows(reused, fresh);
    }
  }
}
