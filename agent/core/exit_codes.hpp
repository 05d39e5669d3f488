#pragma once

// Process exit codes of pve-smokerbak. Documented in `--help` (see k_help) and in
// docs/pve-smokerbak.1.md; scripts and systemd units rely on them, so never renumber.
namespace agent::exit_code {
inline constexpr int k_success = 0;
inline constexpr int k_failure = 1;   // a backup, validation or prune failed
inline constexpr int k_usage = 2;     // usage or configuration error
inline constexpr int k_warnings = 3;  // finished, but with warnings
inline constexpr int k_locked = 75;   // another run holds the lock (EX_TEMPFAIL)

inline constexpr const char* k_help =
    "Exit codes:\n"
    "  0   success\n"
    "  1   a backup, validation or prune failed\n"
    "  2   usage or configuration error\n"
    "  3   finished with warnings\n"
    "  75  another run holds the lock\n"
    "  (status --check uses Nagios codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)\n";
}  // namespace agent::exit_code
