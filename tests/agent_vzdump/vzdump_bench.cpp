// Benchmark (ctest label `benchmark`, bench/vzdump/run.sh): figures, not pass/fail.
//  1. One full vzdump-tier run (backup + prune) against the in-process simulator: HTTP
//     requests beyond task polling, deletions, notes writes, and the agent thread's CPU time
//     with and without archive verification.
//  2. Archive verification speed vs `zstd -t` on the same large .tar.zst, side by side.
// Usage: vzdump_bench [uncompressed MiB for part 2, default 512]
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>

#include <zstd.h>

#include "agent/vzdump/archive_verifier.hpp"
#include "agent/vzdump/vzdump_tier.hpp"

// RunContext grows optional members (journal, ...) that these tests leave at their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "tests/pvesim/simulator.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double thread_cpu_ms() {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

void put_octal(char* field, std::size_t len, unsigned long long value) {
  std::snprintf(field, len, "%0*llo", static_cast<int>(len - 1), value);
}

// Writes a .tar.zst of `mib` MiB of tar data (1 MiB files of compressible pseudo-text),
// compressed with zstd level 3 and a frame checksum, as vzdump's zstd does.
void make_archive(const fs::path& path, std::size_t mib) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 3);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::string outbuf(ZSTD_CStreamOutSize(), '\0');
  auto push = [&](const std::string& data, bool last) {
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    for (;;) {
      ZSTD_outBuffer o{outbuf.data(), outbuf.size(), 0};
      const size_t left = ZSTD_compressStream2(cctx, &o, &in, last ? ZSTD_e_end : ZSTD_e_continue);
      out.write(outbuf.data(), static_cast<std::streamsize>(o.pos));
      if (last ? left == 0 : in.pos == in.size) break;
    }
  };
  unsigned x = 12345;
  std::string file(1 << 20, '\0');
  for (std::size_t i = 0; i + 1 < mib; ++i) {
    char header[512] = {};
    std::snprintf(header, 100, "data/file%06zu.txt", i);
    put_octal(header + 100, 8, 0644);
    put_octal(header + 108, 8, 0);
    put_octal(header + 116, 8, 0);
    put_octal(header + 124, 12, file.size() - 512);
    put_octal(header + 136, 12, 1700000000);
    header[156] = '0';
    std::memcpy(header + 257, "ustar", 6);
    std::memcpy(header + 263, "00", 2);
    std::memset(header + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : header) sum += c;
    std::snprintf(header + 148, 8, "%06o", sum);
    std::memcpy(file.data(), header, 512);
    for (std::size_t j = 512; j < file.size(); ++j) {
      x = x * 1103515245u + 12345u;
      file[j] = "abcdefghij klmnop\n"[(x >> 16) % 18];
    }
    push(file, false);
  }
  push(std::string(1024, '\0'), true);
  ZSTD_freeCCtx(cctx);
}

