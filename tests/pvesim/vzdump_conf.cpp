#include "tests/pvesim/vzdump_conf.hpp"

#include <regex>
#include <set>

#include "tests/pvesim/prune.hpp"

namespace pvesim {

const std::map<std::string, std::string>& vzdump_schema_defaults() {
  static const std::map<std::string, std::string> d{{"all", "0"},
                                                    {"stdexcludes", "1"},
                                                    {"compress", "0"},
                                                    {"pigz", "0"},
                                                    {"zstd", "1"},
                                                    {"quiet", "0"},
                                                    {"mode", "snapshot"},
                                                    {"mailnotification", "always"},
                                                    {"notification-mode", "auto"},
                                                    {"stop", "0"},
                                                    {"bwlimit", "0"},
                                                    {"ionice", "7"},
                                                    {"lockwait", "180"},
                                                    {"stopwait", "10"},
                                                    {"prune-backups", "keep-all=1"},
                                                    {"remove", "1"}};
  return d;
}

std::map<std::string, std::string> parse_vzdump_conf(const std::string& text,
                                                     std::vector<std::string>& warnings) {
  static const std::set<std::string> known{"vmid",
                                           "node",
                                           "all",
                                           "stdexcludes",
                                           "compress",
                                           "pigz",
                                           "zstd",
                                           "quiet",
                                           "mode",
                                           "exclude",
                                           "exclude-path",
                                           "mailto",
                                           "mailnotification",
                                           "notification-mode",
                                           "tmpdir",
                                           "dumpdir",
                                           "script",
                                           "storage",
                                           "stop",
                                           "bwlimit",
                                           "ionice",
                                           "performance",
                                           "fleecing",
                                           "lockwait",
                                           "stopwait",
                                           "prune-backups",
                                           "remove",
                                           "pool",
                                           "notes-template",
                                           "protected",
                                           "pbs-change-detection-mode"};
  std::map<std::string, std::string> out;
  static const std::regex line_re(R"(^\s*(.+?)\s*$)");
  static const std::regex kv(R"(^(\S+?):\s*(.*)$)");
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string raw = text.substr(start, end - start);
    start = end + 1;
    std::smatch m;
    if (!std::regex_match(raw, m, line_re)) continue;
    const std::string line = m[1].str();
    if (line.empty() || line[0] == '#') continue;
    std::smatch k;
    if (!std::regex_match(line, k, kv)) {
      warnings.push_back("ignore config line: " + line);
      continue;
    }
    const std::string key = k[1].str();
    const std::string value = k[2].str();
    if (!known.count(key)) {
      warnings.push_back("parse error in '/etc/vzdump.conf' - '" + key +
                         "': property is not defined in schema and the schema does not allow "
                         "additional properties");
      continue;
    }
    if (key == "prune-backups") {
      if (const auto p = parse_prune_options(value); !p) {
        warnings.push_back("parse error in '/etc/vzdump.conf' - 'prune-backups': " + p.error());
        continue;
      }
    }
    out[key] = value;
  }
  return out;
}

}  // namespace pvesim
