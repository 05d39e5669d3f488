#include "agent/drill/mongo_drill.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include <spdlog/spdlog.h>

#include "agent/config/config_loader.hpp"
#include "agent/core/human_format.hpp"
#include "agent/core/safe_text.hpp"
#include "agent/mongo/mongo_commands.hpp"
#include "agent/mongo/mongo_shell.hpp"
#include "agent/mongo/redact.hpp"
#include "agent/mongo/restore_stdin.hpp"

namespace agent::drill {
namespace {

using Kind = TierError::Kind;

bool system_db(const std::string& db) { return db == "admin" || db == "config" || db == "local"; }

// mongorestore's namespace patterns treat '\' and '*' specially (mongorestore/ns/ns.go Escape).
std::string ns_escape(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == '\\' || c == '*') out += '\\';
    out += c;
  }
  return out;
}

mongo::ShellEndpoint drill_endpoint(const TargetConfig& target) {
  mongo::ShellEndpoint e = mongo::shell_endpoint(*target.mongo);
  const DrillMongoConfig& d = *target.drill->mongo;
  if (d.command) e.prefix = *d.command;
  e.uri = d.uri;
  e.shell = d.shell;
  return e;
}

std::string restore_command_of(const mongo::ShellEndpoint& e, const MongoDrillPlan& plan) {
  auto q = [](const std::string& s) { return " " + remote::shell_quote(s); };
  std::string cmd = (e.prefix.empty() ? "" : e.prefix + " ") + "mongorestore --archive --gzip";
  if (!e.uri.empty()) cmd += q("--uri=" + e.uri);
  if (!e.username.empty()) {
    cmd += q("--username=" + e.username) + q("--authenticationDatabase=" + e.auth_db);
  }
  cmd += " --stopOnError";
  for (const auto& [src, dst] : plan.databases) cmd += q("--nsInclude=" + ns_escape(src) + ".*");
  if (!plan.scratch_server) {
    for (const auto& [src, dst] : plan.databases) {
      cmd += q("--nsFrom=" + ns_escape(src) + ".*") + q("--nsTo=" + ns_escape(dst) + ".*");
    }
  }
  return cmd;
}

std::string password_line(const TargetConfig& target) {
  if (!mongo::uses_auth(*target.mongo)) return "";
  auto pw = read_secret(target.mongo->password);
  if (!pw) return std::string("\x01") + pw.error();  // marked: an error, never a password
  return *pw + "\n";
}

remote::SshOptions session_options(const TargetConfig& target) {
  auto o = mongo::ssh_options(target.mongo->ssh);
  o.max_duration_s = target.drill && target.drill->mongo ? target.drill->mongo->timeout_s : 3600;
  return o;
}

// "N document(s) restored successfully. M document(s) failed to restore." (mongorestore's last
// line); nullopt when the line is something else.
std::optional<std::pair<std::uint64_t, std::uint64_t>> restore_summary(std::string_view line) {
  const auto ok_at = line.find(" document(s) restored successfully. ");
  const auto failed_at = line.find(" document(s) failed to restore.");
  if (ok_at == std::string_view::npos || failed_at == std::string_view::npos) return std::nullopt;
  auto number_before = [&](std::size_t end) -> std::optional<std::uint64_t> {
    std::size_t start = end;
    while (start > 0 && std::isdigit(static_cast<unsigned char>(line[start - 1]))) --start;
    if (start == end || end - start > 19) return std::nullopt;
    return std::stoull(std::string(line.substr(start, end - start)));
  };
  const auto ok = number_before(ok_at);
  const auto failed = number_before(failed_at);
  if (!ok || !failed) return std::nullopt;
  return std::pair(*ok, *failed);
}

class MongoDrill {
 public:
  MongoDrill(std::string drill_id, const TargetConfig& target,
             const mongo::SessionFactory& sessions)
      : m_drill_id(std::move(drill_id)),
        m_target(target),
        m_sessions(sessions),
        m_endpoint(drill_endpoint(target)) {}

  // Connects once; reconnects after the connection broke.
  tl::expected<remote::SshSession*, TierError> session() {
    if (m_session) return m_session.get();
    auto s = m_sessions(session_options(m_target));
    if (!s) return tl::unexpected(mongo::tier_error_of(s.error()));
    m_session = std::move(*s);
    return m_session.get();
  }

  tl::expected<std::string, TierError> shell(const std::string& script) {
    auto s = session();
    if (!s) return tl::unexpected(s.error());
    auto out = mongo::run_shell_script(**s, m_endpoint, script, m_password);
    if (!out && out.error().kind == Kind::unreachable) m_session.reset();
    return out;
  }

