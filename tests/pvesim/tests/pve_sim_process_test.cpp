// The standalone pve-sim program: connection file, token file mode, API over HTTPS with the
// secret from the file, control endpoints, clean exit on POST /_sim/shutdown and on SIGTERM.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

extern char** environ;

namespace {

namespace fs = std::filesystem;

class PveSimProcess : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "pve-sim-proc-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    m_dir = tmpl;
  }
  void TearDown() override {
    if (m_pid > 0) {
      ::kill(m_pid, SIGKILL);  // only the child this test started
      ::waitpid(m_pid, nullptr, 0);
    }
    std::error_code ec;
    fs::remove_all(m_dir, ec);
  }

  // Starts pve-sim and waits (bounded) for its connection file.
  nlohmann::json launch(std::vector<std::string> extra) {
    std::vector<std::string> args = {PVE_SIM_BINARY,    "--data-dir", m_dir.string(),
                                     "--start-time",    "1768442400", "--freeze-clock",
                                     "--archive-bytes", "65536"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (::posix_spawn(&m_pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return {};
    const fs::path conn = m_dir / "connection.json";
    for (int i = 0; i < 500 && !fs::exists(conn); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::ifstream in(conn);
    return nlohmann::json::parse(in, nullptr, false);
  }

  int wait_exit() {
    int status = 0;
    for (int i = 0; i < 500; ++i) {
      if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
        m_pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }

  fs::path m_dir;
  pid_t m_pid = -1;
};

std::string read_all(const fs::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_F(PveSimProcess, ServesTheApiWithTheTokenFromItsFilesAndStopsOnShutdownRequest) {
  const auto conn = launch({"--nodes", "pve1,pve2"});
  ASSERT_TRUE(conn.is_object());
  EXPECT_EQ(conn["pid"], m_pid);
  struct stat st {};
  ASSERT_EQ(::stat(conn["token_secret_file"].get<std::string>().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string secret = read_all(conn["token_secret_file"].get<std::string>());
  secret.erase(secret.find_last_not_of('\n') + 1);
  EXPECT_EQ(read_all(m_dir / "connection.json").find(secret), std::string::npos);

  httplib::SSLClient client("127.0.0.1", conn["port"].get<int>());
  client.set_ca_cert_path(conn["ca_file"].get<std::string>().c_str());
  client.enable_server_certificate_verification(true);
  const httplib::Headers auth = {
      {"Authorization", "PVEAPIToken=" + conn["token_id"].get<std::string>() + "=" + secret}};
  auto res = client.Get("/api2/json/cluster/resources?type=vm", auth);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(nlohmann::json::parse(res->body)["data"][0]["node"], "pve1");

  const httplib::Headers ctl = {
      {conn["control_header"].get<std::string>(), conn["control_secret"].get<std::string>()}};
  res = client.Post("/_sim/migrate", ctl, R"({"vmid":106,"node":"pve2"})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  res = client.Get("/api2/json/cluster/resources?type=vm", auth);
  EXPECT_EQ(nlohmann::json::parse(res->body)["data"][0]["node"], "pve2");

  res = client.Post("/_sim/shutdown", ctl, "{}", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(wait_exit(), 0);
}

TEST_F(PveSimProcess, FlagsAndControlEndpointsForStorageKindsDrillsAndHostileAnswers) {
  { std::ofstream(m_dir / "vzdump.conf") << "prune-backups: keep-last=4\n"; }
  const auto conn =
      launch({"--pbs-storage", "pbs", "--provider-storage", "borg", "--vzdump-conf",
              (m_dir / "vzdump.conf").string(), "--guest-config", "106:mp0=/srv/data,mp=/data",
              "--job-init-line", "hook says hi", "--pool", "drill"});
  ASSERT_TRUE(conn.is_object());
  std::string secret = read_all(conn["token_secret_file"].get<std::string>());
  secret.erase(secret.find_last_not_of('\n') + 1);
  httplib::SSLClient client("127.0.0.1", conn["port"].get<int>());
  client.set_ca_cert_path(conn["ca_file"].get<std::string>().c_str());
  client.enable_server_certificate_verification(true);
  const httplib::Headers auth = {
      {"Authorization", "PVEAPIToken=" + conn["token_id"].get<std::string>() + "=" + secret}};
  const httplib::Headers ctl = {
      {conn["control_header"].get<std::string>(), conn["control_secret"].get<std::string>()}};
  auto json_of = [](const httplib::Result& r) { return nlohmann::json::parse(r->body); };

  auto res = client.Get("/api2/json/nodes/pve1/vzdump/defaults?storage=local", auth);
  ASSERT_TRUE(res);
  EXPECT_EQ(json_of(res)["data"]["prune-backups"], "keep-last=4");
  res = client.Get("/api2/json/nodes/pve1/lxc/106/config", auth);
  EXPECT_EQ(json_of(res)["data"]["mp0"], "/srv/data,mp=/data");

  res = client.Post("/_sim/seed", ctl, R"({"vmid":106,"epoch":1768438800,"storage":"pbs"})",
                    "application/json");
  ASSERT_TRUE(res);
  const std::string volid = json_of(res)["volid"];
  EXPECT_EQ(volid, "pbs:backup/ct/106/2026-01-15T01:00:00Z");
  res = client.Post("/_sim/verify", ctl, nlohmann::json{{"volid", volid}, {"state", "ok"}}.dump(),
                    "application/json");
  EXPECT_EQ(res->status, 200);
  res = client.Get("/api2/json/nodes/pve1/storage/pbs/content", auth);
  EXPECT_EQ(json_of(res)["data"][0]["verification"]["state"], "ok");

  // invalid UTF-8 through JSON: hex
  res = client.Post("/_sim/hostile", ctl,
                    R"({"kind":"listing_entries","entries_hex":["7b22766f6c6964223a2278ff227d"]})",
                    "application/json");
  EXPECT_EQ(res->status, 200);
  res = client.Get("/api2/json/nodes/pve1/storage/borg/content", auth);
  EXPECT_NE(res->body.find("x\xFF"), std::string::npos);
  res = client.Delete("/_sim/hostile", ctl);
  EXPECT_EQ(res->status, 200);
  res =
      client.Post("/_sim/hostile", ctl, R"({"kind":"deep_json","depth":1000})", "application/json");
  res = client.Get("/api2/json/version", auth);
  EXPECT_EQ(res->body.size(), std::string("{\"data\":}").size() + 2000);

  res = client.Get("/_sim/requests", ctl);
  ASSERT_TRUE(res);
  bool seen = false;
  const auto recorded = json_of(res);
  for (const auto& r : recorded["requests"]) {
    seen |= r.value("path", "") == "/nodes/pve1/vzdump/defaults" &&
            r["params"].value("storage", "") == "local";
  }
  EXPECT_TRUE(seen);
  ASSERT_EQ(::kill(m_pid, SIGTERM), 0);
  EXPECT_EQ(wait_exit(), 0);
}

TEST_F(PveSimProcess, ExitsCleanlyOnSigterm) {
  const auto conn = launch({});
  ASSERT_TRUE(conn.is_object());
  ASSERT_EQ(::kill(m_pid, SIGTERM), 0);
  EXPECT_EQ(wait_exit(), 0);
}

TEST_F(PveSimProcess, RejectsAMalformedGuestFlag) {
  std::vector<std::string> args = {PVE_SIM_BINARY, "--data-dir", m_dir.string(), "--guest",
                                   "106-nonsense"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t quiet;
  posix_spawn_file_actions_init(&quiet);
  posix_spawn_file_actions_addopen(&quiet, 2, "/dev/null", O_WRONLY, 0);
  ASSERT_EQ(::posix_spawn(&m_pid, argv[0], &quiet, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&quiet);
  EXPECT_EQ(wait_exit(), 1);
}

}  // namespace
