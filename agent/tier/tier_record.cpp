#include "agent/tier/tier_record.hpp"

#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "agent/core/atomic_file.hpp"
#include "agent/core/safe_text.hpp"

namespace agent {

namespace {

nlohmann::json to_json(const TierRecord& r) {
  nlohmann::json j = {
      {"target", r.target},
      {"tier", to_string(r.tier)},
      {"last_run_id", r.last_run_id},
      {"last_run_at", r.last_run_at},
      {"last_run_duration_s", r.last_run_duration_s},
      {"last_run_state", r.last_run_state ? to_string(*r.last_run_state) : ""},
      {"last_run_summary", r.last_run_summary},
      {"last_error", r.last_error},
      {"last_error_kind",
       r.last_error_kind ? nlohmann::json(to_string(*r.last_error_kind)) : nlohmann::json(nullptr)},
      {"warnings", r.warnings},
      {"last_success_run_id", r.last_success_run_id},
      {"last_success_at", r.last_success_at},
      {"last_success_backup_id", r.last_success_backup_id},
      {"last_success_bytes", r.last_success_bytes},
      {"kept_per_rule", kept_per_rule_words(r.kept_per_rule)}};
  j["last_validation_ok"] =
      r.last_validation_ok ? nlohmann::json(*r.last_validation_ok) : nlohmann::json(nullptr);
  if (r.last_validation) j["last_validation"] = to_string(*r.last_validation);
  j["count"] = r.count ? nlohmann::json(*r.count) : nlohmann::json(nullptr);
  j["size_bytes"] = r.size_bytes ? nlohmann::json(*r.size_bytes) : nlohmann::json(nullptr);
  auto history = nlohmann::json::array();
  for (const auto& s : r.size_history) history.push_back({s.at, s.kept_bytes, s.backup_bytes});
  j["size_history"] = std::move(history);  // [[at, kept_bytes, backup_bytes], ...]
  return j;
}

template <typename T>
void get_if(const nlohmann::json& j, const char* key, T& out) {
  if (j.contains(key) && !j[key].is_null()) out = j[key].get<T>();
}

}  // namespace

std::map<std::string, std::uint64_t> kept_per_rule_words(
    const std::map<policies::Rule, std::uint64_t>& kept) {
  std::map<std::string, std::uint64_t> out;
  for (const auto& [rule, n] : kept) out[std::string(policies::to_string(rule))] = n;
  return out;
}

void apply_retention(TierRecord& record, const TierOutcome& prune) {
  if (prune.kept_count) record.count = prune.kept_count;
  if (prune.kept_bytes) record.size_bytes = prune.kept_bytes;
  if (!prune.kept_per_rule.empty()) record.kept_per_rule = prune.kept_per_rule;
}

void apply_outcome(TierRecord& record, const std::string& run_id, std::int64_t run_start,
                   double duration_s, const TierOutcome& backup,
                   const std::optional<TierOutcome>& prune) {
  record.last_run_id = run_id;
  record.last_run_at = run_start;
  record.last_run_duration_s = duration_s;
  TierState state = backup.state;
  record.warnings = backup.warnings;
  record.last_error.clear();
  record.last_error_kind.reset();
  if (backup.error) {
    record.last_error = backup.error->message;
    record.last_error_kind = backup.error->kind;
  }
  record.last_run_summary = backup.summary;
  if (prune) {
    record.warnings.insert(record.warnings.end(), prune->warnings.begin(), prune->warnings.end());
    if (prune->error) {
      state = TierState::failed;
      if (!record.last_error.empty()) record.last_error += "; ";
      record.last_error += prune->error->message;
      if (!record.last_error_kind) record.last_error_kind = prune->error->kind;
    }
    apply_retention(record, *prune);
  }
  if (state == TierState::ok && !record.warnings.empty()) state = TierState::warning;
  record.last_run_state = state;
  // Messages may quote the outside (mongodump's Failed: line, API and SSH errors): stored as
  // valid UTF-8, the bad bytes visible as \xNN.
  record.last_error = escape_invalid_utf8(record.last_error);
  record.last_run_summary = escape_invalid_utf8(record.last_run_summary);
  for (auto& w : record.warnings) w = escape_invalid_utf8(w);
  if (backup.validation != Validation::unknown) {
    record.last_validation = backup.validation;
    record.last_validation_ok = backup.validation_ok;  // nullopt while pending
  } else if (backup.validation_ok) {
    record.last_validation_ok = backup.validation_ok;
    record.last_validation.reset();
  }
  const bool made_backup = backup.state == TierState::ok || backup.state == TierState::warning;
  if (made_backup && !backup.backup_id.empty()) {
    record.last_success_run_id = run_id;
    record.last_success_at = run_start;
    record.last_success_backup_id = backup.backup_id;
    record.last_success_bytes = backup.backup_bytes;
  }
  if (prune && prune->kept_bytes && prune->state != TierState::skipped) {
    record.size_history.push_back(
        {run_start, *prune->kept_bytes, made_backup ? backup.backup_bytes : 0});
    if (record.size_history.size() > k_size_history_max) {
      record.size_history.erase(record.size_history.begin(),
                                record.size_history.end() - k_size_history_max);
    }
  }
}

Validation validation_of(const TierRecord& record) {
  if (record.last_validation) return *record.last_validation;
  if (record.last_validation_ok) {
    return *record.last_validation_ok ? Validation::ok : Validation::failed;
  }
  return Validation::unknown;
}

std::filesystem::path tier_record_path(const std::filesystem::path& state_dir,
                                       const std::string& target, TierName tier) {
  return state_dir / "tiers" / target / (std::string(to_string(tier)) + ".json");
}

TierRecord load_tier_record(const std::filesystem::path& state_dir, const std::string& target,
                            TierName tier) {
  TierRecord r;
  r.target = target;
  r.tier = tier;
  std::ifstream in(tier_record_path(state_dir, target, tier));
  if (!in) return r;
  try {
    const auto j = nlohmann::json::parse(in);
    get_if(j, "last_run_id", r.last_run_id);
    get_if(j, "last_run_at", r.last_run_at);
    get_if(j, "last_run_duration_s", r.last_run_duration_s);
    std::string state;
    get_if(j, "last_run_state", state);
    r.last_run_state = parse_tier_state(state);
    if (!state.empty() && !r.last_run_state) {
      spdlog::warn("{}: unknown last_run_state \"{}\"; the tier's last run shows as unknown",
                   tier_record_path(state_dir, target, tier).string(), state);
    }
    get_if(j, "last_run_summary", r.last_run_summary);
    get_if(j, "last_error", r.last_error);
    std::string kind;
    get_if(j, "last_error_kind", kind);
    r.last_error_kind = parse_error_kind(kind);
    get_if(j, "warnings", r.warnings);
    get_if(j, "last_success_run_id", r.last_success_run_id);
    get_if(j, "last_success_at", r.last_success_at);
    get_if(j, "last_success_backup_id", r.last_success_backup_id);
    get_if(j, "last_success_bytes", r.last_success_bytes);
    std::map<std::string, std::uint64_t> kept;
    get_if(j, "kept_per_rule", kept);
    for (const auto& [word, n] : kept) {
      // A word this version does not know (a newer agent's) is left out, not guessed.
      if (const auto rule = policies::parse_rule(word)) r.kept_per_rule[*rule] = n;
    }
    if (j.contains("last_validation_ok") && !j["last_validation_ok"].is_null())
      r.last_validation_ok = j["last_validation_ok"].get<bool>();
    if (j.contains("last_validation") && j["last_validation"].is_string()) {
      r.last_validation = parse_validation(j["last_validation"].get<std::string>());
    }
    if (j.contains("count") && !j["count"].is_null()) r.count = j["count"].get<std::uint64_t>();
    if (j.contains("size_bytes") && !j["size_bytes"].is_null())
      r.size_bytes = j["size_bytes"].get<std::uint64_t>();
    if (j.contains("size_history") && j["size_history"].is_array()) {
      for (const auto& s : j["size_history"]) {
        r.size_history.push_back({s.at(0).get<std::int64_t>(), s.at(1).get<std::uint64_t>(),
                                  s.at(2).get<std::uint64_t>()});
      }
    }
  } catch (const nlohmann::json::exception& e) {
    // A damaged record is replaced by the next run; status shows the tier as unknown.
    spdlog::warn("{}: unreadable ({}); the next run replaces it",
                 tier_record_path(state_dir, target, tier).string(), e.what());
    TierRecord fresh;
    fresh.target = target;
    fresh.tier = tier;
    return fresh;
  }
  return r;
}

std::optional<std::string> save_tier_record(const std::filesystem::path& state_dir,
                                            const TierRecord& record) {
  return write_file_atomically(tier_record_path(state_dir, record.target, record.tier),
                               to_json_text(record) + "\n", 0600);
}

std::string to_json_text(const TierRecord& record) {
  // apply_outcome stores remote text escaped; `replace` is the backstop for anything else.
  return to_json(record).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace agent
