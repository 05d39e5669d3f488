#pragma once
// The fixture of the vzdump drill tests: the Proxmox simulator over real HTTPS (certificate
// checked), target prod-cloud (CT 106, two interfaces, a volume mount point) with a drill
// section on scratch vmid 9106 in pool "drill", and the real vzdump tier to make backups.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>

#include "agent/cli/wiring.hpp"
#include "agent/drill/drill_command.hpp"
#include "agent/drill/vzdump_drill.hpp"
#include "agent/vzdump/vzdump_tier.hpp"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "tests/pvesim/sim_harness.hpp"
#include "tests/support/outcome_text.hpp"

namespace agent::drill_testing {

inline constexpr std::int64_t k_scratch = 9106;

inline std::string steps_of(const DrillRecord& r) {
  std::string out;
  for (const auto& s : r.steps) out += (out.empty() ? "" : ",") + s.name;
  return out;
}

inline const std::set<std::string> k_drill_role{"VM.Allocate",       "VM.Config.Network",
                                                "VM.Config.Options", "VM.PowerMgmt",
                                                "VM.Audit",          "VM.Config.Disk"};

class VzdumpDrillTest : public ::testing::Test {
 protected:
  VzdumpDrillTest()
      : harness(::testing::UnitTest::GetInstance()->current_test_info()->name()),
        options(harness.options) {
    options.archive_bytes = 128 * 1024;
    options.pools = {"drill"};
    options.guests[0].config = {
        {"net0",
         "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:00:01:06,ip=192.0.2.10/24,gw=192.0.2.1,type=veth"},
        {"net1", "name=eth1,bridge=vmbr1,hwaddr=BC:24:11:00:02:06,ip=dhcp,type=veth"},
        {"mp0", "local:106/vm-106-disk-1.raw,mp=/var/lib/mongodb,backup=1,size=8G"},
        {"onboot", "1"},
        {"protection", "1"},
        {"tags", "prod"}};
  }

  void start() {
    auto started = harness.start();
    ASSERT_TRUE(started) << started.error();
    sim = &harness.sim();
    const auto token = pvesim::default_token();
    config.proxmox.api_url = sim->base_url();
    config.proxmox.ca_file = sim->ca_file();
    config.proxmox.node = "pve1";  // the agent runs on the simulator's first node
    config.proxmox.token_id = token.token_id;
    config.proxmox.token_secret.path = harness.write_token_file(token.secret);
    config.state_dir = harness.dir() / "state";
    config.timezone = "UTC";
    TargetConfig target;
    target.name = "prod-cloud";
    target.vmid = 106;
    target.vzdump = VzdumpConfig{};
    DrillConfig d;
    d.vzdump = DrillVzdumpConfig{};
    d.vzdump->vmid = k_scratch;
    d.vzdump->storage = "local";
    d.vzdump->pool = "drill";
    d.vzdump->boot_timeout_s = 10;
    target.drill = d;
    config.targets = {target};
  }

  // A backup by the real tier: verified, with its backup record.
  std::string backup(const std::string& run_id = "20261126T010000Z") {
    VzdumpTierOptions o;
    o.first_poll = std::chrono::milliseconds(5);
    o.max_poll = std::chrono::milliseconds(20);
    VzdumpTier tier(
        config, [this] { return make_api_client(config, clock); }, o);
    RunContext rc{.config = config,
                  .run_id = run_id,
                  .run_start = std::chrono::system_clock::from_time_t(sim->now())};
    const auto out = tier.begin(config.targets[0], rc)->backup();
    EXPECT_EQ(out.state, TierState::ok) << testing_support::why(out);
    return out.backup_id;
  }

  std::unique_ptr<proxmox::Client> api() {
    auto c = make_api_client(config, clock);
    EXPECT_TRUE(c) << c.error().message;
    return std::move(*c);
  }

  drill::DrillOutcome run_drill(bool dry_run = false, const std::string& backup_id = "") {
    drill::DrillContext ctx{.config = config,
                            .drill_id = "20261201T020000Z",
                            .started_at = sim->now(),
                            .run_id = "",
                            .dry_run = dry_run,
                            .steady = [] { return std::chrono::steady_clock::now(); },
                            .progress = {}};
    drill::VzdumpDrillOptions o;
    o.first_poll = std::chrono::milliseconds(5);
    o.max_poll = std::chrono::milliseconds(20);
    o.boot_poll = std::chrono::milliseconds(20);
    o.check.poll = std::chrono::milliseconds(20);  // drill.vzdump.check retries
    auto client = api();
    return drill::run_vzdump_drill(ctx, config.targets[0], *client, backup_id, o);
  }

  // Requests that would change guest 106 (anything but GET on its paths, or a restore of it).
  std::vector<std::string> writes_to_production() const {
    std::vector<std::string> out;
    for (const auto& r : sim->requests()) {
      if (r.method == "GET") continue;
      const bool its_path = r.path.find("/lxc/106") != std::string::npos;
      const auto vmid = r.params.find("vmid");
      const bool its_vmid = r.path.find("/vzdump") == std::string::npos && vmid != r.params.end() &&
                            vmid->second == "106";
      if (its_path || its_vmid) out.push_back(r.method + " " + r.path);
    }
    return out;
  }

  std::vector<pvesim::RequestRecord> posts(const std::string& path) const {
    std::vector<pvesim::RequestRecord> out;
    for (const auto& r : sim->requests()) {
      if (r.method == "POST" && r.path == path) out.push_back(r);
    }
    return out;
  }

  pvesim::testing::SimHarness harness;
  pvesim::Options& options;
  pvesim::Simulator* sim = nullptr;
  Config config;
  SystemClock clock;
};

}  // namespace agent::drill_testing
