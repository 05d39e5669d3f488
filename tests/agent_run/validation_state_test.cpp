// The finer validation states of a vzdump backup (PBS not yet verified, not verifiable here)
// survive the tier record and show in the metrics, distinct from ok and failed.
#include <gtest/gtest.h>

#include "agent/run/metrics.hpp"
#include "agent/tier/tier_record.hpp"

namespace agent {
namespace {

TierRecord after(Validation v, std::optional<bool> ok) {
  TierRecord r;
  r.target = "t";
  TierOutcome backup;
  backup.state = TierState::ok;
  backup.backup_id = "pbs:backup/ct/106/2026-01-01T01:00:00Z";
  backup.validation = v;
  backup.validation_ok = ok;
  apply_outcome(r, "R1", 1767229200, 1.0, backup, std::nullopt);
  return r;
}

TEST(ValidationState, PendingAndNotVerifiableAreNeitherOkNorFailed) {
  const auto pending = after(Validation::pending, std::nullopt);
  EXPECT_EQ(validation_of(pending), Validation::pending);
  EXPECT_FALSE(pending.last_validation_ok.has_value());
  const auto away = after(Validation::not_verifiable, std::nullopt);
  EXPECT_EQ(validation_of(away), Validation::not_verifiable);
  const auto text = render_metrics({pending});
  EXPECT_NE(text.find("pve_smokerbak_last_validation_state{target=\"t\",tier=\"vzdump\","
                      "state=\"pending\"} 1"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("pve_smokerbak_last_validation_success{"), std::string::npos) << text;
}

TEST(ValidationState, AnOlderRecordWithOnlyTheBooleanStillReads) {
  const auto ok = after(Validation::unknown, true);
  EXPECT_EQ(validation_of(ok), Validation::ok);
  EXPECT_NE(render_metrics({ok}).find("state=\"ok\"} 1"), std::string::npos);
}

}  // namespace
}  // namespace agent
