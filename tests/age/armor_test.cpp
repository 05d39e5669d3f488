// Decrypting ASCII-armored age files (what `age -a` writes): strict PEM, streamed.
#include <gtest/gtest.h>

#include "age/base64.hpp"
#include "age/decryptor.hpp"
#include "age/encryptor.hpp"
#include "test_util.hpp"

namespace {

using age_test::Bytes;
using age_test::bytes;
using Kind = age::Error::Kind;

// What age's armor writer produces: 64-column padded base64 between the PEM lines.
std::string armor(const Bytes& binary, const std::string& eol = "\n") {
  const std::string b64 = age::base64::encode_padded(binary);
  std::string out = "-----BEGIN AGE ENCRYPTED FILE-----" + eol;
  for (std::size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + eol;
  return out + "-----END AGE ENCRYPTED FILE-----" + eol;
}

class Armor : public ::testing::Test {
 protected:
  age::Identity m_id = age_test::fixed_identity(21);
  Bytes m_plain = age_test::pattern(100000);
  Bytes m_file = *age::encrypt(m_plain, std::vector{m_id.recipient()});

  age::Result<std::vector<std::uint8_t>> open(const std::string& text) {
    return age::decrypt(bytes(text), {m_id});
  }
  Kind kind_of(const std::string& text) {
    const auto r = open(text);
    EXPECT_FALSE(r);
    return r ? Kind::misuse : r.error().kind;
  }
};

TEST_F(Armor, DecryptsArmoredFilesWithLfOrCrlfAndSurroundingWhitespace) {
  for (const std::string& text :
       {armor(m_file), armor(m_file, "\r\n"), "\n  \n" + armor(m_file) + " \n\n"}) {
    const auto r = open(text);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, m_plain);
  }
  std::string no_final_eol = armor(m_file);
  no_final_eol.pop_back();
  EXPECT_TRUE(open(no_final_eol));
}

TEST_F(Armor, ReportsWhetherTheInputWasArmored) {
  auto dec = age::Decryptor::create({m_id}, [](std::span<const std::uint8_t>) { return true; });
  ASSERT_TRUE(dec->update(bytes(armor(m_file))));
  ASSERT_TRUE(dec->finish());
  EXPECT_TRUE(dec->armored());
}

TEST_F(Armor, RefusesEverythingButStrictArmor) {
  const std::string good = armor(m_file);
  const std::string body = good.substr(35, good.size() - 35 - 33);
  const std::vector<std::string> bad = {
      "-----BEGIN AGE ENCRYPTED FILE-----\nVersion: 1\n\n" + body +
          "-----END AGE ENCRYPTED FILE-----\n",  // headers
      "-----BEGIN age encrypted file-----\n" + body + "-----END AGE ENCRYPTED FILE-----\n",
      "-----BEGIN AGE ENCRYPTED FILE-----\n" + body,  // no END
      good + "x",                                     // data after END
      "-----BEGIN AGE ENCRYPTED FILE-----\n\n" + body + "-----END AGE ENCRYPTED FILE-----\n",
      "-----BEGIN AGE ENCRYPTED FILE-----\n " + body + "-----END AGE ENCRYPTED FILE-----\n",
      good + std::string(2000, ' '),   // endless tail
      std::string(2000, '\n') + good,  // endless lead
  };
  for (const auto& text : bad)
    EXPECT_EQ(kind_of(text), Kind::armor_malformed) << text.substr(0, 80);

  // A long line (two lines joined), a short line in the middle, non-canonical padding.
  std::string joined = good;
  joined.erase(joined.find('\n', 40), 1);
  EXPECT_EQ(kind_of(joined), Kind::armor_malformed);
  std::string short_middle = good;
  short_middle.erase(40, 4);
  EXPECT_EQ(kind_of(short_middle), Kind::armor_malformed);
}

TEST_F(Armor, ArmoredPayloadErrorsKeepTheirKinds) {
  Bytes cut(m_file.begin(), m_file.end() - 100);
  EXPECT_EQ(kind_of(armor(cut)), Kind::payload_damaged);
  const auto other = age_test::fixed_identity(22);
  const Bytes not_ours = *age::encrypt(m_plain, std::vector{other.recipient()});
  EXPECT_EQ(kind_of(armor(not_ours)), Kind::no_identity_matched);
}

}  // namespace
