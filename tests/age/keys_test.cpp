// X25519 recipients and identities, identity files and recipients files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <unistd.h>

#include "age/bech32.hpp"
#include "age/key_files.hpp"
#include "age/keys.hpp"
#include "test_util.hpp"

namespace {

using Kind = age::Error::Kind;

std::string secret_text(const age::Identity& id) { return std::string(id.to_string().view()); }

// A throwaway key pair made when the test binary starts: no private key is committed. That
// the derivation of a recipient matches age's own is shown against age-keygen's keys in
// interop_test.cpp.
const age::Identity& throwaway_identity() {
  static const age::Identity id = [] {
    auto made = age::Identity::generate();
    if (!made) throw std::runtime_error("cannot generate an age identity: " + made.error().message);
    return *made;
  }();
  return id;
}
const std::string& throwaway_secret() {
  static const std::string text = secret_text(throwaway_identity());
  return text;
}
const std::string& throwaway_recipient() {
  static const std::string text = throwaway_identity().recipient().to_string();
  return text;
}

TEST(Keys, AnIdentityReadsBackAsTheSameKeyWithTheSameRecipient) {
  const auto id = age::Identity::parse(throwaway_secret());
  ASSERT_TRUE(id) << id.error().message;
  EXPECT_EQ(id->recipient().to_string(), throwaway_recipient());
  EXPECT_EQ(secret_text(*id), throwaway_secret());
  const auto r = age::Recipient::parse(throwaway_recipient());
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, id->recipient());
}

TEST(Keys, GeneratedIdentitiesAreDistinctAndRoundTrip) {
  const auto a = age::Identity::generate();
  const auto b = age::Identity::generate();
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->recipient(), b->recipient());
  const std::string text = secret_text(*a);
  EXPECT_EQ(text.substr(0, 16), "AGE-SECRET-KEY-1");
  EXPECT_EQ(text.size(), 74u);
  const auto again = age::Identity::parse(text);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->recipient(), a->recipient());
  EXPECT_EQ(a->recipient().to_string().size(), 62u);
}

// A secret key with one character changed, for "no echo" checks.
std::string damaged_secret() {
  std::string s(throwaway_secret());
  s[30] = s[30] == 'Q' ? 'P' : 'Q';
  return s;
}

TEST(Keys, IdentityErrorsNameTheProblemButNeverTheKey) {
  struct Case {
    std::string text;
    Kind kind;
    std::string says;
  };
  const std::string secret(throwaway_secret());
  const std::vector<Case> cases = {
      {damaged_secret(), Kind::invalid_key, "checksum"},
      {secret.substr(0, secret.size() - 1), Kind::invalid_key, "checksum"},
      {"age-secret-key-1" + secret.substr(16), Kind::invalid_key, "upper case"},
      {secret.substr(0, 20) + "B" + secret.substr(21), Kind::invalid_key, "alphabet"},
      {secret.substr(0, 20) + "b" + secret.substr(21), Kind::invalid_key, "mixes upper and lower"},
      {throwaway_recipient(), Kind::invalid_key, "public key"},
      {"AGE-SECRET-KEY-PQ-1" + secret.substr(16), Kind::unsupported, "post-quantum"},
      {"AGE-PLUGIN-YUBIKEY-1QQQQ", Kind::unsupported, "plugin"},
      {"hunter2", Kind::invalid_key, "not an age secret key"},
  };
  for (const auto& c : cases) {
    const auto r = age::Identity::parse(c.text);
    ASSERT_FALSE(r) << c.says;
    EXPECT_EQ(r.error().kind, c.kind) << r.error().message;
    EXPECT_NE(r.error().message.find(c.says), std::string::npos) << r.error().message;
    // Neither the text nor a long piece of it appears in the message.
    EXPECT_EQ(r.error().message.find(c.text.substr(c.text.size() > 12 ? 12 : 0, 12)),
              std::string::npos)
        << r.error().message;
  }
}

TEST(Keys, ASecretKeyOfAWrongLengthIsRefused) {
  std::string text;
  age::bech32::encode("AGE-SECRET-KEY-", std::vector<std::uint8_t>(31, 7), text);
  const auto r = age::Identity::parse(text);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("31 bytes"), std::string::npos) << r.error().message;
}

TEST(Keys, RecipientErrorsQuoteThePublicKeyAndSayWhatIsWrong) {
  std::string bad(throwaway_recipient());
  bad[10] = bad[10] == 'q' ? 'p' : 'q';
  auto r = age::Recipient::parse(bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::invalid_key);
  EXPECT_NE(r.error().message.find(bad), std::string::npos);
  EXPECT_NE(r.error().message.find("checksum"), std::string::npos);

  r = age::Recipient::parse("AGE1ZVKYG2LQZRAA2LNJVQEJ32NKUU0UES2S82HZRYE869XEEXVN73EQUNUJWJ");
  ASSERT_FALSE(r);  // age itself refuses upper-case recipients
  r = age::Recipient::parse("age1pq1" + std::string(60, 'q'));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::unsupported);
  r = age::Recipient::parse("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::unsupported);
}

