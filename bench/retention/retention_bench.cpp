// Benchmark (figures, not a pass/fail test): marking 100,000 and 1,000,000 backups with all six
// keep-* rules set. Target from issue 2: under 100 ms per run for 100,000 on the project machine.
// bench/run-all.sh runs the UTC ones (--benchmark_filter) and reads their JSON.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/core/local_time.hpp"
#include "policies/retention_engine.hpp"

namespace {

// One backup every 15 minutes (100,000: about 2.9 years), input oldest first as a storage
// lists them.
std::vector<policies::BackupEntry> history(std::int64_t backups) {
  std::vector<policies::BackupEntry> entries;
  entries.reserve(static_cast<std::size_t>(backups));
  const std::int64_t start = 1'700'000'000;
  for (std::int64_t i = 0; i < backups; ++i) {
    entries.push_back({"backup-" + std::to_string(i), start + i * 900, i % 997 == 0});
  }
  return entries;
}

policies::RetentionPolicy all_rules() {
  auto p = policies::parse_prune_string(
      "keep-last=24,keep-hourly=48,keep-daily=31,keep-weekly=52,keep-monthly=24,keep-yearly=10");
  if (!p) throw std::runtime_error(p.error().message);
  return *p;
}

void run(benchmark::State& state, const policies::LocalCalendar& calendar) {
  const auto entries = history(state.range(0));
  const auto policy = all_rules();
  std::size_t kept = 0;
  for (auto _ : state) {
    const auto decisions = policies::mark_backups(entries, policy, calendar);
    kept = 0;
    for (const auto& d : decisions) kept += d.mark == policies::Mark::keep ? 1 : 0;
    benchmark::DoNotOptimize(kept);
  }
  state.counters["kept"] = static_cast<double>(kept);
  state.counters["backups"] = static_cast<double>(entries.size());
}

void BM_MarkAllRulesUtc(benchmark::State& state) { run(state, policies::UtcCalendar{}); }

void BM_MarkAllRulesEuropeBerlin(benchmark::State& state) {
  const auto zone = agent::ZoneCalendar::open("Europe/Berlin");
  if (!zone) {
    state.SkipWithError(zone.error().c_str());
    return;
  }
  run(state, *zone);
}

BENCHMARK(BM_MarkAllRulesUtc)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MarkAllRulesEuropeBerlin)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
