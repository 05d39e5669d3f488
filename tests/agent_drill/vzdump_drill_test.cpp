// The vzdump drill against the Proxmox simulator over real HTTPS (certificate checked): the
// archive the real vzdump tier made and verified is restored into the scratch vmid with every
// interface link_down, booted, stopped and destroyed; VMID 106 is never written to; a foreign
// scratch vmid is refused and left alone; a killed drill's copy is destroyed first; the drill
// role works from a pool, drill after drill.
#include "agent/drill/drill_notes.hpp"
#include "agent/run/drill_metrics.hpp"
#include "agent/status/drill_status.hpp"
#include "tests/agent_drill/vzdump_drill_fixture.hpp"

namespace agent {
namespace {

using drill_testing::k_drill_role;
using drill_testing::k_scratch;
using drill_testing::steps_of;
using drill_testing::VzdumpDrillTest;

TEST_F(VzdumpDrillTest, RestoresTheVerifiedArchiveIsolatedBootsItAndDestroysIt) {
  start();
  const std::string volid = backup();
  const auto out = run_drill();
  const auto& r = out.record;
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.tier, TierName::vzdump);
  EXPECT_EQ(r.backup_id, volid);
  EXPECT_EQ(steps_of(r), "fetch,restore,boot,cleanup");
  EXPECT_GT(r.rto_s, 0.0);
  EXPECT_GT(r.bytes, 0u);
  ASSERT_EQ(r.verified.size(), 2u);
  EXPECT_NE(r.verified[0].find("2 interface(s) all link_down"), std::string::npos) << r.verified[0];

  const auto restores = posts("/nodes/pve1/lxc");
  ASSERT_EQ(restores.size(), 1u);
  const auto& p = restores[0].params;
  EXPECT_EQ(p.at("vmid"), "9106");
  EXPECT_EQ(p.at("ostemplate"), volid);
  EXPECT_EQ(p.at("restore"), "1");
  EXPECT_EQ(p.at("pool"), "drill");
  EXPECT_EQ(p.at("onboot"), "0");
  EXPECT_EQ(p.at("protection"), "0");
  EXPECT_EQ(p.count("unique"), 0u);  // unique=1 would discard link_down
  for (const char* net : {"net0", "net1"}) {
    EXPECT_NE(p.at(net).find("link_down=1"), std::string::npos) << p.at(net);
    EXPECT_EQ(p.at(net).find("hwaddr"), std::string::npos) << p.at(net);
  }
  EXPECT_EQ(posts("/nodes/pve1/lxc/9106/status/start").size(), 1u);
  EXPECT_EQ(posts("/nodes/pve1/lxc/9106/status/stop").size(), 1u);
  bool destroyed = false;
  for (const auto& q : sim->requests()) {
    if (q.method == "DELETE" && q.path == "/nodes/pve1/lxc/9106") {
      destroyed = true;
      EXPECT_EQ(q.params.at("purge"), "1");
      EXPECT_EQ(q.params.at("destroy-unreferenced-disks"), "1");
    }
  }
  EXPECT_TRUE(destroyed);
  EXPECT_FALSE(sim->guest(k_scratch));
  EXPECT_TRUE(writes_to_production().empty()) << testing::PrintToString(writes_to_production());
  ASSERT_TRUE(sim->guest(106));
  EXPECT_TRUE(sim->guest(106)->running);
  EXPECT_FALSE(read_active_drill(config.state_dir, "prod-cloud", TierName::vzdump));
}

TEST_F(VzdumpDrillTest, RefusesAForeignScratchVmidAndLeavesItAlone) {
  options.guests.push_back({k_scratch, "someone-elses", "pve1"});
  options.guests.back().config = {{"tags", "test"}, {"net0", "name=eth0,bridge=vmbr0,type=veth"}};
  start();
  backup();
  const auto r = run_drill().record;
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error_kind, TierError::Kind::refused);
  EXPECT_NE(r.error.find("refusing to touch the scratch vmid 9106 (\"someone-elses\""),
            std::string::npos)
      << r.error;
  EXPECT_TRUE(posts("/nodes/pve1/lxc").empty());
  for (const auto& q : sim->requests()) {
    EXPECT_FALSE(q.method != "GET" && q.path.find("/lxc/9106") != std::string::npos) << q.path;
  }
  ASSERT_TRUE(sim->guest(k_scratch));
  EXPECT_TRUE(sim->guest(k_scratch)->running);
}

