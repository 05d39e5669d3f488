// The coverage preflight end to end: the real pve-smokerbak binary (`config check --coverage`,
// `run --dry-run`) against the in-process Proxmox simulator over HTTPS (CA checked) and a real
// sshd whose PATH holds the stand-in ps, docker and mongosh (tests/fake_mongo). The guest's
// config has a bind mount, a backup=0 volume, a device mount and a backup=1 volume; mongod's
// dbPath is put on each in turn.
#include <sys/stat.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include "tests/fake_mongo/fake_mongo_paths.hpp"
#include "tests/pvesim/sim_harness.hpp"
#include "tests/sshd_fixture/sshd_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Result {
  int code = -1;
  std::string out, err;
};

class CoverageTest : public ::testing::Test {
 protected:
  CoverageTest() : harness(::testing::UnitTest::GetInstance()->current_test_info()->name()) {}

  void SetUp() override {
    if (!sshd.unavailable().empty()) GTEST_SKIP() << sshd.unavailable();
    if (std::system("command -v node >/dev/null 2>&1") != 0) {
      GTEST_SKIP() << "node (Debian package nodejs) runs the stand-in mongosh";
    }
    harness.options.guests[0].config = {
        {"mp0", "/srv/host-data,mp=/srv/data"},
        {"mp1", "local:106/vm-106-disk-1.raw,mp=/var/lib/docker,backup=0,size=32G"},
        {"mp2", "/dev/sdb1,mp=/mnt/usb"},
        {"mp3", "local:106/vm-106-disk-2.raw,mp=/data,backup=1,size=16G"}};
    auto started = harness.start();
    ASSERT_TRUE(started) << started.error();
    fake = sshd.dir() / "fake-mongo.d";
    fs::create_directories(fake / "docker");
    std::ofstream(fake / "config") << "password=cov-pw\nusername=backup\nauth_db=admin\n"
                                   << "db=smoker\nextra_databases=extra\n";
    std::ofstream(sshd.dir() / "mongo-password") << "cov-pw\n";
    ::chmod((sshd.dir() / "mongo-password").c_str(), 0600);
    fs::create_directories(harness.dir() / "state");
    ::chmod((harness.dir() / "state").c_str(), 0700);
  }

  // One target with both tiers; `command` is mongo.command, `extra` more target keys.
  void write_config(const std::string& command, const std::string& extra = "") {
    const auto token = pvesim::default_token();
    std::ofstream y(harness.dir() / "config.yaml", std::ios::trunc);
    y << "timezone: UTC\n"
      << "state_dir: " << (harness.dir() / "state").string() << "\n"
      << "metrics_file: " << (harness.dir() / "metrics.prom").string() << "\n"
      << "proxmox:\n"
      << "  api_url: " << harness.sim().base_url() << "\n"
      << "  token_id: \"" << token.token_id << "\"\n"
      << "  token_secret_file: " << harness.write_token_file(token.secret).string() << "\n"
      << "  ca_file: " << harness.sim().ca_file().string() << "\n"
      << "  node: pve1\n"
      << "targets:\n"
      << "  - name: prod-cloud\n"
      << "    vmid: 106\n"
      << "    vzdump:\n"
      << "      storage: local\n"
      << "    mongo:\n"
      << "      ssh:\n"
      << "        host: 127.0.0.1\n"
      << "        port: " << sshd.port() << "\n"
      << "        user: " << sshd.user() << "\n"
      << "        identity_file: " << sshd.identity_file().string() << "\n"
      << "        known_hosts: " << sshd.known_hosts().string() << "\n"
      << "      command: \"" << command << "\"\n"
      << "      database: smoker\n"
      << "      username: backup\n"
      << "      password_file: " << (sshd.dir() / "mongo-password").string() << "\n"
      << "      backup_dir: " << (harness.dir() / "backups").string() << "\n"
      << extra;
  }

  std::string plain() const { return "env FAKE_MONGO_DIR=" + fake.string(); }
  std::string docker() const { return plain() + " docker exec -i mongo"; }

  // A mongod process in the container (the stand-in ps prints <fake>/ps).
  void mongod_process(const std::string& args) {
    std::ofstream(fake / "ps") << "/sbin/init\n/usr/bin/mongod " << args << "\n";
  }

