#include "agent/mongo/mongo_commands.hpp"

#include <gtest/gtest.h>

namespace {

agent::MongoConfig sample() {
  agent::MongoConfig m;
  m.command = "docker exec -i mongo";
  m.database = "smartsmoker";
  m.username = "backup";
  m.auth_db = "admin";
  m.password.path = "/etc/pve-smokerbak/credentials/mongo-password";
  return m;
}

TEST(DumpCommand, IsThePrefixedArchiveDumpWithoutPassword) {
  EXPECT_EQ(agent::mongo::dump_command(sample()),
            "docker exec -i mongo mongodump --archive --gzip '--db=smartsmoker' "
            "'--username=backup' '--authenticationDatabase=admin'");
}

TEST(DumpCommand, EmptyPrefixRunsMongodumpDirectly) {
  auto m = sample();
  m.command.clear();
  EXPECT_EQ(agent::mongo::dump_command(m).rfind("mongodump --archive --gzip", 0), 0U);
}

TEST(DumpCommand, WithoutUsernameHasNoAuthFlags) {
  auto m = sample();
  m.username.clear();
  EXPECT_EQ(agent::mongo::dump_command(m).find("--username"), std::string::npos);
  EXPECT_FALSE(agent::mongo::uses_auth(m));
}

TEST(DumpCommand, QuotesHostileDatabaseNames) {
  auto m = sample();
  m.database = "x'; rm -rf /; '";
  EXPECT_NE(agent::mongo::dump_command(m).find("'--db=x'\\''; rm -rf /; '\\'''"),
            std::string::npos);
}

TEST(RestoreCommand, IntoDbRenamesNamespacesAndKeepsPasswordOut) {
  agent::mongo::RestoreOptions o;
  o.into_db = "verify_smartsmoker";
  o.drop = true;
  const auto cmd = agent::mongo::restore_command(sample(), "smartsmoker", o);
  EXPECT_EQ(cmd,
            "docker exec -i mongo mongorestore --archive --gzip '--username=backup' "
            "'--authenticationDatabase=admin' '--nsInclude=smartsmoker.*' "
            "'--nsFrom=smartsmoker.*' '--nsTo=verify_smartsmoker.*' --drop");
  EXPECT_EQ(cmd.find("password"), std::string::npos);
}

TEST(RestoreCommand, PlainRestoreHasNoRenameOrDrop) {
  const auto cmd = agent::mongo::restore_command(sample(), "smartsmoker", {});
  EXPECT_EQ(cmd.find("--nsTo"), std::string::npos);
  EXPECT_EQ(cmd.find("--drop"), std::string::npos);
}

}  // namespace
