#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "agent/config/config.hpp"
#include "agent/config/offsite_config.hpp"
#include "agent/tier/run_context.hpp"
#include "agent/tier/tier_error.hpp"
#include "s3/client.hpp"

// The S3 client for one off-site destination: its credentials file, trust (CA file or pin,
// like the Proxmox client), timeouts and bandwidth limit.
namespace agent::offsite {

// The credentials file: "access_key_id = ...", "secret_access_key = ..." and optionally
// "session_token = ..." lines (also accepted: the AWS names aws_access_key_id, ...; '#'
// comments and blank lines ignored). Errors never quote a value.
tl::expected<s3::Credentials, std::string> parse_credentials(std::string_view text);

// How the tier and the commands get a client for a destination (tests point it elsewhere).
using ClientFactory =
    std::function<s3::Result<std::unique_ptr<s3::Client>>(const OffsiteDestination& destination)>;

// Told, after a run's uploads, which vzdump archives (volids) of `target` just got a receipt,
// so their notes say "off-site" in the same run (agent/cli/wiring.cpp points it at the vzdump
// tier). Returns warnings, each a sentence.
using VzdumpCopiedHook = std::function<std::vector<std::string>(
    const TargetConfig& target, const RunContext& ctx, const std::set<std::string>& volids)>;

// The production factory: reads the credentials (read_secret: owner and mode checked) and
// creates the client.
s3::Result<std::unique_ptr<s3::Client>> make_destination_client(
    const OffsiteDestination& destination);

// The failure kind for a run from an S3 error (docs/ARCHITECTURE.md, TierError).
TierError::Kind tier_error_kind(const s3::Error& error);
// "off-site destination NAME (bucket B at ENDPOINT): <error message>".
TierError destination_error(const OffsiteDestination& destination, const s3::Error& error,
                            const std::string& doing = {});

}  // namespace agent::offsite