TEST_F(VzdumpDrillTest, AScratchVmidTheTokenCannotSeeIsRefused) {
  options.guests.push_back({k_scratch, "hidden", "pve1"});
  const auto full = pvesim::default_token();
  std::set<std::string> privs = full.privileges;
  privs.erase("VM.Audit");
  options.tokens = {{full.token_id,
                     full.secret,
                     privs,
                     {{"/vms/106", {"VM.Audit"}}, {"/pool/drill", k_drill_role}}}};
  start();
  backup();
  const auto r = run_drill().record;
  ASSERT_FALSE(r.ok);
  EXPECT_NE(r.error.find("in use by a guest this token cannot see"), std::string::npos) << r.error;
  EXPECT_TRUE(posts("/nodes/pve1/lxc").empty());
  EXPECT_TRUE(sim->guest(k_scratch));
}

TEST_F(VzdumpDrillTest, AKilledDrillsCopyIsDestroyedBeforeTheNextDrill) {
  start();
  backup();
  // A drill killed after its copy booted: the copy carries this target's marker and runs.
  {
    auto client = api();
    auto volids = sim->volids();
    auto archived = client->extract_config("pve1", volids[0]);
    ASSERT_TRUE(archived);
    proxmox::LxcRestoreRequest req;
    req.vmid = k_scratch;
    req.archive = volids[0];
    req.storage = "local";
    req.nets = proxmox::drill_network_params(*archived);
    req.tags = drill::k_drill_tag;
    req.description = drill::drill_guest_marker("prod-cloud") + "\ndrill 20261101T020000Z";
    proxmox::WaitOptions w;
    w.first_poll = std::chrono::milliseconds(5);
    w.max_poll = std::chrono::milliseconds(20);
    auto upid = client->restore_container("pve1", req);
    ASSERT_TRUE(upid) << upid.error().message;
    ASSERT_TRUE(client->wait_task("pve1", *upid, w));
    upid = client->start_container("pve1", k_scratch);
    ASSERT_TRUE(upid);
    ASSERT_TRUE(client->wait_task("pve1", *upid, w));
  }
  ASSERT_TRUE(sim->guest(k_scratch)->running);

  auto client = api();
  const auto actions = drill::clean_vzdump_leftovers(config.targets[0], *client);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_NE(actions[0].find("destroyed the scratch container 9106 on pve1"), std::string::npos)
      << actions[0];
  EXPECT_FALSE(sim->guest(k_scratch));
  EXPECT_EQ(drill::clean_vzdump_leftovers(config.targets[0], *client),
            std::vector<std::string>{"no drill container of prod-cloud was left"});
}

TEST_F(VzdumpDrillTest, TheLeftoverOfAKilledDrillIsCleanedAtTheStartOfTheNext) {
  start();
  backup();
  ASSERT_TRUE(run_drill().record.ok);
  // The same drill again with a leftover copy (marker written by a first drill that was
  // killed): simulate by restoring with the marker and leaving it stopped.
  auto client = api();
  proxmox::LxcRestoreRequest req;
  req.vmid = k_scratch;
  req.archive = sim->volids()[0];
  req.storage = "local";
  req.tags = drill::k_drill_tag;
  req.description = drill::drill_guest_marker("prod-cloud");
  proxmox::WaitOptions w;
  w.first_poll = std::chrono::milliseconds(5);
  auto upid = client->restore_container("pve1", req);
  ASSERT_TRUE(upid);
  ASSERT_TRUE(client->wait_task("pve1", *upid, w));
  const auto r = run_drill().record;
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_FALSE(r.warnings.empty());
  EXPECT_NE(r.warnings.back().find("that an interrupted drill left"), std::string::npos);
  EXPECT_FALSE(sim->guest(k_scratch));
}

