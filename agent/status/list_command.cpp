#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>

#include "agent/core/exit_codes.hpp"
#include "agent/core/human_format.hpp"
#include "agent/status/status_command.hpp"

namespace agent {
namespace {

std::string utc(std::int64_t epoch) { return format_utc(epoch, "%Y-%m-%d %H:%M:%S"); }

std::string table_header() {
  std::ostringstream o;
  o << std::left << std::setw(14) << "TARGET" << std::setw(8) << "TIER" << std::setw(21)
    << "CREATED (UTC)" << std::setw(10) << "MARK" << std::setw(7) << "VALID" << std::setw(12)
    << "BYTES" << std::setw(28) << "REASON"
    << "BACKUP\n";
  return o.str();
}

std::string table_row(const std::string& target, TierName tier, const BackupListing& b) {
  std::ostringstream o;
  const std::string validation = to_string(b.validation);
  o << std::left << std::setw(14) << target << std::setw(8) << to_string(tier) << std::setw(21)
    << utc(b.ctime) << std::setw(10) << to_string(b.mark) << std::setw(7)
    << (validation.empty() ? "-" : validation) << std::setw(12) << b.bytes << std::setw(28)
    << b.reason << b.id << "\n";
  return o.str();
}

nlohmann::json json_row(const std::string& target, TierName tier, const BackupListing& b) {
  const std::string validation = to_string(b.validation);
  return {{"target", target},
          {"tier", to_string(tier)},
          {"id", b.id},
          {"ctime", b.ctime},
          {"bytes", b.bytes},
          {"mark", to_string(b.mark)},
          {"reason", b.reason},
          {"validation", validation.empty() ? nlohmann::json(nullptr) : nlohmann::json(validation)},
          {"run_id", b.run_id}};
}

}  // namespace

int list_backups(const Config& config, TierSet& tiers, const ListOptions& options, Output& out) {
  if (!options.target.empty() && !config.find_target(options.target)) {
    out.error("no target named '" + options.target + "' in " + config.source_file.string());
    return exit_code::k_usage;
  }
  nlohmann::json rows = nlohmann::json::array();
  std::string table = table_header();
  bool any_error = false;
  for (const auto& target : config.targets) {
    if (!options.target.empty() && target.name != options.target) continue;
    for (const auto& tier : tiers.all()) {
      if (options.tier && *options.tier != tier->name()) continue;
      if (!tier->configured(target)) continue;
      auto listing = tier->list(target);
      if (!listing) {
        any_error = true;
        out.error(target.name + "/" + to_string(tier->name()) + ": " + listing.error().message);
        continue;
      }
      for (const auto& b : *listing) {
        if (options.json) {
          rows.push_back(json_row(target.name, tier->name(), b));
        } else {
          table += table_row(target.name, tier->name(), b);
        }
      }
    }
  }
  if (options.json) {
    out.json(rows.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  } else {
    out.result(table);
  }
  return any_error ? exit_code::k_failure : exit_code::k_success;
}

}  // namespace agent