  bool read_password(std::string& error) {
    m_password = password_line(m_target);
    if (!m_password.empty() && m_password.front() == '\x01') {
      error = "cannot read the MongoDB password: " + m_password.substr(1);
      m_password.clear();
      return false;
    }
    return true;
  }

  // Databases that killed drills of this target left, and whether any of `names` is taken by
  // something that is not this drill's.
  struct Survey {
    std::vector<std::string> leftovers;
    std::vector<std::string> foreign;  // target names that exist and are not drill copies
  };
  tl::expected<Survey, TierError> survey(const std::vector<std::string>& names) {
    auto json = shell(inventory_script(!m_target.drill->mongo->uri.empty()));
    if (!json) return tl::unexpected(json.error());
    auto entries = parse_inventory(*json);
    if (!entries) return tl::unexpected(TierError{Kind::refused, entries.error()});
    Survey s;
    const std::set<std::string> wanted(names.begin(), names.end());
    for (const auto& e : *entries) {
      const bool ours = e.marker_target && *e.marker_target == m_target.name;
      if (ours && e.marker_drill_id != m_drill_id) s.leftovers.push_back(e.name);
      if (wanted.count(e.name) && !ours) s.foreign.push_back(e.name);
    }
    return s;
  }

  tl::expected<DropAnswer, TierError> drop(const std::vector<std::string>& names) {
    if (names.empty()) return DropAnswer{};
    auto json = shell(drop_script(names, m_target.name));
    if (!json) return tl::unexpected(json.error());
    auto answer = parse_drop(*json);
    if (!answer) return tl::unexpected(TierError{Kind::refused, answer.error()});
    return *answer;
  }

  // mongorestore with the archive on stdin.
  std::optional<TierError> restore(const FetchedMongoBackup& backup, const std::string& command) {
    auto s = session();
    if (!s) return s.error();
    const int fd = ::open(backup.archive.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return TierError{Kind::local_io,
                       "cannot open " + backup.archive.string() + ": " + std::strerror(errno)};
    }
    std::string last_line;
    std::optional<std::pair<std::uint64_t, std::uint64_t>> summary;
    auto status = (*s)->exec(
        command, mongo::password_then_file(m_password, fd),
        [](const std::uint8_t*, std::size_t) { return true; },
        [&](std::string_view line) {
          const std::string clean =
              escape_control_chars(mongo::redact_mongo_line(line), Tabs::escape);
          if (auto sm = restore_summary(clean)) summary = sm;
          if (!clean.empty()) last_line = clean;
        });
    if (!status) {
      m_session.reset();
      return mongo::tier_error_of(status.error());
    }
    if (!status->success()) {
      return TierError{
          Kind::refused,
          "mongorestore on " + (*s)->describe() +
              (status->signal ? " was killed by signal " + *status->signal
                              : " exited with status " + std::to_string(status->code)) +
              (last_line.empty() ? "" : ": " + last_line)};
    }
    if (summary && summary->second > 0) {
      return TierError{Kind::invalid, "mongorestore could not restore " +
                                          std::to_string(summary->second) +
                                          " document(s) of the backup: " + last_line};
    }
    m_restored_documents = summary ? summary->first : 0;
    return std::nullopt;
  }

  std::uint64_t restored_documents() const { return m_restored_documents; }
  const mongo::ShellEndpoint& endpoint() const { return m_endpoint; }

 private:
  std::string m_drill_id;
  const TargetConfig& m_target;
  const mongo::SessionFactory& m_sessions;
  mongo::ShellEndpoint m_endpoint;
  std::unique_ptr<remote::SshSession> m_session;
  std::string m_password;
  std::uint64_t m_restored_documents = 0;
};

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + escape_control_chars(s, Tabs::escape);
  return out;
}

std::vector<std::string> scratch_names(const MongoDrillPlan& plan) {
  std::vector<std::string> out;
  for (const auto& [src, dst] : plan.databases) out.push_back(dst);
  return out;
}

}  // namespace

