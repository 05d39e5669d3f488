#include "agent/vzdump/notes.hpp"

namespace agent {
namespace {

constexpr std::string_view k_separator = " \xC2\xB7 ";  // " · "

constexpr VerifyState k_states[] = {VerifyState::verified,      VerifyState::failed,
                                    VerifyState::unverified,    VerifyState::pbs_verified,
                                    VerifyState::pbs_failed,    VerifyState::pbs_pending,
                                    VerifyState::not_verifiable};

}  // namespace

const char* notes_text(VerifyState state) {
  switch (state) {
    case VerifyState::verified:
      return "verified";
    case VerifyState::failed:
      return "verify FAILED";
    case VerifyState::unverified:
      return "not verified";
    case VerifyState::pbs_verified:
      return "verified by PBS";
    case VerifyState::pbs_failed:
      return "PBS verify FAILED";
    case VerifyState::pbs_pending:
      return "not yet verified by PBS";
    case VerifyState::not_verifiable:
      return "not verifiable here";
  }
  return "not verified";
}

std::optional<VerifyState> parse_verify_text(std::string_view part) {
  for (const auto state : k_states) {
    if (part == notes_text(state)) return state;
  }
  return std::nullopt;
}

bool is_failed(VerifyState state) {
  return state == VerifyState::failed || state == VerifyState::pbs_failed;
}

std::string first_line(std::string_view notes) {
  return std::string(notes.substr(0, notes.find('\n')));
}

std::string rest_lines(std::string_view notes) {
  const auto nl = notes.find('\n');
  return nl == std::string_view::npos ? std::string() : std::string(notes.substr(nl + 1));
}

std::string vzdump_notes_template(std::string_view tag, std::string_view operator_template) {
  if (operator_template.empty()) return std::string(tag);
  return std::string(tag) + "\\n" + std::string(operator_template);
}

std::size_t notes_template_prefix_chars(std::string_view tag) {
  return tag.size() + 2;  // the tag is ASCII (its grammar), then the two characters "\n"
}

std::string status_line(std::string_view tag, std::string_view keep_rules, VerifyState verify_state,
                        const std::vector<std::string>& more) {
  std::string line(tag);
  line += k_separator;
  line += keep_rules.empty() ? std::string("remove pending") : "keep: " + std::string(keep_rules);
  line += k_separator;
  line += notes_text(verify_state);
  for (const auto& part : more) {
    line += k_separator;
    line += part;
  }
  return line;
}

std::string with_first_line(std::string_view notes, std::string_view line) {
  const auto nl = notes.find('\n');
  if (nl == std::string_view::npos) return std::string(line);
  return std::string(line) + std::string(notes.substr(nl));
}

std::optional<VerifyState> verify_state_of(std::string_view notes) {
  std::string_view line = notes.substr(0, notes.find('\n'));
  // The first part is the tag; every later part is looked at on its own.
  auto at = line.find(k_separator);
  while (at != std::string_view::npos) {
    line.remove_prefix(at + k_separator.size());
    at = line.find(k_separator);
    if (auto state = parse_verify_text(line.substr(0, at))) return state;
  }
  return std::nullopt;
}

std::vector<std::string> parts_after_verify(std::string_view notes) {
  std::vector<std::string> parts;
  std::string_view line = notes.substr(0, notes.find('\n'));
  bool after = false;
  auto at = line.find(k_separator);
  while (at != std::string_view::npos) {
    line.remove_prefix(at + k_separator.size());
    at = line.find(k_separator);
    const std::string_view part = line.substr(0, at);
    if (after) parts.emplace_back(part);
    if (!after && parse_verify_text(part)) after = true;
  }
  return parts;
}

}  // namespace agent
