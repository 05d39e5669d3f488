#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/vzdump/notes.hpp"
#include "agent/vzdump/retention_plan.hpp"
#include "proxmox/client.hpp"

// Keeps the first notes line of every archive the agent manages and owns in the form
// notes.hpp describes. Writes only notes whose first line changes (a legacy tag is rewritten
// in the current form, with this installation's id), keeps the operator's following lines
// (from the local backup record, else read from the volume) and the parts after the verify
// word (other features'), and reads the listing back once to confirm that the writes arrived.
// Archives the agent does not manage (foreign, renamed) are never touched.
namespace agent {

struct NotesSyncInput {
  std::string node;
  std::string storage;
  std::string target;
  std::int64_t vmid = 0;
  std::string installation_id;  // the tag's; "" = do not write (a dry run before the first run)
  std::filesystem::path state_dir;
  std::set<std::string> skip;                       // volids not to touch (being deleted)
  std::map<std::string, std::string> known_rest;    // volid -> operator lines already known
  std::map<std::string, VerifyState> verify_state;  // volid -> state decided in this run
};

struct PlannedNote {
  std::string volid;
  std::string line;  // the new first line
};

struct NotesSyncResult {
  int written = 0;
  std::vector<PlannedNote> planned;   // also in dry runs
  std::vector<std::string> warnings;  // failures, each a full sentence
  // The listing read back to confirm the writes (set only when notes were written and the
  // read-back succeeded): the storage's state right after this sync, which a prune that
  // follows at once may use instead of listing again.
  std::optional<std::vector<proxmox::BackupVolume>> listing_after;
};

NotesSyncResult sync_notes(proxmox::Client& client, const NotesSyncInput& input,
                           const std::vector<PlannedArchive>& plan, bool dry_run);

}  // namespace agent
