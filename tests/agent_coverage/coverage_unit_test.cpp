// The coverage preflight's parsers and verdicts on facts made here (no processes): which mount
// points vzdump includes, where mongod's dbPath lies (ps, docker inspect, mongod.conf), which
// databases are not dumped, and hostile answers that become "could not determine".
#include <gtest/gtest.h>

#include <string>

#include "agent/coverage/coverage_report.hpp"
#include "agent/coverage/mongod_location.hpp"
#include "agent/coverage/mount_coverage.hpp"

namespace agent::coverage {
namespace {

// A container with one mount point of each kind (the simulator's configs use the same).
const char* k_pct_conf =
    "arch: amd64\n"
    "hostname: smoker\n"
    "rootfs: local-lvm:vm-106-disk-0,size=8G\n"
    "mp0: /srv/host-data,mp=/srv/data\n"
    "mp1: local-lvm:vm-106-disk-1,mp=/var/lib/docker,backup=0,size=32G\n"
    "mp2: /dev/sdb1,mp=/mnt/usb\n"
    "mp3: local-lvm:vm-106-disk-2,mp=/data,backup=1,size=16G\n"
    "lxc.mount.entry: /mnt/nas mnt/nas none bind,create=dir 0 0\n";

TargetConfig target_with(const std::string& database = "smoker") {
  TargetConfig t;
  t.name = "prod-cloud";
  t.vmid = 106;
  t.vzdump = VzdumpConfig{};
  t.mongo = MongoConfig{};
  t.mongo->database = database;
  return t;
}

Facts facts_with(const std::string& lxc_path,
                 std::vector<std::string> dbs = {"admin", "config", "local", "smoker"}) {
  Facts f;
  f.node = "pve1";
  f.lxc = proxmox::parse_pct_conf(k_pct_conf);
  DataLocation d;
  d.how = "process mongod";
  d.dbpath = lxc_path;
  d.dbpath_from = "command line";
  d.lxc_path = lxc_path;
  f.data = d;
  f.databases = std::move(dbs);
  return f;
}

const Finding* find(const TargetCoverage& r, const std::string& subject) {
  for (const auto& f : r.findings) {
    if (f.subject == subject) return &f;
  }
  return nullptr;
}

TEST(MountRows, SayWhichMountPointsVzdumpIncludesAndWhy) {
  const auto rows = mount_rows(proxmox::parse_pct_conf(k_pct_conf), {}, 106);
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[0].key, "rootfs");
  EXPECT_TRUE(rows[0].in_backup);
  EXPECT_EQ(rows[1].type, "bind");
  EXPECT_FALSE(rows[1].in_backup);
  EXPECT_NE(rows[1].fix.find("back up the host path /srv/host-data"), std::string::npos);
  EXPECT_EQ(rows[2].type, "volume");
  EXPECT_FALSE(rows[2].in_backup);
  EXPECT_NE(rows[2].fix.find("set backup=1 on mp1 (pct set 106 -mp1 "
                             "local-lvm:vm-106-disk-1,mp=/var/lib/docker,size=32G,backup=1)"),
            std::string::npos)
      << rows[2].fix;
  EXPECT_EQ(rows[3].type, "device");
  EXPECT_FALSE(rows[3].in_backup);
  EXPECT_TRUE(rows[4].in_backup);
  EXPECT_EQ(rows[5].key, "lxc.mount.entry");
  EXPECT_EQ(rows[5].mp, "/mnt/nas");
  EXPECT_FALSE(rows[5].in_backup);
}

TEST(MountRows, LongestMountPointHoldsAPath) {
  const auto rows = mount_rows(proxmox::parse_pct_conf(k_pct_conf), {}, 106);
  EXPECT_EQ(mount_holding(rows, "/var/lib/docker/volumes/x/_data")->key, "mp1");
  EXPECT_EQ(mount_holding(rows, "/var/lib/dockerfoo")->key, "rootfs");
  EXPECT_EQ(mount_holding(rows, "/data")->key, "mp3");
  EXPECT_EQ(mount_holding(rows, "/srv/data/db")->key, "mp0");
}

TEST(Assess, DbPathOnEachKindOfMountPointGetsItsVerdict) {
  struct Case {
    std::string path, mount;
    State state;
    std::string by;
  };
  // The mongo tier dumps only "smoker"; "extra" exists too: covered only where vzdump has it.
  const std::vector<Case> cases = {
      {"/var/lib/mongodb", "rootfs", State::note, "vzdump"},
      {"/data/db", "mp3", State::note, "vzdump"},
      {"/srv/data/db", "mp0", State::uncovered, "none"},
      {"/var/lib/docker/volumes/m/_data", "mp1", State::uncovered, "none"},
      {"/mnt/usb/db", "mp2", State::uncovered, "none"},
      {"/mnt/nas/db", "lxc.mount.entry", State::uncovered, "none"},
  };
  for (const auto& c : cases) {
    const auto r = assess(target_with(), facts_with(c.path, {"admin", "extra", "smoker"}));
    const Finding* data = find(r, "mongod dbPath");
    ASSERT_NE(data, nullptr);
    EXPECT_NE(data->message.find("on " + c.mount + " "), std::string::npos) << data->message;
    const Finding* extra = find(r, "database extra");
    ASSERT_NE(extra, nullptr) << c.path;
    EXPECT_EQ(extra->state, c.state) << c.path << ": " << extra->message;
    EXPECT_EQ(extra->by, c.by) << c.path;
    if (c.state == State::uncovered) {
      EXPECT_EQ(data->state, State::uncovered) << c.path;
      EXPECT_NE(extra->fix.find("list extra under coverage.skip_databases"), std::string::npos);
    } else {
      EXPECT_NE(data->state, State::uncovered) << c.path;
    }
  }
}

TEST(Assess, MongoDumpingEverythingCoversAnExcludedDataMount) {
  auto r = assess(target_with(), facts_with("/srv/data/db"));
  const Finding* mp0 = find(r, "mount mp0");
  ASSERT_NE(mp0, nullptr);
  EXPECT_EQ(mp0->state, State::note);
  EXPECT_EQ(mp0->by, "mongo");
  EXPECT_EQ(find(r, "mongod dbPath")->state, State::covered);
  EXPECT_EQ(find(r, "mongod dbPath")->by, "mongo");
  EXPECT_EQ(find(r, "database smoker")->state, State::covered);
  // The other excluded mount points stay uncovered, each with its fix.
  EXPECT_EQ(find(r, "mount mp1")->state, State::uncovered);
  EXPECT_NE(find(r, "mount mp1")->fix.find("set backup=1 on mp1"), std::string::npos);
  EXPECT_EQ(find(r, "mount mp2")->state, State::uncovered);
  EXPECT_EQ(find(r, "mount lxc.mount.entry")->state, State::uncovered);
  EXPECT_EQ(r.count(State::uncovered), 3u);
  EXPECT_EQ(coverage_exit_code({r}), 3);
}

TEST(Assess, AcceptedPathsAndSkippedDatabasesAreNotWarnings) {
  auto t = target_with();
  t.coverage.accept_uncovered = {"/srv", "/var/lib/docker", "/mnt"};
  t.coverage.skip_databases = {"scratch"};
  const auto r = assess(t, facts_with("/data/db", {"admin", "config", "local", "scratch", "smoker",
                                                   "smokerbak_drill_20261201T020000Z_smoker"}));
  EXPECT_EQ(r.count(State::uncovered), 0u) << coverage_text({r});
  EXPECT_EQ(r.count(State::unknown), 0u);
  EXPECT_EQ(find(r, "mount mp0")->state, State::accepted);
  EXPECT_EQ(find(r, "database scratch")->state, State::accepted);
  EXPECT_EQ(find(r, "database smokerbak_drill_20261201T020000Z_smoker")->state, State::accepted);
  EXPECT_EQ(find(r, "database admin")->state, State::note);
  EXPECT_EQ(find(r, "database local")->state, State::accepted);
  EXPECT_EQ(coverage_exit_code({r}), 0);
}

TEST(Assess, AWholeInstanceDumpDumpsEveryDatabase) {
  auto t = target_with("");
  t.mongo->oplog = true;
  const auto r = assess(t, facts_with("/srv/data/db", {"admin", "extra", "local", "smoker"}));
  EXPECT_EQ(find(r, "database extra")->state, State::covered);
  EXPECT_EQ(find(r, "database admin")->state, State::covered);
  EXPECT_EQ(find(r, "mount mp0")->state, State::note);
}

TEST(Assess, WhatCouldNotBeReadIsUnknownNeverCovered) {
  Facts f = facts_with("/data/db");
  f.lxc = tl::unexpected(std::string("API answer is not JSON"));
  f.data =
      tl::unexpected(std::string("docker inspect mongo cannot be read: the answer is not JSON"));
  f.databases = tl::unexpected(std::string("mongosh printed more than 8 MiB"));
  const auto r = assess(target_with(), f);
  EXPECT_EQ(r.count(State::unknown), 3u) << coverage_text({r});
  EXPECT_EQ(r.count(State::covered), 0u);
  EXPECT_EQ(coverage_exit_code({r}), 3);
  const std::string text = coverage_text({r});
  EXPECT_NE(text.find("could not determine where MongoDB keeps its data"), std::string::npos);
  const auto json = coverage_json({r});
  EXPECT_NE(json.find("\"unknown\": 3"), std::string::npos) << json;
}

TEST(MongodLocation, CommandLinesAndConfigFiles) {
  const auto procs = mongod_processes(
      "/sbin/init\n/usr/bin/mongod --config /etc/mongod.conf\n"
      "  bash -c mongod\n/usr/bin/mongod --dbpath=/srv/db --port 27018\n");
  ASSERT_EQ(procs.size(), 2u);
  EXPECT_EQ(parse_mongod_args(procs[0]).config_file, "/etc/mongod.conf");
  EXPECT_EQ(parse_mongod_args(procs[1]).dbpath, "/srv/db");
  EXPECT_EQ(parse_mongod_args({"-f", "/x.conf"}).config_file, "/x.conf");
  EXPECT_EQ(parse_mongod_args({"--dbpath", "/a"}).dbpath, "/a");

  EXPECT_EQ(*dbpath_from_config("storage:\n  dbPath: /var/lib/mongodb\nnet:\n  port: 27017\n"),
            std::optional<std::string>("/var/lib/mongodb"));
  EXPECT_EQ(*dbpath_from_config("net:\n  port: 27017\n"), std::nullopt);
  EXPECT_EQ(*dbpath_from_config("# old form\ndbpath = /srv/mongo\nfork = true\n"),
            std::optional<std::string>("/srv/mongo"));
  EXPECT_FALSE(dbpath_from_config("storage: [1, 2]\n"));
  EXPECT_FALSE(dbpath_from_config(std::string(200, '[')));
  EXPECT_FALSE(dbpath_from_config(std::string(2u << 20, 'a')));
  EXPECT_FALSE(dbpath_from_config("\x01\x02 binary garbage"));
}

TEST(MongodLocation, DockerInspectMapsDbPathToTheContainersHostPath) {
  const char* inspect = R"([{"Path": "docker-entrypoint.sh", "Args": ["mongod", "--auth"],
      "Mounts": [{"Type": "volume", "Name": "mongo-data",
                  "Source": "/var/lib/docker/volumes/mongo-data/_data",
                  "Destination": "/data/db"},
                 {"Type": "bind", "Source": "/srv/conf", "Destination": "/etc/mongo"}]}])";
  const auto facts = parse_container_inspect(inspect);
  ASSERT_TRUE(facts) << facts.error();
  const auto args = mongod_in_container(facts->command);
  ASSERT_TRUE(args);
  EXPECT_EQ(*args, std::vector<std::string>{"--auth"});
  EXPECT_EQ(host_path(facts->mounts, "/data/db"), "/var/lib/docker/volumes/mongo-data/_data");
  EXPECT_EQ(host_path(facts->mounts, "/data/db/journal"),
            "/var/lib/docker/volumes/mongo-data/_data/journal");
  EXPECT_EQ(host_path(facts->mounts, "/data/dbx"), std::nullopt);
  EXPECT_EQ(mongod_in_container({"docker-entrypoint.sh", "--bind_ip_all"}),
            std::vector<std::string>{"--bind_ip_all"});
  EXPECT_EQ(mongod_in_container({"/bin/sh", "-c", "sleep"}), std::nullopt);
}