TEST_F(VzdumpDrillTest, TheDrillRoleOnAPoolSurvivesDrillAfterDrill) {
  const auto full = pvesim::default_token();
  options.tokens = {full,
                    {"smokerbak@pve!drill",
                     "drill-secret-1",
                     {"VM.Backup", "VM.Audit", "Datastore.AllocateSpace", "Datastore.Audit"},
                     {{"/pool/drill", k_drill_role}}}};
  start();
  backup();
  config.proxmox.token_id = "smokerbak@pve!drill";
  config.proxmox.token_secret.path = harness.write_token_file("drill-secret-1");
  for (int round = 0; round < 2; ++round) {
    const auto r = run_drill().record;
    ASSERT_TRUE(r.ok) << round << ": " << r.error;
  }
  // Without the pool, the same token may not create the scratch guest.
  config.targets[0].drill->vzdump->pool = "";
  const auto r = run_drill().record;
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error_kind, TierError::Kind::access) << r.error;
  EXPECT_FALSE(sim->guest(k_scratch));
}

TEST_F(VzdumpDrillTest, AnArchiveWithABindMountIsRefusedBeforeAnythingIsCreated) {
  options.guests[0].config.push_back({"mp2", "/srv/shared,mp=/mnt/shared"});
  start();
  const std::string volid = sim->seed_backup(106, sim->now() - 3600);
  const auto r = run_drill(false, volid).record;
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error_kind, TierError::Kind::refused);
  EXPECT_NE(r.error.find("bind mount point mp2 ('/mnt/shared')"), std::string::npos) << r.error;
  EXPECT_EQ(steps_of(r), "fetch");
  EXPECT_TRUE(posts("/nodes/pve1/lxc").empty());
}

TEST_F(VzdumpDrillTest, WithoutAVerifiedArchiveThereIsNothingToDrill) {
  start();
  sim->seed_backup(106, sim->now() - 3600);  // not made (nor verified) by the agent
  const auto r = run_drill().record;
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error_kind, TierError::Kind::refused);
  EXPECT_NE(r.error.find("no verified vzdump archive of CT 106"), std::string::npos) << r.error;
}

TEST_F(VzdumpDrillTest, DryRunReadsOnly) {
  start();
  backup();
  const auto before = sim->requests().size();
  const auto out = run_drill(true);
  ASSERT_GE(out.plan.size(), 3u);
  EXPECT_NE(out.plan[0].find("into CT 9106 on storage local in pool drill"), std::string::npos)
      << out.plan[0];
  EXPECT_NE(out.plan[1].find("link_down=1"), std::string::npos) << out.plan[1];
  const auto all = sim->requests();
  for (std::size_t i = before; i < all.size(); ++i) EXPECT_EQ(all[i].method, "GET") << all[i].path;
}

TEST_F(VzdumpDrillTest, TheDrillCommandKeepsTheRecordAndStatusShowsIt) {
  start();
  const std::string volid = backup();
  drill::DrillDeps deps;
  deps.api = [this] { return make_api_client(config, clock); };
  deps.vzdump.first_poll = std::chrono::milliseconds(5);
  deps.vzdump.max_poll = std::chrono::milliseconds(20);
  drill::DrillCommandOptions o;
  o.tier = "vzdump";
  o.json = true;
  std::ostringstream out, err;
  StreamOutput output(out, err);
  ASSERT_EQ(drill::drill_command(config, o, deps, sim->now(), output), 0) << err.str();
  EXPECT_NE(out.str().find("\"backup_id\": \"" + volid + "\""), std::string::npos) << out.str();
  EXPECT_NE(err.str().find("prod-cloud/vzdump: restoring"), std::string::npos) << err.str();
  const auto history = load_drill_history(config.state_dir, "prod-cloud", TierName::vzdump);
  ASSERT_EQ(history.size(), 1u);
  EXPECT_TRUE(history[0].ok);
  EXPECT_EQ(history[0].step_seconds("restore").has_value(), true);
  auto status = judge_drills(config, config.targets[0], TierName::vzdump, sim->now());
  ASSERT_TRUE(status);
  EXPECT_EQ(status->health, Health::ok);
  EXPECT_EQ(drill_summary_text(*status).rfind("OK ", 0), 0u) << drill_summary_text(*status);
  // 91 days later the drill is overdue; a failed one is critical.
  status = judge_drills(config, config.targets[0], TierName::vzdump, sim->now() + 91 * 86400);
  EXPECT_EQ(status->health, Health::warning);
  EXPECT_NE(status->reasons.at(0).find("overdue"), std::string::npos);
  o.json = false;
  o.backup = "local:backup/vzdump-lxc-106-2020_01_01-00_00_00.tar.zst";  // not listed
  EXPECT_EQ(drill::drill_command(config, o, deps, sim->now() + 60, output), 1);
  status = judge_drills(config, config.targets[0], TierName::vzdump, sim->now());
  EXPECT_EQ(status->health, Health::critical);
  EXPECT_NE(out.str().find("prod-cloud/vzdump: FAILED"), std::string::npos) << out.str();
  const std::string metrics = render_drill_metrics(config);
  const std::string labels = "{target=\"prod-cloud\",tier=\"vzdump\"}";
  EXPECT_NE(metrics.find("pve_smokerbak_drill_last_success" + labels + " 0\n"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("pve_smokerbak_drill_last_success_timestamp_seconds" + labels + " " +
                         std::to_string(history[0].started_at) + "\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(
      metrics.find("pve_smokerbak_drill_duration_seconds{target=\"prod-cloud\",tier=\"vzdump\","
                   "step=\"fetch\"}"),
      std::string::npos)
      << metrics;
  // A second target with no drill cannot be asked for.
  o.target = "nope";
  EXPECT_EQ(drill::drill_command(config, o, deps, sim->now(), output), 2);
}

}  // namespace
}  // namespace agent

