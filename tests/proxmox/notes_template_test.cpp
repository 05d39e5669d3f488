// The expected texts were produced by running upstream's verify_notes_template (pve-manager
// PVE/VZDump.pm, with the schema's maxLength check before it) in perl on the same templates,
// decoded as the API server decodes them (Encode::decode('utf8')).
#include <gtest/gtest.h>

#include "proxmox/notes_template.hpp"

namespace proxmox {
namespace {

using Kind = NotesTemplateProblem::Kind;

TEST(NotesTemplate, UpstreamAcceptsWhatTheAgentSends) {
  EXPECT_EQ(upstream_notes_template_error("prod smokerbak:1\\n{{guestname}}"), "");
  EXPECT_TRUE(check_notes_template("{{cluster}} {{guestname}} {{node}} {{vmid}} \\\\").empty());
}

TEST(NotesTemplate, UpstreamErrorTextsMatchPerlCharForChar) {
  EXPECT_EQ(upstream_notes_template_error("{{foo}}"), "found unknown: variable 'foo' at char 4");
  // Escapes are reported first, then variables, each with Perl's pos()-derived index.
  EXPECT_EQ(upstream_notes_template_error("a\\x{{bar}}\\q"),
            "found unknown: escape sequence '\\x' at char 1, escape sequence '\\q' at char 10, "
            "variable 'bar' at char 7");
  EXPECT_EQ(upstream_notes_template_error("\\{{x}}"),
            "found unknown: escape sequence '\\{' at char 0, variable 'x' at char 5");
  EXPECT_EQ(upstream_notes_template_error("x\\\\\\y"),
            "found unknown: escape sequence '\\y' at char 3");
  EXPECT_EQ(upstream_notes_template_error("{{a b}}{{c}}"),
            "found unknown: variable 'c' at char 11");
  EXPECT_EQ(upstream_notes_template_error("{{vmid}}{{x}}"),
            "found unknown: variable 'x' at char 12");
}

TEST(NotesTemplate, PositionsCountCharactersNotBytes) {
  EXPECT_EQ(upstream_notes_template_error("\xC3\xA4{{n\xC3\xB6"
                                          "de}} \\t"),
            "found unknown: escape sequence '\\t' at char 10, variable 'n\xC3\xB6"
            "de' at char 5");
  const auto problems = check_notes_template("\xC3\xA4\\t");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].column, 2u);  // the backslash is the second character
}

TEST(NotesTemplate, WhatUpstreamLetsThroughIsNotAProblem) {
  for (const char* ok : {"trailing\\", "\\\\{{vmid}}", "{{{vmid}}}", "{{}}", "{{x}", "cr\rok"}) {
    EXPECT_EQ(upstream_notes_template_error(ok), "") << ok;
    EXPECT_TRUE(check_notes_template(ok).empty()) << ok;
  }
}

TEST(NotesTemplate, LineFeedIsRefusedBeforeAnythingElse) {
  EXPECT_EQ(upstream_notes_template_error("a\n{{foo}}"), "contains a line feed");
  const auto problems = check_notes_template("ab\ncd");
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems[0].kind, Kind::line_feed);
  EXPECT_EQ(problems[0].column, 3u);
}

TEST(NotesTemplate, LimitIs1024CharactersOfTheWholeStringSent) {
  EXPECT_EQ(upstream_notes_template_error(std::string(1024, 'a')), "");
  EXPECT_EQ(upstream_notes_template_error(std::string(1025, 'a')),
            "value may only be 1024 characters long");
  std::string umlauts;
  for (int i = 0; i < 1024; ++i) umlauts += "\xC3\xA4";  // 2048 bytes, 1024 characters
  EXPECT_EQ(upstream_notes_template_error(umlauts), "");

  // The agent's own first line counts: 1000 characters are fine alone, not after 30.
  EXPECT_TRUE(check_notes_template(std::string(1000, 'a')).empty());
  const auto problems = check_notes_template(std::string(1000, 'a'), 30);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].kind, Kind::too_long);
  EXPECT_EQ(problems[0].column, 995u);  // 994 characters fit after the prefix
  EXPECT_NE(problems[0].message.find("30-character first line"), std::string::npos);
}

TEST(NotesTemplate, EveryProblemHasItsColumnAndKind) {
  const auto problems = check_notes_template("ok {{host}} \\x");
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].kind, Kind::unknown_escape);
  EXPECT_EQ(problems[0].column, 13u);
  EXPECT_EQ(problems[0].detail, "\\x");
  EXPECT_EQ(problems[1].kind, Kind::unknown_variable);
  EXPECT_EQ(problems[1].column, 4u);
  EXPECT_EQ(problems[1].detail, "host");
  EXPECT_NE(problems[1].message.find("{{guestname}}"), std::string::npos);
}

TEST(NotesTemplate, InvalidUtf8IsReportedNotFatal) {
  const auto problems = check_notes_template("ab\xFF");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].kind, Kind::invalid_utf8);
  EXPECT_EQ(problems[0].column, 3u);
  EXPECT_EQ(upstream_notes_template_error("ab\xFF"), "");
}

}  // namespace
}  // namespace proxmox
