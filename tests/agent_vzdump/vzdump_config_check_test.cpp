// `config check`'s vzdump part without the network: the notes template against upstream's
// rules (pve-manager PVE/VZDump.pm verify_notes_template, the 1024-character maxLength of
// pve-guest-common's confdesc), each problem at FILE:LINE:COLUMN of the offending character.
#include <gtest/gtest.h>

#include "agent/config/config_loader.hpp"
#include "agent/config/scalar_position.hpp"
#include "agent/vzdump/vzdump_config_check.hpp"
#include "tests/agent_config/test_files.hpp"

namespace agent {
namespace {

const std::string k_head =
    "proxmox:\n"
    "  token_id: \"smokerbak@pve!agent\"\n"
    "  token_secret_file: /etc/pve-smokerbak/pve-token\n"
    "  node: pve1\n"
    "targets:\n"
    "  - name: prod-cloud\n"
    "    vmid: 106\n"
    "    vzdump:\n";

struct Checked {
  std::vector<ConfigDiagnostic> errors;
  std::vector<ConfigDiagnostic> warnings;
};

Checked check(const TempDir& dir, const std::string& vzdump_lines) {
  const auto file = dir.write("config.yaml", k_head + vzdump_lines);
  auto loaded = load_config_file(file);
  Checked out;
  if (!loaded) {
    ADD_FAILURE() << "config did not load: " << loaded.error()[0].message;
    return out;
  }
  ConfigFindings findings;
  vzdump_config_check()(*loaded, findings);
  out.errors = findings.errors;
  out.warnings = findings.warnings;
  return out;
}

TEST(VzdumpConfigCheck, TheDefaultTemplatePasses) {
  TempDir dir;
  const auto c = check(dir, "      storage: local\n");
  EXPECT_TRUE(c.errors.empty()) << c.errors[0].message;
}

TEST(VzdumpConfigCheck, UnknownVariableIsNamedAtItsCharacter) {
  TempDir dir;
  // line 10, column 15: the first "{" of {{hostname}}
  const auto c = check(dir, "      storage: local\n      notes: \"{{hostname}} x\"\n");
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].key_path, "targets[0].vzdump.notes");
  EXPECT_EQ(c.errors[0].line, 10);
  EXPECT_EQ(c.errors[0].column, 15);  // after `notes: "`
  EXPECT_NE(c.errors[0].message.find("hostname"), std::string::npos) << c.errors[0].message;
}

TEST(VzdumpConfigCheck, EscapesOtherThanNewlineAndBackslashAreRefused) {
  TempDir dir;
  // YAML single quotes keep the backslashes as written: the template is  a\tb\nc\\d
  const auto c = check(dir, "      notes: 'a\\tb\\nc\\\\d'\n");
  ASSERT_EQ(c.errors.size(), 1u) << c.errors[1].message;
  EXPECT_EQ(c.errors[0].line, 9);
  EXPECT_EQ(c.errors[0].column, 16);  // the backslash of \t, after `notes: 'a`
  EXPECT_NE(c.errors[0].message.find("\\t"), std::string::npos) << c.errors[0].message;
}

TEST(VzdumpConfigCheck, ALineFeedInTheTemplateIsRefused) {
  TempDir dir;
  const auto c = check(dir, "      notes: \"a\\nb\"\n");  // YAML decodes \n to a line feed
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_NE(c.errors[0].message.find("line feed"), std::string::npos) << c.errors[0].message;
}

TEST(VzdumpConfigCheck, TheLimitCountsTheAgentsOwnFirstLine) {
  TempDir dir;
  // 1024 characters alone would pass upstream's maxLength; with the agent's tag line first
  // they do not.
  const auto c = check(dir, "      notes: \"" + std::string(1000, 'x') + "\"\n");
  ASSERT_EQ(c.errors.size(), 1u);
  EXPECT_NE(c.errors[0].message.find("1024"), std::string::npos) << c.errors[0].message;
  const auto ok = check(dir, "      notes: \"" + std::string(900, 'x') + "\"\n");
  EXPECT_TRUE(ok.errors.empty());
}

TEST(VzdumpConfigCheck, MailtoIsCheckedAndWarnedWithoutEffectUnderTheNotificationSystem) {
  TempDir dir;
  const auto bad = check(dir, "      mailto: \"not an address!\"\n");
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].key_path, "targets[0].vzdump.mailto");
  const auto moot = check(dir,
                          "      mailto: root@example.com\n"
                          "      notification_mode: notification-system\n");
  EXPECT_TRUE(moot.errors.empty());
  ASSERT_EQ(moot.warnings.size(), 1u);
  EXPECT_NE(moot.warnings[0].message.find("no effect"), std::string::npos);
}

TEST(ScalarPosition, MapsCharactersOfPlainQuotedAndEscapedValues) {
  const std::string text = "a:\n  notes: \"\\u00e9x\"\n  plain: h\xC3\xA9llo\n";
  // "notes" key at line 2, column 3; the value's 2nd character (x) follows the 6-char escape.
  auto p = scalar_char_position(text, SourcePosition{2, 3}, 1);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->line, 2);
  EXPECT_EQ(p->column, 17);
  auto q = scalar_char_position(text, SourcePosition{3, 3}, 2);  // the 'l' after 'é'
  ASSERT_TRUE(q);
  EXPECT_EQ(q->column, 12);
  EXPECT_FALSE(scalar_char_position(text, SourcePosition{3, 3}, 50));
}

}  // namespace
}  // namespace agent
