#include "agent/offsite/offsite_tier.hpp"

#include <ctime>

#include "agent/core/local_time.hpp"
#include "agent/offsite/object_names.hpp"
#include "agent/offsite/offsite_policy.hpp"
#include "agent/offsite/offsite_report.hpp"
#include "agent/offsite/offsite_run.hpp"
#include "agent/tier/offsite_receipt.hpp"
#include "s3/multipart_uploader.hpp"

namespace agent::offsite {

OffsiteTier::OffsiteTier(const Config& config, OffsiteTierOptions options)
    : m_config(config), m_options(std::move(options)) {}

bool OffsiteTier::configured(const TargetConfig& target) const {
  return m_config.offsite.enabled() && (target.vzdump || target.mongo);
}

std::unique_ptr<TierRun> OffsiteTier::begin(const TargetConfig& target, const RunContext& ctx) {
  return std::make_unique<OffsiteRun>(m_config, target, ctx, m_options.clients,
                                      m_options.vzdump_copied);
}

tl::expected<std::vector<BackupListing>, TierError> OffsiteTier::list(const TargetConfig& target) {
  auto zone = ZoneCalendar::open(m_config.timezone);
  if (!zone) return tl::unexpected(TierError{TierError::Kind::local_io, zone.error()});
  std::vector<BackupListing> out;
  for (const auto& d : m_config.offsite.destinations) {
    const auto& policy = offsite_policy(m_config, target, d);
    for (const TierName tier : {TierName::vzdump, TierName::mongo}) {
      std::vector<policies::BackupEntry> entries;
      std::vector<BackupListing> rows;
      for (const auto& rec : read_all_offsite_receipts(m_config.state_dir, target.name, tier)) {
        const auto* c = rec.find(d.name);
        if (!c) continue;
        BackupListing l;
        l.id = d.name + ":" + c->key;
        l.ctime = rec.ctime;
        l.bytes = c->size;
        l.validation = !c->verified   ? Validation::unknown
                       : *c->verified ? Validation::ok
                                      : Validation::failed;
        entries.push_back({l.id, rec.ctime, false});
        rows.push_back(std::move(l));
      }
      const auto decisions = policies::mark_backups(entries, policy, *zone);
      for (std::size_t i = 0; i < rows.size(); ++i) {
        rows[i].mark =
            decisions[i].mark == policies::Mark::remove ? ListMark::remove : ListMark::keep;
        rows[i].reason = decisions[i].reason;
        out.push_back(std::move(rows[i]));
      }
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.ctime > b.ctime; });
  return out;
}

std::vector<std::string> OffsiteTier::reconcile(const TargetConfig& target, JournalStep last_step,
                                                const std::string& detail) {
  std::vector<std::string> actions;
  if (last_step != JournalStep::upload) return actions;
  const auto space = detail.find(' ');
  const OffsiteDestination* d = m_config.offsite.find(detail.substr(0, space));
  if (!d) return actions;
  auto client = m_options.clients(*d);
  if (!client) {
    actions.push_back("could not reach " + d->name + " to abort the interrupted upload (" +
                      client.error().message + "); this run's off-site step aborts it");
    return actions;
  }
  const auto now = s3::Time(std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch()));
  auto aborted = s3::abort_stale_uploads(**client, target_prefix(*d, target.name), now);
  if (!aborted) {
    actions.push_back("aborting the interrupted upload to " + d->name +
                      " failed: " + aborted.error().message);
  } else {
    actions.push_back("aborted " + std::to_string(*aborted) + " unfinished upload(s) to " +
                      d->name + " (" +
                      detail.substr(space == std::string::npos ? detail.size() : space + 1) +
                      "); the copy is uploaded again");
  }
  return actions;
}

std::string OffsiteTier::extra_metrics() const {
  if (!m_config.offsite.enabled()) return {};
  return render_metrics(destination_reports(m_config, std::time(nullptr), std::nullopt));
}

}  // namespace agent::offsite
