// Benchmark driver for bench/mongo/run.sh (not a test): times one way of receiving a mongo dump
// against a running sshd and prints "MODE/VARIANT seconds bytes peak_rss_kib cpu_seconds sha256"
// (cpu_seconds: user + system time of all its threads, which depends less on other load than
// the wall time does).
//   mongo_bench transfer VARIANT HOST PORT USER KEY KNOWN_HOSTS REMOTE_FILE OUT
//       ssh -> disk + SHA-256 (no validation)
//   mongo_bench e2e VARIANT HOST PORT USER KEY KNOWN_HOSTS REMOTE_FILE OUT
//       ssh -> disk + SHA-256 + full validation, overlapped
//   mongo_bench validate FILE
//       validation + SHA-256 of a stored file (read once)
// VARIANT: "pipeline" is the agent's DumpPipeline as built; the others are the alternatives in
// transfer_variants.hpp: "threaded" (disk+hash thread, validator thread), "inline-chunk"
// (write+hash 1 MiB chunks on the network thread), "inline-packet" (write+hash each packet
// without a copy), each optionally with "-wbN" (sync_file_range every N MiB); "discard" (no
// work at all: the libssh ceiling) and "hash" (SHA-256 only, no disk). "openssh-VARIANT" feeds
// the same receiver from OpenSSH's `ssh` client run as a subprocess (stdout through a pipe)
// instead of libssh: the measurement behind the choice of SSH client (bench/RESULTS.md).
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "agent/mongo/archive_check.hpp"
#include "agent/mongo/dump_pipeline.hpp"
#include "agent/mongo/sha256.hpp"
#include "remote/ssh_session.hpp"
#include "transfer_variants.hpp"

namespace {

long peak_rss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return secs(ru.ru_utime) + secs(ru.ru_stime);
}

struct Outcome {
  std::uint64_t bytes = 0;
  std::string sha256;
  bool ok = true;
  std::string error;
};

// One receiver: push() per network packet, finish() at the end.
struct Receiver {
  std::function<bool(const std::uint8_t*, std::size_t)> push;
  std::function<Outcome()> finish;
  std::shared_ptr<void> keep;  // owns the receiver object
};

Outcome from_verdict(std::uint64_t bytes, std::string sha, bool validate,
                     const agent::mongo_format::ArchiveVerdict& v,
                     const std::optional<std::string>& error) {
  Outcome o{bytes, std::move(sha), true, {}};
  if (error) {
    o.ok = false;
    o.error = *error;
  } else if (validate && !v.valid) {
    o.ok = false;
    o.error = v.errors.empty() ? "invalid" : v.errors.front();
  }
  return o;
}

std::optional<Receiver> make_receiver(const std::string& variant, const char* out, bool validate) {
  Receiver r;
  if (variant == "pipeline") {
    auto p = std::make_shared<agent::mongo::DumpPipeline>(out, validate);
    r.push = [p](const std::uint8_t* d, std::size_t n) { return p->push(d, n); };
    r.finish = [p, validate] {
      auto res = p->finish();
      return from_verdict(res.bytes, res.sha256, validate, res.verdict, res.write_error);
    };
    r.keep = p;
    return r;
  }
  if (variant == "discard") {
    auto bytes = std::make_shared<std::uint64_t>(0);
    r.push = [bytes](const std::uint8_t*, std::size_t n) {
      *bytes += n;
      return true;
    };
    r.finish = [bytes] { return Outcome{*bytes, "-", true, {}}; };
    return r;
  }
  if (variant == "hash") {
    auto sha = std::make_shared<agent::mongo::Sha256>();
    auto bytes = std::make_shared<std::uint64_t>(0);
    r.push = [sha, bytes](const std::uint8_t* d, std::size_t n) {
      sha->update(d, n);
      *bytes += n;
      return true;
    };
    r.finish = [sha, bytes] { return Outcome{*bytes, sha->finish_hex(), true, {}}; };
    return r;
  }
  bench::VariantOptions o;
  o.validate = validate;
  std::string base = variant;
  if (const auto wb = variant.find("-wb"); wb != std::string::npos) {
    o.writeback_bytes = std::stoul(variant.substr(wb + 3)) << 20;
    base = variant.substr(0, wb);
  }
  if (base == "threaded") {
    o.inline_write = false;
  } else if (base == "inline-chunk") {
    o.per_packet = false;
  } else if (base == "inline-packet") {
    o.per_packet = true;
  } else {
    return std::nullopt;
  }
  auto s = std::make_shared<bench::VariantSink>(out, o);
  r.push = [s](const std::uint8_t* d, std::size_t n) { return s->push(d, n); };
  r.finish = [s, validate] {
    auto res = s->finish();
    return from_verdict(res.bytes, res.sha256, validate, res.verdict, res.error);
  };
  r.keep = s;
  return r;
}

