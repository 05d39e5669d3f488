#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "tests/pvesim/local_time.hpp"

namespace pvesim {

// A parsed `prune-backups` property string. Keys absent from the string are absent here.
// keep_all() is true for "keep-all=1" and for a policy with no positive count (PVE's
// normalisation, docs/retention.md section 1).
struct PruneOptions {
  std::map<std::string, std::int64_t> keep;  // "keep-last", "keep-daily", ... (not keep-all)
  bool keep_all_flag = false;
  bool keep_all() const;
  std::int64_t total() const;     // the sum of the keep-* counts ("max backup limit")
  std::string to_string() const;  // as vzdump logs it: "keep-daily=7, keep-last=3"
};

tl::expected<PruneOptions, std::string> parse_prune_options(const std::string& text);

struct PruneEntry {
  std::string volid;
  std::int64_t ctime = 0;
  bool is_protected = false;
  std::string mark;  // out: keep | remove | protected
};

// Marks one backup group (same type and vmid) exactly as PVE's prune_mark_backup_group does,
// with periods in the node's local time. This is an independent implementation of the
// reference (the simulator must not share code with the agent's engine it helps to test).
void mark_backup_group(std::vector<PruneEntry>& group, const PruneOptions& options,
                       const TimeZone& tz);

}  // namespace pvesim
