#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/run/reporter.hpp"
#include "agent/tier/tier.hpp"

// Stand-ins for driving the orchestrator in-process: a tier whose steps do what the test says
// and which records what it was asked, and a reporter that keeps what it was handed. Not
// stand-ins for a real tier (those are tested against pve-sim and a real sshd).
namespace testing_support {

class FakeTier final : public agent::Tier {
 public:
  using Step =
      std::function<agent::TierOutcome(const agent::TargetConfig&, const agent::RunContext&)>;

  explicit FakeTier(agent::TierName name) : m_name(name) {}

  // What backup() and prune() do, per target; the defaults make an ok backup named
  // "<tier>-<target>-<run id>" and an ok prune that keeps one backup.
  std::map<std::string, Step> backup_steps;
  std::map<std::string, Step> prune_steps;
  // Targets the tier is configured for; empty: every target.
  std::set<std::string> configured_targets;
  std::vector<std::string> reconcile_actions = {"cleaned up"};
  std::optional<agent::TierError> probe_error;

  // Every call, in order: "backup prod", "prune prod", "reconcile prod task-started (UPID)".
  std::vector<std::string> calls;
  // The RunContext::made each backup() saw, by target.
  std::map<std::string, std::map<agent::TierName, std::string>> made_seen;

  agent::TierName name() const override { return m_name; }
  bool configured(const agent::TargetConfig& target) const override {
    return configured_targets.empty() || configured_targets.count(target.name) > 0;
  }
  std::unique_ptr<agent::TierRun> begin(const agent::TargetConfig& target,
                                        const agent::RunContext& ctx) override;
  tl::expected<std::vector<agent::BackupListing>, agent::TierError> list(
      const agent::TargetConfig& target) override;
  std::vector<std::string> reconcile(const agent::TargetConfig& target,
                                     agent::JournalStep last_step,
                                     const std::string& detail) override;
  std::optional<std::filesystem::path> local_storage(const agent::TargetConfig&,
                                                     const agent::TierRecord&) const override {
    return std::nullopt;
  }
  std::optional<agent::TierError> probe() override { return probe_error; }

 private:
  agent::TierName m_name;
};

// Keeps what the orchestrator reported.
class RecordingReporter final : public agent::Reporter {
 public:
  std::vector<agent::ReconcileReport> reconciled_reports;
  std::vector<agent::PrunePlan> plans;
  std::vector<std::vector<agent::StepResult>> summaries;

  void reconciled(const agent::ReconcileReport& report) override {
    reconciled_reports.push_back(report);
  }
  void prune_plan(const std::string&, agent::TierName, const agent::PrunePlan& plan) override {
    plans.push_back(plan);
  }
  void summary(const std::vector<agent::StepResult>& steps) override { summaries.push_back(steps); }
  std::vector<std::vector<agent::EventDelivery>> event_reports;
  void events(const std::vector<agent::EventDelivery>& deliveries) override {
    event_reports.push_back(deliveries);
  }
};

// Outcomes for scripted steps.
agent::TierOutcome ok_backup(std::string id, std::vector<std::string> warnings = {});
agent::TierOutcome failed(agent::TierError::Kind kind, std::string message);

}  // namespace testing_support