  Result pve_smokerbak(const std::string& args) {
    const fs::path out = harness.dir() / "out", err = harness.dir() / "err";
    const std::string cmd = "env -u CREDENTIALS_DIRECTORY PVE_SMOKERBAK_CONFIG=" +
                            (harness.dir() / "config.yaml").string() + " " + PVE_SMOKERBAK_BINARY +
                            " " + args + " >" + out.string() + " 2>" + err.string();
    const int status = std::system(cmd.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
  }

  // `config check --coverage --json`: the coverage member's first target.
  json coverage(Result& r) {
    r = pve_smokerbak("config check --coverage --json");
    const auto doc = json::parse(r.out, nullptr, false);
    if (doc.is_discarded() || !doc.contains("coverage")) {
      ADD_FAILURE() << "no JSON: " << r.out << r.err;
      return json::object();
    }
    return doc["coverage"]["targets"][0];
  }

  static json finding(const json& target, const std::string& subject) {
    for (const auto& f : target["findings"]) {
      if (f["subject"] == subject) return f;
    }
    return json();
  }

  pvesim::testing::SimHarness harness;
  testing_support::SshdFixture sshd{{fake_mongo::k_fake_mongo_bin_dir}};
  fs::path fake;
};

TEST_F(CoverageTest, ReportsEveryMountPointOfTheSimulatorsConfig) {
  mongod_process("--dbpath /data/db");
  write_config(plain());
  Result r;
  const json t = coverage(r);
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(t["node"], "pve1");
  EXPECT_EQ(finding(t, "mount rootfs")["state"], "covered");
  EXPECT_EQ(finding(t, "mount mp0")["state"], "uncovered");
  EXPECT_NE(finding(t, "mount mp0")["message"].get<std::string>().find(
                "bind mount of host path /srv/host-data"),
            std::string::npos);
  EXPECT_EQ(finding(t, "mount mp1")["state"], "uncovered");
  EXPECT_NE(finding(t, "mount mp1")["fix"].get<std::string>().find("set backup=1 on mp1"),
            std::string::npos);
  EXPECT_EQ(finding(t, "mount mp2")["state"], "uncovered");
  EXPECT_NE(finding(t, "mount mp2")["message"].get<std::string>().find("device mount of /dev/sdb1"),
            std::string::npos);
  EXPECT_EQ(finding(t, "mount mp3")["state"], "covered");
  EXPECT_EQ(finding(t, "mongod dbPath")["path"], "/data/db");
  EXPECT_EQ(finding(t, "mongod dbPath")["by"], "vzdump");
  // listDatabases has "extra", which the tier does not dump: its files are in vzdump (mp3).
  EXPECT_EQ(finding(t, "database extra")["state"], "note");
  EXPECT_EQ(finding(t, "database smoker")["state"], "covered");
  // Warnings on stderr name the path and the fix.
  // The table an operator reads (shown in the test log: the simulator's configs, verdict by
  // verdict).
  const Result table = pve_smokerbak("config check --coverage");
  EXPECT_EQ(table.code, 3);
  const auto at = table.out.find("coverage of prod-cloud");
  ASSERT_NE(at, std::string::npos) << table.out;
  std::cout << table.out.substr(at);
  EXPECT_NE(r.err.find("warning: coverage: prod-cloud: mount mp1 (/var/lib/docker): in neither "
                       "tier"),
            std::string::npos)
      << r.err;
}

TEST_F(CoverageTest, DbPathOnEachMountPointGetsItsVerdict) {
  struct Case {
    std::string dbpath, mount, extra_state;
  };
  const std::vector<Case> cases = {{"/var/lib/mongodb", "rootfs", "note"},
                                   {"/data/db", "mp3", "note"},
                                   {"/srv/data/db", "mp0", "uncovered"},
                                   {"/var/lib/docker/mongo", "mp1", "uncovered"},
                                   {"/mnt/usb/db", "mp2", "uncovered"}};
  for (const auto& c : cases) {
    // Through the config file this time: mongod --config FILE with storage.dbPath.
    std::ofstream(fake / "mongod.conf", std::ios::trunc)
        << "storage:\n  dbPath: " << c.dbpath << "\nnet:\n  bindIp: 127.0.0.1\n";
    mongod_process("--config " + (fake / "mongod.conf").string());
    write_config(plain());
    Result r;
    const json t = coverage(r);
    EXPECT_EQ(r.code, 3) << r.err;
    const json data = finding(t, "mongod dbPath");
    EXPECT_EQ(data["path"], c.dbpath);
    EXPECT_NE(data["message"].get<std::string>().find("on " + c.mount + " "), std::string::npos)
        << data.dump();
    EXPECT_EQ(finding(t, "database extra")["state"], c.extra_state) << c.dbpath;
  }
}

TEST_F(CoverageTest, DockerMountsMapTheContainersDbPathIntoTheLxc) {
  // The official image's volume under /var/lib/docker, which is mp1 with backup=0.
  std::ofstream(fake / "docker" / "mongo.json")
      << R"({"Path": "docker-entrypoint.sh", "Args": ["mongod", "--auth"], "Mounts": [
           {"Type": "volume", "Name": "mongo-data",
            "Source": "/var/lib/docker/volumes/mongo-data/_data", "Destination": "/data/db"}]})";
  write_config(docker(), "    coverage:\n      skip_databases: [extra]\n");
  Result r;
  json t = coverage(r);
  EXPECT_EQ(r.code, 3) << r.err;
  json data = finding(t, "mongod dbPath");
  EXPECT_EQ(data["path"], "/var/lib/docker/volumes/mongo-data/_data");
  // The mongo tier dumps every database that matters: mp1 holds only its data then.
  EXPECT_EQ(data["by"], "mongo");
  EXPECT_EQ(finding(t, "mount mp1")["state"], "note");
  EXPECT_EQ(finding(t, "database extra")["state"], "accepted");

  // A bind mount of the container's data directory to /srv/data (mp0), read from its config.
  std::ofstream(fake / "mongod.conf", std::ios::trunc) << "storage:\n  dbPath: /srv/mongo\n";
  std::ofstream(fake / "docker" / "mongo.json", std::ios::trunc)
      << R"({"Path": "docker-entrypoint.sh", "Args": ["mongod", "--config", ")"
      << (fake / "mongod.conf").string()
      << R"("], "Mounts": [{"Type": "bind", "Source": "/srv/data/mongo", "Destination": "/srv/mongo"}]})";
  write_config(docker());
  t = coverage(r);
  data = finding(t, "mongod dbPath");
  EXPECT_EQ(data["path"], "/srv/data/mongo");
  EXPECT_EQ(data["state"], "uncovered");
  EXPECT_EQ(finding(t, "database extra")["state"], "uncovered");
  EXPECT_NE(finding(t, "database extra")["fix"].get<std::string>().find("coverage.skip_databases"),
            std::string::npos);
  EXPECT_NE(r.err.find("database extra: in neither tier"), std::string::npos) << r.err;
}

