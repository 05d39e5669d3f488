// Benchmark driver for bench/mongo/run.sh (not a test): times one stage of the mongo tier's
// download path against a running sshd and prints "name seconds bytes peak_rss_kib".
//   mongo_bench transfer HOST PORT USER KEY KNOWN_HOSTS REMOTE_FILE OUT   (ssh -> disk + SHA-256)
//   mongo_bench e2e      HOST PORT USER KEY KNOWN_HOSTS REMOTE_FILE OUT   (+ validation,
//   overlapped) mongo_bench validate FILE                                            (validation
//   alone)
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "agent/mongo/archive_check.hpp"
#include "agent/mongo/dump_pipeline.hpp"
#include "remote/ssh_session.hpp"

namespace {

long peak_rss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

int download(char** argv, bool validate) {
  remote::SshOptions o;
  o.host = argv[2];
  o.port = std::stoi(argv[3]);
  o.user = argv[4];
  o.identity_file = argv[5];
  o.known_hosts = argv[6];
  o.io_timeout_s = 60;
  auto session = remote::connect_ssh(o);
  if (!session) {
    std::fprintf(stderr, "%s\n", session.error().message.c_str());
    return 1;
  }
  const auto t0 = std::chrono::steady_clock::now();
  agent::mongo::DumpPipeline pipe(argv[8], validate);
  auto st = (*session)->exec(
      std::string("cat ") + remote::shell_quote(argv[7]), remote::no_stdin(),
      [&pipe](const std::uint8_t* d, std::size_t n) { return pipe.push(d, n); }, nullptr);
  auto r = pipe.finish();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!st || !st->success() || r.write_error || (validate && !r.verdict.valid)) {
    std::fprintf(stderr, "failed: %s\n",
                 !st ? st.error().message.c_str()
                     : (validate && !r.verdict.valid && !r.verdict.errors.empty()
                            ? r.verdict.errors.front().c_str()
                            : "exit/write error"));
    return 1;
  }
  std::printf("%s %.3f %llu %ld %s\n", validate ? "e2e" : "transfer", s,
              static_cast<unsigned long long>(r.bytes), peak_rss_kib(), r.sha256.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if ((mode == "transfer" || mode == "e2e") && argc == 9) return download(argv, mode == "e2e");
  if (mode == "validate" && argc == 3) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto c = agent::mongo::check_stored_archive(argv[2]);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!c.verdict.valid) {
      std::fprintf(stderr, "invalid: %s\n",
                   c.verdict.errors.empty() ? "?" : c.verdict.errors.front().c_str());
      return 1;
    }
    std::printf("validate %.3f %llu %ld %s\n", s, static_cast<unsigned long long>(c.bytes),
                peak_rss_kib(), c.sha256.c_str());
    return 0;
  }
  std::fprintf(stderr, "usage: see the comment at the top of mongo_bench.cpp\n");
  return 2;
}
