#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

// What is known about a backup's soundness. pending and not_verifiable are vzdump's states of
// archives the agent cannot read itself: a Proxmox Backup Server snapshot that no verify job
// has checked yet, and an archive with no file on this host (another node's local storage, a
// backup provider). Neither is a failure.
enum class Validation { unknown, ok, failed, pending, not_verifiable };
// "", "ok", "failed", "pending", "not-verifiable-here" (`list --json` shows unknown as null).
const char* to_string(Validation validation);
std::optional<Validation> parse_validation(std::string_view text);

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
