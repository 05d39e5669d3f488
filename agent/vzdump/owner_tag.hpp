#pragma once

#include <optional>
#include <string>
#include <string_view>

// The ownership tag at the very start of an agent-made archive's first notes line: which
// installation made it, for which target, in which run. The grammar (docs/vzdump-storages.md,
// "Which archives are the agent's"):
//
//   tag        = "smokerbak:" install-id ":" target ":" run-id
//   install-id = 12 * (0-9 | a-f)                  (agent/core/installation_id.hpp)
//   target     = (A-Z a-z 0-9) 0*63 (A-Z a-z 0-9 . _ -)   (a configured target name)
//   run-id     = 1*32 (A-Z a-z 0-9)                 (the run's UTC start, 20251207T010002Z)
//   first line = tag [ " · " status ]               (the status: notes.hpp)
//
// e.g. "smokerbak:3f9a0c2e71b4:prod-cloud:20251207T010002Z · keep: daily · verified". The tag
// is parsed strictly: it must open the first line, each part must match its rule exactly, and
// it must be followed by the end of the line or " · ". Anything else is foreign, whatever it
// contains ("not for smokerbak: keep", a tag of another installation or target, a tag in the
// second line).
//
// Earlier versions wrote "<target> smokerbak:<run-id>" (no installation id). Such a legacy
// tag is still the agent's when its target is this target and the rest parses as above; the
// next notes update rewrites it in the current form, with this installation's id.
namespace agent {

inline constexpr std::string_view k_tag_prefix = "smokerbak:";

struct OwnerTag {
  std::string installation_id;  // "" for a legacy tag
  std::string target;
  std::string run_id;
  bool legacy = false;
};

// Who "we" are: this installation (nullopt before its id was made: only legacy tags can then
// be ours) and the target whose archives are looked at.
struct Ownership {
  std::optional<std::string> installation_id;
  std::string target;
};

// The tag at the start of the first line of `notes`, current or legacy form; nullopt when the
// first line does not start with one that parses.
std::optional<OwnerTag> parse_owner_tag(std::string_view notes);

// The run id when `notes` carry a tag of `me` (current form with our installation id and
// target, or legacy form with our target); nullopt for everything else.
std::optional<std::string> owned_run_id(const Ownership& me, std::string_view notes);

// "smokerbak:<install-id>:<target>:<run-id>" (the parts must follow the grammar).
std::string owner_tag_text(std::string_view installation_id, std::string_view target,
                           std::string_view run_id);

// The parts' rules, for callers that make tags.
bool is_tag_target(std::string_view text);
bool is_tag_run_id(std::string_view text);

}  // namespace agent