tl::expected<MongoDrillPlan, TierError> plan_mongo_drill(const TargetConfig& target,
                                                         const FetchedMongoBackup& backup,
                                                         const std::string& drill_id) {
  const DrillMongoConfig& config = *target.drill->mongo;
  MongoDrillPlan plan;
  plan.scratch_server = !config.uri.empty();
  // The databases of the dump: mongo.database, or every user database of a full dump.
  std::vector<std::string> sources;
  for (const auto& c : backup.manifest.collections) {
    const auto dot = c.ns.find('.');
    if (dot == std::string::npos || dot == 0) continue;  // the oplog of a --oplog dump (db "")
    const std::string db = c.ns.substr(0, dot);
    if (system_db(db)) continue;
    if (std::find(sources.begin(), sources.end(), db) == sources.end()) sources.push_back(db);
  }
  if (sources.empty() && !backup.manifest.database.empty()) {
    sources.push_back(backup.manifest.database);
  }
  if (sources.empty()) {
    return tl::unexpected(
        TierError{Kind::refused, "backup " + backup.id + " holds no database to restore"});
  }
  std::map<std::string, std::string> scratch_of;
  for (const auto& db : sources) {
    std::string scratch = db;
    if (!plan.scratch_server) {
      auto name = scratch_database(drill_id, db);
      if (!name) return tl::unexpected(TierError{Kind::refused, name.error()});
      scratch = *name;
    }
    scratch_of[db] = scratch;
    plan.databases.emplace_back(db, scratch);
  }
  for (const auto& c : backup.manifest.collections) {
    const auto dot = c.ns.find('.');
    if (dot == std::string::npos || dot == 0) {
      plan.notes.push_back(
          "the oplog captured with the dump is not replayed (mongorestore "
          "allows --oplogReplay with neither renames nor --nsInclude)");
      continue;
    }
    const std::string db = c.ns.substr(0, dot), coll = c.ns.substr(dot + 1);
    if (!scratch_of.count(db)) continue;
    const auto shape = backup.shapes.find(c.ns);
    const std::string type = shape == backup.shapes.end() ? "collection" : shape->second.type;
    ExpectedCollection e{scratch_of[db], coll, true};
    if (type == "view" || type == "timeseries" || coll.rfind("system.", 0) == 0) {
      e.count = false;
      plan.notes.push_back(escape_control_chars(c.ns, Tabs::escape) + " (" +
                           (type.empty() ? "system" : type) +
                           "): its existence is checked, not its count");
    }
    const std::string key = e.db + "." + e.name;
    if (e.count) {
      plan.expected_counts[key] = c.archive_documents.value_or(c.log_documents.value_or(0));
    }
    if (shape != backup.shapes.end() && type != "view") {
      plan.expected_indexes[key] = shape->second.indexes;
    }
    plan.collections.push_back(std::move(e));
  }
  for (const auto& check : config.checks) {
    std::string db = target.mongo->database, coll = check.collection;
    if (db.empty()) {  // a full dump: "db.collection"
      const auto dot = coll.find('.');
      if (dot == std::string::npos) {
        return tl::unexpected(
            TierError{Kind::refused, "drill check on \"" + coll +
                                         "\": name it database.collection (the mongo tier "
                                         "dumps every database)"});
      }
      db = coll.substr(0, dot);
      coll = coll.substr(dot + 1);
    }
    const bool known = std::any_of(
        plan.collections.begin(), plan.collections.end(), [&](const ExpectedCollection& e) {
          return scratch_of.count(db) && e.db == scratch_of[db] && e.name == coll;
        });
    if (!known) {
      return tl::unexpected(TierError{Kind::refused, "drill check on " + db + "." + coll +
                                                         ": backup " + backup.id +
                                                         " has no such collection"});
    }
    plan.checks.push_back({scratch_of[db], coll, check.query});
    plan.check_minimums.push_back(check.min_count);
  }
  plan.restore_command = restore_command_of(drill_endpoint(target), plan);
  return plan;
}

