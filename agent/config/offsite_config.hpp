#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "policies/retention_policy.hpp"

// The `offsite` section (docs/configuration.md): where the off-site tier (agent/offsite) keeps
// encrypted copies of every validated backup. Plain data; decoded and checked by
// agent/config/offsite_schema.cpp.
namespace agent {

enum class OffsiteLock {
  off,         // no Object Lock (the bucket needs none)
  governance,  // GOVERNANCE: users with s3:BypassGovernanceRetention may still delete
  compliance,  // COMPLIANCE: nobody, root included, can delete or shorten before retain-until
};
// "off", "governance", "compliance".
const char* to_string(OffsiteLock lock);

struct OffsiteDestination {
  std::string name;                  // label in keys of status, metrics, receipts: [a-z0-9-]
  std::string endpoint;              // "https://s3.eu-central-1.amazonaws.com" (no path)
  std::string region = "us-east-1";  // SigV4 scope
  std::string bucket;
  std::string prefix;         // key prefix, "" or ending in '/', e.g. "pve1/"
  bool virtual_host = false;  // addressing: path (default) or virtual_host
  // The credentials file (access_key_id, secret_access_key, optional session_token): a path
  // or a systemd credential, resolved like every secret (a SecretRef's path and flag).
  std::filesystem::path credentials_path;
  bool credentials_from_credentials = false;
  std::optional<std::filesystem::path> ca_file;   // unset: the system CA store
  std::optional<std::string> fingerprint;         // SHA-256 pin of the leaf, colon hex
  std::string storage_class;                      // empty: the bucket's default
  std::uint64_t max_upload_bytes_per_second = 0;  // 0: no limit
  std::vector<std::string> recipients;            // age X25519 public keys "age1..."
  OffsiteLock lock = OffsiteLock::compliance;
  // Keeps more than the local policy (every count >= the local one); unset: the same policy.
  std::optional<policies::RetentionPolicy> retention;
  // `validate --offsite`: bytes re-downloaded per run (a rotating sample); 0 = everything.
  std::uint64_t verify_budget_bytes = 0;
  std::uint64_t part_size_bytes = 8ull << 20;  // multipart part size, >= 8 MiB
  int parts_in_flight = 3;
  // A plain http:// endpoint on 127.0.0.1 (tests, a local gateway); never another host.
  bool plain_loopback = false;
};

struct OffsiteConfig {
  std::vector<OffsiteDestination> destinations;

  bool enabled() const { return !destinations.empty(); }
  const OffsiteDestination* find(const std::string& name) const {
    for (const auto& d : destinations) {
      if (d.name == name) return &d;
    }
    return nullptr;
  }
};

}  // namespace agent
