#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/offsite/destination_state.hpp"

// What `status` and the metrics say about each destination, from local facts only: the
// receipts, the destinations' state files and the local backups still lacking a copy.
namespace agent::offsite {

struct TargetCopies {
  std::string target;
  std::uint64_t copies = 0;
  std::uint64_t bytes = 0;  // encrypted bytes stored
  std::int64_t newest_ctime = 0;
  std::string newest_backup;
  // Backups the policy keeps that are validated here but not yet on the destination.
  std::uint64_t lag = 0;
  std::int64_t oldest_pending_ctime = 0;  // 0: none pending
  std::uint64_t locked = 0;               // copies whose lock still holds
  std::int64_t earliest_retain_until = 0;
};

enum class Level { ok, warning, critical };
const char* to_string(Level level);

struct DestinationReport {
  std::string name;
  std::string bucket, endpoint, lock;
  DestinationState state;
  std::vector<TargetCopies> targets;
  Level level = Level::ok;
  std::vector<std::string> reasons;  // worst first
};

// `interval_s`: the backup schedule's period (the systemd timer's, when known, else what the
// policy implies): lag is a warning when the oldest backup not yet off-site is older than one
// interval + 2 h, critical past two intervals + 2 h (nightly: 26 h and 50 h).
std::vector<DestinationReport> destination_reports(const Config& config, std::int64_t now,
                                                   std::optional<std::int64_t> interval_s);

std::string render_reports_table(const std::vector<DestinationReport>& reports, std::int64_t now);
std::string render_reports_json(const std::vector<DestinationReport>& reports);
std::string render_metrics(const std::vector<DestinationReport>& reports);

}  // namespace agent::offsite
