#include "agent/vzdump/vzdump_tier.hpp"

#include <algorithm>

#include "agent/core/installation_id.hpp"
#include "agent/core/local_time.hpp"
#include "agent/core/safe_text.hpp"
#include "agent/vzdump/api_errors.hpp"
#include "agent/vzdump/backup_record.hpp"
#include "agent/vzdump/killed_run.hpp"
#include "agent/vzdump/retention_plan.hpp"
#include "agent/vzdump/vzdump_run.hpp"

namespace agent {

VzdumpTier::VzdumpTier(const Config& config, ClientFactory factory, VzdumpTierOptions options)
    : m_config(config), m_factory(std::move(factory)), m_options(options) {}

proxmox::ClientStats VzdumpTier::client_stats() const {
  return m_client ? m_client->stats() : proxmox::ClientStats{};
}

proxmox::Result<proxmox::Client*> VzdumpTier::client() {
  if (!m_client) {
    auto made = m_factory();
    if (!made) return tl::unexpected(made.error());
    m_client = std::move(*made);
  }
  return m_client.get();
}

std::unique_ptr<TierRun> VzdumpTier::begin(const TargetConfig& target, const RunContext& ctx) {
  return std::make_unique<VzdumpRun>(m_config, target, ctx, client(), m_options);
}

std::vector<std::string> VzdumpTier::mark_offsite(const TargetConfig& target, const RunContext& ctx,
                                                  const std::set<std::string>& volids) {
  if (!target.vzdump) return {};
  VzdumpRun run(m_config, target, ctx, client(), m_options);
  return run.mark_offsite(volids);
}

tl::expected<std::vector<BackupListing>, TierError> VzdumpTier::list(const TargetConfig& target) {
  std::vector<BackupListing> out;
  if (!target.vzdump) return out;
  const VzdumpConfig& vz = *target.vzdump;
  auto c = client();
  if (!c) return tl::unexpected(tier_error_of(c.error()));
  proxmox::Client& api = **c;
  auto guest = api.locate_guest(target.vmid);
  if (!guest) return tl::unexpected(tier_error_of(guest.error()));
  auto zone = ZoneCalendar::open(m_config.timezone);
  if (!zone) return tl::unexpected(TierError{TierError::Kind::local_io, zone.error()});
  auto id = read_installation_id(m_config.state_dir);  // `list` never makes one
  if (!id) return tl::unexpected(TierError{TierError::Kind::local_io, id.error()});
  auto listing = api.list_backups_checked(guest->node, vz.storage, target.vmid);
  if (!listing) return tl::unexpected(tier_error_of(listing.error()));
  PlanInput input;
  input.owner = Ownership{*id, target.name};
  input.storage = vz.storage;
  input.vmid = target.vmid;
  input.prune_foreign = vz.prune_foreign;
  input.states = known_verify_states(m_config.state_dir, target.name, listing->volumes);
  const auto plan = plan_retention(listing->volumes, target.effective_retention(m_config.retention),
                                   *zone, input);
  for (const auto& a : plan) {
    BackupListing l;
    l.id = a.volume.volid;
    l.ctime = a.volume.ctime;
    l.bytes = a.volume.size;
    l.run_id = a.run_id.value_or("");
    if (!a.managed) {
      l.mark = a.volume.is_protected ? ListMark::protected_backup : ListMark::foreign;
      l.reason = a.volume.is_protected ? "protected"
                 : !a.candidate        ? "never pruned: " + a.not_candidate
                                       : "not made by this installation for this target";
    } else {
      switch (a.decision.mark) {
        case policies::Mark::keep:
          l.mark = ListMark::keep;
          break;
        case policies::Mark::remove:
          l.mark = ListMark::remove;
          break;
        case policies::Mark::protected_backup:
          l.mark = ListMark::protected_backup;
          break;
      }
      l.reason = a.decision.reason;
    }
    if (a.managed || a.run_id) {
      switch (a.verify) {
        case VerifyState::verified:
        case VerifyState::pbs_verified:
          l.validation = Validation::ok;
          break;
        case VerifyState::failed:
        case VerifyState::pbs_failed:
          l.validation = Validation::failed;
          break;
        case VerifyState::pbs_pending:
          l.validation = Validation::pending;
          break;
        case VerifyState::not_verifiable:
          l.validation = Validation::not_verifiable;
          break;
        case VerifyState::unverified:
          break;
      }
    }
    out.push_back(std::move(l));
  }
  std::sort(out.begin(), out.end(),
            [](const BackupListing& x, const BackupListing& y) { return x.ctime > y.ctime; });
  return out;
}

std::vector<std::string> VzdumpTier::reconcile(const TargetConfig& target, JournalStep last_step,
                                               const std::string& detail) {
  // Only a started task can leave something behind: before it nothing was made, after it the
  // archive is listed (and a later step's work is redone by this run).
  if (last_step != JournalStep::task_started || !target.vzdump) return {};
  auto c = client();
  if (!c) {
    return {"could not adopt the killed run's vzdump task " +
            escape_control_chars(detail, Tabs::escape) + ": " + tier_error_of(c.error()).message};
  }
  return reconcile_started_task(**c, m_config, target, detail, m_options);
}

std::optional<std::filesystem::path> VzdumpTier::local_storage(const TargetConfig& target,
                                                               const TierRecord& record) const {
  // The agent runs on the Proxmox node; a storage without a local path (PBS) has no record
  // path and so no projection.
  if (record.last_success_backup_id.empty()) return std::nullopt;
  auto backup = read_backup_record(m_config.state_dir, target.name, record.last_success_backup_id);
  if (!backup || backup->path.empty() || backup->path.front() != '/') return std::nullopt;
  return std::filesystem::path(backup->path).parent_path();
}

std::optional<TierError> VzdumpTier::probe() {
  auto c = client();
  if (c) {
    auto version = (*c)->version();
    if (version) return std::nullopt;
    c = tl::unexpected(version.error());
  }
  TierError error = tier_error_of(c.error());
  error.message = "Proxmox API unreachable (" + error.message + ")";
  return error;
}

}  // namespace agent