TEST(MongodLocation, HostileInspectAnswersAreErrorsNotCrashes) {
  EXPECT_FALSE(parse_container_inspect("not json {{{"));
  EXPECT_FALSE(parse_container_inspect("[]"));
  EXPECT_FALSE(parse_container_inspect("[1, 2]"));
  EXPECT_FALSE(parse_container_inspect("[{\"Mounts\": 5, \"Path\": \"mongod\"}]"));
  EXPECT_FALSE(
      parse_container_inspect("[{\"Path\": \"mongod\", \"Mounts\": [{\"Source\": \"relative\", "
                              "\"Destination\": \"/d\"}]}]"));
  EXPECT_FALSE(parse_container_inspect(std::string(100000, '[')));
  const auto ok =
      parse_container_inspect("[{\"Path\": \"mongod\", \"Args\": [1, null, \"--dbpath=/x\"]}]");
  ASSERT_TRUE(ok);
  EXPECT_EQ(parse_mongod_args(*mongod_in_container(ok->command)).dbpath, "/x");
}

TEST(MongodLocation, ContainerPrefixOfTheMongoCommand) {
  const auto p = container_prefix("sudo docker exec -i -u mongodb mongo");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->before, "sudo");
  EXPECT_EQ(p->tool, "docker");
  EXPECT_EQ(p->container, "mongo");
  EXPECT_EQ(container_prefix("podman exec -it db")->container, "db");
  EXPECT_FALSE(container_prefix("env FAKE=1"));
  EXPECT_FALSE(container_prefix(""));
  EXPECT_EQ(normal_absolute("/a//b/../c/"), "/a/c");
  EXPECT_EQ(normal_absolute("rel"), std::nullopt);
}

}  // namespace
}  // namespace agent::coverage
