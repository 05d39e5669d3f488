#include "agent/drill/drill_notes.hpp"

#include <cstdio>
#include <ctime>
#include <vector>

#include "agent/core/safe_text.hpp"
#include "agent/vzdump/notes.hpp"

namespace agent::drill {
namespace {

constexpr std::string_view k_sep = " · ";
constexpr std::string_view k_prefix = "restored OK ";

std::string duration_text(double s) {
  char buf[48];
  if (s < 120) {
    std::snprintf(buf, sizeof buf, "%.1f s", s);
  } else if (s < 7200) {
    std::snprintf(buf, sizeof buf, "%.0f min", s / 60);
  } else {
    const long m = static_cast<long>(s / 60 + 0.5);
    std::snprintf(buf, sizeof buf, "%ld h %ld min", m / 60, m % 60);
  }
  return buf;
}

}  // namespace

std::string restored_part(std::int64_t epoch, double rto_s) {
  const std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char date[16];
  std::strftime(date, sizeof date, "%Y-%m-%d", &tm);
  return std::string(k_prefix) + date + " in " + duration_text(rto_s);
}

std::optional<std::string> notes_with_restored(std::string_view notes, const std::string& part) {
  if (!verify_state_of(notes)) return std::nullopt;
  const std::string line = first_line(notes);
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const auto end = line.find(k_sep, start);
    parts.push_back(line.substr(start, end == std::string::npos ? end : end - start));
    if (end == std::string::npos) break;
    start = end + k_sep.size();
  }
  std::string out;
  for (const auto& p : parts) {
    if (p.rfind(k_prefix, 0) == 0) continue;
    out += (out.empty() ? "" : std::string(k_sep)) + p;
  }
  out += std::string(k_sep) + part;
  const std::string rest = rest_lines(notes);
  if (!rest.empty()) out += "\n" + rest;
  if (out.size() > k_drill_notes_max) return std::nullopt;
  return out;
}

std::optional<std::string> mark_restored(proxmox::Client& api, const std::string& node,
                                         const std::string& storage, const std::string& volid,
                                         const std::string& part) {
  const std::string shown = escape_control_chars(volid, Tabs::escape);
  auto info = api.read_volume(node, storage, volid);
  if (!info) {
    return "the notes of " + shown + " were not marked \"" + part +
           "\": cannot read them: " + escape_control_chars(info.error().message, Tabs::escape);
  }
  auto notes = notes_with_restored(info->notes, part);
  if (!notes) {
    return "the notes of " + shown + " were not marked \"" + part +
           "\": their first line is not the agent's, or the notes would exceed " +
           std::to_string(k_drill_notes_max) + " characters";
  }
  if (*notes == info->notes) return std::nullopt;
  proxmox::VolumeUpdate update;
  update.notes = *notes;
  if (auto ok = api.update_volume(node, storage, volid, update); !ok) {
    return "the notes of " + shown + " were not marked \"" + part +
           "\": " + escape_control_chars(ok.error().message, Tabs::escape);
  }
  return std::nullopt;
}

}  // namespace agent::drill
