// The `offsite` section: a full destination decodes to every field, and the mistakes an
// operator makes are refused with the key they belong to.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "agent/config/config_loader.hpp"
#include "tests/agent_config/test_files.hpp"

namespace {

const std::string k_base =
    "proxmox:\n"
    "  token_id: \"smokerbak@pve!agent\"\n"
    "  token_secret_file: /etc/pve-smokerbak/pve-token\n"
    "retention: keep-daily=7,keep-weekly=4\n"
    "targets:\n"
    "  - name: prod-cloud\n"
    "    vmid: 106\n"
    "    vzdump: {}\n";
const std::string k_recipient = "age1pln367qqwdgdkdnq9g9ehjz7w6rzz9es9wv99394r3xtj9tnx4aqzrs4n9";

std::string destination(const std::string& extra) {
  return k_base +
         "offsite:\n"
         "  destinations:\n"
         "    - name: b2\n"
         "      endpoint: https://s3.eu-central-003.backblazeb2.com\n"
         "      bucket: pve1-backups\n"
         "      credentials_file: /etc/pve-smokerbak/b2.credentials\n"
         "      recipients: [" +
         k_recipient + "]\n" + extra;
}

// Every diagnostic as one text, for substring checks.
std::string problems(const std::string& yaml) {
  TempDir dir;
  const auto loaded = agent::load_config_file(dir.write("config.yaml", yaml));
  if (loaded) return "";
  std::string out;
  for (const auto& d : loaded.error()) out += d.to_string() + "\n";
  return out;
}

TEST(OffsiteConfig, ReadsEveryKeyOfADestination) {
  ::unsetenv("CREDENTIALS_DIRECTORY");
  TempDir dir;
  const auto loaded = agent::load_config_file(
      dir.write("config.yaml", destination("      region: eu-central-003\n"
                                           "      prefix: pve1/\n"
                                           "      storage_class: STANDARD\n"
                                           "      max_upload_kib_per_s: 2048\n"
                                           "      lock: governance\n"
                                           "      retention: keep-daily=14,keep-weekly=8\n"
                                           "      verify_budget_mib: 512\n"
                                           "      part_size_mib: 16\n"
                                           "      parts_in_flight: 4\n")));
  ASSERT_TRUE(loaded) << loaded.error().front().to_string();
  const auto& o = loaded->config.offsite;
  ASSERT_TRUE(o.enabled());
  const agent::OffsiteDestination* d = o.find("b2");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->endpoint, "https://s3.eu-central-003.backblazeb2.com");
  EXPECT_EQ(d->region, "eu-central-003");
  EXPECT_EQ(d->bucket, "pve1-backups");
  EXPECT_EQ(d->prefix, "pve1/");
  EXPECT_EQ(d->credentials_path, "/etc/pve-smokerbak/b2.credentials");
  EXPECT_EQ(d->storage_class, "STANDARD");
  EXPECT_EQ(d->max_upload_bytes_per_second, 2048u * 1024u);
  EXPECT_EQ(d->lock, agent::OffsiteLock::governance);
  ASSERT_TRUE(d->retention);
  EXPECT_EQ(d->retention->keep_daily, 14);
  EXPECT_EQ(d->verify_budget_bytes, 512ull << 20);
  EXPECT_EQ(d->part_size_bytes, 16ull << 20);
  EXPECT_EQ(d->parts_in_flight, 4);
  ASSERT_EQ(d->recipients.size(), 1u);
  EXPECT_EQ(d->recipients[0], k_recipient);
}

TEST(OffsiteConfig, DefaultsToComplianceLockAndTheOnePolicy) {
  TempDir dir;
  const auto loaded = agent::load_config_file(dir.write("config.yaml", destination("")));
  ASSERT_TRUE(loaded) << loaded.error().front().to_string();
  const auto& d = loaded->config.offsite.destinations.at(0);
  EXPECT_EQ(d.lock, agent::OffsiteLock::compliance);
  EXPECT_FALSE(d.retention);
  EXPECT_EQ(d.part_size_bytes, 8ull << 20);
}

TEST(OffsiteConfig, NoSectionMeansNoOffsiteTier) {
  TempDir dir;
  const auto loaded = agent::load_config_file(dir.write("config.yaml", k_base));
  ASSERT_TRUE(loaded) << loaded.error().front().to_string();
  EXPECT_FALSE(loaded->config.offsite.enabled());
}

TEST(OffsiteConfig, RefusesPlainHttpToAnotherHost) {
  auto yaml = destination("");
  yaml.replace(yaml.find("https://s3.eu"), 8, "http://");
  EXPECT_NE(problems(yaml).find("offsite.destinations[0].endpoint"), std::string::npos)
      << problems(yaml);
}

TEST(OffsiteConfig, RefusesARecipientThatIsNotAnAgeKey) {
  auto yaml = destination("");
  yaml.replace(yaml.find(k_recipient), k_recipient.size(), "ssh-ed25519 AAAA");
  EXPECT_NE(problems(yaml).find("offsite.destinations[0].recipients[0]"), std::string::npos)
      << problems(yaml);
}

TEST(OffsiteConfig, RefusesAnOverrideThatKeepsFewerThanTheLocalPolicy) {
  const auto text = problems(destination("      retention: keep-daily=3\n"));
  EXPECT_NE(text.find("offsite.destinations[0].retention"), std::string::npos) << text;
}

TEST(OffsiteConfig, OverrideThatKeepsFewerSaysWhatTheLocalPolicyKeepsAndTheFix) {
  const auto text = problems(destination("      retention: keep-daily=14,keep-weekly=2\n"));
  EXPECT_NE(text.find("keeps fewer backups than the global retention"), std::string::npos) << text;
  EXPECT_NE(text.find("keep-daily=7,keep-weekly=4"), std::string::npos) << text;
  EXPECT_NE(text.find("may only keep more"), std::string::npos) << text;
}

TEST(OffsiteConfig, OverrideThatKeepsMoreThanTheLocalPolicyIsAccepted) {
  TempDir dir;
  const auto loaded = agent::load_config_file(
      dir.write("config.yaml",
                destination("      retention: keep-daily=30,keep-weekly=8,keep-monthly=12\n")));
  ASSERT_TRUE(loaded) << problems(destination("      retention: keep-daily=30\n"));
  const auto& d = loaded->config.offsite.destinations.front();
  ASSERT_TRUE(d.retention);
  EXPECT_EQ(d.retention->keep_daily, 30);
  EXPECT_EQ(d.retention->keep_monthly, 12);
}

TEST(OffsiteConfig, RefusesPartsSmallerThan8MiB) {
  const auto text = problems(destination("      part_size_mib: 4\n"));
  EXPECT_NE(text.find("offsite.destinations[0].part_size_mib"), std::string::npos) << text;
}

TEST(OffsiteConfig, RefusesDuplicateDestinationNames) {
  auto yaml = destination("");
  const auto item = yaml.substr(yaml.find("    - name: b2"));
  const auto text = problems(yaml + item);
  EXPECT_NE(text.find("duplicate destination name"), std::string::npos) << text;
}

}  // namespace
