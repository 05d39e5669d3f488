// Benchmark (ctest label `benchmark`, bench/vzdump/run.sh): figures, not pass/fail.
//  1. Nightly vzdump-tier runs (backup + prune, default policy 7 daily / 4 weekly / 12
//     monthly) against the in-process simulator, each with a fresh VzdumpTier as the real
//     binary makes one per process and night. Night 1 is a first run: 7 agent-owned daily
//     archives exist on the storage but the local state has no record of them (a new
//     installation, or lost state). Nights 2.. are the steady state. Per night: HTTP requests
//     by endpoint, split into task polling and the rest, and the agent thread's CPU time with
//     and without archive verification.
//     "Task polling" is exactly the requests made while waiting for a task: GET
//     /nodes/{node}/tasks/{upid}/status and .../log of the vzdump task and of each imgdel task
//     (Client::wait_task; ClientStats::polls counts the same set). Everything else, including
//     the POST that starts the vzdump and each DELETE that starts an imgdel, is "beyond".
//  2. Archive verification speed vs `zstd -t` on the same large .tar.zst, side by side.
// Usage: vzdump_bench [uncompressed MiB for part 2, default 512] [nights, default 10]
// Single steps for bench/run-all.sh (which times them and runs the references itself):
//   vzdump_bench make-archive FILE MIB   writes the part-2 archive of MIB MiB of tar
//   vzdump_bench verify FILE             verifies it; prints "verify SECONDS TAR_BYTES"
//   vzdump_bench requests NIGHTS         part 1 with the minimal token; its last line is
//                                        "requests-per-run MAX_BEYOND_POLLING MAX_POLLING"
#include <sys/resource.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <zstd.h>

#include "agent/cli/wiring.hpp"
#include "agent/vzdump/archive_verifier.hpp"
#include "agent/vzdump/vzdump_tier.hpp"
#include "tests/agent_vzdump/tar_fixture.hpp"

// RunContext grows optional members (journal, ...) that these tests leave at their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "tests/pvesim/sim_harness.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double thread_cpu_ms() {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
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
  std::string data((1 << 20) - 512, '\0');  // with its header, each file is 1 MiB of tar
  for (std::size_t i = 0; i + 1 < mib; ++i) {
    for (auto& c : data) {
      x = x * 1103515245u + 12345u;
      c = "abcdefghij klmnop\n"[(x >> 16) % 18];
    }
    char name[40];
    std::snprintf(name, sizeof name, "data/file%06zu.txt", i);
    push(agent::testing::tar_of({{name, data}}, /*end_marker=*/false), false);
  }
  push(std::string(1024, '\0'), true);
  ZSTD_freeCCtx(cctx);
}

// "GET /api2/json/nodes/pve1/storage/local/content/local:backup/x" ->
// "GET /nodes/{node}/storage/{storage}/content/{volume}": one key per API endpoint.
std::string endpoint_of(const std::string& logged) {
  const auto space = logged.find(' ');
  std::string path = logged.substr(space + 1);
  const std::string prefix = "/api2/json";
  if (path.rfind(prefix, 0) == 0) path = path.substr(prefix.size());
  std::vector<std::string> segs;
  for (std::size_t at = 1; at <= path.size();) {
    const auto next = path.find('/', at);
    segs.push_back(path.substr(at, next == std::string::npos ? std::string::npos : next - at));
    if (next == std::string::npos) break;
    at = next + 1;
  }
  std::string out = logged.substr(0, space) + " ";
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const std::string prev = i > 0 ? segs[i - 1] : "";
    if (prev == "content") {  // the volid spans the rest (it contains '/')
      out += "/{volume}";
      break;
    }
    if (prev == "nodes") {
      out += "/{node}";
    } else if (prev == "storage" && i >= 2) {
      out += "/{storage}";
    } else if (prev == "tasks") {
      out += "/{upid}";
    } else {
      out += "/" + segs[i];
    }
  }
  return out;
}

bool is_polling(const std::string& endpoint) {
  return endpoint == "GET /nodes/{node}/tasks/{upid}/status" ||
         endpoint == "GET /nodes/{node}/tasks/{upid}/log";
}

