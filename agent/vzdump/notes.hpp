#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/vzdump/owner_tag.hpp"

// The notes of agent-made archives, as operators see them in the Proxmox web UI.
//
// First line (written by the agent, rewritten after every run and prune): the ownership tag
// (owner_tag.hpp), then status parts separated by " · ":
//   smokerbak:<install-id>:<target>:<run-id> · keep: <rules> · <verify state>[ · <more>]
// e.g. "smokerbak:3f9a0c2e71b4:prod-cloud:20251207T010002Z · keep: daily, weekly · verified".
// The keep part is "keep: <rules>" or "remove pending"; the verify part is one of the words
// of notes_text() below. Parts after it are for other features (e.g. an off-site copy);
// readers find each part by its words, never by its position from the end. The following
// lines are the operator's notes template, expanded by Proxmox.
namespace agent {

// What is known about an archive's soundness, and the words the notes use for it.
enum class VerifyState {
  verified,        // "verified": read completely on this host (decompressed, tar walked)
  failed,          // "verify FAILED": read on this host and found damaged
  unverified,      // "not verified": not read yet (no local record, e.g. a killed run's)
  pbs_verified,    // "verified by PBS": the Proxmox Backup Server's last verify job passed
  pbs_failed,      // "PBS verify FAILED": its last verify job failed
  pbs_pending,     // "not yet verified by PBS": no verify job has checked it yet
  not_verifiable,  // "not verifiable here": no file this host can read (another node's local
                   // storage, a backup provider): never a failure
};
const char* notes_text(VerifyState state);
// The verify word among the status parts of a first line; nullopt when there is none.
std::optional<VerifyState> parse_verify_text(std::string_view part);
// True for the two failed states (they take no retention slot; retention_plan.hpp).
bool is_failed(VerifyState state);

// The text of the first line and the rest (without the separating newline).
std::string first_line(std::string_view notes);
std::string rest_lines(std::string_view notes);

// The notes-template passed to vzdump: the tag, a "\n" escape (Proxmox's only allowed newline
// in a template) and the operator's template. The tag holds no backslash (its grammar), so it
// needs no escaping.
std::string vzdump_notes_template(std::string_view tag, std::string_view operator_template);
// How many characters vzdump_notes_template puts before the operator's template (for
// upstream's 1024-character limit and the columns of its complaints).
std::size_t notes_template_prefix_chars(std::string_view tag);

// The complete first line, e.g. "smokerbak:...:R · keep: daily, weekly · verified".
// `keep_rules` empty means "remove pending"; `more` are further parts, in order (e.g.
// "off-site": the archive has a confirmed off-site copy, agent/tier/offsite_receipt.hpp).
std::string status_line(std::string_view tag, std::string_view keep_rules, VerifyState verify_state,
                        const std::vector<std::string>& more = {});

// Notes with the first line replaced and the operator's lines kept.
std::string with_first_line(std::string_view notes, std::string_view line);

// The verify state written in an existing first line; nullopt when none is written yet.
std::optional<VerifyState> verify_state_of(std::string_view notes);

// The parts of an existing first line after its verify part (other features' words, kept
// when the agent rewrites the line); empty when there is no verify part.
std::vector<std::string> parts_after_verify(std::string_view notes);

}  // namespace agent