double seconds_of(const std::function<void()>& f) {
  const auto t0 = Clock::now();
  f();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t mib = argc > 1 ? std::stoul(argv[1]) : 512;
  const fs::path dir = fs::temp_directory_path() / ("vzdump-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);

  // ---- 1. one run against the simulator ----
  pvesim::Options options;
  options.data_dir = dir / "sim";
  options.start_time = 1767229200;
  options.freeze_clock = true;
  options.task_finish_after_polls = 3;
  options.archive_bytes = 8 << 20;
  auto sim = std::make_unique<pvesim::Simulator>(options);
  if (auto ok = sim->start(); !ok) {
    std::cerr << "simulator: " << ok.error() << "\n";
    return 1;
  }
  // A steady state: 7 daily archives already exist, so the run removes the oldest.
  for (int d = 7; d >= 1; --d) {
    sim->seed_backup(106, options.start_time - d * 86400,
                     "bench smokerbak:R" + std::to_string(d) + "\nops");
  }
  agent::Config config;
  config.proxmox.api_url = sim->base_url();
  config.proxmox.ca_file = sim->ca_file();
  config.proxmox.token_id = pvesim::default_token().token_id;
  const auto secret = dir / "token";
  std::ofstream(secret) << pvesim::default_token().secret << "\n";
  chmod(secret.c_str(), 0600);
  config.proxmox.token_secret.path = secret;
  config.state_dir = dir / "state";
  config.timezone = "UTC";
  policies::RetentionPolicy policy;
  policy.keep_daily = 7;
  policy.keep_weekly.reset();
  policy.keep_monthly.reset();
  config.retention = policy;
  agent::TargetConfig target;
  target.name = "bench";
  target.vmid = 106;
  target.vzdump = agent::VzdumpConfig{};
  config.targets = {target};
  agent::VzdumpTierOptions tier_options;
  tier_options.first_poll = std::chrono::milliseconds(5);
  tier_options.max_poll = std::chrono::milliseconds(20);
  agent::VzdumpTier tier(
      config, [&] { return agent::make_api_client(config); }, tier_options);
  agent::RunContext ctx{.config = config,
                        .run_id = "20260101T010000Z",
                        .run_start = std::chrono::system_clock::from_time_t(sim->now())};

  const std::uint64_t before = sim->request_count();
  const double cpu0 = thread_cpu_ms();
  const auto wall0 = Clock::now();
  const auto made = tier.backup(target, ctx);
  const auto pruned = tier.prune(target, ctx);
  const double run_cpu = thread_cpu_ms() - cpu0;
  const double run_wall = std::chrono::duration<double, std::milli>(Clock::now() - wall0).count();
  const auto stats = tier.client_stats();
  // Verification share of that CPU time: verify the same archive again on this thread.
  std::string archive_path;
  for (const auto& e : fs::directory_iterator(sim->storage_dir())) {
    if (e.path().string().find(".tar.zst") != std::string::npos && e.path().extension() == ".zst" &&
        e.path().filename().string().find("2026_01_01") != std::string::npos) {
      archive_path = e.path();
    }
  }
  const double vcpu0 = thread_cpu_ms();
  const auto check = agent::verify_archive(archive_path);
  const double verify_cpu = thread_cpu_ms() - vcpu0;

  std::printf("run: backup %s, prune %s (%s)\n",
              made.state == agent::TierState::ok ? "ok" : "NOT OK",
              pruned.state == agent::TierState::ok ? "ok" : "NOT OK", pruned.summary.c_str());
  if (!made.error.empty()) std::printf("  backup error: %s\n", made.error.c_str());
  std::printf(
      "requests: %llu total seen by the simulator, %llu by the client, %llu of them task "
      "polling, %llu beyond polling\n",
      static_cast<unsigned long long>(sim->request_count() - before),
      static_cast<unsigned long long>(stats.requests), static_cast<unsigned long long>(stats.polls),
      static_cast<unsigned long long>(stats.requests - stats.polls));
  std::printf(
      "cpu (agent thread): %.1f ms for the run, of which archive verification %.1f ms "
      "(%.1f MiB tar, %s) -> %.1f ms without verification; wall %.0f ms\n",
      run_cpu, verify_cpu, check.tar_bytes / 1048576.0, agent::to_string(check.verdict),
      run_cpu - verify_cpu, run_wall);
  sim.reset();

  // ---- 2. verification speed vs zstd -t ----
  const auto big = dir / "big.tar.zst";
  make_archive(big, mib);
  std::printf("archive: %zu MiB tar, %.1f MiB compressed\n", mib, fs::file_size(big) / 1048576.0);
  const std::string cmd = "zstd -q -t '" + big.string() + "'";
  double best_zstd = 1e9;
  double best_ours = 1e9;
  for (int round = 0; round < 3; ++round) {
    best_zstd = std::min(best_zstd, seconds_of([&] {
                           if (std::system(cmd.c_str()) != 0)
                             std::fprintf(stderr, "zstd -t failed\n");
                         }));
    best_ours = std::min(best_ours, seconds_of([&] {
                           const auto c = agent::verify_archive(big);
                           if (c.verdict != agent::ArchiveVerdict::verified) {
                             std::fprintf(stderr, "verify failed: %s\n", c.problem.c_str());
                           }
                         }));
  }
  const double mb = static_cast<double>(mib) * 1048576.0 / 1e6;
  std::printf("verify: zstd -t %.0f MB/s, agent (zstd + tar walk + sha256) %.0f MB/s, ratio %.2f\n",
              mb / best_zstd, mb / best_ours, best_zstd / best_ours);
  fs::remove_all(dir);
  return 0;
}