struct Night {
  int night = 0;
  bool ok = false;
  std::string detail;
  std::map<std::string, int> by_endpoint;
  int polling = 0;
  int beyond = 0;
  std::uint64_t client_requests = 0;
  std::uint64_t client_polls = 0;
  double cpu_ms = 0;
  double verify_cpu_ms = 0;
  double wall_ms = 0;
};

double seconds_of(const std::function<void()>& f) {
  const auto t0 = Clock::now();
  f();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Runs `nights` nightly runs against a fresh simulator whose only token has `privileges`
// and prints the figures; false when the simulator cannot start.
bool run_nights(const std::string& label, const std::set<std::string>& privileges, int nights) {
  pvesim::testing::SimHarness harness("vzdump-bench-" + label);
  pvesim::Options& options = harness.options;
  options.task_finish_after_polls = 3;
  options.archive_bytes = 8 << 20;
  pvesim::Token token = pvesim::default_token();
  token.privileges = privileges;
  options.tokens = {token};
  if (auto ok = harness.start(); !ok) {
    std::cerr << "simulator: " << ok.error() << "\n";
    return false;
  }
  pvesim::Simulator* sim = &harness.sim();
  // 7 daily archives of an earlier installation (agent-owned by their notes, no local record).
  for (int d = 7; d >= 1; --d) {
    sim->seed_backup(106, options.start_time - d * 86400,
                     "bench smokerbak:R" + std::to_string(d) + "\nops");
  }
  agent::Config config;
  config.proxmox.api_url = sim->base_url();
  config.proxmox.ca_file = sim->ca_file();
  config.proxmox.node = "pve1";  // the agent runs on the simulator's first node
  config.proxmox.token_id = token.token_id;
  config.proxmox.token_secret.path = harness.write_token_file(token.secret);
  config.state_dir = harness.dir() / "state";
  config.timezone = "UTC";
  config.retention = policies::RetentionPolicy{};  // 7 daily, 4 weekly, 12 monthly
  agent::TargetConfig target;
  target.name = "bench";
  target.vmid = 106;
  target.vzdump = agent::VzdumpConfig{};
  config.targets = {target};
  agent::VzdumpTierOptions tier_options;
  tier_options.first_poll = std::chrono::milliseconds(5);
  tier_options.max_poll = std::chrono::milliseconds(20);

  std::vector<Night> results;
  for (int n = 1; n <= nights; ++n) {
    if (n > 1) sim->advance(86400);
    char run_id[32];
    const std::time_t now = sim->now();
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(run_id, sizeof run_id, "%Y%m%dT%H%M%SZ", &tm);
    const agent::SystemClock agent_clock;
    agent::VzdumpTier tier(
        config, [&] { return agent::make_api_client(config, agent_clock); }, tier_options);
    agent::RunContext ctx{.config = config,
                          .run_id = run_id,
                          .run_start = std::chrono::system_clock::from_time_t(now)};
    const std::size_t log_before = sim->request_log().size();
    const double cpu0 = thread_cpu_ms();
    const auto wall0 = Clock::now();
    auto run = tier.begin(target, ctx);
    const auto made = run->backup();
    const auto pruned = run->prune();
    Night r;
    r.night = n;
    r.cpu_ms = thread_cpu_ms() - cpu0;
    r.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - wall0).count();
    r.ok = made.state == agent::TierState::ok && pruned.state == agent::TierState::ok;
    r.detail = made.error ? made.error->message : pruned.summary;
    for (const auto& w : made.warnings) r.detail += " [warning: " + w + "]";
    const auto log = sim->request_log();
    for (std::size_t i = log_before; i < log.size(); ++i) {
      const std::string e = endpoint_of(log[i]);
      ++r.by_endpoint[e];
      (is_polling(e) ? r.polling : r.beyond) += 1;
    }
    const auto stats = tier.client_stats();
    r.client_requests = stats.requests;
    r.client_polls = stats.polls;
    // Verification share of the CPU time: verify the night's archive again on this thread.
    const auto archive = sim->storage_dir() / made.backup_id.substr(made.backup_id.rfind('/') + 1);
    const double vcpu0 = thread_cpu_ms();
    (void)agent::verify_archive(archive);
    r.verify_cpu_ms = thread_cpu_ms() - vcpu0;
    results.push_back(std::move(r));
  }

  auto print_breakdown = [](const Night& r) {
    std::printf("night %d by endpoint (%s):\n", r.night, r.ok ? "ok" : "NOT OK");
    for (const auto& [endpoint, count] : r.by_endpoint) {
      std::printf("  %3d  %-48s%s\n", count, endpoint.c_str(),
                  is_polling(endpoint) ? "  (task polling)" : "");
    }
    std::printf("  %3d  beyond polling, %d task polling (client: %llu requests, %llu polls)\n",
                r.beyond, r.polling, static_cast<unsigned long long>(r.client_requests),
                static_cast<unsigned long long>(r.client_polls));
  };
  print_breakdown(results.front());
  if (results.size() > 1) print_breakdown(results[1]);
  std::printf("%-6s %-7s %-6s %-7s %-6s %-6s %-9s %-9s %s\n", "night", "beyond", "polls", "DELETE",
              "PUT", "GETvol", "cpu ms", "-verify", "result");
  int worst_steady = 0;
  int worst_polling = 0;
  double worst_cpu = 0;
  for (const auto& r : results) {
    auto count = [&](const std::string& e) {
      const auto it = r.by_endpoint.find(e);
      return it == r.by_endpoint.end() ? 0 : it->second;
    };
    std::printf("%-6d %-7d %-6d %-7d %-6d %-6d %-9.1f %-9.1f %s\n", r.night, r.beyond, r.polling,
                count("DELETE /nodes/{node}/storage/{storage}/content/{volume}"),
                count("PUT /nodes/{node}/storage/{storage}/content/{volume}"),
                count("GET /nodes/{node}/storage/{storage}/content/{volume}"), r.cpu_ms,
                r.cpu_ms - r.verify_cpu_ms, r.detail.c_str());
    if (r.night > 1) {
      worst_steady = std::max(worst_steady, r.beyond);
      worst_polling = std::max(worst_polling, r.polling);
      worst_cpu = std::max(worst_cpu, r.cpu_ms - r.verify_cpu_ms);
    }
  }
  if (results.size() > 1) {
    std::printf(
        "steady state (nights 2-%d): at most %d requests beyond polling, at most %.1f ms "
        "agent CPU per run without verification\n",
        nights, worst_steady, worst_cpu);
    std::printf("requests-per-run %d %d\n", worst_steady, worst_polling);
  }
  return true;
}

