#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

// What the agent knows about one destination between runs, for `status` and the metrics:
// state_dir/offsite/destinations/<name>.json (atomic writes). The copies themselves are in the
// receipts (agent/tier/offsite_receipt.hpp).
namespace agent::offsite {

struct DestinationState {
  std::string name;
  std::int64_t last_run_at = 0;
  std::int64_t last_success_at = 0;  // last run whose uploads to it all succeeded
  std::string last_error;            // of the last run; empty when it succeeded
  std::string last_error_kind;
  double last_upload_seconds = 0;  // of the last run's uploads
  std::uint64_t last_uploaded_bytes = 0;
  std::uint64_t pending_deletes = 0;  // copies the policy let go that are still locked
  std::int64_t last_verified_at = 0;  // last `validate --offsite` of this destination
  std::optional<bool> last_verify_ok;
  std::string last_verify_problem;
  std::uint64_t last_verified_count = 0;
};

std::filesystem::path destination_state_path(const std::filesystem::path& state_dir,
                                             const std::string& name);
// A fresh state (only the name set) when there is none.
DestinationState load_destination_state(const std::filesystem::path& state_dir,
                                        const std::string& name);
std::optional<std::string> save_destination_state(const std::filesystem::path& state_dir,
                                                  const DestinationState& state);

}  // namespace agent::offsite
