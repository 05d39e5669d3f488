#include "agent/offsite/offsite_run.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "agent/core/human_format.hpp"
#include "agent/core/installation_id.hpp"
#include "agent/core/progress.hpp"
#include "agent/offsite/destination_state.hpp"
#include "agent/offsite/encrypting_source.hpp"
#include "agent/offsite/object_names.hpp"
#include "agent/offsite/offsite_policy.hpp"
#include "agent/tier/offsite_receipt.hpp"
#include "s3/multipart_uploader.hpp"

namespace agent::offsite {
namespace {

// The outcome of a step in which some destinations failed: the first error's kind, every
// destination's message (one per line).
TierOutcome failed_with(TierOutcome out, const std::vector<TierError>& errors) {
  TierError e = errors.front();
  for (std::size_t i = 1; i < errors.size(); ++i) e.message += "\n" + errors[i].message;
  out.state = TierState::failed;
  out.error = std::move(e);
  return out;
}

using Kind = TierError::Kind;

std::optional<s3::LockMode> lock_mode(OffsiteLock lock) {
  switch (lock) {
    case OffsiteLock::compliance:
      return s3::LockMode::compliance;
    case OffsiteLock::governance:
      return s3::LockMode::governance;
    case OffsiteLock::off:
      break;
  }
  return std::nullopt;
}

std::int64_t epoch_of(s3::Time t) { return t.time_since_epoch().count(); }
s3::Time time_of(std::int64_t epoch) { return s3::Time(std::chrono::seconds(epoch)); }

std::string plural(std::uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

tl::expected<std::vector<age::Recipient>, TierError> parse_recipients(const OffsiteDestination& d) {
  std::vector<age::Recipient> out;
  for (const auto& text : d.recipients) {
    auto r = age::Recipient::parse(text);
    if (!r) {
      return tl::unexpected(TierError{
          Kind::refused, "off-site destination " + d.name + ": recipient " + text.substr(0, 12) +
                             "... is not an age X25519 key: " + r.error().message});
    }
    out.push_back(*r);
  }
  if (out.empty()) {
    return tl::unexpected(
        TierError{Kind::refused, "off-site destination " + d.name + " lists no recipients"});
  }
  return out;
}

// Every version under `prefix`, bounded (100 pages of 1000).
s3::Result<std::vector<s3::VersionSummary>> list_versions(s3::Client& client,
                                                          const std::string& prefix) {
  std::vector<s3::VersionSummary> out;
  std::string key_marker, version_marker;
  for (int page = 0; page < 100; ++page) {
    auto listed = client.list_object_versions(prefix, key_marker, version_marker);
    if (!listed) return tl::unexpected(listed.error());
    out.insert(out.end(), listed->versions.begin(), listed->versions.end());
    if (!listed->truncated) return out;
    key_marker = listed->next_key_marker;
    version_marker = listed->next_version_id_marker;
  }
  return s3::make_error(
      s3::Error::Kind::too_large,
      "more than 100000 object versions under " + prefix + "; prune by hand or split the prefix");
}

}  // namespace

OffsiteRun::OffsiteRun(const Config& config, const TargetConfig& target, const RunContext& ctx,
                       const ClientFactory& clients, VzdumpCopiedHook vzdump_copied)
    : m_config(config),
      m_target(target),
      m_ctx(ctx),
      m_clients(clients),
      m_vzdump_copied(std::move(vzdump_copied)) {
  m_now =
      std::chrono::duration_cast<std::chrono::seconds>(ctx.run_start.time_since_epoch()).count();
}

TierOutcome OffsiteRun::backup() {
  auto zone = ZoneCalendar::open(m_config.timezone);
  if (!zone) return failed_outcome({Kind::local_io, "off-site copies: " + zone.error()});
  m_zone.emplace(std::move(*zone));
  const auto backups = local_backups(m_config, m_target);
  std::vector<std::string> warnings;
  // A backup this run made that cannot leave the host is worth saying every time.
  for (const auto& [tier, id] : m_ctx.made) {
    for (const auto& b : backups) {
      if (b.tier == tier && b.id == id && !b.eligible) {
        warnings.push_back(std::string(to_string(tier)) + " backup " + id +
                           " is not copied off-site: " + b.why_not);
      }
    }
  }
  std::vector<std::pair<const OffsiteDestination*, std::vector<PlannedUpload>>> plans;
  for (const auto& d : m_config.offsite.destinations) {
    plans.emplace_back(&d, plan_uploads(m_config, m_target, d, backups, *m_zone));
  }
  if (m_ctx.dry_run) {
    TierOutcome out;
    out.warnings = warnings;
    out.state = state_for(warnings);
    std::string text;
    for (const auto& [d, plan] : plans) {
      std::uint64_t bytes = 0;
      for (const auto& u : plan) bytes += u.backup.size;
      text += (text.empty() ? "" : "; ") + d->name + ": would upload " +
              plural(plan.size(), "backup", "backups") +
              (plan.empty() ? "" : " (" + human_bytes(bytes) + ")");
    }
    out.summary = "dry run: " + text;
    return out;
  }
  auto owner = ensure_installation_id(m_config.state_dir);
  if (!owner) return failed_outcome({Kind::local_io, "off-site copies: " + owner.error()});
  m_owner = *owner;

  TierOutcome out;
  std::vector<TierError> errors;
  std::string summary;
  for (const auto& [d, plan] : plans) {
    DestinationResult r = upload_to(*d, plan);
    out.backup_bytes += r.bytes;
    warnings.insert(warnings.end(), r.warnings.begin(), r.warnings.end());
    summary +=
        (summary.empty() ? "" : "; ") + d->name + ": " +
        (r.uploaded == 0 && !r.error ? std::string("up to date")
                                     : "uploaded " + plural(r.uploaded, "backup", "backups") +
                                           " (" + human_bytes(r.bytes) + ")");
    if (r.error) {
      summary += ", FAILED";
      errors.push_back(*r.error);
    }
  }
  if (m_vzdump_copied && !m_copied_volids.empty()) {
    auto more = m_vzdump_copied(m_target, m_ctx, m_copied_volids);
    warnings.insert(warnings.end(), more.begin(), more.end());
  }
  out.warnings = warnings;
  out.summary = summary;
  if (!errors.empty()) return failed_with(std::move(out), errors);
  out.state = state_for(warnings);
  // The newest backup that is off-site now: the tier's "last success" in status and metrics
  // (without one, status called every successful off-site run "no successful backup yet").
  const LocalBackup* newest = nullptr;
  for (const auto& b : backups) {
    if ((!newest || b.ctime > newest->ctime) &&
        has_offsite_copy(m_config.state_dir, m_target.name, b.tier, b.id)) {
      newest = &b;
    }
  }
  if (newest) out.backup_id = newest->id;
  return out;
}

OffsiteRun::DestinationResult OffsiteRun::upload_to(const OffsiteDestination& d,
                                                    const std::vector<PlannedUpload>& plan) {
  DestinationResult result;
  DestinationState state = load_destination_state(m_config.state_dir, d.name);
  state.last_run_at = m_now;
  const auto started = std::chrono::steady_clock::now();
  auto finish = [&](std::optional<TierError> error) {
    result.error = std::move(error);
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    state.last_error = result.error ? result.error->message : std::string();
    state.last_error_kind = result.error ? to_string(result.error->kind) : "";
    if (!result.error) state.last_success_at = m_now;
    if (result.uploaded > 0 || result.error) {
      state.last_upload_seconds = result.seconds;
      state.last_uploaded_bytes = result.bytes;
    }
    if (auto err = save_destination_state(m_config.state_dir, state)) {
      result.warnings.push_back("off-site state of " + d.name + " not saved: " + *err);
    }
    return result;
  };
  auto recipients = parse_recipients(d);
  if (!recipients) return finish(recipients.error());
  auto client = m_clients(d);
  if (!client) return finish(destination_error(d, client.error(), "cannot connect"));
  // Uploads under this target's prefix that began before now are a killed or failed run's
  // (this run has begun none yet, and the run lock keeps other runs away): no orphaned parts
  // keep costing money (each attempt is a new age file, so they cannot resume). Not "before
  // this run minus a margin": a run retried right after a failed one must clean up too.
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  auto aborted = s3::abort_stale_uploads(**client, target_prefix(d, m_target.name), time_of(now));
  if (!aborted) {
    spdlog::warn("[{}] off-site {}: stale uploads not cleaned up: {}", m_target.name, d.name,
                 aborted.error().message);
  } else if (*aborted > 0) {
    spdlog::info("[{}] off-site {}: aborted {} unfinished upload(s) of an earlier run",
                 m_target.name, d.name, *aborted);
  }
  for (const auto& u : plan) {
    if (auto e = upload_one(**client, d, *recipients, u, result)) return finish(std::move(e));
  }
  return finish(std::nullopt);
}

std::optional<TierError> OffsiteRun::upload_one(s3::Client& client, const OffsiteDestination& d,
                                                const std::vector<age::Recipient>& recipients,
                                                const PlannedUpload& u, DestinationResult& result) {
  const LocalBackup& b = u.backup;
  const std::string key = object_key(d, m_target.name, b.tier, b.ctime, b.file_name);
  if (m_ctx.journal)
    m_ctx.journal->record(m_target.name, TierName::offsite, JournalStep::upload,
                          d.name + " " + key);
  s3::PutOptions put;
  put.storage_class = d.storage_class;
  put.metadata = {{k_meta_owner, m_owner},
                  {k_meta_sha256, b.sha256},
                  {k_meta_size, std::to_string(b.size)},
                  {k_meta_backup, b.id},
                  {k_meta_target, m_target.name},
                  {k_meta_tier, to_string(b.tier)},
                  {k_meta_ctime, std::to_string(b.ctime)},
                  {k_meta_file, b.file_name},
                  {k_meta_format, k_format_value}};
  const auto& policy = offsite_policy(m_config, m_target, d);
  const LockPlan lock = lock_plan(u.decision, b.ctime, policy, *m_zone, m_now);
  const auto mode = lock_mode(d.lock);
  if (mode) put.retention = s3::Retention{*mode, time_of(lock.extend_to)};

  auto source = EncryptingFileSource::open(b.file, recipients, b.size, b.sha256);
  if (!source) {
    return TierError{Kind::local_io,
                     "off-site copy of " + b.id + " to " + d.name + ": " + source.error()};
  }
  s3::UploaderOptions uo;
  uo.part_size = d.part_size_bytes;
  uo.parts_in_flight = d.parts_in_flight;
  uo.max_send_bytes_per_second = d.max_upload_bytes_per_second;
  ProgressOptions po;
  po.label = "off-site upload of " + b.id + " to " + d.name;
  po.total = (*source)->size();
  ProgressReporter progress(std::move(po), monotonic_clock());
  std::uint64_t reported = 0;
  uo.on_progress = [&](std::uint64_t done, std::uint64_t) {
    if (done > reported) progress.advance(done - reported);
    reported = std::max(reported, done);
  };
  auto uploaded = s3::upload_object(client, key, **source, put, uo);
  progress.finish(uploaded ? "done" : "stopped");
  if (!uploaded) {
    const auto& f = uploaded.error();
    TierError e = destination_error(d, f.error, "upload of " + b.id + " as " + key);
    if (!f.stored_version_id.empty()) {
      e.message += " (the object was stored as version " + f.stored_version_id +
                   " but is not confirmed, so it does not count as off-site)";
    }
    return e;
  }
  // Receipts, then trust: what HEAD showed, nothing less than planned.
  if (mode) {
    const auto& held = uploaded->retention;
    if (!held || held->mode != *mode || epoch_of(held->retain_until) < lock.required) {
      return TierError{Kind::refused,
                       "off-site destination " + d.name + ": " + key +
                           " is stored without the Object Lock it needs (" + to_string(*mode) +
                           " until " + rfc3339_utc(lock.required) +
                           "), so it does not count as off-site; check the bucket's Object Lock "
                           "settings"};
    }
  }
  OffsiteCopy copy;
  copy.destination = d.name;
  copy.bucket = d.bucket;
  copy.key = key;
  copy.version_id = uploaded->version_id;
  copy.size = uploaded->size;
  copy.etag = uploaded->etag;
  copy.composite_sha256 = uploaded->composite_sha256;
  copy.part_size = uploaded->part_size;
  if (uploaded->retention) {
    copy.lock_mode = to_string(uploaded->retention->mode);
    copy.retain_until = epoch_of(uploaded->retention->retain_until);
  }
  copy.uploaded_at = m_now;
  auto receipts = read_offsite_receipts(m_config.state_dir, m_target.name, b.tier, b.id)
                      .value_or(OffsiteReceipts{});
  receipts.target = m_target.name;
  receipts.tier = b.tier;
  receipts.backup_id = b.id;
  receipts.ctime = b.ctime;
  receipts.file_name = b.file_name;
  receipts.plaintext_sha256 = b.sha256;
  receipts.plaintext_size = b.size;
  if (auto* existing = receipts.find(d.name)) {
    *existing = copy;
  } else {
    receipts.copies.push_back(copy);
  }
  if (auto err = write_offsite_receipts(m_config.state_dir, receipts)) {
    return TierError{Kind::local_io,
                     "off-site copy of " + b.id + " to " + d.name +
                         " was uploaded but its receipt could not be written: " + *err};
  }
  spdlog::info("[{}] AUDIT off-site copy stored: {} -> {} {} version {} ({}{})", m_target.name,
               b.id, d.name, key, copy.version_id, human_bytes(copy.size),
               copy.lock_mode.empty()
                   ? std::string()
                   : ", " + copy.lock_mode + " until " + rfc3339_utc(copy.retain_until));
  ++result.uploaded;
  result.bytes += copy.size;
  if (b.tier == TierName::vzdump) m_copied_volids.insert(b.id);
  return std::nullopt;
}

TierOutcome OffsiteRun::prune() {
  if (m_ctx.no_prune) return skipped_outcome("pruning skipped (--no-prune)");
  if (!m_zone) {
    auto zone = ZoneCalendar::open(m_config.timezone);
    if (!zone) return failed_outcome({Kind::local_io, "off-site pruning: " + zone.error()});
    m_zone.emplace(std::move(*zone));
  }
  if (m_owner.empty()) {
    // A damaged id file is an error, never replaced: what the old id tagged would be foreign.
    auto on_file = read_installation_id(m_config.state_dir);
    if (!on_file) return failed_outcome({Kind::local_io, "off-site pruning: " + on_file.error()});
    if (*on_file) {
      m_owner = **on_file;
    } else if (!m_ctx.dry_run) {
      auto owner = ensure_installation_id(m_config.state_dir);
      if (!owner) return failed_outcome({Kind::local_io, "off-site pruning: " + owner.error()});
      m_owner = *owner;
    }
  }
  TierOutcome out;
  out.plan = PrunePlan{"off-site prune plan for " + m_target.name, {}};
  std::vector<TierError> errors;
  std::uint64_t kept = 0, kept_bytes = 0;
  std::string summary;
  for (const auto& d : m_config.offsite.destinations) {
    PruneResult r = prune_destination(d);
    kept += r.kept;
    kept_bytes += r.kept_bytes;
    out.removed_count += r.removed;
    for (const auto& [rule, n] : r.kept_per_rule) out.kept_per_rule[rule] += n;
    out.plan->lines.insert(out.plan->lines.end(), r.lines.begin(), r.lines.end());
    out.warnings.insert(out.warnings.end(), r.warnings.begin(), r.warnings.end());
    std::string text = d.name + ": kept " + std::to_string(r.kept) + ", " +
                       (m_ctx.dry_run ? "would remove " : "removed ") + std::to_string(r.removed);
    if (r.extended) text += ", " + std::to_string(r.extended) + " lock(s) extended";
    if (r.locked) {
      text += ", " + std::to_string(r.locked) + " still locked (deleted by a later run)";
    }
    if (r.error) {
      text += ", FAILED";
      errors.push_back(*r.error);
    }
    summary += (summary.empty() ? "" : "; ") + text;
  }
  out.kept_count = kept;
  out.kept_bytes = kept_bytes;
  out.summary = (m_ctx.dry_run ? "dry run: " : "") + summary;
  if (!errors.empty()) return failed_with(std::move(out), errors);
  out.state = state_for(out.warnings);
  return out;
}

OffsiteRun::PruneResult OffsiteRun::prune_destination(const OffsiteDestination& d) {
  PruneResult r;
  auto client = m_clients(d);
  if (!client) {
    r.error = destination_error(d, client.error(), "cannot connect for pruning");
    return r;
  }
  const std::string prefix = target_prefix(d, m_target.name);
  auto versions = list_versions(**client, prefix);
  if (!versions) {
    r.error = destination_error(d, versions.error(), "listing " + prefix);
    return r;
  }
  const auto mode = lock_mode(d.lock);
  const auto& policy = offsite_policy(m_config, m_target, d);
  DestinationState state = load_destination_state(m_config.state_dir, d.name);
  for (const TierName tier : {TierName::vzdump, TierName::mongo}) {
    // key -> its versions (delete markers are left alone: they hide nothing of ours).
    std::map<std::string, std::vector<s3::VersionSummary>> by_key;
    std::map<std::string, std::int64_t> ctime_of;
    for (const auto& v : *versions) {
      if (v.delete_marker) continue;
      const auto name = parse_object_key(d, v.key);
      if (!name || name->target != m_target.name || name->tier != tier) continue;
      by_key[v.key].push_back(v);
      ctime_of[v.key] = name->ctime;
    }
    if (by_key.empty()) continue;
    // The receipts name the version that counts for each key.
    std::map<std::string, OffsiteReceipts> receipt_of;  // key -> receipts file content
    for (auto& rec : read_all_offsite_receipts(m_config.state_dir, m_target.name, tier)) {
      if (const auto* c = rec.find(d.name)) receipt_of[c->key] = rec;
    }
    std::vector<policies::BackupEntry> entries;
    for (const auto& [key, list] : by_key) entries.push_back({key, ctime_of[key], false});
    const auto decisions = policies::mark_backups(entries, policy, *m_zone);

    for (std::size_t i = 0; i < entries.size(); ++i) {
      const std::string& key = entries[i].id;
      const auto& list = by_key[key];
      const auto& decision = decisions[i];
      auto rit = receipt_of.find(key);
      OffsiteCopy* copy = rit == receipt_of.end() ? nullptr : rit->second.find(d.name);
      // The version that counts: the receipt's, else the latest.
      std::string primary;
      for (const auto& v : list) {
        if (copy && v.version_id == copy->version_id) primary = v.version_id;
      }
      if (primary.empty()) {
        for (const auto& v : list) {
          if (v.is_latest) primary = v.version_id;
        }
        if (primary.empty()) primary = list.front().version_id;
      }
      std::vector<const s3::VersionSummary*> doomed;
      if (decision.mark == policies::Mark::keep) {
        ++r.kept;
        for (const auto& v : list) {
          if (v.version_id == primary) r.kept_bytes += v.size;
        }
        for (const auto rule : decision.rules) ++r.kept_per_rule[rule];
        r.lines.push_back({PlanLine::Action::keep, d.name + ":" + key, decision.reason});
        for (const auto& v : list) {
          if (v.version_id != primary) doomed.push_back(&v);  // a duplicate version
        }
        // The lock follows the rule that keeps it now (a promoted copy keeps it longer).
        if (mode && !m_ctx.dry_run) {
          const LockPlan plan = lock_plan(decision, ctime_of[key], policy, *m_zone, m_now);
          std::int64_t current = copy && copy->version_id == primary ? copy->retain_until : 0;
          if (current < plan.required) {
            auto held = (*client)->get_object_retention(key, primary);
            if (held && *held) current = epoch_of((*held)->retain_until);
          }
          if (current < plan.required) {
            auto set = (*client)->put_object_retention(
                key, primary, s3::Retention{*mode, time_of(plan.extend_to)});
            if (!set) {
              r.warnings.push_back("off-site " + d.name + ": the lock of " + key +
                                   " could not be extended to " + rfc3339_utc(plan.extend_to) +
                                   ": " + set.error().message);
            } else {
              ++r.extended;
              current = plan.extend_to;
              spdlog::info("[{}] AUDIT off-site lock extended: {} {} until {} ({})", m_target.name,
                           d.name, key, rfc3339_utc(plan.extend_to), decision.reason);
            }
          }
          if (copy && copy->version_id == primary && current != copy->retain_until) {
            copy->retain_until = current;
            copy->lock_mode = to_string(*mode);
            if (auto err = write_offsite_receipts(m_config.state_dir, rit->second)) {
              r.warnings.push_back("receipt of " + key + " not updated: " + *err);
            }
          }
        }
      } else {
        r.lines.push_back({PlanLine::Action::remove, d.name + ":" + key, decision.reason});
        for (const auto& v : list) doomed.push_back(&v);
      }
      bool receipt_gone = false;
      for (const auto* v : doomed) {
        if (m_ctx.dry_run) {
          if (v->version_id == primary) ++r.removed;
          continue;
        }
        // Only what carries this installation's tag, and only once its lock has expired.
        auto head = (*client)->head_object(key, v->version_id);
        if (!head) {
          r.warnings.push_back("off-site " + d.name + ": cannot read " + key + " version " +
                               v->version_id + " before deleting it: " + head.error().message);
          continue;
        }
        const auto owner = head->metadata.find(k_meta_owner);
        if (owner == head->metadata.end() || owner->second != m_owner) {
          ++r.foreign;
          continue;
        }
        if (head->retention && epoch_of(head->retention->retain_until) > m_now) {
          ++r.locked;
          continue;
        }
        auto deleted = (*client)->delete_object(key, v->version_id);
        if (!deleted) {
          if (deleted.error().kind == s3::Error::Kind::object_locked) {
            ++r.locked;
            continue;
          }
          r.error = destination_error(d, deleted.error(), "deleting " + key);
          continue;
        }
        spdlog::info("[{}] AUDIT off-site copy deleted: {} {} version {} ({})", m_target.name,
                     d.name, key, v->version_id, decision.reason);
        if (v->version_id == primary) {
          ++r.removed;
          receipt_gone = true;
        }
      }
      if (receipt_gone && copy) {
        auto& rec = rit->second;
        rec.copies.erase(
            std::remove_if(rec.copies.begin(), rec.copies.end(),
                           [&](const OffsiteCopy& c) { return c.destination == d.name; }),
            rec.copies.end());
        if (auto err = write_offsite_receipts(m_config.state_dir, rec)) {
          r.warnings.push_back("receipt of " + key + " not removed: " + *err);
        }
      }
    }
  }
  if (r.foreign > 0) {
    spdlog::info(
        "[{}] off-site {}: {} version(s) under {} are not this installation's: left "
        "alone",
        m_target.name, d.name, r.foreign, prefix);
  }
  if (!m_ctx.dry_run) {
    state.pending_deletes = r.locked;
    if (auto err = save_destination_state(m_config.state_dir, state)) {
      r.warnings.push_back("off-site state of " + d.name + " not saved: " + *err);
    }
  }
  return r;
}

}  // namespace agent::offsite
