#include "agent/vzdump/notes_sync.hpp"

#include <spdlog/spdlog.h>

#include "agent/core/safe_text.hpp"
#include "agent/tier/offsite_receipt.hpp"
#include "agent/vzdump/backup_record.hpp"
#include "agent/vzdump/notes.hpp"

namespace agent {
namespace {

VerifyState verify_state_for(const NotesSyncInput& input, const PlannedArchive& a) {
  if (auto it = input.verify_state.find(a.volume.volid); it != input.verify_state.end()) {
    return it->second;
  }
  return a.verify;
}

// The parts after the verify state: the ones already written (other features' marks) with
// "off-site" first when the archive has a receipt (agent/tier/offsite_receipt.hpp), and
// dropped when it no longer has one.
std::vector<std::string> more_parts(const NotesSyncInput& input, const PlannedArchive& a) {
  static const std::string k_offsite = "off-site";
  std::vector<std::string> more = parts_after_verify(a.volume.notes);
  std::erase(more, k_offsite);
  if (has_offsite_copy(input.state_dir, input.target, TierName::vzdump, a.volume.volid)) {
    more.insert(more.begin(), k_offsite);
  }
  return more;
}

// Remote text in a sentence for people and the log.
std::string shown(std::string_view text) { return escape_control_chars(text, Tabs::escape); }

}  // namespace

NotesSyncResult sync_notes(proxmox::Client& client, const NotesSyncInput& input,
                           const std::vector<PlannedArchive>& plan, bool dry_run) {
  NotesSyncResult result;
  std::map<std::string, std::string> expected;  // volid -> first line written
  if (input.installation_id.empty()) return result;
  for (const auto& a : plan) {
    if (!a.managed || !a.run_id || input.skip.count(a.volume.volid)) continue;
    const std::string tag = owner_tag_text(input.installation_id, input.target, *a.run_id);
    const std::string line =
        status_line(tag, keep_text(a), verify_state_for(input, a), more_parts(input, a));
    if (first_line(a.volume.notes) == line) continue;
    result.planned.push_back({a.volume.volid, line});
    if (dry_run) continue;

    std::string rest;
    if (auto it = input.known_rest.find(a.volume.volid); it != input.known_rest.end()) {
      rest = it->second;
    } else if (auto record = read_backup_record(input.state_dir, input.target, a.volume.volid)) {
      rest = record->notes_rest;
    } else {
      auto info = client.read_volume(input.node, input.storage, a.volume.volid);
      if (!info) {
        result.warnings.push_back("could not read the notes of " + a.volume.volid + ": " +
                                  shown(info.error().message));
        continue;
      }
      rest = rest_lines(info->notes);
    }
    proxmox::VolumeUpdate update;
    update.notes = rest.empty() ? line : line + "\n" + rest;
    if (auto ok = client.update_volume(input.node, input.storage, a.volume.volid, update); !ok) {
      result.warnings.push_back("could not update the notes of " + a.volume.volid + ": " +
                                shown(ok.error().message));
      continue;
    }
    ++result.written;
    expected[a.volume.volid] = line;
  }
  if (expected.empty()) return result;

  // Read back: the listing carries each archive's first notes line, which is what we wrote.
  auto listing = client.list_backups(input.node, input.storage, input.vmid);
  if (!listing) {
    result.warnings.push_back("could not read the notes back to confirm them: " +
                              shown(listing.error().message));
    return result;
  }
  for (const auto& v : *listing) {
    auto it = expected.find(v.volid);
    if (it == expected.end()) continue;
    if (first_line(v.notes) != it->second) {
      result.warnings.push_back("the notes of " + v.volid + " read back as \"" +
                                shown(first_line(v.notes)) + "\", not \"" + it->second + "\"");
    }
    expected.erase(it);
  }
  for (const auto& [volid, line] : expected) {
    result.warnings.push_back("the notes of " + volid +
                              " could not be confirmed: the archive "
                              "is no longer listed");
  }
  spdlog::debug("notes: {} written and confirmed", result.written);
  result.listing_after = std::move(*listing);
  return result;
}

}  // namespace agent
