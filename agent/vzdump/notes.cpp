#include "agent/vzdump/notes.hpp"

namespace agent {
namespace {
constexpr std::string_view k_separator = " \xC2\xB7 ";  // " · "
}

const char* notes_text(VerifyState state) {
  switch (state) {
    case VerifyState::verified:
      return "verified";
    case VerifyState::failed:
      return "verify FAILED";
    case VerifyState::unverified:
      return "not verified";
  }
  return "not verified";
}

std::string first_line(std::string_view notes) {
  return std::string(notes.substr(0, notes.find('\n')));
}

std::string rest_lines(std::string_view notes) {
  const auto nl = notes.find('\n');
  return nl == std::string_view::npos ? std::string() : std::string(notes.substr(nl + 1));
}

std::optional<std::string> owner_run_id(std::string_view notes) {
  const std::string line = first_line(notes);
  const auto at = line.find(k_owner_tag);
  if (at == std::string::npos) return std::nullopt;
  const auto start = at + k_owner_tag.size();
  const auto end = line.find_first_of(" \t", start);
  return line.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string identity_line(std::string_view target, std::string_view run_id) {
  return std::string(target) + " " + std::string(k_owner_tag) + std::string(run_id);
}

std::string vzdump_notes_template(std::string_view target, std::string_view run_id,
                                  std::string_view operator_template) {
  std::string identity;
  for (char c : identity_line(target, run_id)) {
    if (c == '\\') identity += '\\';
    identity += c;
  }
  if (operator_template.empty()) return identity;
  return identity + "\\n" + std::string(operator_template);
}

std::string status_line(std::string_view target, std::string_view run_id,
                        std::string_view keep_rules, VerifyState verify_state, bool offsite) {
  std::string line = identity_line(target, run_id);
  line += k_separator;
  line += keep_rules.empty() ? std::string("remove pending") : "keep: " + std::string(keep_rules);
  line += k_separator;
  if (offsite) {
    line += "off-site";
    line += k_separator;
  }
  line += notes_text(verify_state);
  return line;
}

std::string with_first_line(std::string_view notes, std::string_view line) {
  const auto nl = notes.find('\n');
  if (nl == std::string_view::npos) return std::string(line);
  return std::string(line) + std::string(notes.substr(nl));
}

std::optional<VerifyState> verify_state_of(std::string_view notes) {
  const std::string line = first_line(notes);
  for (const auto state : {VerifyState::failed, VerifyState::unverified, VerifyState::verified}) {
    const std::string suffix = std::string(k_separator) + notes_text(state);
    if (line.size() >= suffix.size() &&
        line.compare(line.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return state;
    }
  }
  return std::nullopt;
}

}  // namespace agent