const std::set<std::string> k_minimal_privileges = {"VM.Backup", "VM.Audit",
                                                    "Datastore.AllocateSpace", "Datastore.Audit"};

// The single steps of bench/run-all.sh; -1 when argv names none of them.
int run_step(int argc, char** argv) {
  const std::string step = argc > 1 ? argv[1] : "";
  if (step == "make-archive" && argc == 4) {
    make_archive(argv[2], std::stoul(argv[3]));
    return 0;
  }
  if (step == "verify" && argc == 3) {
    const auto t0 = Clock::now();
    const auto c = agent::verify_archive(argv[2]);
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (c.verdict != agent::ArchiveVerdict::verified) {
      std::fprintf(stderr, "verify failed: %s\n", c.problem.c_str());
      return 1;
    }
    std::printf("verify %.3f %llu\n", s, static_cast<unsigned long long>(c.tar_bytes));
    return 0;
  }
  if (step == "requests" && argc == 3) {
    return run_nights("minimal", k_minimal_privileges, std::stoi(argv[2])) ? 0 : 1;
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && !std::isdigit(static_cast<unsigned char>(argv[1][0]))) {
    const int rc = run_step(argc, argv);
    if (rc >= 0) return rc;
    std::fprintf(stderr, "usage: see the comment at the top of vzdump_bench.cpp\n");
    return 2;
  }
  const std::size_t mib = argc > 1 ? std::stoul(argv[1]) : 512;
  const int nights = argc > 2 ? std::stoi(argv[2]) : 10;

  // ---- 1. nightly runs against the simulator ----
  std::printf("== token with every privilege (Datastore.Allocate, Sys.Audit, ...) ==\n");
  if (!run_nights("all", pvesim::default_token().privileges, nights)) return 1;
  std::printf(
      "== minimal token of the operator guide (VM.Backup, VM.Audit, Datastore.AllocateSpace, "
      "Datastore.Audit) ==\n");
  if (!run_nights("minimal", k_minimal_privileges, nights)) return 1;

  const fs::path dir = fs::temp_directory_path() / ("vzdump-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
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
