#include "agent/offsite/destination_state.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "agent/core/atomic_file.hpp"

namespace agent::offsite {
namespace {

template <typename T>
void get_if(const nlohmann::json& j, const char* key, T& out) {
  if (j.contains(key) && !j[key].is_null()) out = j[key].get<T>();
}

}  // namespace

std::filesystem::path destination_state_path(const std::filesystem::path& state_dir,
                                             const std::string& name) {
  return state_dir / "offsite" / "destinations" / (name + ".json");
}

DestinationState load_destination_state(const std::filesystem::path& state_dir,
                                        const std::string& name) {
  DestinationState s;
  s.name = name;
  std::ifstream in(destination_state_path(state_dir, name));
  if (!in) return s;
  std::stringstream text;
  text << in.rdbuf();
  try {
    const auto j = nlohmann::json::parse(text.str());
    get_if(j, "last_run_at", s.last_run_at);
    get_if(j, "last_success_at", s.last_success_at);
    get_if(j, "last_error", s.last_error);
    get_if(j, "last_error_kind", s.last_error_kind);
    get_if(j, "last_upload_seconds", s.last_upload_seconds);
    get_if(j, "last_uploaded_bytes", s.last_uploaded_bytes);
    get_if(j, "pending_deletes", s.pending_deletes);
    get_if(j, "last_verified_at", s.last_verified_at);
    if (j.contains("last_verify_ok") && j["last_verify_ok"].is_boolean()) {
      s.last_verify_ok = j["last_verify_ok"].get<bool>();
    }
    get_if(j, "last_verify_problem", s.last_verify_problem);
    get_if(j, "last_verified_count", s.last_verified_count);
  } catch (const std::exception&) {
    // A damaged file is replaced by the next run.
  }
  return s;
}

std::optional<std::string> save_destination_state(const std::filesystem::path& state_dir,
                                                  const DestinationState& s) {
  nlohmann::json j = {
      {"name", s.name},
      {"last_run_at", s.last_run_at},
      {"last_success_at", s.last_success_at},
      {"last_error", s.last_error},
      {"last_error_kind", s.last_error_kind},
      {"last_upload_seconds", s.last_upload_seconds},
      {"last_uploaded_bytes", s.last_uploaded_bytes},
      {"pending_deletes", s.pending_deletes},
      {"last_verified_at", s.last_verified_at},
      {"last_verify_ok", s.last_verify_ok ? nlohmann::json(*s.last_verify_ok) : nlohmann::json()},
      {"last_verify_problem", s.last_verify_problem},
      {"last_verified_count", s.last_verified_count}};
  return write_file_atomically(destination_state_path(state_dir, s.name), j.dump(2) + "\n");
}

}  // namespace agent::offsite
