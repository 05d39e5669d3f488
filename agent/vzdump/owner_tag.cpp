#include "agent/vzdump/owner_tag.hpp"

#include <algorithm>

#include "agent/core/installation_id.hpp"

namespace agent {
namespace {

constexpr std::string_view k_status_separator = " \xC2\xB7 ";  // " · ", notes.hpp

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// True when `rest` (what follows a tag on the first line) is empty or starts the status.
bool tag_ends_here(std::string_view rest) {
  return rest.empty() || rest.substr(0, k_status_separator.size()) == k_status_separator;
}

std::string_view first_line_of(std::string_view notes) { return notes.substr(0, notes.find('\n')); }

// The token of `line` from `start` up to the first of `stops` (or the end).
std::string_view token(std::string_view line, std::size_t start, std::string_view stops) {
  if (start > line.size()) return {};
  const auto end = line.find_first_of(stops, start);
  return line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

std::optional<OwnerTag> parse_current(std::string_view line) {
  // smokerbak:<install-id>:<target>:<run-id>
  std::size_t at = k_tag_prefix.size();
  const auto id = token(line, at, ":");
  if (!is_installation_id(id) || at + id.size() >= line.size()) return std::nullopt;
  at += id.size() + 1;
  const auto target = token(line, at, ":");
  if (!is_tag_target(target) || at + target.size() >= line.size()) return std::nullopt;
  at += target.size() + 1;
  const auto run_id = token(line, at, " ");
  if (!is_tag_run_id(run_id)) return std::nullopt;
  at += run_id.size();
  if (!tag_ends_here(line.substr(at))) return std::nullopt;
  return OwnerTag{std::string(id), std::string(target), std::string(run_id), false};
}

std::optional<OwnerTag> parse_legacy(std::string_view line) {
  // <target> smokerbak:<run-id>
  const auto target = token(line, 0, " ");
  if (!is_tag_target(target)) return std::nullopt;
  std::size_t at = target.size() + 1;
  if (line.size() < at || line.substr(at, k_tag_prefix.size()) != k_tag_prefix) {
    return std::nullopt;
  }
  at += k_tag_prefix.size();
  const auto run_id = token(line, at, " ");
  if (!is_tag_run_id(run_id)) return std::nullopt;
  at += run_id.size();
  if (!tag_ends_here(line.substr(at))) return std::nullopt;
  return OwnerTag{"", std::string(target), std::string(run_id), true};
}

}  // namespace

bool is_tag_target(std::string_view t) {
  return !t.empty() && t.size() <= 64 && is_alnum(t.front()) &&
         std::all_of(t.begin(), t.end(),
                     [](char c) { return is_alnum(c) || c == '.' || c == '_' || c == '-'; });
}

bool is_tag_run_id(std::string_view r) {
  return !r.empty() && r.size() <= 32 && std::all_of(r.begin(), r.end(), is_alnum);
}

std::optional<OwnerTag> parse_owner_tag(std::string_view notes) {
  const std::string_view line = first_line_of(notes);
  if (line.substr(0, k_tag_prefix.size()) == k_tag_prefix) return parse_current(line);
  return parse_legacy(line);
}

std::optional<std::string> owned_run_id(const Ownership& me, std::string_view notes) {
  auto tag = parse_owner_tag(notes);
  if (!tag || tag->target != me.target) return std::nullopt;
  if (!tag->legacy && tag->installation_id != me.installation_id) return std::nullopt;
  return std::move(tag->run_id);
}

std::string owner_tag_text(std::string_view installation_id, std::string_view target,
                           std::string_view run_id) {
  std::string out(k_tag_prefix);
  out += installation_id;
  out += ':';
  out += target;
  out += ':';
  out += run_id;
  return out;
}

}  // namespace agent
