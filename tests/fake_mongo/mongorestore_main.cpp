// Stand-in `mongorestore` for tests: reads the password and then the archive from stdin (as
// the real tool does), validates the archive independently of the agent, applies
// --nsFrom/--nsTo/--nsInclude/--nsExclude/--drop, records what it "restored" in <dir>/restored,
// writes the documents and indexes into the stand-in server's state (fake_state.hpp, shared with
// the stand-in mongosh) and prints the real summary lines.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "tests/fake_mongo/archive_reader.hpp"
#include "tests/fake_mongo/fake_env.hpp"
#include "tests/fake_mongo/fake_state.hpp"

using namespace fake_mongo;

namespace {

[[noreturn]] void failed(const std::string& what) {
  log_line("Failed: " + what);
  std::exit(1);
}

// mongorestore's namespace patterns: `*` matches any run of characters; one wildcard suffices
// for the agent's use ('prod.*' -> 'verify_prod.*').
std::optional<std::string> rename(const std::string& ns, const std::string& from,
                                  const std::string& to) {
  const auto star = from.find('*');
  if (star == std::string::npos) return ns == from ? std::optional<std::string>(to) : std::nullopt;
  const std::string pre = from.substr(0, star), post = from.substr(star + 1);
  if (ns.size() < pre.size() + post.size() || ns.compare(0, pre.size(), pre) != 0 ||
      ns.compare(ns.size() - post.size(), post.size(), post) != 0) {
    return std::nullopt;
  }
  const std::string middle = ns.substr(pre.size(), ns.size() - pre.size() - post.size());
  std::string out = to;
  if (const auto s = out.find('*'); s != std::string::npos) out.replace(s, 1, middle);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const FakeConfig cfg = load_fake_config();
  bool archive = false, gzip = false, drop = false, oplog_replay = false;
  std::optional<std::string> archive_file, username, auth_db, uri, host, port;
  std::vector<std::string> ns_from, ns_to, ns_include, ns_exclude;
  std::ofstream rec(cfg.dir / "mongorestore.last", std::ios::trunc);
  ToolArgs args(argc, argv, [](const std::string& m) { failed(m); });
  while (args.next()) {
    const std::string& arg = args.arg();
    const std::string& key = args.key();
    auto take = [&] { return args.value(); };
    rec << arg << "\n";
    if (key == "--archive") {
      archive = true;
      if (args.has_value()) archive_file = args.inline_value();
    } else if (key == "--gzip") {
      gzip = true;
    } else if (key == "--drop") {
      drop = true;
    } else if (key == "--oplogReplay") {
      oplog_replay = true;
    } else if (key == "--nsFrom") {
      ns_from.push_back(take());
    } else if (key == "--nsTo") {
      ns_to.push_back(take());
    } else if (key == "--nsInclude") {
      ns_include.push_back(take());
    } else if (key == "--nsExclude") {
      ns_exclude.push_back(take());
    } else if (key == "--uri") {
      uri = take();
    } else if (key == "--host" || key == "-h") {
      host = take();
    } else if (key == "--port") {
      port = take();
    } else if (key == "--username" || key == "-u") {
      username = take();
    } else if (key == "--authenticationDatabase") {
      auth_db = take();
    } else if (key == "-j" || key == "--numParallelCollections" ||
               key == "--numInsertionWorkersPerCollection") {
      take();
    } else if (key == "--stopOnError" || key == "--preserveUUID" || key == "--quiet") {
    } else {
      log_line("error parsing command line options: unknown option \"" + key + "\"");
      log_line("try 'mongorestore --help' for more information");
      return 1;
    }
  }
  rec.close();
  if (!archive) failed("this stand-in mongorestore supports only --archive");
  if (ns_from.size() != ns_to.size())
    failed("--nsFrom and --nsTo arguments must be specified an equal number of times");
  // mongorestore.go ParseAndValidateOptions
  if (uri && (host || port))
    failed("illegal argument combination: cannot specify --host and --uri");
  if (oplog_replay && (!ns_include.empty() || !ns_exclude.empty()))
    failed(ns_include.empty() ? "cannot use --oplogReplay with excludes specified"
                              : "cannot use --oplogReplay with includes specified");
  if (oplog_replay && !ns_from.empty())
    failed("cannot use --oplogReplay with namespace renames specified");
  const FakeServer server = server_of(cfg, uri, host, port);

  const std::string expected_pw = cfg.get("password");
  if (!expected_pw.empty() || username) {
    const std::string pw = username ? read_password_from_stdin() : std::string();
    if (!username || *username != cfg.get("username", "backup") ||
        auth_db.value_or("admin") != cfg.get("auth_db", "admin") || pw != expected_pw) {
      failed(
          "can't create session: failed to connect to mongodb://localhost/: connection() error "
          "occurred during connection handshake: auth error: sasl conversation error: unable to "
          "authenticate using mechanism \"SCRAM-SHA-256\": (AuthenticationFailed) Authentication "
          "failed.");
    }
  }

  // Rest of stdin (or the file) is the archive.
  std::vector<std::uint8_t> raw;
  {
    const int fd = archive_file ? ::open(archive_file->c_str(), O_RDONLY) : 0;
    if (fd < 0)
      failed("error opening archive: open " + *archive_file + ": no such file or directory");
    std::uint8_t buf[65536];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) raw.insert(raw.end(), buf, buf + n);
    if (fd != 0) ::close(fd);
  }
  std::vector<std::uint8_t> plain;
  if (gzip) {
    if (!gunzip(raw, plain)) failed("stream or file does not appear to be a mongodump archive");
  } else {
    plain = std::move(raw);
  }
  const ReadArchive read = read_archive(plain, true);
  if (!read.error.empty()) failed("corruption found in archive; " + read.error);
  if (cfg.get("restore_fault") == "fail") failed("(NotWritablePrimary) not primary");

