#pragma once

#include <cstdint>
#include <string>

// One backup as `list` shows it: with its retention mark and validation verdict.
namespace agent {

enum class ListMark {
  keep,              // the next prune keeps it
  remove,            // the next prune removes it
  protected_backup,  // protected on the storage: never counted nor removed
  foreign,           // not made by the agent (and prune_foreign is off): left alone
};
// "keep", "remove", "protected", "foreign".
const char* to_string(ListMark mark);

enum class Validation { unknown, ok, failed };
// "", "ok", "failed" (`list --json` shows unknown as null).
const char* to_string(Validation validation);

struct BackupListing {
  std::string id;          // volid or backup directory name
  std::int64_t ctime = 0;  // epoch seconds (vzdump: from the name; mongo: run start)
  std::uint64_t bytes = 0;
  ListMark mark = ListMark::keep;
  std::string reason;  // e.g. "keep: daily 3/7"
  Validation validation = Validation::unknown;
  std::string run_id;  // smokerbak run id when the agent made it
};

}  // namespace agent
