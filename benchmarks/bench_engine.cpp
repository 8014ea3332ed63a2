// How to run the C++ benchmarks
// ------------------------------
//
//   cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DCARERULES_BUILD_BENCHMARKS=ON
//   cmake --build build/bench --target carerules_bench_engine
//   build/bench/benchmarks/carerules_bench_engine                        # the demo replicated to ~15 million events
//   build/bench/benchmarks/carerules_bench_engine --population=national.json --events=0   # a file as it is
//   build/bench/benchmarks/carerules_bench_engine --events=1000000 --benchmark_filter=Evaluate
//
// A synthetic population (python/carerules/synthetic.py) replicated to national size: an eighth of the national
// preset (50,000 residents at a time, about 6 million events with the generator's years of history) copied 8 times:
//   .venv/bin/python -c "import carerules.synthetic as s; s.write_json(s.generate(s.Parameters.national(residents=50000)), 'div8.json')"
//   build/bench/benchmarks/carerules_bench_engine --population=div8.json --copies=8 --as-of=2025-03-31
//
// Options (after Google Benchmark's own --benchmark_* flags; each also read from an environment variable):
//   --population=FILE  CARERULES_BENCH_POPULATION  a `carerules.population/1` JSON file (default: the bundled demo)
//   --events=N         CARERULES_BENCH_EVENTS      replicate the population with fresh ids (through the public
//                                                  PopulationBuilder API) until it holds at least N events;
//                                                  default 15,000,000 (a national year); 0: no replication
//   --copies=N         CARERULES_BENCH_COPIES      replicate exactly N times instead
//   --as-of=DATE       CARERULES_BENCH_AS_OF       the as-of date (default 2026-11-01, the demo's extract date;
//                                                  give a generated population's own, e.g. 2025-03-31)
//
// What is measured (the population measured is named in the output's context, as `population`):
//   Load/json               load_population_file of the file as given
//   Load/records            building the (replicated) population record by record through PopulationBuilder
//   Evaluate/<schemes>/<threads>/<payments>   Evaluator::evaluate: care-homes-es (1) or both schemes (2) on
//                           1 or 2 threads, with payment lines or without (the difference is the lines' cost);
//                           a fresh result each time, as a one-off run (the command line) pays
//   EvaluateInto/<schemes>/<threads>/<payments>   Evaluator::evaluate into the previous result, whose storage
//                           the new rows reuse, as a service re-evaluating every night pays
//   Memory                  Population::memory_bytes per loaded event, with the share of the event columns
//   EvaluateResident        append_event (one new event) then Evaluator::evaluate_resident for that resident,
//                           both schemes; medians of single calls as counters (evaluate_resident_median_us,
//                           append_event_median_us)
// Run with --benchmark_repetitions=3 (or more) on a shared machine: two-thread figures depend on an idle core.
#include "carerules/engine/engine.hpp"
#include "carerules/io/json_loader.hpp"
#include "carerules/model/model.hpp"
#include "carerules/model/population_builder.hpp"
#include "carerules/schemes/scheme.hpp"
#include "replicate.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace carerules;
using carerules::bench::replicate;

struct Settings {
  std::string population_file = CARERULES_DEMO_POPULATION;
  std::size_t target_events = 15'000'000;
  std::size_t copies = 0;  // 0: from target_events
  Date as_of = *parse_date("2026-11-01");
};

std::size_t parse_count(std::string_view name, std::string_view text) {
  std::size_t value = 0;
  for (char ch : text) {
    if (ch == '_' || ch == ',') continue;
    if (ch < '0' || ch > '9') throw std::invalid_argument(std::string(name) + ": not a count: " + std::string(text));
    value = value * 10 + static_cast<std::size_t>(ch - '0');
  }
  return value;
}

