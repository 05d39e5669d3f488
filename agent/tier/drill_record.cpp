#include "agent/tier/drill_record.hpp"

#include <algorithm>
#include <fstream>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "agent/core/atomic_file.hpp"

namespace agent {
namespace {

nlohmann::json to_json(const DrillRecord& r) {
  auto steps = nlohmann::json::array();
  for (const auto& s : r.steps) steps.push_back({{"name", s.name}, {"seconds", s.seconds}});
  return {{"id", r.id},
          {"target", r.target},
          {"tier", to_string(r.tier)},
          {"run_id", r.run_id},
          {"started_at", r.started_at},
          {"source", r.source},
          {"backup_id", r.backup_id},
          {"backup_at", r.backup_at},
          {"steps", std::move(steps)},
          {"rto_s", r.rto_s},
          {"bytes", r.bytes},
          {"result", r.ok ? "ok" : "failed"},
          {"error_kind",
           r.error_kind ? nlohmann::json(to_string(*r.error_kind)) : nlohmann::json(nullptr)},
          {"error", r.error},
          {"verified", r.verified},
          {"warnings", r.warnings}};
}

template <typename T>
void get_if(const nlohmann::json& j, const char* key, T& out) {
  if (j.contains(key) && !j[key].is_null()) out = j[key].get<T>();
}

DrillRecord from_json(const nlohmann::json& j, const std::string& target, TierName tier) {
  DrillRecord r;
  r.target = target;
  r.tier = tier;
  get_if(j, "id", r.id);
  get_if(j, "run_id", r.run_id);
  get_if(j, "started_at", r.started_at);
  get_if(j, "source", r.source);
  get_if(j, "backup_id", r.backup_id);
  get_if(j, "backup_at", r.backup_at);
  if (j.contains("steps") && j["steps"].is_array()) {
    for (const auto& s : j["steps"]) {
      r.steps.push_back({s.at("name").get<std::string>(), s.at("seconds").get<double>()});
    }
  }
  get_if(j, "rto_s", r.rto_s);
  get_if(j, "bytes", r.bytes);
  std::string result;
  get_if(j, "result", result);
  r.ok = result == "ok";
  std::string kind;
  get_if(j, "error_kind", kind);
  r.error_kind = parse_error_kind(kind);
  get_if(j, "error", r.error);
  get_if(j, "verified", r.verified);
  get_if(j, "warnings", r.warnings);
  return r;
}

std::filesystem::path active_path(const std::filesystem::path& state_dir, const std::string& target,
                                  TierName tier) {
  return state_dir / "drills" / target / (std::string(to_string(tier)) + ".active");
}

}  // namespace

std::optional<double> DrillRecord::step_seconds(const std::string& name) const {
  for (const auto& s : steps) {
    if (s.name == name) return s.seconds;
  }
  return std::nullopt;
}

std::filesystem::path drill_history_path(const std::filesystem::path& state_dir,
                                         const std::string& target, TierName tier) {
  return state_dir / "drills" / target / (std::string(to_string(tier)) + ".json");
}

std::vector<DrillRecord> load_drill_history(const std::filesystem::path& state_dir,
                                            const std::string& target, TierName tier) {
  std::vector<DrillRecord> out;
  const auto path = drill_history_path(state_dir, target, tier);
  std::ifstream in(path);
  if (!in) return out;
  try {
    const auto j = nlohmann::json::parse(in);
    const auto& drills = j.at("drills");
    if (!drills.is_array())
      throw nlohmann::json::type_error::create(302, "drills is not a list", &j);
    for (const auto& d : drills) {
      if (!d.is_object())
        throw nlohmann::json::type_error::create(302, "a drill is not an object", &j);
      out.push_back(from_json(d, target, tier));
    }
  } catch (const nlohmann::json::exception& e) {
    spdlog::warn("{}: unreadable ({}); the next drill starts a new history", path.string(),
                 e.what());
    out.clear();
  }
  return out;
}

std::optional<std::string> append_drill_record(const std::filesystem::path& state_dir,
                                               const DrillRecord& record) {
  auto history = load_drill_history(state_dir, record.target, record.tier);
  history.push_back(record);
  if (history.size() > k_drill_history_max) {
    history.erase(history.begin(), history.end() - k_drill_history_max);
  }
  auto drills = nlohmann::json::array();
  for (const auto& d : history) drills.push_back(to_json(d));
  const nlohmann::json j = {
      {"target", record.target}, {"tier", to_string(record.tier)}, {"drills", std::move(drills)}};
  return write_file_atomically(drill_history_path(state_dir, record.target, record.tier),
                               j.dump(2) + "\n", 0644);
}

std::optional<DrillRecord> last_drill(const std::vector<DrillRecord>& history) {
  if (history.empty()) return std::nullopt;
  return history.back();
}

std::optional<DrillRecord> last_successful_drill(const std::vector<DrillRecord>& history) {
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    if (it->ok) return *it;
  }
  return std::nullopt;
}

DrillSchedule drill_schedule(const std::vector<DrillRecord>& history, std::int64_t every_s) {
  DrillSchedule s;
  if (const auto last = last_drill(history)) {
    s.due_at = last->started_at + (last->ok ? every_s : std::min(every_s, k_drill_retry_s));
    if (!last->ok) {
      // Overdue counts from the last success (a failing drill is critical anyway).
      const auto good = last_successful_drill(history);
      s.overdue_at =
          (good ? good->started_at + every_s : last->started_at) + k_drill_overdue_grace_s;
      return s;
    }
  }
  s.overdue_at = s.due_at + k_drill_overdue_grace_s;
  return s;
}

std::string to_json_text(const DrillRecord& record) { return to_json(record).dump(2); }

std::optional<std::string> write_active_drill(const std::filesystem::path& state_dir,
                                              const std::string& target, TierName tier,
                                              const ActiveDrill& active) {
  const nlohmann::json j = {{"id", active.id},
                            {"pid", active.pid},
                            {"started_at", active.started_at},
                            {"scratch", active.scratch}};
  return write_file_atomically(active_path(state_dir, target, tier), j.dump() + "\n", 0600);
}

std::optional<ActiveDrill> read_active_drill(const std::filesystem::path& state_dir,
                                             const std::string& target, TierName tier) {
  std::ifstream in(active_path(state_dir, target, tier));
  if (!in) return std::nullopt;
  ActiveDrill a;
  try {
    const auto j = nlohmann::json::parse(in);
    get_if(j, "id", a.id);
    get_if(j, "pid", a.pid);
    get_if(j, "started_at", a.started_at);
    get_if(j, "scratch", a.scratch);
  } catch (const nlohmann::json::exception&) {
    a.scratch = "(unreadable marker)";
  }
  return a;
}

void clear_active_drill(const std::filesystem::path& state_dir, const std::string& target,
                        TierName tier) {
  std::error_code ec;
  std::filesystem::remove(active_path(state_dir, target, tier), ec);
}

}  // namespace agent
