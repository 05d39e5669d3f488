#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "agent/config/config.hpp"
#include "tests/sshd_fixture/sshd_fixture.hpp"

// The target the in-process mongo tests back up: container 106 "prod-cloud" reached over the
// test sshd, where the stand-in mongodump (tests/fake_mongo) reads its settings from
// `<sshd dir>/fake-mongo.d/config`, and a password file the stand-in expects.
namespace testing_support {

struct StandInMongo {
  agent::TargetConfig target;
  std::filesystem::path fake_dir;  // the stand-in's settings folder (FAKE_MONGO_DIR)
};

// Writes `password` to `<sshd dir>/mongo-password` (0600), creates the settings folder, and
// returns a target whose mongo section uses both, with 5 s SSH timeouts and backups in
// `<sshd dir>/backups`.
inline StandInMongo stand_in_mongo_target(const SshdFixture& sshd, const std::string& password) {
  namespace fs = std::filesystem;
  StandInMongo out;
  out.fake_dir = sshd.dir() / "fake-mongo.d";
  fs::create_directories(out.fake_dir);
  const fs::path pw = sshd.dir() / "mongo-password";
  std::ofstream(pw) << password << "\n";
  ::chmod(pw.c_str(), 0600);

  out.target.name = "prod-cloud";
  out.target.vmid = 106;
  agent::MongoConfig mongo;
  const auto o = sshd.options(5);
  mongo.ssh.host = o.host;
  mongo.ssh.port = o.port;
  mongo.ssh.user = o.user;
  mongo.ssh.identity_file = o.identity_file;
  mongo.ssh.known_hosts = o.known_hosts;
  mongo.ssh.connect_timeout_s = 5;
  mongo.ssh.io_timeout_s = 5;
  mongo.command = "env FAKE_MONGO_DIR=" + out.fake_dir.string();
  mongo.database = "smoker";
  mongo.username = "backup";
  mongo.auth_db = "admin";
  mongo.password.path = pw;
  mongo.backup_dir = sshd.dir() / "backups";
  out.target.mongo = mongo;
  return out;
}

}  // namespace testing_support
