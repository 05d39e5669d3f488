#pragma once

#include <chrono>
#include <memory>
#include <optional>

#include "agent/config/config.hpp"
#include "agent/core/clock.hpp"
#include "agent/core/run_events.hpp"
#include "agent/drill/drill_runner.hpp"
#include "agent/events/event_sender.hpp"
#include "agent/mongo/ssh_sessions.hpp"
#include "agent/offsite/offsite_tier.hpp"
#include "agent/tier/after_backups.hpp"
#include "agent/tier/tier.hpp"
#include "agent/vzdump/vzdump_tier.hpp"
#include "proxmox/client.hpp"

// The composition root: the one place that builds the things commands work with (the clock,
// the Proxmox API client over its HTTPS transport, the SSH session factory, the tiers). A
// command's callback asks for what it needs here and hands it to the command's body.
namespace agent {

// How the program reaches the outside: production values by default; tests replace members
// (an SSH session factory pointed at a fixture, faster polling).
struct Wiring {
  mongo::SessionFactory ssh_sessions = [](const remote::SshOptions& options) {
    return remote::connect_ssh(options);
  };
  VzdumpTierOptions vzdump;
  offsite::OffsiteTierOptions offsite;  // the S3 client of each off-site destination
  events::TransportMaker events_transport = http::make_curl_transport;  // pings and webhook
};

// What the tiers are built for: a run uses the configured API timeout; `status` asks with at
// most 5 s so an unreachable API does not hold it up.
enum class TierPurpose { run, status };

// The Proxmox API client for `config.proxmox`: reads the token secret (read_secret) and
// connects with the configured CA file or fingerprint pin and timeouts (capped at
// `max_timeout` when given). Task start times are compared with `clock`, which end-to-end tests
// set to the simulator's time (PVE_SMOKERBAK_NOW); `clock` must outlive the client.
// `adoption_wait`: how long a lost vzdump answer's candidate task is waited for
// (VzdumpTierOptions::adoption_wait).
proxmox::Result<std::unique_ptr<proxmox::Client>> make_api_client(
    const Config& config, const Clock& clock,
    std::optional<std::chrono::seconds> max_timeout = std::nullopt,
    std::chrono::seconds adoption_wait = VzdumpTierOptions{}.adoption_wait);

// The pings and webhook of `run` (config.events, agent/events/); nullptr when none are
// configured. `config` must outlive it.
std::unique_ptr<RunEvents> make_run_events(const Config& config, const Wiring& wiring);

// The tiers, in the order a run backs up each target: vzdump first, so the mongo manifest can
// name the same run's archive; off-site last, after both local tiers validated their backups. The
// one place a tier is registered. `config` and `clock` must outlive the set.
TierSet make_tiers(const Config& config, const Clock& clock, const Wiring& wiring,
                   TierPurpose purpose = TierPurpose::run);

// What restore drills reach the outside with: the API client, the SSH sessions, the off-site
// source of mongo backups. `config` and `clock` must outlive them.
drill::DrillDeps make_drill_deps(const Config& config, const Clock& clock, const Wiring& wiring);

// The work `run` does after each target's backups: the due restore drills (drill.in_run).
std::unique_ptr<AfterBackups> make_after_backups(const Config& config, const Clock& clock,
                                                 const Wiring& wiring);

}  // namespace agent
