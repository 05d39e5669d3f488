#pragma once

#include <optional>
#include <string>
#include <string_view>

// The notes of agent-made archives, as operators see them in the Proxmox web UI.
//
// First line (written by the agent, rewritten after every run and prune):
//   <target> smokerbak:<run-id> · keep: <rules> · verified
// e.g. "prod-cloud smokerbak:20251207T010002Z · keep: daily, weekly · verified". The state
// parts are "keep: <rules>" or "remove pending", and "verified", "verify FAILED" or "not
// verified". The following lines are the operator's notes template, expanded by Proxmox.
// An archive is agent-owned when its first line contains "smokerbak:".
namespace agent {

inline constexpr std::string_view k_owner_tag = "smokerbak:";

// The verify state the first line ends with.
enum class VerifyState { verified, failed, unverified };
// "verified", "verify FAILED", "not verified": the words in the notes.
const char* notes_text(VerifyState state);

// The run id from a first line "... smokerbak:<run-id> ..."; nullopt when not agent-owned.
std::optional<std::string> owner_run_id(std::string_view notes);

// The text of the first line and the rest (without the separating newline).
std::string first_line(std::string_view notes);
std::string rest_lines(std::string_view notes);

// "<target> smokerbak:<run-id>": what the archive is (the start of the first line).
std::string identity_line(std::string_view target, std::string_view run_id);

// The notes-template passed to vzdump: the identity line, a "\n" escape (Proxmox's only
// allowed newline in a template) and the operator's template. Backslashes in the identity
// are escaped so Proxmox does not reject them.
std::string vzdump_notes_template(std::string_view target, std::string_view run_id,
                                  std::string_view operator_template);

// The complete first line, e.g. "prod smokerbak:X · keep: daily, weekly · verified".
// `keep_rules` empty means "remove pending". `offsite`: the archive has a confirmed off-site
// copy (agent/tier/offsite_receipt.hpp), written as " · off-site" before the verify state.
std::string status_line(std::string_view target, std::string_view run_id,
                        std::string_view keep_rules, VerifyState verify_state,
                        bool offsite = false);

// Notes with the first line replaced and the operator's lines kept.
std::string with_first_line(std::string_view notes, std::string_view line);

// The verify state written in an existing first line; nullopt when none is written yet.
std::optional<VerifyState> verify_state_of(std::string_view notes);

}  // namespace agent