Settings read_settings(int argc, char** argv) {
  Settings s;
  auto apply = [&](std::string_view key, std::string_view value) {
    if (key == "population") {
      s.population_file = std::string(value);
    } else if (key == "events") {
      s.target_events = parse_count(key, value);
    } else if (key == "copies") {
      s.copies = parse_count(key, value);
    } else if (key == "as-of") {
      const auto d = parse_date(value);
      if (!d) throw std::invalid_argument("as-of: not a date (expected YYYY-MM-DD): " + std::string(value));
      s.as_of = *d;
    } else {
      throw std::invalid_argument("unknown option --" + std::string(key) + " (see the top of bench_engine.cpp)");
    }
  };
  for (const auto& [key, env] : {std::pair{"population", "CARERULES_BENCH_POPULATION"}, std::pair{"events", "CARERULES_BENCH_EVENTS"},
                                 std::pair{"copies", "CARERULES_BENCH_COPIES"}, std::pair{"as-of", "CARERULES_BENCH_AS_OF"}})
    if (const char* v = std::getenv(env); v != nullptr && *v != '\0') apply(key, v);
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.substr(0, 2) != "--") throw std::invalid_argument("unexpected argument " + std::string(arg));
    arg.remove_prefix(2);
    const auto eq = arg.find('=');
    if (eq == std::string_view::npos) throw std::invalid_argument("expected --name=value: --" + std::string(arg));
    apply(arg.substr(0, eq), arg.substr(eq + 1));
  }
  return s;
}

// Shared by every benchmark: built once in main().
struct World {
  Settings settings;
  std::string label;
  LoadedPopulation source;
  std::size_t copies = 1;
  std::unique_ptr<Population> replicated;  // null when copies == 1
  const Population* population = nullptr;
  std::size_t memory_bytes = 0;  // before any event is appended
  std::vector<Scheme> one_scheme;
  std::vector<Scheme> both_schemes;
};
World* world = nullptr;

std::size_t residents_in_homes(const Population& pop, Date as_of) {
  std::size_t n = 0;
  for (Index r = 0; r < pop.residents.size(); ++r) {
    const auto range = pop.stays_of(r);
    for (Index s = range.begin; s < range.end; ++s)
      if (pop.stays.start[s] <= as_of && (pop.stays.end[s] == no_date || pop.stays.end[s] >= as_of)) {
        ++n;
        break;
      }
  }
  return n;
}

void population_counters(benchmark::State& state, const Population& pop) {
  state.counters["residents"] = static_cast<double>(pop.residents.size());
  state.counters["events"] = static_cast<double>(pop.events.size());
}

void BM_LoadJson(benchmark::State& state) {
  std::size_t events = 0;
  for (auto _ : state) {
    LoadedPopulation loaded = load_population_file(world->settings.population_file);
    events = loaded.population.events.size();
    benchmark::DoNotOptimize(loaded);
  }
  state.counters["events"] = static_cast<double>(events);
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel("file as given: " + world->settings.population_file);
}

void BM_LoadRecords(benchmark::State& state) {
  for (auto _ : state) {
    Population pop = replicate(world->source.population, world->copies);
    benchmark::DoNotOptimize(pop);
  }
  population_counters(state, *world->population);
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(world->population->events.size()),
                                                      benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(world->label);
}

// `reuse`: Evaluate (a fresh result each time, as a one-off run pays) or EvaluateInto (into the previous
// result's storage, as a service re-evaluating every night pays; one evaluation first, not timed).
void evaluate_benchmark(benchmark::State& state, bool reuse) {
  const bool both = state.range(0) == 2;
  EvaluateOptions options;
  options.threads = static_cast<unsigned>(state.range(1));
  options.payments = state.range(2) != 0;
  const Evaluator evaluator(*world->population, both ? world->both_schemes : world->one_scheme, options);
  std::size_t tasks = 0;
  std::size_t lines = 0;
  std::size_t findings = 0;
  EvaluationResult reused;
  if (reuse) evaluator.evaluate(world->settings.as_of, reused);
  for (auto _ : state) {
    EvaluationResult fresh;
    EvaluationResult& result = reuse ? reused : fresh;
    evaluator.evaluate(world->settings.as_of, result);
    tasks = result.tasks.size();
    lines = result.payments.size();
    findings = result.findings.size();
    benchmark::DoNotOptimize(result);
  }
  population_counters(state, *world->population);
  state.counters["tasks"] = static_cast<double>(tasks);
  state.counters["payment_lines"] = static_cast<double>(lines);
  state.counters["findings"] = static_cast<double>(findings);
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(world->population->events.size()),
                                                      benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(std::string(both ? "care-homes-es + case-management-les" : "care-homes-es") + ", " +
                 std::to_string(options.threads) + (options.threads == 1 ? " thread" : " threads") +
                 (options.payments ? ", with payment lines" : ", no payment lines") + (reuse ? ", into the previous result" : ""));
}