// OpenSSH's client as a subprocess, as the bench's reference runs it (aes128-gcm, strict host
// key check against the given known_hosts, no agent, no config), stdout into `push`.
bool openssh_download(char** argv, const Receiver& receiver, std::string& error) {
  const std::string port = argv[4], key = argv[6];
  const std::string known = std::string("UserKnownHostsFile=") + argv[7];
  const std::string target = std::string(argv[5]) + "@" + argv[3];
  const std::string command = std::string("cat ") + remote::shell_quote(argv[8]);
  std::vector<std::string> args = {"ssh",
                                   "-q",
                                   "-T",
                                   "-x",
                                   "-a",
                                   "-F",
                                   "/dev/null",
                                   "-p",
                                   port,
                                   "-i",
                                   key,
                                   "-o",
                                   "IdentitiesOnly=yes",
                                   "-o",
                                   known,
                                   "-o",
                                   "GlobalKnownHostsFile=/dev/null",
                                   "-o",
                                   "StrictHostKeyChecking=yes",
                                   "-o",
                                   "BatchMode=yes",
                                   "-c",
                                   "aes128-gcm@openssh.com",
                                   target,
                                   command};
  std::vector<char*> av;
  for (auto& a : args) av.push_back(a.data());
  av.push_back(nullptr);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, "ssh", &fa, nullptr, av.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    error = "cannot run ssh";
    return false;
  }
  std::vector<std::uint8_t> buf(256 * 1024);
  bool ok = true;
  for (;;) {
    const ssize_t n = ::read(fds[0], buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (!receiver.push(buf.data(), static_cast<std::size_t>(n))) {
      ok = false;
      break;
    }
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    error = "ssh exited with " + std::to_string(status);
    ok = false;
  }
  return ok;
}

int download(char** argv, bool validate) {
  std::string variant = argv[2];
  if (variant.rfind("openssh-", 0) == 0) {
    variant = variant.substr(8);
    const auto t0 = std::chrono::steady_clock::now();
    auto receiver = make_receiver(variant, argv[9], validate);
    if (!receiver) return 2;
    std::string error;
    const bool ok = openssh_download(argv, *receiver, error);
    const Outcome r = receiver->finish();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!ok || !r.ok) {
      std::fprintf(stderr, "failed: %s\n", !ok ? error.c_str() : r.error.c_str());
      return 1;
    }
    // cpu_seconds counts this process only; the ssh child's CPU is in /usr/bin/time's figure.
    std::printf("%s/openssh-%s %.3f %llu %ld %.2f %s\n", validate ? "e2e" : "transfer",
                variant.c_str(), s, static_cast<unsigned long long>(r.bytes), peak_rss_kib(),
                cpu_seconds(), r.sha256.c_str());
    return 0;
  }
  remote::SshOptions o;
  o.host = argv[3];
  o.port = std::stoi(argv[4]);
  o.user = argv[5];
  o.identity_file = argv[6];
  o.known_hosts = argv[7];
  o.io_timeout_s = 60;
  auto session = remote::connect_ssh(o);
  if (!session) {
    std::fprintf(stderr, "%s\n", session.error().message.c_str());
    return 1;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto receiver = make_receiver(variant, argv[9], validate);
  if (!receiver) {
    std::fprintf(stderr, "unknown variant %s\n", variant.c_str());
    return 2;
  }
  auto st = (*session)->exec(std::string("cat ") + remote::shell_quote(argv[8]), remote::no_stdin(),
                             receiver->push, nullptr);
  const Outcome r = receiver->finish();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!st || !st->success() || !r.ok) {
    std::fprintf(stderr, "failed: %s\n", !st ? st.error().message.c_str() : r.error.c_str());
    return 1;
  }
  std::printf("%s/%s %.3f %llu %ld %.2f %s\n", validate ? "e2e" : "transfer", variant.c_str(), s,
              static_cast<unsigned long long>(r.bytes), peak_rss_kib(), cpu_seconds(),
              r.sha256.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if ((mode == "transfer" || mode == "e2e") && argc == 10) return download(argv, mode == "e2e");
  if (mode == "validate" && argc == 3) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto c = agent::mongo::check_stored_archive(argv[2]);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!c.verdict.valid) {
      std::fprintf(stderr, "invalid: %s\n",
                   c.verdict.errors.empty() ? "?" : c.verdict.errors.front().c_str());
      return 1;
    }
    std::printf("validate %.3f %llu %ld %.2f %s\n", s, static_cast<unsigned long long>(c.bytes),
                peak_rss_kib(), cpu_seconds(), c.sha256.c_str());
    return 0;
  }
  std::fprintf(stderr, "usage: see the comment at the top of mongo_bench.cpp\n");
  return 2;
}