TEST_F(CoverageTest, HostileAnswersAreCouldNotDetermineNeverACrash) {
  std::ofstream(fake / "docker" / "mongo.json")
      << "{\"Path\": \"mongod\", \"Mounts\": [[[[[[garbage";
  write_config(docker());
  Result r;
  json t = coverage(r);
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(finding(t, "mongod dbPath")["state"], "unknown");
  EXPECT_NE(finding(t, "mongod dbPath")["message"].get<std::string>().find(
                "could not determine where MongoDB keeps its data"),
            std::string::npos);

  // 2 MiB of ps output: capped at 1 MiB, stopped, reported (and the listing, on a connection
  // of its own, still read).
  {
    std::ofstream ps(fake / "ps", std::ios::trunc);
    const std::string line(1023, 'x');
    for (int i = 0; i < 2048; ++i) ps << line << "\n";
  }
  write_config(plain());
  t = coverage(r);
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(finding(t, "mongod dbPath")["message"].get<std::string>().find("more than 1 MiB"),
            std::string::npos)
      << finding(t, "mongod dbPath").dump();
  // The mount points and databases are still reported.
  EXPECT_EQ(finding(t, "mount mp3")["state"], "covered");
  EXPECT_EQ(finding(t, "database smoker")["state"], "covered");

  // The shell cannot reach the server: the databases are unknown, the rest still reported.
  mongod_process("--dbpath /data/db");
  std::ofstream(fake / "config", std::ios::app) << "shell_fault=unreachable\n";
  t = coverage(r);
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(finding(t, "databases")["state"], "unknown");
  // mp3 is in the archive whatever the databases are.
  EXPECT_EQ(finding(t, "mongod dbPath")["state"], "covered");
  EXPECT_EQ(finding(t, "mongod dbPath")["by"], "vzdump");
}

TEST_F(CoverageTest, EverythingCoveredOrAcceptedExitsZeroWithATable) {
  mongod_process("--dbpath /data/db");
  write_config(plain(),
               "    coverage:\n      accept_uncovered: [/srv/data, /var/lib/docker, /mnt/usb]\n"
               "      skip_databases: [extra]\n");
  const Result r = pve_smokerbak("config check --coverage");
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("coverage of prod-cloud (CT 106 on pve1)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0 uncovered, 0 could not be determined"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("warning: coverage"), std::string::npos) << r.err;
}

TEST_F(CoverageTest, RunWarnsBeforeTheBackupsAndExitsThree) {
  mongod_process("--dbpath /srv/data/db");
  write_config(plain());
  Result r = pve_smokerbak("run --dry-run");
  EXPECT_EQ(r.code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("warning: coverage: prod-cloud: database extra: in neither tier"),
            std::string::npos)
      << r.err;
  // coverage.in_run: false turns it off.
  write_config(plain(), "    coverage:\n      in_run: false\n");
  r = pve_smokerbak("run --dry-run");
  EXPECT_EQ(r.err.find("warning: coverage"), std::string::npos) << r.err;
  EXPECT_EQ(r.code, 0) << r.out << r.err;
}

}  // namespace
