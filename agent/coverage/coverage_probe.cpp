#include "agent/coverage/coverage_probe.hpp"

#include <nlohmann/json.hpp>

#include "agent/config/config_loader.hpp"
#include "agent/core/safe_text.hpp"
#include "agent/coverage/mongod_location.hpp"
#include "agent/mongo/mongo_commands.hpp"
#include "agent/mongo/mongo_shell.hpp"

namespace agent::coverage {
namespace {

constexpr std::size_t k_max_databases = 10000;

std::string shown(std::string_view text) {
  return escape_control_chars(text.substr(0, 300), Tabs::escape);
}

// Runs `command`; its stdout when it exits 0 within the cap, else why not.
tl::expected<std::string, std::string> run(remote::SshSession& session, const std::string& command,
                                           const std::string& what) {
  std::string out;
  bool too_much = false;
  std::string last_error;
  auto status = session.exec(
      command, remote::no_stdin(),
      [&](const std::uint8_t* data, std::size_t size) {
        if (out.size() + size > k_max_command_output) {
          too_much = true;
          return false;
        }
        out.append(reinterpret_cast<const char*>(data), size);
        return true;
      },
      [&](std::string_view line) {
        if (line.find_first_not_of(" \t") != std::string_view::npos) last_error = shown(line);
      });
  if (too_much) {
    return tl::unexpected(what + " printed more than " +
                          std::to_string(k_max_command_output >> 20) + " MiB; stopped reading it");
  }
  if (!status) return tl::unexpected(what + ": " + status.error().message);
  if (!status->success()) {
    return tl::unexpected(what + " failed (exit " + std::to_string(status->code) + ")" +
                          (last_error.empty() ? "" : ": " + last_error));
  }
  return out;
}

std::string with_prefix(const std::string& prefix, const std::string& command) {
  return prefix.empty() ? command : prefix + " " + command;
}

// dbPath from mongod's arguments, reading its config file through `cat_prefix` when needed.
tl::expected<DataLocation, std::string> dbpath_of(remote::SshSession& session,
                                                  const std::vector<std::string>& args,
                                                  const std::string& cat_prefix) {
  DataLocation d;
  const MongodArgs parsed = parse_mongod_args(args);
  if (parsed.dbpath) {
    d.dbpath = *parsed.dbpath;
    d.dbpath_from = "command line";
  } else if (parsed.config_file) {
    const auto file = normal_absolute(*parsed.config_file);
    if (!file) {
      return tl::unexpected("mongod's --config " + shown(*parsed.config_file) +
                            " is not an absolute path");
    }
    auto text = run(session, with_prefix(cat_prefix, "cat -- " + remote::shell_quote(*file)),
                    "reading " + shown(*file));
    if (!text) return tl::unexpected(text.error());
    auto path = dbpath_from_config(*text);
    if (!path) return tl::unexpected(shown(*file) + " cannot be read: " + path.error());
    d.dbpath = path->value_or(std::string(k_default_dbpath));
    d.dbpath_from = (*path ? "config file " : "default; config file without it: ") + shown(*file);
  } else {
    d.dbpath = std::string(k_default_dbpath);
    d.dbpath_from = "default";
  }
  const auto normal = normal_absolute(d.dbpath);
  if (!normal)
    return tl::unexpected("mongod's dbPath " + shown(d.dbpath) + " is not an absolute path");
  d.dbpath = *normal;
  return d;
}

}  // namespace

tl::expected<DataLocation, std::string> locate_mongo_data(remote::SshSession& session,
                                                          const MongoConfig& mongo) {
  if (const auto c = container_prefix(mongo.command)) {
    const std::string tool = with_prefix(c->before, c->tool);
    auto text =
        run(session, tool + " inspect --type container " + remote::shell_quote(c->container),
            c->tool + " inspect " + shown(c->container));
    if (!text) return tl::unexpected(text.error());
    auto facts = parse_container_inspect(*text);
    if (!facts) {
      return tl::unexpected(c->tool + " inspect " + shown(c->container) +
                            " cannot be read: " + facts.error());
    }
    const auto args = mongod_in_container(facts->command);
    std::vector<std::string> none;
    auto d = dbpath_of(session, args ? *args : none, mongo.command);
    if (!d) return d;
    d->how = c->tool + " container " + shown(c->container);
    if (!args)
      d->notes.push_back("the container's command does not name mongod; assumed its default");
    if (const auto host = host_path(facts->mounts, d->dbpath)) {
      d->lxc_path = *host;
    } else {
      // The container's own writable layer, under the runtime's data root.
      auto root = run(session, tool + " info --format '{{.DockerRootDir}}'", c->tool + " info");
      std::string dir = root ? *root : std::string();
      while (!dir.empty() && (dir.back() == '\n' || dir.back() == '\r')) dir.pop_back();
      const auto normal = normal_absolute(dir);
      d->lxc_path = normal ? *normal : std::string("/var/lib/") + c->tool;
      d->notes.push_back("no mount holds it: it is in the container's writable layer");
      d->dbpath_from += "; in the container's writable layer under " + d->lxc_path;
    }
    return d;
  }
  auto ps = run(session, with_prefix(mongo.command, "ps -e -o args="), "ps");
  if (!ps) return tl::unexpected(ps.error());
  const auto processes = mongod_processes(*ps);
  if (processes.empty())
    return tl::unexpected(std::string("no mongod process in `ps -e -o args=`"));
  auto d = dbpath_of(session, processes.front(), mongo.command);
  if (!d) return d;
  d->how = "process mongod";
  if (processes.size() > 1) {
    d->notes.push_back(std::to_string(processes.size()) + " mongod processes; the first one read");
  }
  d->lxc_path = d->dbpath;
  return d;
}

tl::expected<std::vector<std::string>, std::string> list_databases(remote::SshSession& session,
                                                                   const MongoConfig& mongo) {
  std::string password;
  if (mongo::uses_auth(mongo)) {
    auto pw = read_secret(mongo.password);
    if (!pw) return tl::unexpected("cannot read the MongoDB password: " + pw.error());
    password = *pw + "\n";
  }
  const std::string script =
      "const out = db.adminCommand({listDatabases: 1, nameOnly: true}).databases.map("
      "(d) => d.name);\nprint(\"SMOKERBAK-RESULT \" + JSON.stringify(out));\n";
  auto answer = mongo::run_shell_script(session, mongo::shell_endpoint(mongo), script, password);
  std::fill(password.begin(), password.end(), '\0');
  if (!answer) return tl::unexpected(answer.error().message);
  const auto j = nlohmann::json::parse(*answer, nullptr, false);
  if (j.is_discarded() || !j.is_array()) {
    return tl::unexpected(std::string("the shell's listDatabases answer is not a JSON list"));
  }
  std::vector<std::string> names;
  for (const auto& n : j) {
    if (!n.is_string()) return tl::unexpected(std::string("a database name is not a string"));
    if (names.size() >= k_max_databases) {
      return tl::unexpected("more than " + std::to_string(k_max_databases) + " databases");
    }
    names.push_back(n.get<std::string>());
  }
  return names;
}

Facts gather_facts(const TargetConfig& target, proxmox::Client* api, const std::string& api_error,
                   const mongo::SessionFactory& sessions) {
  Facts f;
  if (target.vzdump) {
    if (!api) {
      f.lxc = tl::unexpected(api_error);
    } else if (auto guest = api->locate_guest(target.vmid); !guest) {
      f.lxc = tl::unexpected(guest.error().message);
    } else {
      f.node = guest->node;
      auto config = api->lxc_config(guest->node, target.vmid);
      if (config) {
        f.lxc = std::move(*config);
      } else {
        f.lxc = tl::unexpected(config.error().message);
      }
    }
  }
  if (target.mongo) {
    auto options = mongo::ssh_options(target.mongo->ssh);
    options.max_duration_s = 120;
    // A session per fact: a command stopped for printing too much leaves its connection
    // unusable, and the other fact is still worth reading.
    const auto on_session =
        [&](auto probe) -> decltype(probe(std::declval<remote::SshSession&>())) {
      auto session = sessions(options);
      if (!session) return tl::unexpected(mongo::tier_error_of(session.error()).message);
      return probe(**session);
    };
    f.data = on_session([&](remote::SshSession& s) { return locate_mongo_data(s, *target.mongo); });
    f.databases =
        on_session([&](remote::SshSession& s) { return list_databases(s, *target.mongo); });
  }
  return f;
}

}  // namespace agent::coverage
