#include "agent/cli/wiring.hpp"

#include <algorithm>
#include <set>

#include "agent/cli/offsite_drill_source.hpp"
#include "agent/config/config_loader.hpp"
#include "agent/drill/due_drills.hpp"
#include "agent/events/http_run_events.hpp"
#include "agent/mongo/mongo_tier.hpp"
#include "proxmox/http_transport.hpp"

namespace agent {

proxmox::Result<std::unique_ptr<proxmox::Client>> make_api_client(
    const Config& config, const Clock& clock, std::optional<std::chrono::seconds> max_timeout,
    std::chrono::seconds adoption_wait) {
  const auto& pc = config.proxmox;
  auto secret = read_secret(pc.token_secret);
  if (!secret) {
    return proxmox::make_error(proxmox::Error::Kind::auth,
                               "cannot read the API token secret: " + secret.error());
  }
  proxmox::TransportOptions options;
  options.base_url = pc.api_url;
  options.fingerprint = pc.fingerprint;
  if (!pc.fingerprint) options.ca_file = pc.ca_file;
  options.token_id = pc.token_id;
  options.token_secret = std::move(*secret);
  options.request_timeout = std::chrono::seconds(std::max(1, pc.timeout_s));
  if (max_timeout) {
    options.request_timeout =
        std::min<std::chrono::milliseconds>(options.request_timeout, *max_timeout);
  }
  options.connect_timeout =
      std::min<std::chrono::milliseconds>(std::chrono::seconds(10), options.request_timeout);
  auto transport = proxmox::make_curl_transport(std::move(options));
  if (!transport) return tl::unexpected(transport.error());
  proxmox::ClientOptions client_options;
  client_options.token_id = pc.token_id;
  client_options.adoption_wait = adoption_wait;
  client_options.epoch_now = [&clock] {
    return static_cast<std::int64_t>(std::chrono::system_clock::to_time_t(clock.now()));
  };
  return std::make_unique<proxmox::Client>(std::move(*transport), std::move(client_options));
}

std::unique_ptr<RunEvents> make_run_events(const Config& config, const Wiring& wiring) {
  return events::make_run_events(config.events, wiring.events_transport);
}

TierSet make_tiers(const Config& config, const Clock& clock, const Wiring& wiring,
                   TierPurpose purpose) {
  std::optional<std::chrono::seconds> api_timeout;
  if (purpose == TierPurpose::status) api_timeout = std::chrono::seconds(5);
  TierSet tiers;
  auto vzdump = std::make_unique<VzdumpTier>(
      config,
      [&config, &clock, api_timeout, wait = wiring.vzdump.adoption_wait] {
        return make_api_client(config, clock, api_timeout, wait);
      },
      wiring.vzdump);
  // The off-site tier tells the vzdump tier which archives got a receipt (notes "off-site").
  offsite::OffsiteTierOptions offsite_options = wiring.offsite;
  offsite_options.vzdump_copied = [vz = vzdump.get()](const TargetConfig& t, const RunContext& ctx,
                                                      const std::set<std::string>& volids) {
    return vz->mark_offsite(t, ctx, volids);
  };
  tiers.add(std::move(vzdump));
  tiers.add(std::make_unique<mongo::MongoTier>(config, wiring.ssh_sessions));
  tiers.add(std::make_unique<offsite::OffsiteTier>(config, std::move(offsite_options)));
  return tiers;
}

drill::DrillDeps make_drill_deps(const Config& config, const Clock& clock, const Wiring& wiring) {
  drill::DrillDeps deps;
  deps.api = [&config, &clock] { return make_api_client(config, clock); };
  deps.ssh_sessions = wiring.ssh_sessions;
  deps.vzdump.first_poll = wiring.vzdump.first_poll;
  deps.vzdump.max_poll = wiring.vzdump.max_poll;
  deps.offsite_mongo = make_offsite_mongo_source_factory(config, wiring.offsite.clients);
  return deps;
}

std::unique_ptr<AfterBackups> make_after_backups(const Config& config, const Clock& clock,
                                                 const Wiring& wiring) {
  return std::make_unique<drill::DueDrills>(make_drill_deps(config, clock, wiring), [&clock] {
    return static_cast<std::int64_t>(std::chrono::system_clock::to_time_t(clock.now()));
  });
}

}  // namespace agent