CopyComparison compare_copy(const MongoDrillPlan& plan, const VerifyAnswer& answer) {
  CopyComparison c;
  std::uint64_t documents = 0, counted = 0;
  std::size_t index_names = 0;
  for (const auto& found : answer.collections) {
    const std::string key = found.db + "." + found.name;
    const std::string shown = escape_control_chars(key, Tabs::escape);
    if (!found.exists) {
      c.problems.push_back(shown + " is missing from the restored copy");
      continue;
    }
    if (const auto want = plan.expected_counts.find(key); want != plan.expected_counts.end()) {
      ++counted;
      if (!found.count) {
        c.problems.push_back(shown + ": the shell gave no document count");
      } else if (*found.count != want->second) {
        c.problems.push_back(shown + " has " + std::to_string(*found.count) +
                             " documents, the backup " + std::to_string(want->second));
      } else {
        documents += *found.count;
      }
    }
    if (const auto want = plan.expected_indexes.find(key); want != plan.expected_indexes.end()) {
      const std::set<std::string> have(found.indexes.begin(), found.indexes.end());
      for (const auto& name : want->second) {
        if (!have.count(name)) {
          c.problems.push_back(shown + " lacks index " + escape_control_chars(name, Tabs::escape));
        } else {
          ++index_names;
        }
      }
      for (const auto& name : found.indexes) {
        if (std::find(want->second.begin(), want->second.end(), name) == want->second.end()) {
          c.warnings.push_back(shown + " has index " + escape_control_chars(name, Tabs::escape) +
                               ", which the backup does not");
        }
      }
    }
  }
  for (const auto& [db, extra] : answer.extra) {
    if (!extra.empty()) {
      c.warnings.push_back("the copy " + escape_control_chars(db, Tabs::escape) +
                           " has collections the backup does not list: " + joined(extra));
    }
  }
  if (c.problems.empty()) {
    c.verified.push_back(std::to_string(counted) + " collection(s), " + std::to_string(documents) +
                         " documents: every count matches the backup");
    c.verified.push_back(std::to_string(index_names) + " index name(s) match the backup");
  }
  for (std::size_t i = 0; i < plan.checks.size(); ++i) {
    const auto& check = plan.checks[i];
    const std::string what = "check " + escape_control_chars(check.collection, Tabs::escape) + " " +
                             escape_control_chars(check.query, Tabs::escape);
    if (i >= answer.check_counts.size()) {
      c.problems.push_back(what + ": no answer");
      continue;
    }
    const auto n = answer.check_counts[i];
    if (n < plan.check_minimums[i]) {
      c.problems.push_back(what + " matched " + std::to_string(n) + " documents, at least " +
                           std::to_string(plan.check_minimums[i]) + " expected");
    } else {
      c.verified.push_back(what + ": " + std::to_string(n) + " documents (at least " +
                           std::to_string(plan.check_minimums[i]) + ")");
    }
  }
  return c;
}

