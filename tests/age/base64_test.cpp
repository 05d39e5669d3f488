// The strict base64 age needs on top of OpenSSL's coder: canonical only, no whitespace.
#include <gtest/gtest.h>

#include "age/base64.hpp"
#include "test_util.hpp"

namespace {

using age::base64::decode_padded;
using age::base64::decode_unpadded;
using age_test::bytes;

TEST(Base64, RoundTripsEveryLengthUpToThreeBlocks) {
  for (std::size_t n = 0; n <= 12; ++n) {
    const auto data = age_test::pattern(n, static_cast<std::uint32_t>(n));
    const auto unpadded = age::base64::encode_unpadded(data);
    EXPECT_EQ(unpadded.find('='), std::string::npos);
    EXPECT_EQ(decode_unpadded(unpadded), data) << n;
    std::vector<std::uint8_t> out;
    EXPECT_TRUE(decode_padded(age::base64::encode_padded(data), out)) << n;
    EXPECT_EQ(out, data);
  }
}

TEST(Base64, UnpaddedRefusesPaddingWhitespaceAndForeignCharacters) {
  EXPECT_TRUE(decode_unpadded("AAAA"));
  EXPECT_FALSE(decode_unpadded("AA=="));
  EXPECT_FALSE(decode_unpadded("AA AA"));
  EXPECT_FALSE(decode_unpadded(" AAAA"));
  EXPECT_FALSE(decode_unpadded("AAAA\n"));
  EXPECT_FALSE(decode_unpadded("AAAA\r"));
  EXPECT_FALSE(decode_unpadded("AA-_"));  // URL-safe alphabet is not age's
  EXPECT_FALSE(decode_unpadded("A"));     // a length of 1 mod 4 encodes nothing
}

TEST(Base64, RefusesNonCanonicalTrailingBits) {
  // "AA" is one zero byte; "AB" has a non-zero unused bit, so it is not canonical.
  EXPECT_EQ(decode_unpadded("AA"), bytes(std::string(1, '\0')));
  EXPECT_FALSE(decode_unpadded("AB"));
  EXPECT_FALSE(decode_unpadded("AAB"));
  std::vector<std::uint8_t> out;
  EXPECT_TRUE(decode_padded("AA==", out));
  EXPECT_FALSE(decode_padded("AB==", out));
  EXPECT_FALSE(decode_padded("AAB=", out));
}

TEST(Base64, PaddedRefusesMissingOrMisplacedPadding) {
  std::vector<std::uint8_t> out;
  EXPECT_FALSE(decode_padded("AA", out));
  EXPECT_FALSE(decode_padded("A===", out));
  EXPECT_FALSE(decode_padded("A=AA", out));
  EXPECT_FALSE(decode_padded("AAAA====", out));
  EXPECT_FALSE(decode_padded("AAA=AAAA", out));
}

}  // namespace