  std::ofstream restored(cfg.dir / "restored", std::ios::app);
  restored << "run drop=" << (drop ? 1 : 0) << "\n";
  std::uint64_t total = 0;
  const std::string where = archive_file ? "archive '" + *archive_file + "'" : "archive on stdin";
  for (const auto& ns : read.namespaces) {
    if (ns == ".oplog") continue;  // the --oplog capture: replayed below, never restored as data
    bool included = ns_include.empty();
    for (const auto& inc : ns_include) included = included || rename(ns, inc, ns).has_value();
    for (const auto& exc : ns_exclude) included = included && !rename(ns, exc, ns).has_value();
    if (!included) continue;
    std::string target = ns;
    for (std::size_t k = 0; k < ns_from.size(); ++k) {
      if (auto r = rename(ns, ns_from[k], ns_to[k])) {
        target = *r;
        break;
      }
    }
    const std::uint64_t n = read.documents.at(ns);
    log_line("restoring " + target + " from " + where);
    std::vector<std::string> docs =
        read.json_documents.count(ns) ? read.json_documents.at(ns) : std::vector<std::string>{};
    std::string metadata = read.metadata.count(ns) ? read.metadata.at(ns) : std::string();
    const std::string fault_ns = cfg.get("fault_ns", cfg.get("db", "smoker") + ".temps");
    if (ns == fault_ns && cfg.get("restore_fault") == "lose_document" && !docs.empty()) {
      docs.pop_back();  // inserted "successfully" but missing afterwards
    }
    if (ns == fault_ns && cfg.get("restore_fault") == "lose_index") metadata.clear();
    if (auto err = store_collection(server, target, docs, metadata, drop)) failed(*err);
    log_line("finished restoring " + target + " (" + std::to_string(n) +
             (n == 1 ? " document" : " documents") + ", 0 failures)");
    restored << target << "\t" << n << "\n";
    total += n;
  }
  if (oplog_replay) {
    // mongorestore/oplog.go
    log_line("replaying oplog");
    const auto oplog = read.documents.find(".oplog");
    if (oplog == read.documents.end()) {
      log_line("no oplog file provided, skipping oplog application");
    } else {
      log_line("applied " + std::to_string(oplog->second) + " oplog entries");
      restored << "oplog_replay\t" << oplog->second << "\n";
    }
  }
  log_line(std::to_string(total) +
           " document(s) restored successfully. 0 document(s) failed to restore.");
  return 0;
}
