#include <gtest/gtest.h>

#include "agent/vzdump/notes.hpp"

namespace agent {
namespace {

TEST(Notes, StatusLineHasTheDocumentedForm) {
  EXPECT_EQ(status_line("prod-cloud", "20251207T010002Z", "daily, weekly", VerifyState::verified),
            "prod-cloud smokerbak:20251207T010002Z \xC2\xB7 keep: daily, weekly \xC2\xB7 verified");
  EXPECT_EQ(status_line("p", "R", "", VerifyState::failed),
            "p smokerbak:R \xC2\xB7 remove pending \xC2\xB7 verify FAILED");
}

TEST(Notes, OwnershipIsTheTagOnTheFirstLineOnly) {
  EXPECT_EQ(owner_run_id("prod smokerbak:20251207T010002Z \xC2\xB7 keep: daily"),
            "20251207T010002Z");
  EXPECT_EQ(owner_run_id("prod smokerbak:X"), "X");
  EXPECT_FALSE(owner_run_id("manual backup\nsmokerbak:X"));
  EXPECT_FALSE(owner_run_id(""));
}

TEST(Notes, TemplatePutsTheIdentityFirstAndKeepsTheOperatorsTemplate) {
  EXPECT_EQ(vzdump_notes_template("prod", "R1", "{{guestname}} ({{node}})"),
            "prod smokerbak:R1\\n{{guestname}} ({{node}})");
  EXPECT_EQ(vzdump_notes_template("a\\b", "R1", ""), "a\\\\b smokerbak:R1");
}

TEST(Notes, ReplacingTheFirstLineKeepsTheRest) {
  EXPECT_EQ(with_first_line("old\nsmoker (pve1)\nmore", "new"), "new\nsmoker (pve1)\nmore");
  EXPECT_EQ(with_first_line("old", "new"), "new");
  EXPECT_EQ(rest_lines("a\nb\nc"), "b\nc");
  EXPECT_EQ(first_line("a\nb"), "a");
}

TEST(Notes, VerifyStateIsReadBackFromTheFirstLine) {
  EXPECT_EQ(verify_state_of(status_line("p", "R", "daily", VerifyState::verified) + "\nx"),
            VerifyState::verified);
  EXPECT_EQ(verify_state_of(status_line("p", "R", "daily", VerifyState::failed)),
            VerifyState::failed);
  EXPECT_EQ(verify_state_of("p smokerbak:R"), std::nullopt);
}

}  // namespace
}  // namespace agent
