#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "agent/config/config.hpp"
#include "agent/config/config_check.hpp"
#include "agent/core/output.hpp"
#include "agent/offsite/destination_client.hpp"

// The bodies of `offsite list`, `offsite fetch`, `validate --offsite` and the bucket checks of
// `config check` (docs/offsite.md). Each returns the process exit code.
namespace agent::offsite {

struct ListRequest {
  std::string destination;  // empty: every destination
  std::string target;       // empty: every target
  bool json = false;
};
// What each destination holds under the agent's prefix (a listing: it works on a new host
// with an empty state_dir). 0 listed, 1 a destination could not be listed, 2 usage.
int list_offsite(const Config& config, const ClientFactory& clients, const ListRequest& request,
                 Output& out);

struct FetchRequest {
  std::string backup;       // object key (with or without the prefix), backup id, or "latest"
  std::string destination;  // empty: the first
  std::string target;       // with "latest" or a backup id: which target
  std::string tier;         // with "latest": mongo or vzdump
  std::filesystem::path identity_file;
  std::filesystem::path to;  // empty: a mongo backup goes to the target's backup_dir
};
// 0 fetched and valid, 1 failed (nothing left behind), 2 usage.
int fetch_offsite(const Config& config, const ClientFactory& clients, const FetchRequest& request,
                  Output& out);

struct VerifyRequest {
  std::string destination;                    // empty: every destination
  std::string target;                         // empty: every target
  std::filesystem::path identity_file;        // set: also decrypt and validate the plaintext
  std::optional<std::uint64_t> budget_bytes;  // overrides the destinations' verify_budget_mib
  bool all = false;                           // no budget: every copy
  bool json = false;
};
// Re-downloads the copies the receipts name (never verified or longest ago first, within the
// budget), re-hashes them against the receipts, and with an identity decrypts and validates
// them. 0 all good, 1 a copy is missing, changed or invalid, 2 usage.
int validate_offsite(const Config& config, const ClientFactory& clients,
                     const VerifyRequest& request, std::int64_t now, Output& out);

// For `config check`: each destination's recipients parse, its bucket answers to the
// credentials, and with a lock its versioning and Object Lock are on (errors say the fix).
std::vector<ConfigFinding> check_destinations(const Config& config, const ClientFactory& clients);

}  // namespace agent::offsite