void BM_Evaluate(benchmark::State& state) { evaluate_benchmark(state, false); }
void BM_EvaluateInto(benchmark::State& state) { evaluate_benchmark(state, true); }

void BM_Memory(benchmark::State& state) {
  const Population& pop = *world->population;
  for (auto _ : state) benchmark::DoNotOptimize(pop.memory_bytes());
  const auto events = static_cast<double>(std::max<std::size_t>(1, pop.events.size()));
  const auto& e = pop.events;
  auto bytes = [](const auto& v) { return static_cast<double>(v.capacity() * sizeof(v[0])); };
  double columns = bytes(e.id) + bytes(e.date) + bytes(e.subject_kind) + bytes(e.subject) + bytes(e.activity) + bytes(e.code) +
                   bytes(e.system) + bytes(e.performer);
  for (const auto& off : e.offsets) columns += bytes(off);
  state.counters["bytes_per_event"] = static_cast<double>(world->memory_bytes) / events;
  state.counters["event_columns_per_event"] = columns / events;
  state.counters["event_ids_per_event"] = static_cast<double>(pop.event_ids.memory_bytes()) / events;
  state.counters["memory_MiB"] = static_cast<double>(world->memory_bytes) / (1024.0 * 1024.0);
  population_counters(state, pop);
  state.SetLabel(world->label);
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The vendor's path: one new event for a resident living in a home, then that resident re-evaluated (both
// schemes). Residents are taken in turn from 1,000 spread through the population. Appended events stay in
// the population, so this benchmark is registered last.
void BM_EvaluateResident(benchmark::State& state) {
  auto& pop = const_cast<Population&>(*world->population);
  const Date as_of = world->settings.as_of;
  std::vector<Index> residents;
  const std::size_t step = std::max<std::size_t>(1, pop.residents.size() / 1000);
  for (Index r = 0; r < pop.residents.size() && residents.size() < 1000; r += static_cast<Index>(step)) {
    const auto range = pop.stays_of(r);
    if (range.empty()) continue;
    const Index last = range.end - 1;
    if (pop.stays.start[last] <= as_of && (pop.stays.end[last] == no_date || pop.stays.end[last] >= as_of)) residents.push_back(r);
  }
  if (residents.empty()) {
    state.SkipWithError("no resident lives in a home on the as-of date");
    return;
  }
  const Evaluator evaluator(pop, world->both_schemes);
  std::vector<double> append_us;
  std::vector<double> evaluate_us;
  static std::size_t serial = 0;
  std::size_t i = 0;
  std::size_t tasks = 0;
  for (auto _ : state) {
    const Index r = residents[i++ % residents.size()];
    const std::string id = "bench-new-event-" + std::to_string(serial++);
    const std::string& resident = pop.residents.ids.name(r);
    const auto t0 = std::chrono::steady_clock::now();
    append_event(pop, EventRecord{id, as_of, SubjectKind::resident, resident, Activity::clinic_review, {}, CodeSystem::snomed, {}});
    const auto t1 = std::chrono::steady_clock::now();
    EvaluationResult result = evaluator.evaluate_resident(r, as_of);
    const auto t2 = std::chrono::steady_clock::now();
    tasks += result.tasks.size();
    benchmark::DoNotOptimize(result);
    append_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    evaluate_us.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
  }
  state.counters["evaluate_resident_median_us"] = median(evaluate_us);
  state.counters["append_event_median_us"] = median(append_us);
  state.counters["tasks_per_resident"] = static_cast<double>(tasks) / static_cast<double>(std::max<std::size_t>(1, evaluate_us.size()));
  state.SetLabel(world->label);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  try {
    World w;
    w.settings = read_settings(argc, argv);
    w.source = load_population_file(w.settings.population_file);
    const Population& src = w.source.population;
    if (w.source.total.rejected != 0)
      std::cerr << "note: " << w.source.total.rejected << " records of " << w.settings.population_file << " were rejected\n";
    w.copies = w.settings.copies != 0 ? w.settings.copies
               : w.settings.target_events == 0 || src.events.size() == 0
                   ? 1
                   : (w.settings.target_events + src.events.size() - 1) / src.events.size();
    const auto t0 = std::chrono::steady_clock::now();
    if (w.copies > 1) w.replicated = std::make_unique<Population>(replicate(src, w.copies));
    const double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    w.population = w.copies > 1 ? w.replicated.get() : &src;
    w.memory_bytes = w.population->memory_bytes();
    w.label = w.settings.population_file + (w.copies > 1 ? " x" + std::to_string(w.copies) + " (fresh ids)" : std::string());
    w.one_scheme = {builtin_scheme("care-homes-es")};
    w.both_schemes = {builtin_scheme("care-homes-es"), builtin_scheme("case-management-les")};
    world = &w;

    const Population& pop = *w.population;
    benchmark::AddCustomContext("population", w.label);
    benchmark::AddCustomContext("residents", std::to_string(pop.residents.size()));
    benchmark::AddCustomContext("residents_in_homes_on_as_of", std::to_string(residents_in_homes(pop, w.settings.as_of)));
    benchmark::AddCustomContext("homes", std::to_string(pop.homes.size()));
    benchmark::AddCustomContext("events", std::to_string(pop.events.size()));
    std::size_t in_year = 0;  // events of the year up to the as-of date (the rest is history)
    for (Date day : pop.events.date) in_year += day > w.settings.as_of - date::days{365} && day <= w.settings.as_of ? 1 : 0;
    benchmark::AddCustomContext("events_in_year_to_as_of", std::to_string(in_year));
    benchmark::AddCustomContext("as_of", format_date(w.settings.as_of));
    benchmark::AddCustomContext("replication_s", std::to_string(build_s));

    benchmark::RegisterBenchmark("Load/json", BM_LoadJson)->Unit(benchmark::kMillisecond)->UseRealTime();
    if (w.copies > 1) benchmark::RegisterBenchmark("Load/records", BM_LoadRecords)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
    benchmark::RegisterBenchmark("Evaluate", BM_Evaluate)
        ->ArgNames({"schemes", "threads", "payments"})
        ->ArgsProduct({{1, 2}, {1, 2}, {1}})
        ->Args({1, 1, 0})
        ->Args({2, 1, 0})
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        // With --benchmark_repetitions: on a shared machine the fastest run is the one least disturbed.
        ->ComputeStatistics("min", [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); });
    benchmark::RegisterBenchmark("EvaluateInto", BM_EvaluateInto)
        ->ArgNames({"schemes", "threads", "payments"})
        ->ArgsProduct({{1, 2}, {1, 2}, {1}})
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->ComputeStatistics("min", [](const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); });
    benchmark::RegisterBenchmark("Memory", BM_Memory)->Iterations(1);
    benchmark::RegisterBenchmark("EvaluateResident", BM_EvaluateResident)->Unit(benchmark::kMicrosecond)->Iterations(5000);

    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    world = nullptr;
  } catch (const std::exception& e) {
    std::cerr << "carerules_bench_engine: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
