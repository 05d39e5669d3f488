// Stand-in `mongodump` for tests: speaks the real archive format and stderr lines, reads the
// password from stdin like the real tool, and misbehaves on request (see README.md).
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/fake_mongo/archive_writer.hpp"
#include "tests/fake_mongo/fake_env.hpp"

using namespace fake_mongo;

namespace {

struct Args {
  bool archive = false, gzip = false, quiet = false, oplog = false;
  std::optional<std::string> archive_file, db, username, password, auth_db, config_file;
  std::vector<std::string> recorded;  // argv as recorded for tests (password masked)
};

[[noreturn]] void usage_error(const std::string& what) {
  log_line("error parsing command line options: " + what);
  log_line("try 'mongodump --help' for more information");
  std::exit(1);
}

[[noreturn]] void failed(const std::string& what) {
  log_line("Failed: " + what);
  std::exit(1);
}

Args parse(int argc, char** argv) {
  Args a;
  ToolArgs args(argc, argv, [](const std::string& m) { usage_error(m); });
  while (args.next()) {
    const std::string& arg = args.arg();
    const std::string& key = args.key();
    auto take = [&] { return args.value(); };
    const bool secret = key == "--password" || key == "-p";
    a.recorded.push_back(secret ? key + "=***" : arg);
    if (key == "--archive") {
      a.archive = true;
      if (args.has_value()) a.archive_file = args.inline_value();
    } else if (key == "--gzip") {
      a.gzip = true;
    } else if (key == "--quiet") {
      a.quiet = true;
    } else if (key == "--oplog") {
      a.oplog = true;
    } else if (key == "--db" || key == "-d") {
      a.db = take();
    } else if (key == "--username" || key == "-u") {
      a.username = take();
    } else if (secret) {
      a.password = take();
    } else if (key == "--authenticationDatabase") {
      a.auth_db = take();
    } else if (key == "--config") {
      a.config_file = take();
    } else if (key == "--host" || key == "--port" || key == "--numParallelCollections" ||
               key == "-j" || key == "--readPreference" || key == "--uri") {
      take();
    } else if (key == "--version") {
      std::printf("mongodump version: 100.9.4\ngit version: fake\nGo version: go1.21\n");
      std::exit(0);
    } else if (arg.rfind("-", 0) == 0) {
      usage_error("unknown option \"" + key + "\"");
    } else {
      usage_error("error parsing positional arguments: provide only one MongoDB connection string");
    }
  }
  return a;
}

// `password: "..."` from a --config YAML file (the only key the fake needs).
std::optional<std::string> password_from_config(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("password:", 0) != 0) continue;
    std::string v = line.substr(9);
    while (!v.empty() && v.front() == ' ') v.erase(v.begin());
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'')) v = v.substr(1, v.size() - 2);
    return v;
  }
  return std::nullopt;
}

