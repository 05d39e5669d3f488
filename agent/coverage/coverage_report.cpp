#include "agent/coverage/coverage_report.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "agent/core/exit_codes.hpp"
#include "agent/core/safe_text.hpp"

namespace agent::coverage {
namespace {

// Restore drills name their scratch copies so (agent/drill/mongo_scripts.hpp k_scratch_prefix).
constexpr std::string_view k_drill_prefix = "smokerbak_drill_";

std::string shown(const std::string& text) {
  return escape_control_chars(text.substr(0, 512), Tabs::escape);
}

// Why a mount point is not in the archive, in the operator's words.
std::string why_excluded(const MountRow& row) {
  if (row.key == "lxc.mount.entry") return "a raw lxc.mount.entry of " + shown(row.volume);
  if (row.type == "bind") return "a bind mount of host path " + shown(row.volume);
  if (row.type == "device") return "a device mount of " + shown(row.volume);
  return "a volume without backup=1";
}

std::string why_included(const MountRow& row) {
  if (row.reason == "rootfs") return "rootfs: always in the archive";
  return "volume with backup=1: in the archive";
}

std::string data_sentence(const DataLocation& d) {
  std::string s = shown(d.how) + ": dbPath " + shown(d.dbpath) + " (" + shown(d.dbpath_from) + ")";
  if (d.lxc_path != d.dbpath) {
    s +=
        d.lxc_path.empty() ? ", in memory (tmpfs)" : ", " + shown(d.lxc_path) + " in the container";
  }
  return s;
}

}  // namespace

const char* to_string(State state) {
  switch (state) {
    case State::covered:
      return "covered";
    case State::accepted:
      return "accepted";
    case State::note:
      return "note";
    case State::uncovered:
      return "uncovered";
    case State::unknown:
      return "unknown";
  }
  return "unknown";
}

std::size_t TargetCoverage::count(State state) const {
  return static_cast<std::size_t>(std::count_if(
      findings.begin(), findings.end(), [&](const Finding& f) { return f.state == state; }));
}

TargetCoverage assess(const TargetConfig& t, const Facts& facts) {
  TargetCoverage r;
  r.target = t.name;
  r.vmid = t.vmid;
  r.node = facts.node;
  std::vector<Finding> mount_findings, data_findings, db_findings;

  // The mount points.
  if (!t.vzdump) {
    mount_findings.push_back({State::note, "mount points", "", "none",
                              "no vzdump tier: the container's files are not backed up by this "
                              "agent",
                              ""});
  } else if (facts.lxc && !*facts.lxc) {
    mount_findings.push_back(
        {State::unknown, "mount points", "", "?",
         "could not determine the container's mount points: " + shown(facts.lxc->error()),
         "give the token VM.Audit on /vms/" + std::to_string(t.vmid) +
             " and check the API with `pve-smokerbak config check --api`"});
  } else if (facts.lxc) {
    r.mounts = mount_rows(**facts.lxc, t.coverage, t.vmid);
  }

  // The databases.
  bool databases_known = false;
  std::vector<const DatabaseRow*> not_dumped;
  if (t.mongo && facts.databases) {
    if (!*facts.databases) {
      db_findings.push_back(
          {State::unknown, "databases", "", "?",
           "could not list the databases: " + shown(facts.databases->error()),
           "check that the mongo tier's user may run listDatabases (the backup role may) and "
           "that mongo.command reaches the MongoDB shell (mongosh)"});
    } else {
      databases_known = true;
      std::vector<DatabaseRow> rows;
      const bool all = t.mongo->database.empty();
      for (const auto& name : **facts.databases) {
        DatabaseRow row{name, false, "not dumped"};
        const bool skipped =
            std::find(t.coverage.skip_databases.begin(), t.coverage.skip_databases.end(), name) !=
            t.coverage.skip_databases.end();
        if (name == "local" || name == "config") {
          row.why = "system database";
        } else if (all || name == t.mongo->database) {
          row.dumped = true;
          row.why = "dumped";
        } else if (name == "admin") {
          row.why = "system database";
        } else if (name.rfind(k_drill_prefix, 0) == 0) {
          row.why = "drill copy";
        } else if (skipped) {
          row.why = "coverage.skip_databases";
        }
        rows.push_back(std::move(row));
      }
      r.databases = std::move(rows);
      for (const auto& row : *r.databases) {
        if (row.why == "not dumped") not_dumped.push_back(&row);
      }
    }
  }
  const bool mongo_dumps_all = t.mongo && databases_known && not_dumped.empty();

  // Where MongoDB's files are.
  const MountRow* holder = nullptr;
  if (t.mongo && facts.data) {
    if (!*facts.data) {
      data_findings.push_back(
          {State::unknown, "mongod dbPath", "", "?",
           "could not determine where MongoDB keeps its data: " + shown(facts.data->error()),
           "make mongod's data directory visible to the agent's SSH user (ps, docker inspect, "
           "the config file), or accept it by listing its path under "
           "coverage.accept_uncovered"});
    } else {
      r.data = **facts.data;
      const DataLocation& d = *r.data;
      Finding f{State::covered, "mongod dbPath", d.lxc_path, "mongo", data_sentence(d), ""};
      if (r.mounts && !d.lxc_path.empty()) holder = mount_holding(*r.mounts, d.lxc_path);
      const bool in_vzdump = holder && holder->in_backup;
      if (holder) {
        f.message += "; on " + holder->key + " (" + shown(holder->mp) + "), " +
                     (in_vzdump ? "which vzdump includes" : "which vzdump does not include");
      } else if (!t.vzdump) {
        f.message += "; no vzdump tier";
      }
      if (in_vzdump) {
        f.by = databases_known && not_dumped.empty() ? "vzdump+mongo" : "vzdump";
        f.message +=
            " (the files of a running mongod: crash-consistent; the mongo tier's "
            "dump is the consistent copy)";
      } else if (mongo_dumps_all) {
        f.by = "mongo";
        f.message += ": the mongo tier's dump is the only copy of the data";
      } else if (!databases_known || (t.vzdump && !r.mounts)) {
        f.state = State::unknown;
        f.by = "?";
      } else {
        f.state = State::uncovered;
        f.by = "none";
        f.fix = holder ? holder->fix : "dump every database (see the databases below)";
      }
      data_findings.push_back(std::move(f));
    }
  }
  const bool data_in_vzdump = holder && holder->in_backup;
  const bool data_outside_vzdump = r.data && r.mounts && !data_in_vzdump;

  if (r.mounts) {
    for (const auto& row : *r.mounts) {
      Finding f{State::covered, "mount " + row.key, row.mp, "vzdump", "", ""};
      if (row.in_backup) {
        f.message = why_included(row);
      } else if (&row == holder && mongo_dumps_all) {
        f.state = State::note;
        f.by = "mongo";
        f.message = "not in the vzdump archive (" + why_excluded(row) +
                    "); it holds MongoDB's data, which the mongo tier dumps; anything else on "
                    "it is in neither tier";
        f.fix = row.fix;
      } else if (row.accepted) {
        f.state = State::accepted;
        f.by = "none";
        f.message = "not in the vzdump archive (" + why_excluded(row) +
                    "); accepted by coverage.accept_uncovered";
      } else {
        f.state = State::uncovered;
        f.by = "none";
        f.message = "not in the vzdump archive: " + why_excluded(row);
        f.fix = row.fix;
      }
      mount_findings.push_back(std::move(f));
    }
  }

  if (r.databases) {
    for (const auto& row : *r.databases) {
      Finding f{State::covered, "database " + row.name, "", "mongo", "", ""};
      const std::string name = shown(row.name);
      if (row.dumped) {
        f.by = data_in_vzdump ? "vzdump+mongo" : "mongo";
        f.message = "dumped by the mongo tier";
      } else if (row.why == "system database") {
        f.state = row.name == "admin" ? State::note : State::accepted;
        f.by = data_in_vzdump ? "vzdump" : "none";
        f.message = row.name == "admin"
                        ? "not in a dump of one database: users and roles live here; recreate "
                          "them after a restore, or dump the whole instance (mongo.oplog: true)"
                        : "system database (" + name + "): never needed in a dump";
      } else if (row.why == "drill copy") {
        f.state = State::accepted;
        f.by = "none";
        f.message = "a restore drill's scratch copy";
      } else if (row.why == "coverage.skip_databases") {
        f.state = State::accepted;
        f.by = data_in_vzdump ? "vzdump" : "none";
        f.message = "not dumped; accepted by coverage.skip_databases";
      } else {
        const std::string dump_fix =
            "dump the whole instance (mongo.oplog: true, on a replica set member), or list " +
            name + " under coverage.skip_databases";
        if (data_in_vzdump) {
          f.state = State::note;
          f.by = "vzdump";
          f.message = "not dumped by the mongo tier (it dumps " + shown(t.mongo->database) +
                      "); only its files are in the vzdump archive (a crash-consistent copy "
                      "of a running mongod)";
          f.fix = dump_fix;
        } else if (data_outside_vzdump) {
          f.state = State::uncovered;
          f.by = "none";
          f.message = "not dumped by the mongo tier (it dumps " + shown(t.mongo->database) +
                      "), and MongoDB's data directory is not in the vzdump archive";
          f.fix = dump_fix + (holder && !holder->fix.empty() ? "; or " + holder->fix : "");
        } else {
          f.state = State::unknown;
          f.by = "?";
          f.message = "not dumped by the mongo tier (it dumps " + shown(t.mongo->database) +
                      "); whether the vzdump archive holds its files could not be determined";
          f.fix = dump_fix;
        }
      }
      db_findings.push_back(std::move(f));
    }
  }
  for (auto* list : {&mount_findings, &data_findings, &db_findings}) {
    for (auto& f : *list) r.findings.push_back(std::move(f));
  }
  return r;
}

int coverage_exit_code(const std::vector<TargetCoverage>& reports) {
  for (const auto& r : reports) {
    if (r.count(State::uncovered) > 0 || r.count(State::unknown) > 0) {
      return exit_code::k_warnings;
    }
  }
  return exit_code::k_success;
}

std::string coverage_text(const std::vector<TargetCoverage>& reports) {
  std::ostringstream out;
  for (const auto& r : reports) {
    out << "coverage of " << r.target << " (CT " << r.vmid
        << (r.node.empty() ? "" : " on " + shown(r.node)) << ")\n";
    std::size_t subject_w = 7, path_w = 4;
    for (const auto& f : r.findings) {
      subject_w = std::max(subject_w, std::min<std::size_t>(shown(f.subject).size(), 40));
      path_w = std::max(path_w, std::min<std::size_t>(shown(f.path).size(), 40));
    }
    const auto pad = [](std::string s, std::size_t w) {
      return s.size() < w ? s + std::string(w - s.size(), ' ') : s;
    };
    out << "  " << pad("STATE", 10) << "  " << pad("BY", 12) << "  " << pad("SUBJECT", subject_w)
        << "  " << pad("PATH", path_w) << "  DETAIL\n";
    for (const auto& f : r.findings) {
      std::string state = to_string(f.state);
      if (f.state == State::uncovered || f.state == State::unknown) {
        std::transform(state.begin(), state.end(), state.begin(), ::toupper);
      }
      out << "  " << pad(state, 10) << "  " << pad(f.by, 12) << "  "
          << pad(shown(f.subject), subject_w) << "  "
          << pad(f.path.empty() ? "-" : shown(f.path), path_w) << "  " << f.message << "\n";
      if (!f.fix.empty() && f.state != State::covered && f.state != State::accepted) {
        out << "  " << std::string(10 + 2 + 12 + 2, ' ') << "fix: " << f.fix << "\n";
      }
    }
    out << "  " << r.count(State::uncovered) << " uncovered, " << r.count(State::unknown)
        << " could not be determined\n";
  }
  return out.str();
}

std::string coverage_json(const std::vector<TargetCoverage>& reports) {
  using nlohmann::ordered_json;
  ordered_json doc;
  doc["targets"] = ordered_json::array();
  std::size_t uncovered = 0, unknown = 0;
  for (const auto& r : reports) {
    ordered_json t;
    t["target"] = r.target;
    t["vmid"] = r.vmid;
    t["node"] = escape_invalid_utf8(r.node);
    if (r.mounts) {
      t["mounts"] = ordered_json::array();
      for (const auto& m : *r.mounts) {
        t["mounts"].push_back({{"key", m.key},
                               {"mp", escape_invalid_utf8(m.mp)},
                               {"volume", escape_invalid_utf8(m.volume)},
                               {"type", m.type},
                               {"in_backup", m.in_backup},
                               {"reason", m.reason},
                               {"accepted", m.accepted}});
      }
    } else {
      t["mounts"] = nullptr;
    }
    if (r.data) {
      t["mongo_data"] = {{"how", escape_invalid_utf8(r.data->how)},
                         {"dbpath", escape_invalid_utf8(r.data->dbpath)},
                         {"dbpath_from", escape_invalid_utf8(r.data->dbpath_from)},
                         {"path", escape_invalid_utf8(r.data->lxc_path)}};
    } else {
      t["mongo_data"] = nullptr;
    }
    if (r.databases) {
      t["databases"] = ordered_json::array();
      for (const auto& d : *r.databases) {
        t["databases"].push_back(
            {{"name", escape_invalid_utf8(d.name)}, {"dumped", d.dumped}, {"why", d.why}});
      }
    } else {
      t["databases"] = nullptr;
    }
    t["findings"] = ordered_json::array();
    for (const auto& f : r.findings) {
      t["findings"].push_back({{"state", to_string(f.state)},
                               {"subject", escape_invalid_utf8(f.subject)},
                               {"path", escape_invalid_utf8(f.path)},
                               {"by", f.by},
                               {"message", escape_invalid_utf8(f.message)},
                               {"fix", escape_invalid_utf8(f.fix)}});
    }
    t["uncovered"] = r.count(State::uncovered);
    t["unknown"] = r.count(State::unknown);
    uncovered += r.count(State::uncovered);
    unknown += r.count(State::unknown);
    doc["targets"].push_back(std::move(t));
  }
  doc["uncovered"] = uncovered;
  doc["unknown"] = unknown;
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::vector<std::string> coverage_warnings(const TargetCoverage& report) {
  std::vector<std::string> out;
  for (const auto& f : report.findings) {
    if (f.state != State::uncovered && f.state != State::unknown) continue;
    std::string line = report.target + ": " + shown(f.subject);
    if (!f.path.empty()) line += " (" + shown(f.path) + ")";
    line += f.state == State::uncovered ? ": in neither tier: " : ": ";
    line += f.message;
    if (!f.fix.empty()) line += "; fix: " + f.fix;
    out.push_back(std::move(line));
  }
  return out;
}

}  // namespace agent::coverage
