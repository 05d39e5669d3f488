#include "agent/retention/backup_list_json.hpp"

#include <cstdint>
#include <limits>

#include <nlohmann/json.hpp>

namespace agent {

namespace {

using Json = nlohmann::json;

tl::expected<policies::BackupEntry, std::string> entry_from_json(const Json& item,
                                                                 const std::string& where) {
  if (!item.is_object()) return tl::unexpected(where + ": expected an object");
  policies::BackupEntry entry;
  const auto id = item.find("id");
  if (id == item.end()) return tl::unexpected(where + ": missing \"id\"");
  if (!id->is_string()) return tl::unexpected(where + ": \"id\" must be a string");
  entry.id = id->get<std::string>();
  const auto ctime = item.find("ctime");
  if (ctime == item.end()) return tl::unexpected(where + ": missing \"ctime\"");
  if (ctime->is_number_unsigned()) {
    const auto value = ctime->get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return tl::unexpected(where + ": \"ctime\" is out of range");
    }
    entry.ctime = static_cast<std::int64_t>(value);
  } else if (ctime->is_number_integer()) {
    entry.ctime = ctime->get<std::int64_t>();
  } else {
    return tl::unexpected(where + ": \"ctime\" must be an integer (epoch seconds)");
  }
  const auto prot = item.find("protected");
  if (prot != item.end()) {
    if (prot->is_boolean()) {
      entry.is_protected = prot->get<bool>();
    } else if (prot->is_number_integer() && (*prot == 0 || *prot == 1)) {
      entry.is_protected = *prot == 1;  // the Proxmox API reports flags as 0/1
    } else {
      return tl::unexpected(where + ": \"protected\" must be true, false, 0 or 1");
    }
  }
  return entry;
}

}  // namespace

tl::expected<std::vector<policies::BackupEntry>, std::string> parse_backup_list_json(
    std::string_view text) {
  Json doc;
  try {
    doc = Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    return tl::unexpected(std::string("input is not valid JSON: ") + e.what());
  }
  if (!doc.is_array()) {
    return tl::unexpected(
        std::string("input must be a JSON array of {\"id\": string, \"ctime\": epoch seconds, "
                    "\"protected\": bool}"));
  }
  std::vector<policies::BackupEntry> entries;
  entries.reserve(doc.size());
  for (std::size_t i = 0; i < doc.size(); ++i) {
    auto entry = entry_from_json(doc[i], "input[" + std::to_string(i) + "]");
    if (!entry) return tl::unexpected(entry.error());
    entries.push_back(std::move(*entry));
  }
  return entries;
}

std::string decisions_to_json(std::span<const policies::BackupEntry> entries,
                              std::span<const policies::Decision> decisions) {
  Json out = Json::array();
  for (std::size_t i = 0; i < entries.size() && i < decisions.size(); ++i) {
    Json rules = Json::array();
    for (auto rule : decisions[i].rules) rules.push_back(std::string(policies::to_string(rule)));
    out.push_back(Json{{"id", entries[i].id},
                       {"ctime", entries[i].ctime},
                       {"mark", std::string(policies::to_string(decisions[i].mark))},
                       {"reason", decisions[i].reason},
                       {"rules", rules}});
  }
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace agent
