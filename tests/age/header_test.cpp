// The strict v1 header grammar (C2SP age, "ABNF definition of file header") on untrusted input.
#include <gtest/gtest.h>

#include "age/header.hpp"
#include "test_util.hpp"

namespace {

using age::parse_header;
using age_test::bytes;
using Kind = age::Error::Kind;

const std::string k_mac = "--- " + std::string(43, 'A') + "\n";  // canonical: 32 zero bytes
const std::string k_v1 = "age-encryption.org/v1\n";

age::Result<age::Header> parse(const std::string& text) { return parse_header(bytes(text)); }

Kind kind_of(const std::string& text) {
  const auto r = parse(text);
  EXPECT_FALSE(r) << text;
  return r ? Kind::misuse : r.error().kind;
}

TEST(Header, ParsesStanzasArgumentsBodiesAndTheMacPosition) {
  std::vector<age::Stanza> stanzas(3);
  stanzas[0] = {"X25519", {"abc"}, age_test::pattern(32)};
  stanzas[1] = {"example.com/enigma", {"a", "b", "c"}, age_test::pattern(48)};  // full line
  stanzas[2] = {"grease", {}, {}};
  const std::string for_mac = age::encode_header_for_mac(stanzas);
  const std::string text = for_mac + age::encode_mac_line({}) + "PAYLOAD";
  const auto h = parse(text);
  ASSERT_TRUE(h) << h.error().message;
  ASSERT_EQ(h->stanzas.size(), 3u);
  EXPECT_EQ(h->stanzas[0].type, "X25519");
  EXPECT_EQ(h->stanzas[0].args, std::vector<std::string>{"abc"});
  EXPECT_EQ(h->stanzas[0].body, stanzas[0].body);
  EXPECT_EQ(h->stanzas[1].args.size(), 3u);
  EXPECT_EQ(h->stanzas[1].body, stanzas[1].body);
  EXPECT_TRUE(h->stanzas[2].body.empty());
  EXPECT_EQ(h->mac_input_size, for_mac.size());
  EXPECT_EQ(h->size, text.size() - 7);
}

TEST(Header, ABodyOfWholeLinesEndsWithAnEmptyLine) {
  const std::string body64 = std::string(64, 'A');
  EXPECT_TRUE(parse(k_v1 + "-> t\n" + body64 + "\n\n" + k_mac));
  // Without the empty line the next stanza or the MAC line would be read as body.
  EXPECT_EQ(kind_of(k_v1 + "-> t\n" + body64 + "\n" + k_mac), Kind::malformed_header);
  EXPECT_EQ(kind_of(k_v1 + "-> t\n" + body64 + "\n-> u\n\n" + k_mac), Kind::malformed_header);
}

TEST(Header, RefusesEveryGrammarViolation) {
  const std::vector<std::string> bad = {
      k_v1 + k_mac,                                           // no stanza
      k_v1 + "->\n\n" + k_mac,                                // no arguments
      k_v1 + "-> \n\n" + k_mac,                               // empty argument
      k_v1 + "-> a  b\n\n" + k_mac,                           // empty argument between two
      k_v1 + "-> a \n\n" + k_mac,                             // trailing space
      k_v1 + "->a\n\n" + k_mac,                               // no space after ->
      k_v1 + "-> a\tb\n\n" + k_mac,                           // TAB is not VCHAR
      k_v1 + "-> a\xc3\xa9\n\n" + k_mac,                      // non-ASCII
      k_v1 + "-> a\n" + std::string(65, 'A') + "\n" + k_mac,  // long body line
      k_v1 + "-> a\nAB\n" + k_mac,                            // non-canonical base64
      k_v1 + "-> a\nAA==\n" + k_mac,                          // padding
      k_v1 + "-> a\nAA\nAA\n" + k_mac,                        // two short lines
      k_v1 + "-> a\n\n---" + std::string(43, 'A') + "\n",     // MAC without space
      k_v1 + "-> a\n\n---  " + std::string(43, 'A') + "\n",   // MAC with two spaces
      k_v1 + "-> a\n\n--- " + std::string(42, 'A') + "\n",    // MAC too short
      k_v1 + "-> a\n\n--- " + std::string(43, 'A') + " \n",   // MAC trailing space
      k_v1 + "-> a\n\n--- " + std::string(42, 'A') + "B\n",   // MAC not canonical
      k_v1 + "-> a\n\n--- " + std::string(43, 'A') + " x\n",  // MAC extra argument
      k_v1 + "garbage\n" + k_mac,                             // neither stanza nor MAC
      "age-encryption.org/v1 \n-> a\n\n" + k_mac,             // version line trailing space
      "\x89PNG\r\n\x1a\n",                                    // another format
  };
  for (const auto& text : bad) EXPECT_EQ(kind_of(text), Kind::malformed_header) << text;
}

TEST(Header, ExplainsCrlfLineEnds) {
  const auto r = parse("age-encryption.org/v1\r\n-> a\r\n\r\n" + k_mac);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("CRLF"), std::string::npos);
}

TEST(Header, AnotherVersionIsUnsupportedNotMalformed) {
  const auto r = parse("age-encryption.org/v2\n-> a\n\n" + k_mac);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::unsupported);
  EXPECT_NE(r.error().message.find("\"v2\""), std::string::npos);
}

TEST(Header, EveryStrictPrefixOfAValidHeaderIsTruncated) {
  const std::string text = k_v1 + "-> X25519 abc\n" + std::string(64, 'A') + "\nAAAA\n" + k_mac;
  ASSERT_TRUE(parse(text));
  for (std::size_t n = 0; n < text.size(); ++n) {
    const auto r = parse(text.substr(0, n));
    ASSERT_FALSE(r) << n;
    EXPECT_EQ(r.error().kind, Kind::truncated) << n << ": " << r.error().message;
  }
}

TEST(Header, RefusesANonAgeFileFromItsFirstBytes) {
  const auto r = parse("PK\x03\x04");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::malformed_header);
  EXPECT_NE(r.error().message.find("not an age file"), std::string::npos);
}

TEST(Header, IsBoundedInSize) {
  // A stanza whose body never ends: refused at the bound, not read on.
  std::string text = k_v1 + "-> a\n";
  while (text.size() <= age::k_max_header_size + 1000) text += std::string(64, 'A') + "\n";
  const auto r = parse(text + "\n" + k_mac);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Kind::malformed_header);
  EXPECT_NE(r.error().message.find("KiB"), std::string::npos);
  // One long line without LF.
  EXPECT_EQ(kind_of(k_v1 + "-> " + std::string(age::k_max_header_size, 'x')),
            Kind::malformed_header);
}

}  // namespace
