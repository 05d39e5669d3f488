#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proxmox/client.hpp"

// After a successful vzdump drill, the drilled archive's notes say so: the part
// "restored OK <YYYY-MM-DD> in <duration>" at the end of the agent's first notes line (after
// the verify word, where other features' parts go: agent/vzdump/notes.hpp), so the Proxmox
// web UI's backup list shows it and the agent's later notes syncs keep it. A newer drill
// replaces the part; the operator's lines below are kept. Notes stay within
// k_drill_notes_max characters, Proxmox's notes limit.
namespace agent::drill {

inline constexpr std::size_t k_drill_notes_max = 1024;

// "restored OK 2026-12-03 in 3.5 s" (`epoch`: when the drill started, UTC; `rto_s` its RTO).
std::string restored_part(std::int64_t epoch, double rto_s);

// `notes` with the part added (an older "restored OK" part replaced); nullopt when the first
// line is not the agent's status line (no verify word) or the result would exceed the limit.
std::optional<std::string> notes_with_restored(std::string_view notes, const std::string& part);

// Reads the archive's notes and writes them with the part; a warning sentence when that was not
// possible, nullopt when done.
std::optional<std::string> mark_restored(proxmox::Client& api, const std::string& node,
                                         const std::string& storage, const std::string& volid,
                                         const std::string& part);

}  // namespace agent::drill
