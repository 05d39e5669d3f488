#include <gtest/gtest.h>

#include "agent/vzdump/notes.hpp"
#include "agent/vzdump/owner_tag.hpp"

namespace agent {
namespace {

const std::string k_id = "3f9a0c2e71b4";
const std::string k_tag = owner_tag_text(k_id, "prod-cloud", "20251207T010002Z");

TEST(Notes, StatusLineHasTheDocumentedForm) {
  EXPECT_EQ(status_line(k_tag, "daily, weekly", VerifyState::verified),
            "smokerbak:3f9a0c2e71b4:prod-cloud:20251207T010002Z \xC2\xB7 keep: daily, weekly "
            "\xC2\xB7 verified");
  EXPECT_EQ(status_line(k_tag, "", VerifyState::failed),
            k_tag + " \xC2\xB7 remove pending \xC2\xB7 verify FAILED");
  EXPECT_EQ(status_line(k_tag, "all", VerifyState::pbs_pending, {"offsite: s3"}),
            k_tag + " \xC2\xB7 keep: all \xC2\xB7 not yet verified by PBS \xC2\xB7 offsite: s3");
}

TEST(Notes, TemplatePutsTheTagFirstAndKeepsTheOperatorsTemplate) {
  EXPECT_EQ(vzdump_notes_template(k_tag, "{{guestname}} ({{node}})"),
            k_tag + "\\n{{guestname}} ({{node}})");
  EXPECT_EQ(vzdump_notes_template(k_tag, ""), k_tag);
  EXPECT_EQ(notes_template_prefix_chars(k_tag), k_tag.size() + 2);
}

TEST(Notes, ReplacingTheFirstLineKeepsTheRest) {
  EXPECT_EQ(with_first_line("old\nsmoker (pve1)\nmore", "new"), "new\nsmoker (pve1)\nmore");
  EXPECT_EQ(with_first_line("old", "new"), "new");
  EXPECT_EQ(rest_lines("a\nb\nc"), "b\nc");
  EXPECT_EQ(first_line("a\nb"), "a");
}

TEST(Notes, EveryVerifyStateIsReadBackFromTheFirstLine) {
  for (const auto state : {VerifyState::verified, VerifyState::failed, VerifyState::unverified,
                           VerifyState::pbs_verified, VerifyState::pbs_failed,
                           VerifyState::pbs_pending, VerifyState::not_verifiable}) {
    EXPECT_EQ(verify_state_of(status_line(k_tag, "daily", state) + "\nx"), state)
        << notes_text(state);
  }
  EXPECT_EQ(verify_state_of(k_tag), std::nullopt);
  // A verify word in the operator's lines is not the agent's.
  EXPECT_EQ(verify_state_of(k_tag + "\n \xC2\xB7 verified"), std::nullopt);
}

TEST(Notes, OnlyTheTwoFailedStatesAreFailures) {
  EXPECT_TRUE(is_failed(VerifyState::failed));
  EXPECT_TRUE(is_failed(VerifyState::pbs_failed));
  EXPECT_FALSE(is_failed(VerifyState::pbs_pending));
  EXPECT_FALSE(is_failed(VerifyState::not_verifiable));
  EXPECT_FALSE(is_failed(VerifyState::unverified));
}

TEST(Notes, PartsAfterTheVerifyWordAreKept) {
  const auto line = status_line(k_tag, "daily", VerifyState::verified, {"a", "b"});
  EXPECT_EQ(parts_after_verify(line), (std::vector<std::string>{"a", "b"}));
}

// --- ownership grammar (owner_tag.hpp) ---

const Ownership k_me{k_id, "prod-cloud"};

TEST(OwnerTag, OursWhenInstallationAndTargetMatchAtTheStartOfTheFirstLine) {
  EXPECT_EQ(owned_run_id(k_me, k_tag), "20251207T010002Z");
  EXPECT_EQ(owned_run_id(k_me, k_tag + " \xC2\xB7 keep: daily\nweb (pve1)"), "20251207T010002Z");
}

TEST(OwnerTag, AnotherInstallationOrTargetIsForeign) {
  EXPECT_FALSE(owned_run_id(k_me, owner_tag_text("000000000000", "prod-cloud", "R1")));
  EXPECT_FALSE(owned_run_id(k_me, owner_tag_text(k_id, "prod", "R1")));
  EXPECT_FALSE(owned_run_id(k_me, owner_tag_text(k_id, "prod-cloud-2", "R1")));
  // No installation id known yet: only legacy tags can be ours.
  EXPECT_FALSE(owned_run_id(Ownership{std::nullopt, "prod-cloud"}, k_tag));
}

TEST(OwnerTag, AnythingThatMerelyContainsTheWordIsForeign) {
  for (const std::string& notes : std::vector<std::string>{
           std::string("not for smokerbak: keep"),
           std::string("smokerbak:"),
           std::string("smokerbak: keep this"),
           " " + k_tag,                              // not at the very start
           "manual\n" + k_tag,                       // second line
           k_tag + ".x",                             // run id outside its alphabet
           k_tag + " keep",                          // not followed by " · " or the end
           k_tag + "\t\xC2\xB7 keep",                // tab
           "smokerbak:3F9A0C2E71B4:prod-cloud:R1",   // uppercase id
           "smokerbak:3f9a0c2e71b:prod-cloud:R1",    // 11 digits
           "smokerbak:3f9a0c2e71b4:prod-cloud:R-1",  // run id outside its alphabet
           "smokerbak:3f9a0c2e71b4:prod-cloud:",
           "smokerbak:3f9a0c2e71b4::R1",
           "smokerbak:3f9a0c2e71b4:../x:R1",
           "smokerbak:3f9a0c2e71b4:prod-cloud:R1:extra",
           "smokerbak:3f9a0c2e71b4:prod-cloud:" + std::string(33, 'a'),
       }) {
    EXPECT_FALSE(owned_run_id(k_me, notes)) << notes;
  }
}

TEST(OwnerTag, LegacyTagsOfThisTargetAreStillOurs) {
  EXPECT_EQ(owned_run_id(k_me, "prod-cloud smokerbak:20251207T010002Z \xC2\xB7 keep: daily"),
            "20251207T010002Z");
  EXPECT_EQ(owned_run_id(Ownership{std::nullopt, "prod-cloud"}, "prod-cloud smokerbak:R1"), "R1");
  EXPECT_FALSE(owned_run_id(k_me, "other smokerbak:R1"));
  EXPECT_FALSE(owned_run_id(k_me, "prod-cloud  smokerbak:R1"));
  EXPECT_FALSE(owned_run_id(k_me, "prod-cloud smokerbak:R1 keep"));
  const auto tag = parse_owner_tag("prod-cloud smokerbak:R1");
  ASSERT_TRUE(tag);
  EXPECT_TRUE(tag->legacy);
}

}  // namespace
}  // namespace agent
