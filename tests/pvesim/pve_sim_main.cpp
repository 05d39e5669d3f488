// pve-sim: runs the Proxmox VE simulator as a process for the demo and end-to-end tests of
// the real pve-smokerbak binary. Writes a JSON connection file, serves until SIGTERM/SIGINT
// or POST /_sim/shutdown. See README.md.
#include <openssl/rand.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "tests/pvesim/simulator.hpp"

namespace {

namespace fs = std::filesystem;

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    return {};
  }
  std::string out;
  char hex[3];
  for (const char c : raw) {
    std::snprintf(hex, sizeof hex, "%02x", static_cast<unsigned char>(c));
    out += hex;
  }
  return out;
}

// A UUID-shaped secret, like the ones `pveum user token add` prints.
std::string random_uuid() {
  const std::string h = random_hex(16);
  if (h.size() != 32) return {};
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, sep)) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

// Writes `text` with mode 0600 via a temp file and rename, so readers never see a partial file.
bool write_private(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return false;
    std::error_code ec;
    fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, ec);
    out << text;
    if (!out) return false;
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  return !ec;
}

std::atomic<bool> g_shutdown{false};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pve-sim: a Proxmox VE API simulator on 127.0.0.1 (HTTPS, throwaway CA)"};
  pvesim::Options o;
  std::string data_dir, nodes = "pve1", token_file, token_id = "smokerbak@pve!agent";
  std::string privileges, connection_file;
  std::vector<std::string> guest_specs, guest_config_specs, pbs_ids, provider_ids;
  std::string vzdump_conf_file;
  bool keep_message = true;
  bool defaults_endpoint = true;
  app.add_option("--data-dir", data_dir, "directory for TLS files, storage and connection file")
      ->required();
  app.add_option("--nodes", nodes, "comma-separated node names (first hosts the guests)")
      ->capture_default_str();
  app.add_option("--guest", guest_specs,
                 "a guest VMID:NAME:NODE (repeatable; default "
                 "106:smartsmoker-cloud:<first node>)");
  app.add_option("--token-id", token_id, "API token id user@realm!name")->capture_default_str();
  app.add_option("--token-file", token_file,
                 "write the generated token secret here (mode 0600); default "
                 "<data-dir>/token.secret");
  app.add_option("--privileges", privileges,
                 "comma-separated privileges of the token (default: all, e.g. "
                 "VM.Backup,VM.Audit,Datastore.AllocateSpace,Datastore.Audit)");
  app.add_option("--storage", o.storage, "backup storage id")->capture_default_str();
  app.add_option("--prune-backups", o.prune_backups, "the storage's prune-backups setting");
  app.add_option("--max-protected-backups", o.max_protected_backups,
                 "the storage's max-protected-backups");
  app.add_option("--cluster-name", o.cluster_name,
                 "cluster name ({{cluster}}); empty = "
                 "standalone node");
  app.add_option("--timezone", o.node_timezone, "node time zone (IANA name)")
      ->capture_default_str();
  app.add_option("--start-time", o.start_time, "simulated epoch at start (0 = now)")
      ->capture_default_str();
  app.add_flag("--freeze-clock", o.freeze_clock,
               "simulated clock moves only via /_sim/clock (default: also with real time)");
  app.add_option("--archive-bytes", o.archive_bytes, "uncompressed payload bytes per archive")
      ->capture_default_str();
  app.add_option("--task-seconds", o.task_seconds, "simulated duration of a vzdump task")
      ->capture_default_str();
  app.add_option("--task-polls", o.task_finish_after_polls,
                 "a task also finishes after this many status polls (0 = off)")
      ->capture_default_str();
  app.add_option("--auth-delay-ms", o.auth_failure_delay_ms, "delay of every 401 (PVE: 3000)")
      ->capture_default_str();
  app.add_flag("!--no-message-field", keep_message,
               "emulate PVE < 8.3: error bodies without \"message\"");
  app.add_option("--guest-config", guest_config_specs,
                 "a configuration key of a guest VMID:KEY=VALUE, e.g. 106:mp0=/srv/data,mp=/data "
                 "(repeatable)");
  app.add_option("--pbs-storage", pbs_ids,
                 "add a Proxmox Backup Server storage with this id (repeatable)");
  app.add_option("--provider-storage", provider_ids,
                 "add a backup-provider storage with this id (repeatable)");
  app.add_option("--vzdump-conf", vzdump_conf_file, "the node's /etc/vzdump.conf (a file)");
  app.add_flag("!--no-vzdump-defaults", defaults_endpoint,
               "answer GET vzdump/defaults with 501, as nodes before PVE 6.4");
  app.add_option("--job-init-line", o.job_init_hook_lines,
                 "a line the vzdump job-init hook prints before the lock attempt (repeatable)");
  app.add_option("--job-init-seconds", o.job_init_seconds,
                 "how long the job-init hook runs before the lock attempt")
      ->capture_default_str();
  app.add_option("--pool", o.pools, "a resource pool that exists (repeatable)");
  app.add_option("--connection-file", connection_file,
                 "where to write the JSON connection file; default <data-dir>/connection.json");
  app.footer(
      "Exit codes: 0 after SIGTERM/SIGINT or POST /_sim/shutdown; 1 bad arguments or start "
      "failure.\nThe connection file holds url, ca_file, fingerprint, token_id, "
      "token_secret_file, storage_dir, pid, control_header and control_secret.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 1;
  }

  o.data_dir = fs::absolute(data_dir);
  o.nodes = split(nodes, ',');
  o.error_message_field = keep_message;
  if (o.nodes.empty()) {
    std::cerr << "pve-sim: --nodes needs at least one node name\n";
    return 1;
  }
  o.guests.clear();
  for (const auto& spec : guest_specs) {
    const auto parts = split(spec, ':');
    if (parts.size() != 3 || parts[0].find_first_not_of("0123456789") != std::string::npos) {
      std::cerr << "pve-sim: --guest expects VMID:NAME:NODE, got '" << spec << "'\n";
      return 1;
    }
    o.guests.push_back({std::stoll(parts[0]), parts[1], parts[2]});
  }
  if (o.guests.empty()) o.guests.push_back({106, "smartsmoker-cloud", o.nodes.front()});
  for (const auto& spec : guest_config_specs) {
    const auto colon = spec.find(':');
    const auto eq = spec.find('=', colon == std::string::npos ? 0 : colon);
    bool done = false;
    if (colon != std::string::npos && eq != std::string::npos) {
      for (auto& g : o.guests) {
        if (std::to_string(g.vmid) == spec.substr(0, colon)) {
          g.config.emplace_back(spec.substr(colon + 1, eq - colon - 1), spec.substr(eq + 1));
          done = true;
        }
      }
    }
    if (!done) {
      std::cerr << "pve-sim: --guest-config expects VMID:KEY=VALUE of a --guest, got '" << spec
                << "'\n";
      return 1;
    }
  }
  for (const auto& id : pbs_ids) {
    pvesim::StorageSpec spec;
    spec.id = id;
    spec.kind = pvesim::StorageSpec::Kind::pbs;
    o.extra_storages.push_back(spec);
  }
  for (const auto& id : provider_ids) {
    pvesim::StorageSpec spec;
    spec.id = id;
    spec.kind = pvesim::StorageSpec::Kind::provider;
    o.extra_storages.push_back(spec);
  }
  if (!vzdump_conf_file.empty()) {
    std::ifstream in(vzdump_conf_file);
    if (!in) {
      std::cerr << "pve-sim: cannot read --vzdump-conf " << vzdump_conf_file << "\n";
      return 1;
    }
    std::ostringstream text;
    text << in.rdbuf();
    o.vzdump_conf = text.str();
  }
  o.vzdump_defaults_endpoint = defaults_endpoint;

  const std::string secret = random_uuid();
  const std::string control_secret = random_hex(24);
  if (secret.empty() || control_secret.empty()) {
    std::cerr << "pve-sim: no randomness for the secrets\n";
    return 1;
  }
  pvesim::Token token = pvesim::default_token();
  token.token_id = token_id;
  token.secret = secret;
  if (!privileges.empty()) {
    const auto list = split(privileges, ',');
    token.privileges = {list.begin(), list.end()};
  }
  o.tokens = {token};

  std::error_code ec;
  fs::create_directories(o.data_dir, ec);
  const fs::path secret_path =
      token_file.empty() ? o.data_dir / "token.secret" : fs::path(token_file);
  if (!write_private(secret_path, secret + "\n")) {
    std::cerr << "pve-sim: cannot write token file " << secret_path << "\n";
    return 1;
  }

  // Block the stop signals before the server threads exist, then wait for them here.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  pvesim::Simulator sim(o);
  sim.enable_control(control_secret, [] { g_shutdown = true; });
  if (auto started = sim.start(); !started) {
    std::cerr << "pve-sim: " << started.error() << "\n";
    return 1;
  }
  const nlohmann::json connection{{"url", sim.base_url()},
                                  {"api_url", sim.base_url() + "/api2/json"},
                                  {"port", sim.port()},
                                  {"ca_file", sim.ca_file().string()},
                                  {"fingerprint", sim.leaf_fingerprint()},
                                  {"token_id", token_id},
                                  {"token_secret_file", fs::absolute(secret_path).string()},
                                  {"nodes", o.nodes},
                                  {"storage", o.storage},
                                  {"storage_dir", sim.storage_dir().string()},
                                  {"pid", static_cast<long>(::getpid())},
                                  {"control_header", "X-PveSim-Control"},
                                  {"control_secret", control_secret}};
  const fs::path conn_path =
      connection_file.empty() ? o.data_dir / "connection.json" : fs::path(connection_file);
  if (!write_private(conn_path, connection.dump(2) + "\n")) {
    std::cerr << "pve-sim: cannot write connection file " << conn_path << "\n";
    return 1;
  }
  std::cerr << "pve-sim: serving " << sim.base_url() << " (connection file " << conn_path.string()
            << ")\n";

  const timespec tick{0, 200 * 1000 * 1000};
  while (!g_shutdown) {
    if (sigtimedwait(&stop_signals, nullptr, &tick) > 0) break;
  }
  sim.stop();
  std::cerr << "pve-sim: stopped\n";
  return 0;
}
