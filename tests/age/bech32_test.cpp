// Bech32 against the BIP-173 test vectors, plus age's deviation (no length limit).
#include <gtest/gtest.h>

#include "age/bech32.hpp"

namespace {

using age::bech32::decode;
using age::bech32::DecodeError;

TEST(Bech32, AcceptsTheBip173ValidChecksums) {
  for (const std::string& s : std::vector<std::string>{
           "A12UEL5L",
           "a12uel5l",
           "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1"
           "tt5tgs",
           "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
           "11" + std::string(82, 'q') + "c8247j",
           "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
           "?1ezyfcl",
       }) {
    EXPECT_TRUE(decode(s)) << s;
  }
}

TEST(Bech32, RefusesTheBip173InvalidStringsWithTheRightReason) {
  struct Case {
    std::string text;
    DecodeError error;
  };
  const std::vector<Case> cases = {
      {std::string("\x20") + "1nwldj5", DecodeError::bad_hrp_char},
      {std::string("\x7f") + "1axkwrx", DecodeError::bad_hrp_char},
      {std::string("\x80") + "1eym55h", DecodeError::bad_hrp_char},
      {"pzry9x0s0muk", DecodeError::no_separator},
      {"1pzry9x0s0muk", DecodeError::no_separator},
      {"x1b4n0q5v", DecodeError::bad_data_char},
      {"li1dgmt3", DecodeError::no_separator},
      {std::string("de1lg7wt") + "\xff", DecodeError::bad_data_char},
      {"A1G7SGD8", DecodeError::bad_checksum},
      {"10a06t8", DecodeError::no_separator},
      {"1qzzfhee", DecodeError::no_separator},
  };
  for (const auto& c : cases) {
    const auto r = decode(c.text);
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error(), c.error) << c.text << ": " << age::bech32::describe(r.error());
  }
}

TEST(Bech32, HasNoOverallLengthLimitUnlikeBip173) {
  // BIP-173 caps strings at 90 characters; age does not (its post-quantum keys are ~2000).
  EXPECT_TRUE(
      decode("an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedchar"
             "actersbio1569pvx"));
  std::vector<std::uint8_t> data(1000, 0x5a);
  std::string text;
  age::bech32::encode("long", data, text);
  ASSERT_GT(text.size(), 1600u);
  const auto r = decode(text);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->data, data);
}

TEST(Bech32, RefusesMixedCase) { EXPECT_EQ(decode("A12uEL5L").error(), DecodeError::mixed_case); }

TEST(Bech32, RoundTripsBytesAndKeepsTheCaseOfTheHrp) {
  const std::vector<std::uint8_t> data = {0, 1, 2, 0xfe, 0xff, 0x80, 0x7f};
  std::string lower;
  std::string upper;
  age::bech32::encode("age", data, lower);
  age::bech32::encode("AGE-SECRET-KEY-", data, upper);
  EXPECT_EQ(lower.substr(0, 4), "age1");
  EXPECT_EQ(upper.substr(0, 16), "AGE-SECRET-KEY-1");
  for (const auto& s : {lower, upper}) {
    const auto r = decode(s);
    ASSERT_TRUE(r) << s;
    EXPECT_EQ(r->data, data);
  }
  EXPECT_EQ(decode(upper)->hrp, "AGE-SECRET-KEY-");
}

TEST(Bech32, RefusesPaddingThatIsNotZeroOrTooLong) {
  // Checksums computed with the BIP-173 reference code: groups [31,28] are the byte 0xff with
  // two zero padding bits; [31,31] sets the padding bits; [0,0,0] leaves 7 bits over.
  ASSERT_TRUE(decode("a1lu9cgf6y"));
  EXPECT_EQ(decode("a1lu9cgf6y")->data, std::vector<std::uint8_t>{0xff});
  EXPECT_EQ(decode("a1llttal5m").error(), DecodeError::bad_padding);
  EXPECT_EQ(decode("a1qqqd87cpp").error(), DecodeError::bad_padding);
}

}  // namespace
