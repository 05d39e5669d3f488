#pragma once

#include <cstdint>

#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/core/output.hpp"
#include "agent/status/systemd_timer.hpp"
#include "agent/status/tier_health.hpp"
#include "agent/tier/tier.hpp"

// `pve-smokerbak status` and `pve-smokerbak list`.
namespace agent {

struct StatusOptions {
  bool json = false;
  bool check = false;  // one Nagios line; the exit code is the Nagios code
};

// A part of the status beyond the per-target tiers (the off-site destinations), made by cli/
// from a layer this one does not see.
struct StatusSection {
  std::string key;    // its key at the top level of --json, e.g. "offsite"
  std::string table;  // appended to the table
  std::string json;   // a JSON value (text)
  Health health = Health::ok;
  std::string reason;  // the first reason when not ok, for --check ("offsite/b2: ...")
};

// Asks each tier that some target uses whether its remote end answers (Tier::probe), builds
// the report from local facts at `now` and prints the table, the JSON or the Nagios line.
// Returns the exit code (0, or the Nagios code with --check).
int show_status(const Config& config, TierSet& tiers, const StatusOptions& options,
                std::int64_t now, const TimerFacts& timer, Output& out,
                const std::vector<StatusSection>& sections = {});

struct ListOptions {
  std::string target;            // empty: every target
  std::optional<TierName> tier;  // nullopt: every tier
  bool json = false;
};

// Every backup of the selected targets and tiers, newest first per tier, with the mark the next
// prune would give it and its validation verdict. Changes nothing. Returns the exit code: 0,
// 1 when a tier could not list, 2 for an unknown target.
int list_backups(const Config& config, TierSet& tiers, const ListOptions& options, Output& out);

}  // namespace agent
