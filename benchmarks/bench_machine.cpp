// What two threads can get from this machine, beside what the engine gets (docs/performance.md): streaming
// memory (each thread copies its own buffer, larger than the caches) and a loop that never leaves the cache.
// The ratio of a benchmark's throughput on 2 threads to 1 is the most any work of that kind can gain.
//
//   build/bench/benchmarks/carerules_bench_machine --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace {

constexpr std::size_t buffer_bytes = std::size_t{256} << 20;

void BM_StreamCopy(benchmark::State& state) {
  // Each thread's own buffers, written once before timing so that no page is fresh.
  std::vector<char> from(buffer_bytes, 1);
  std::vector<char> to(buffer_bytes, 2);
  for (auto _ : state) {
    std::memcpy(to.data(), from.data(), buffer_bytes);
    benchmark::DoNotOptimize(to.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(buffer_bytes));
}

void BM_InCacheLoop(benchmark::State& state) {
  std::uint64_t x = static_cast<std::uint64_t>(state.thread_index()) + 1;
  constexpr std::int64_t steps = 10'000'000;
  for (auto _ : state) {
    for (std::int64_t i = 0; i < steps; ++i) x = (x * 6364136223846793005ULL + 1442695040888963407ULL) ^ (x >> 13);
    benchmark::DoNotOptimize(x);
  }
  state.SetItemsProcessed(state.iterations() * steps);
}

}  // namespace

BENCHMARK(BM_StreamCopy)->Threads(1)->Threads(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_InCacheLoop)->Threads(1)->Threads(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
