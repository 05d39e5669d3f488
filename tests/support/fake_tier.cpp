#include "tests/support/fake_tier.hpp"

namespace testing_support {
namespace {

class FakeRun final : public agent::TierRun {
 public:
  FakeRun(FakeTier& tier, const agent::TargetConfig& target, const agent::RunContext& ctx)
      : m_tier(tier), m_target(target), m_ctx(ctx) {}

  agent::TierOutcome backup() override {
    m_tier.calls.push_back("backup " + m_target.name);
    m_tier.made_seen[m_target.name] = m_ctx.made;
    if (auto it = m_tier.backup_steps.find(m_target.name); it != m_tier.backup_steps.end()) {
      return it->second(m_target, m_ctx);
    }
    return ok_backup(std::string(to_string(m_tier.name())) + "-" + m_target.name + "-" +
                     m_ctx.run_id);
  }

  agent::TierOutcome prune() override {
    m_tier.calls.push_back("prune " + m_target.name);
    if (auto it = m_tier.prune_steps.find(m_target.name); it != m_tier.prune_steps.end()) {
      return it->second(m_target, m_ctx);
    }
    agent::TierOutcome out;
    out.summary = "kept 1";
    out.kept_count = 1;
    out.kept_bytes = 100;
    out.plan =
        agent::PrunePlan{std::string(to_string(m_tier.name())) + " plan for " + m_target.name,
                         {{agent::PlanLine::Action::keep, "b1", "keep: last 1/1"}}};
    return out;
  }

 private:
  FakeTier& m_tier;
  const agent::TargetConfig& m_target;
  const agent::RunContext& m_ctx;
};

}  // namespace

std::unique_ptr<agent::TierRun> FakeTier::begin(const agent::TargetConfig& target,
                                                const agent::RunContext& ctx) {
  return std::make_unique<FakeRun>(*this, target, ctx);
}

tl::expected<std::vector<agent::BackupListing>, agent::TierError> FakeTier::list(
    const agent::TargetConfig& target) {
  calls.push_back("list " + target.name);
  return std::vector<agent::BackupListing>{};
}

std::vector<std::string> FakeTier::reconcile(const agent::TargetConfig& target,
                                             agent::JournalStep last_step,
                                             const std::string& detail) {
  calls.push_back("reconcile " + target.name + " " + std::string(agent::to_string(last_step)) +
                  " (" + detail + ")");
  return reconcile_actions;
}

agent::TierOutcome ok_backup(std::string id, std::vector<std::string> warnings) {
  agent::TierOutcome out;
  out.state = agent::state_for(warnings);
  out.warnings = std::move(warnings);
  out.backup_id = std::move(id);
  out.backup_bytes = 100;
  out.validation_ok = true;
  out.summary = "made " + out.backup_id;
  return out;
}

agent::TierOutcome failed(agent::TierError::Kind kind, std::string message) {
  return agent::failed_outcome({kind, std::move(message)});
}

}  // namespace testing_support
