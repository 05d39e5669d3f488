#include "agent/core/safe_text.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

namespace {

using agent::escape_control_chars;
using agent::escape_invalid_utf8;
using agent::is_valid_utf8;
using agent::Tabs;

TEST(SafeText, RecognisesWellFormedUtf8AndRejectsEachMalformedKind) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("smoker caf\xC3\xA9s \xE2\x82\xAC \xF0\x9F\x94\xA5"));
  EXPECT_TRUE(is_valid_utf8(std::string("a\0b", 3)));
  EXPECT_FALSE(is_valid_utf8("\xFF"));              // never a UTF-8 byte
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\xAF"));      // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xC3"));              // cut short
  EXPECT_FALSE(is_valid_utf8("\x80"));              // lone continuation byte
}

TEST(SafeText, ValidTextIsStoredByteForByte) {
  const std::string s = "db.caf\xC3\xA9s\t\x1B[31m\r\n";
  EXPECT_EQ(escape_invalid_utf8(s), s);
}

TEST(SafeText, InvalidBytesBecomeVisibleEscapesAndTheResultIsValid) {
  EXPECT_EQ(escape_invalid_utf8("ab\xFF"
                                "c\xC3"),
            "ab\\xFFc\\xC3");
  EXPECT_EQ(escape_invalid_utf8("\xED\xA0\x80"), "\\xED\\xA0\\x80");
  EXPECT_EQ(escape_invalid_utf8("\xC3\xA9\xC3"), "\xC3\xA9\\xC3");
}

TEST(SafeText, EscapedTextNeverMakesTheJsonWriterThrow) {
  // nlohmann::json::dump throws type_error 316 on invalid UTF-8: the manifest crash of issue 11.
  std::mt19937 rng(11);
  for (int round = 0; round < 2000; ++round) {
    std::string s(static_cast<std::size_t>(rng() % 40), '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    const nlohmann::json j = {{"name", escape_invalid_utf8(s)}, {"shown", escape_control_chars(s)}};
    EXPECT_NO_THROW((void)j.dump()) << "round " << round;
    EXPECT_TRUE(is_valid_utf8(escape_invalid_utf8(s)));
    if (is_valid_utf8(s)) {
      EXPECT_EQ(escape_invalid_utf8(s), s);
    }
  }
}

TEST(SafeText, TerminalControlsBecomeVisibleText) {
  EXPECT_EQ(escape_control_chars("ok\x1B]0;pwned\x07\x1B[2J"), "ok\\x1B]0;pwned\\x07\\x1B[2J");
  EXPECT_EQ(escape_control_chars("100%\rdone\n"), "100%\\rdone\\n");
  EXPECT_EQ(escape_control_chars("del\x7F nul", Tabs::keep), "del\\x7F nul");
  EXPECT_EQ(escape_control_chars(std::string("a\0b", 3)), "a\\x00b");
  // C1 controls are valid UTF-8 (U+009B is the 8-bit CSI) and still escaped.
  EXPECT_EQ(escape_control_chars("x\xC2\x9B"
                                 "31m"),
            "x\\u009B31m");
  // Bidirectional overrides and line separators reorder or break what is shown.
  EXPECT_EQ(escape_control_chars("a\xE2\x80\xAE"
                                 "b\xE2\x80\xA8"),
            "a\\u202Eb\\u2028");
  // A raw 0x9B byte (invalid UTF-8, CSI on 8-bit terminals) is escaped as a byte.
  EXPECT_EQ(escape_control_chars("\x9B"), "\\x9B");
}

TEST(SafeText, TabIsKeptForLogLinesAndEscapedForFields) {
  const std::string line = "2026-01-01T00:00:00.000+0000\tdone dumping smoker.temps";
  EXPECT_EQ(escape_control_chars(line), line);
  EXPECT_EQ(escape_control_chars("a\tb", Tabs::escape), "a\\tb");
}

TEST(SafeText, PrintableTextIncludingLettersOfAnyScriptStays) {
  const std::string s = "Räucherofen 温度 \xF0\x9F\x94\xA5 {\"$set\": 1}";
  EXPECT_EQ(escape_control_chars(s), s);
}

TEST(SafeText, DisplayEscapingLeavesNoControlCharacter) {
  std::mt19937 rng(12);
  for (int round = 0; round < 2000; ++round) {
    std::string s(static_cast<std::size_t>(rng() % 40), '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    const std::string out = escape_control_chars(s, Tabs::escape);
    ASSERT_TRUE(is_valid_utf8(out));
    for (unsigned char c : out) ASSERT_TRUE(c >= 0x20 && c != 0x7F) << "round " << round;
    EXPECT_EQ(out.find("\xC2\x9B"), std::string::npos);
  }
}

}  // namespace