namespace agent {
namespace {

std::string notes_of(proxmox::Client& client, const std::string& volid) {
  auto info = client.read_volume("pve1", "local", volid);
  EXPECT_TRUE(info) << info.error().message;
  return info ? info->notes : std::string();
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST_F(VzdumpDrillTest, ASuccessfulDrillMarksTheArchivesNotesAndLaterSyncsKeepIt) {
  start();
  const std::string volid = backup();
  auto client = api();
  const std::string before = notes_of(*client, volid);
  const auto r = run_drill().record;
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_TRUE(r.warnings.empty()) << testing::PrintToString(r.warnings);
  const std::string after = notes_of(*client, volid);
  const std::string line = after.substr(0, after.find('\n'));
  EXPECT_EQ(line.rfind(before.substr(0, before.find('\n')) + " · restored OK ", 0), 0u) << after;
  EXPECT_NE(line.find(" in "), std::string::npos) << line;
  EXPECT_LE(after.size(), drill::k_drill_notes_max);
  // The listing (what the web UI shows) has it too.
  auto listing = client->list_backups("pve1", "local", 106);
  ASSERT_TRUE(listing);
  for (const auto& v : *listing) {
    if (v.volid == volid) {
      EXPECT_NE(v.notes.find("restored OK"), std::string::npos) << v.notes;
    }
  }
  // A second drill replaces the part; a later run's notes sync keeps it.
  ASSERT_TRUE(run_drill().record.ok);
  EXPECT_EQ(count_of(notes_of(*client, volid), "restored OK"), 1u) << notes_of(*client, volid);
  sim->advance(3600);
  backup("20261127T010000Z");
  sim->advance(86400);
  backup("20261128T010000Z");
  EXPECT_EQ(count_of(notes_of(*client, volid), "restored OK"), 1u) << notes_of(*client, volid);
}

TEST(DrillNotes, ThePartIsAddedOnlyToTheAgentsLineAndWithinTheLimit) {
  const std::string part = drill::restored_part(1764720000, 3.53);
  EXPECT_EQ(part, "restored OK 2025-12-03 in 3.5 s");
  EXPECT_EQ(drill::restored_part(0, 4000), "restored OK 1970-01-01 in 67 min");
  EXPECT_EQ(drill::restored_part(0, 9000), "restored OK 1970-01-01 in 2 h 30 min");
  const std::string agent_line =
      "smokerbak:3f9a0c2e71b4:prod-cloud:20251207T010002Z · keep: daily · "
      "verified · off-site · restored OK 2025-01-01 in 9.0 s";
  EXPECT_EQ(*drill::notes_with_restored(agent_line + "\nmy notes", part),
            "smokerbak:3f9a0c2e71b4:prod-cloud:20251207T010002Z · keep: daily · verified · "
            "off-site · " +
                part + "\nmy notes");
  EXPECT_FALSE(drill::notes_with_restored("someone else's notes", part));
  EXPECT_FALSE(drill::notes_with_restored(agent_line + "\n" + std::string(1000, 'x'), part));
}

}  // namespace
}  // namespace agent