TEST(Keys, ASecretKeyGivenAsRecipientIsRefusedWithoutBeingQuoted) {
  for (std::string text : {throwaway_secret(), std::string("age-secret-key-1abcdef")}) {
    const auto r = age::Recipient::parse(text);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Kind::invalid_key);
    EXPECT_NE(r.error().message.find("SECRET key"), std::string::npos);
    EXPECT_EQ(r.error().message.find(text), std::string::npos);
  }
}

// ---- identity files ----

TEST(IdentityFile, ReadsWhatAgeKeygenWritesWithCommentsBlankLinesAndSeveralKeys) {
  const auto a = age_test::fixed_identity(1);
  const auto b = age_test::fixed_identity(2);
  std::string file(age::format_identity_file(a, "2026-12-03T08:09:08Z").view());
  file += "\n\n# a second key, CRLF line ends\r\n" + secret_text(b) + "\r\n";
  const auto ids = age::parse_identity_file(file);
  ASSERT_TRUE(ids) << ids.error().message;
  ASSERT_EQ(ids->size(), 2u);
  EXPECT_EQ((*ids)[0].recipient(), a.recipient());
  EXPECT_EQ((*ids)[1].recipient(), b.recipient());
}

TEST(IdentityFile, FormatMatchesAgeKeygen) {
  const auto id = age_test::fixed_identity(3);
  const std::string text(age::format_identity_file(id, "2026-12-03T08:09:08Z").view());
  EXPECT_EQ(text, "# created: 2026-12-03T08:09:08Z\n# public key: " + id.recipient().to_string() +
                      "\n" + secret_text(id) + "\n");
}

TEST(IdentityFile, ErrorsNameTheLineAndNeverQuoteIt) {
  const std::string secret(throwaway_secret());
  const std::string file = "# created: x\n\n" + secret + "\n" + damaged_secret() + "\n";
  const auto r = age::parse_identity_file(file, "/etc/keys/id.txt");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::invalid_key);
  EXPECT_NE(r.error().message.find("/etc/keys/id.txt: line 4"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(r.error().message.find(damaged_secret().substr(16, 10)), std::string::npos);
  EXPECT_EQ(r.error().message.find(secret.substr(16, 10)), std::string::npos);
}

TEST(IdentityFile, RefusesWhitespaceAroundAKeyAsAgeDoes) {
  const auto r = age::parse_identity_file(throwaway_secret() + " \n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("whitespace"), std::string::npos);
  EXPECT_EQ(r.error().message.find(throwaway_secret().substr(16, 10)), std::string::npos);
}

// An SSH private key given as identity file: AgeInterop.AnSshKeyMadeBySshKeygenIsRefused...
// (a real key made by ssh-keygen when the test runs; none is committed).
TEST(IdentityFile, SaysWhatToDoWithAnEncryptedOrEmptyFile) {
  auto r = age::parse_identity_file("age-encryption.org/v1\n-> scrypt abc 18\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::unsupported);
  EXPECT_NE(r.error().message.find("age -d"), std::string::npos);
  r = age::parse_identity_file("# only comments\n\n");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no identity"), std::string::npos);
}

TEST(IdentityFile, ReadsFromDiskAndRefusesHugeFiles) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("age-keyfile-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "id.txt")
        << age::format_identity_file(age_test::fixed_identity(4), "t").view();
    std::ofstream big(dir / "big.txt");
    big << std::string(age::k_max_key_file_size + 1, '#');
  }
  const auto ids = age::read_identity_file(dir / "id.txt");
  ASSERT_TRUE(ids) << ids.error().message;
  EXPECT_EQ(ids->at(0).recipient(), age_test::fixed_identity(4).recipient());
  auto r = age::read_identity_file(dir / "big.txt");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::io);
  r = age::read_identity_file(dir / "missing.txt");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::io);
  EXPECT_NE(r.error().message.find("missing.txt"), std::string::npos);
  std::filesystem::remove_all(dir);
}

// ---- recipients files ----

TEST(RecipientsFile, ReadsOneKeyPerLineWithComments) {
  const auto a = age_test::fixed_identity(5).recipient();
  const auto b = age_test::fixed_identity(6).recipient();
  const auto r =
      age::parse_recipients_file("# ops team\n" + a.to_string() + "\n\n" + b.to_string());
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0], a);
  EXPECT_EQ((*r)[1], b);
}

TEST(RecipientsFile, NamesTheBadLine) {
  const auto r = age::parse_recipients_file("# x\nage1nope\n", "recipients.txt");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("recipients.txt: line 2"), std::string::npos)
      << r.error().message;
  EXPECT_FALSE(age::parse_recipients_file("\n# nothing\n"));
}

}  // namespace