DrillOutcome run_mongo_drill(const DrillContext& ctx, const TargetConfig& target,
                             const mongo::SessionFactory& sessions, MongoBackupSource& source,
                             const std::string& backup) {
  DrillOutcome out;
  DrillRecord& rec = out.record;
  rec = start_record(ctx, target, TierName::mongo, source.name());
  StepTimer timer(rec, ctx.steady);
  auto say = [&](const std::string& line) {
    if (ctx.progress) ctx.progress(line);
  };

  say(target.name + "/mongo: fetching the backup (" + source.name() + ")");
  auto fetched = timer.time("fetch", [&] { return source.fetch(target, backup); });
  if (!fetched) {
    finish_record(rec, fetched.error());
    return out;
  }
  rec.backup_id = fetched->id;
  rec.backup_at = fetched->made_at;
  rec.bytes = fetched->bytes;
  rec.warnings = fetched->warnings;
  auto plan = plan_mongo_drill(target, *fetched, ctx.drill_id);
  if (!plan) {
    finish_record(rec, plan.error());
    return out;
  }
  for (const auto& note : plan->notes) rec.warnings.push_back(note);
  const std::vector<std::string> names = scratch_names(*plan);
  MongoDrill drill(ctx.drill_id, target, sessions);
  if (ctx.dry_run) {
    out.plan.push_back("would restore " + fetched->id + " (" + human_bytes(fetched->bytes) +
                       ", verified) over SSH to " + target.mongo->ssh.user + "@" +
                       target.mongo->ssh.host + ":" + std::to_string(target.mongo->ssh.port));
    for (const auto& [src, dst] : plan->databases) {
      out.plan.push_back("  database " + src + " -> " + dst +
                         (plan->scratch_server ? " on " + target.drill->mongo->uri : ""));
    }
    out.plan.push_back("  run: " + plan->restore_command);
    out.plan.push_back("  then compare " + std::to_string(plan->collections.size()) +
                       " collection(s) (counts, index names) and run " +
                       std::to_string(plan->checks.size()) + " check(s), then drop " +
                       joined(names));
    return out;
  }

  std::string password_error;
  if (!drill.read_password(password_error)) {
    finish_record(rec, TierError{Kind::access, password_error});
    return out;
  }
  std::string scratch_text = "databases " + joined(names);
  if (plan->scratch_server) scratch_text += " on " + target.drill->mongo->uri;
  if (auto err = write_active_drill(
          ctx.config.state_dir, target.name, TierName::mongo,
          {ctx.drill_id, static_cast<long>(::getpid()), ctx.started_at, scratch_text})) {
    finish_record(rec, TierError{Kind::local_io, "cannot record the drill in progress: " + *err});
    return out;
  }

  bool marked = false;
  std::optional<TierError> failure;
  say(target.name + "/mongo: restoring " + fetched->id + " into " + joined(names));
  timer.time("restore", [&] {
    auto surveyed = drill.survey(names);
    if (!surveyed) {
      failure = surveyed.error();
      return;
    }
    if (!surveyed->leftovers.empty()) {
      auto dropped = drill.drop(surveyed->leftovers);
      if (!dropped) {
        failure = dropped.error();
        return;
      }
      if (!dropped->dropped.empty()) {
        rec.warnings.push_back("dropped what an interrupted drill left: " +
                               joined(dropped->dropped));
      }
    }
    if (!surveyed->foreign.empty()) {
      failure = TierError{Kind::refused,
                          "refusing to restore into " + joined(surveyed->foreign) +
                              ": it exists and is not a drill copy of " + target.name +
                              " (no smokerbak_drill marker); rename or drop it, or drill into "
                              "a separate scratch server (drill.mongo.uri)"};
      return;
    }
    auto json = drill.shell(mark_script(names, target.name, ctx.drill_id));
    if (!json) {
      failure = json.error();
      return;
    }
    auto mark = parse_mark(*json);
    if (!mark) {
      failure = TierError{Kind::refused, mark.error()};
      return;
    }
    marked = !mark->marked.empty();
    if (!mark->refused.empty()) {
      failure = TierError{Kind::refused, "refusing to restore into " + joined(mark->refused) +
                                             ": it holds data and is not this drill's copy"};
      return;
    }
    failure = drill.restore(*fetched, plan->restore_command);
  });

  if (!failure) {
    say(target.name + "/mongo: comparing the copy with the backup");
    timer.time("checks", [&] {
      std::vector<std::string> dbs = names;
      auto json = drill.shell(verify_script(plan->collections, dbs, plan->checks));
      if (!json) {
        failure = json.error();
        return;
      }
      auto answer = parse_verify(*json);
      if (!answer) {
        failure = TierError{Kind::refused, answer.error()};
        return;
      }
      auto cmp = compare_copy(*plan, *answer);
      rec.verified = cmp.verified;
      for (auto& w : cmp.warnings) rec.warnings.push_back(std::move(w));
      if (!cmp.problems.empty()) {
        std::string text;
        for (const auto& p : cmp.problems) text += (text.empty() ? "" : "; ") + p;
        failure = TierError{Kind::invalid, "the restored copy of " + fetched->id +
                                               " differs from the backup: " + text};
      }
    });
  }

  // Cleanup, also after a failure: only databases that carry this target's marker go.
  bool cleaned = true;
  if (marked) {
    say(target.name + "/mongo: dropping " + joined(names));
    timer.time("cleanup", [&] {
      auto dropped = drill.drop(names);
      if (!dropped) {
        cleaned = false;
        rec.warnings.push_back("could not drop the scratch databases " + joined(names) + ": " +
                               dropped.error().message + " (the next drill or run tries again)");
      } else if (!dropped->kept.empty()) {
        rec.warnings.push_back("not dropped (no marker of " + target.name +
                               "): " + joined(dropped->kept));
      }
    });
  }
  if (cleaned) clear_active_drill(ctx.config.state_dir, target.name, TierName::mongo);
  finish_record(rec, failure);
  return out;
}

std::vector<std::string> clean_mongo_leftovers(const TargetConfig& target,
                                               const mongo::SessionFactory& sessions,
                                               const std::string& keep_drill_id) {
  std::vector<std::string> actions;
  if (!target.mongo || !target.drill || !target.drill->mongo) return actions;
  MongoDrill drill(keep_drill_id, target, sessions);
  std::string password_error;
  if (!drill.read_password(password_error)) {
    actions.push_back("cannot clean up: " + password_error);
    return actions;
  }
  auto surveyed = drill.survey({});
  if (!surveyed) {
    actions.push_back("cannot look for a killed drill's databases: " + surveyed.error().message);
    return actions;
  }
  if (surveyed->leftovers.empty()) {
    actions.push_back("no drill databases of " + target.name + " were left");
    return actions;
  }
  auto dropped = drill.drop(surveyed->leftovers);
  if (!dropped) {
    actions.push_back("could not drop " + joined(surveyed->leftovers) + ": " +
                      dropped.error().message);
    return actions;
  }
  if (!dropped->dropped.empty()) actions.push_back("dropped " + joined(dropped->dropped));
  return actions;
}

}  // namespace agent::drill
