// libFuzzer target: Proxmox prune-backups option strings (policies/retention_policy.hpp).
// Invariants: no crash; a parsed policy prints to a canonical string that parses back to the
// same policy, and printing that again gives the same string.
#include <string_view>

#include "policies/retention_policy.hpp"
#include "tests/fuzz/fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto policy = policies::parse_prune_string(text);
  if (!policy) {
    fuzz::check(!policy.error().message.empty(), "rejected without a reason");
    return 0;
  }
  const std::string canonical = policies::to_prune_string(*policy);
  const auto again = policies::parse_prune_string(canonical);
  fuzz::check(again.has_value(), "canonical form does not parse", canonical);
  fuzz::check(*again == *policy, "canonical form is another policy", canonical);
  fuzz::check(policies::to_prune_string(*again) == canonical, "canonical form not stable");
  return 0;
}
