#include <chrono>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "agent/cli/add_command.hpp"
#include "agent/cli/command_context.hpp"
#include "agent/cli/load_config.hpp"
#include "agent/core/clock.hpp"
#include "agent/core/exit_codes.hpp"
#include "agent/core/human_format.hpp"
#include "agent/run/run_id.hpp"
#include "agent/run/tier.hpp"

namespace agent {
namespace {

struct ListOptions {
  std::string target;
  std::string tier = "all";
  bool json = false;
};

std::string utc(std::int64_t epoch) { return format_utc(epoch, "%Y-%m-%d %H:%M:%S"); }

void execute_list(CommandContext& ctx, const ListOptions& opts) {
  auto config = load_config_or_report(ctx);
  if (!config) return;
  SystemClock clock;
  const auto now = clock.now();
  RunContext run{*config, make_run_id(now), now, true, false, nullptr, {}};
  nlohmann::json rows = nlohmann::json::array();
  bool any_error = false, matched = false;
  if (!opts.json) {
    std::cout << std::left << std::setw(14) << "TARGET" << std::setw(8) << "TIER" << std::setw(21)
              << "CREATED (UTC)" << std::setw(10) << "MARK" << std::setw(7) << "VALID"
              << std::setw(12) << "BYTES" << std::setw(28) << "REASON"
              << "BACKUP\n";
  }
  for (const auto& target : config->targets) {
    if (!opts.target.empty() && target.name != opts.target) continue;
    matched = true;
    for (const std::string tier_name : {"vzdump", "mongo"}) {
      if (opts.tier != "all" && opts.tier != tier_name) continue;
      const bool configured =
          tier_name == "vzdump" ? target.vzdump.has_value() : target.mongo.has_value();
      if (!configured) continue;
      auto tier = tier_name == "vzdump" ? make_vzdump_tier(*config) : make_mongo_tier(*config);
      if (!tier) continue;
      auto listing = tier->list(target, run);
      if (!listing) {
        any_error = true;
        std::cerr << "pve-smokerbak: " << target.name << "/" << tier_name << ": " << listing.error()
                  << "\n";
        continue;
      }
      for (const auto& b : *listing) {
        if (opts.json) {
          rows.push_back({{"target", target.name},
                          {"tier", tier_name},
                          {"id", b.id},
                          {"ctime", b.ctime},
                          {"bytes", b.bytes},
                          {"mark", b.mark},
                          {"reason", b.reason},
                          {"validation", b.validation.empty() ? nlohmann::json(nullptr)
                                                              : nlohmann::json(b.validation)},
                          {"run_id", b.run_id}});
        } else {
          std::cout << std::left << std::setw(14) << target.name << std::setw(8) << tier_name
                    << std::setw(21) << utc(b.ctime) << std::setw(10) << b.mark << std::setw(7)
                    << (b.validation.empty() ? "-" : b.validation) << std::setw(12) << b.bytes
                    << std::setw(28) << b.reason << b.id << "\n";
        }
      }
    }
  }
  if (!matched && !opts.target.empty()) {
    std::cerr << "pve-smokerbak: no target named '" << opts.target << "' in "
              << config->source_file.string() << "\n";
    ctx.exit_code = exit_code::k_usage;
    return;
  }
  if (opts.json) std::cout << rows.dump(2) << "\n";
  ctx.exit_code = any_error ? exit_code::k_failure : exit_code::k_success;
}

}  // namespace

void register_list_command(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<ListOptions>();
  auto* cmd = add_command(
      app, "list", "List every backup with its retention mark, reason and validation",
      "Lists every backup of both tiers, newest first, with the mark the next prune would give\n"
      "it (keep/remove/protected) and why, and its validation verdict. Changes nothing.");
  cmd->add_option("--target", opts->target, "Only this target");
  cmd->add_option("--tier", opts->tier, "Only this tier")
      ->check(CLI::IsMember({"vzdump", "mongo", "all"}))
      ->capture_default_str();
  cmd->add_flag("--json", opts->json,
                "JSON array of {target, tier, id, ctime, bytes, mark, "
                "reason, validation, run_id}");
  cmd->callback([&ctx, opts] { execute_list(ctx, *opts); });
}

}  // namespace agent