// The hostile modes in effect: the config key `hostile` and the FAKE_MONGO_HOSTILE environment
// variable, each a comma-separated list (README.md).
std::set<std::string> hostile_modes(const FakeConfig& cfg) {
  std::set<std::string> modes;
  std::string all = cfg.get("hostile");
  if (const char* env = std::getenv("FAKE_MONGO_HOSTILE"); env != nullptr)
    all += std::string(",") + env;
  std::size_t pos = 0;
  while (pos <= all.size()) {
    const auto comma = std::min(all.find(',', pos), all.size());
    if (comma > pos) modes.insert(all.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return modes;
}

// Writes `bytes` of stderr in log lines (the 300 MB flood of issue 11), fast.
void flood_stderr(std::uint64_t bytes) {
  std::string line = "2026-01-01T00:00:00.000+0000\t[########................]  smoker.temps  ";
  line.resize(1023, '#');
  line.push_back('\n');
  std::string block;
  for (int i = 0; i < 64; ++i) block += line;
  for (std::uint64_t sent = 0; sent < bytes; sent += block.size()) {
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), bytes - sent));
    if (!write_all(2, reinterpret_cast<const std::uint8_t*>(block.data()), n)) return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const FakeConfig cfg = load_fake_config();
  const Args args = parse(argc, argv);
  {
    std::ofstream rec(cfg.dir / "mongodump.last", std::ios::trunc);
    for (const auto& r : args.recorded) rec << r << "\n";
  }
  if (!args.archive) failed("this stand-in mongodump supports only --archive");
  if (args.password) {
    log_line(
        "WARNING: On some systems, a password provided directly using --password may be visible "
        "to system status commands. Use --config to provide the password instead.");
  }

  // Authentication, as the server would judge it.
  const std::string expected_pw = cfg.get("password");
  const std::string fault = cfg.get("fault", "none");
  if (!expected_pw.empty() || args.username) {
    std::optional<std::string> pw = args.password;
    if (!pw && args.config_file) pw = password_from_config(*args.config_file);
    if (!pw && args.username) pw = read_password_from_stdin();
    const bool ok = args.username && *args.username == cfg.get("username", "backup") &&
                    args.auth_db.value_or("admin") == cfg.get("auth_db", "admin") && pw &&
                    *pw == expected_pw && fault != "auth_fail";
    if (!args.username) {
      failed("error getting collections for database `" + args.db.value_or("") +
             "`: (Unauthorized) command listCollections requires authentication");
    }
    if (!ok) {
      failed(
          "can't create session: failed to connect to mongodb://localhost/: connection() error "
          "occurred during connection handshake: auth error: sasl conversation error: unable to "
          "authenticate using mechanism \"SCRAM-SHA-256\": (AuthenticationFailed) Authentication "
          "failed.");
    }
  }

  const std::set<std::string> hostile = hostile_modes(cfg);
  auto is = [&](const char* mode) { return hostile.count(mode) != 0; };
  if (args.oplog && args.db) failed("bad option: --oplog mode only supported on full dumps");
  if (is("escapes")) {
    // Terminal control sequences and a carriage return that would overwrite what came before.
    log_line("\x1B]0;owned\x07\x1B[2J\x1B[Hthe screen was cleared \x1B[31mred\x1B[0m");
    log_line(
        "writing smoker.temps to archive on stdout\rFailed: this line was overwritten\x9B"
        "2K");
    std::fprintf(stderr, "\x1B[1A\x1B[2Kno timestamp, cursor moved up\r\n");
  }
  if (is("stderr_flood")) flood_stderr(cfg.get_u64("flood_bytes", 300ull * 1000 * 1000));

  // The dataset: the configured database exists, any other is empty.
  const std::string db_name = cfg.get("db", "smoker");
  DatasetSpec data = cfg.get_u64("bytes", 0) > 0 ? scaled_dataset(cfg.get_u64("bytes", 0), db_name)
                                                 : default_dataset(db_name);
  data.seed = cfg.get_u64("seed", 1);
  if (args.db && *args.db != db_name) data.collections.clear();
  if (args.oplog) data.oplog_entries = cfg.get_u64("oplog_entries", 20);
  if (is("traversal_db")) data.db = "../../x";
  if (is("absolute_db")) data.db = "/etc";
  if (is("invalid_utf8_name") && data.collections.size() > 2)
    data.collections[2].name += "\xC3\x28";
  if (is("deep_document")) data.collections.push_back({"deep", "deep", 3});

  ArchiveOptions opt;
  opt.tool_version = cfg.get("tool_version", opt.tool_version);
  opt.server_version = cfg.get("server_version", opt.server_version);
  if (is("invalid_utf8_header")) opt.tool_version += "-\xFF\xC0\x1B[31m";
  const std::string fault_ns = cfg.get("fault_ns", db_name + ".temps");
  if (fault == "corrupt_crc") opt.faults.bad_crc_ns = fault_ns;
  if (fault == "bad_bson") opt.faults.bad_bson_ns = fault_ns;
  if (fault == "no_eof") opt.faults.no_eof_ns = fault_ns;

  int fd = 1;
  std::string where = "archive on stdout";
  if (args.archive_file) {
    fd = ::open(args.archive_file->c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) failed("error opening archive file: open " + *args.archive_file + ": failed");
    where = "archive '" + *args.archive_file + "'";
  }
  if (!args.quiet) {
    for (const auto& c : data.collections)
      log_line("writing " + data.db + "." + c.name + " to " + where);
  }

  // Output path: archive -> (gzip) -> fd, with the fault hooks on the way.
  const std::uint64_t fault_after = cfg.get_u64("fault_after_bytes", 64 * 1024);
  std::uint64_t plain_bytes = 0, sent_bytes = 0;
  bool cut = false;
  const auto drip = std::chrono::milliseconds(cfg.get_u64("drip_interval_ms", 2000));
  auto out = [&](const std::uint8_t* p, std::size_t n) {
    if (is("drip")) {
      // One byte at a time, forever in practice: every byte resets a stall timer.
      for (std::size_t i = 0; i < n; ++i) {
        if (!write_all(fd, p + i, 1)) failed("error writing data: broken pipe");
        sent_bytes += 1;
        std::this_thread::sleep_for(drip);
      }
      return;
    }
    if (fault == "truncate") {
      if (cut) return;
      if (sent_bytes + n >= fault_after) {
        n = static_cast<std::size_t>(fault_after - sent_bytes);
        cut = true;
      }
    }
    sent_bytes += n;
    if (!write_all(fd, p, n)) {
      failed("error writing data for collection `" + fault_ns +
             "` to disk: error writing to file: write /dev/stdout: broken pipe");
    }
  };
  std::unique_ptr<GzipWriter> gz;
  if (args.gzip)
    gz = std::make_unique<GzipWriter>(out, static_cast<int>(cfg.get_u64("gzip_level", 6)));
  bool split = false;
  auto plain = [&](const std::uint8_t* p, std::size_t n) {
    plain_bytes += n;
    if (gz && is("multi_member") && !split && plain_bytes >= fault_after) {
      // End the gzip member mid-archive and go on in a second one (valid RFC 1952).
      gz->write(p, n);
      gz->finish();
      gz = std::make_unique<GzipWriter>(out, static_cast<int>(cfg.get_u64("gzip_level", 6)));
      split = true;
      return;
    }
    if (gz) {
      gz->write(p, n);
    } else {
      out(p, n);
    }
    if (plain_bytes < fault_after) return;
    if (fault == "exit_midway") {
      if (gz) gz->flush();
      failed("error writing data for collection `" + fault_ns +
             "` to disk: connection(localhost:27017[-3]) socket was unexpectedly closed: EOF");
    }
    if (fault == "stall") {
      if (gz) gz->flush();
      std::this_thread::sleep_for(std::chrono::seconds(cfg.get_u64("stall_seconds", 600)));
      failed("error writing data for collection `" + fault_ns +
             "` to disk: context deadline exceeded");
    }
  };
  auto done = [&](const std::string& ns, std::uint64_t n) {
    if (args.quiet) return;
    if (ns == ".oplog") {  // mongodump/oplog_dump.go, with its extra TAB
      log_line("writing captured oplog to " + where);
      log_line("\tdumped " + std::to_string(n) + (n == 1 ? " oplog entry" : " oplog entries"));
      return;
    }
    if (fault == "count_mismatch" && ns == fault_ns) ++n;
    const std::string count =
        is("overflowing_count") && ns == fault_ns ? "184467440737095516160" : std::to_string(n);
    log_line("done dumping " + ns + " (" + count + (n == 1 ? " document)" : " documents)"));
  };
  if (is("gzip_bomb")) {
    // Small compressed, huge inflated, and a complete, CRC-correct archive: only a size cap
    // stops it.
    const std::uint64_t bomb = cfg.get_u64("bomb_bytes", 4ull << 30);
    log_line("writing " + data.db + ".bomb to " + where);
    write_gzip_bomb_archive(bomb, true, data.db, out);
    const std::uint64_t copies = std::max<std::uint64_t>(1, bomb / (16 * 1024 * 1024 - 64));
    log_line("done dumping " + data.db + ".bomb (" + std::to_string(copies) + " documents)");
    if (fd != 1) ::close(fd);
    return 0;
  }
  write_archive(data, opt, plain, done);
  if (gz) gz->finish();
  if (fd != 1) ::close(fd);
  if (is("invalid_utf8_failed")) {
    failed("error writing data for collection `" + fault_ns +
           "\xFF\xFE` to disk: \xC0\xAF invalid \x1B[2J bytes");
  }
  return 0;
}
