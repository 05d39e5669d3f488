#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "agent/core/local_time.hpp"
#include "policies/retention_engine.hpp"

// `retention simulate --generate START,END,INTERVAL`: a synthetic backup history, so an
// operator can see what a policy keeps over a year before trusting it.
namespace agent {

// The most backups one --generate may produce.
inline constexpr std::int64_t k_max_generated_backups = 1'000'000;

// Text for --help: the accepted forms.
inline constexpr const char* k_generate_help =
    "START,END,INTERVAL: backups from START to END (inclusive), local times in --timezone.\n"
    "START/END: YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS ('T' or a space).\n"
    "INTERVAL: a positive number with unit s, m, h (elapsed time) or d, w (calendar days and\n"
    "weeks at the same wall-clock time across DST), e.g. 1d for nightly backups.\n"
    "Example: --generate 2025-01-01T01:00,2025-12-31T01:00,1d";

// Parses "YYYY-MM-DD[(T| )HH:MM[:SS]]".
tl::expected<policies::CivilTime, std::string> parse_local_datetime(std::string_view text);

// Builds the history; ids are the local times ("2025-01-01T01:00:00"), none protected.
tl::expected<std::vector<policies::BackupEntry>, std::string> generate_backups(
    std::string_view spec, const ZoneCalendar& zone);

}  // namespace agent
