// libFuzzer target: the vzdump notes (agent/vzdump/owner_tag, notes) and the deletion rule
// (retention_plan deletion_candidate), all fed remote text. Invariants:
//  - parse_owner_tag accepts only a first line that starts with a tag of the grammar, and the
//    tag it returns prints back as that prefix (owner_tag_text), followed by the end of the
//    line or " · "; owned_run_id is ours only when installation (or legacy form) and target
//    match;
//  - the agent's own status line for any parsed tag round-trips: the tag and the verify state
//    read back; rewriting the first line keeps the operator's lines byte for byte;
//  - deletion_candidate allows only Proxmox's standard name of CT 106 on storage "local"
//    (vzdump-lxc-106-YYYY_MM_DD-HH_MM_SS.tar[.gz|.zst|.lzo]) or a PBS snapshot ct/106/<time>;
//  - nothing throws or reads out of bounds.
#include <regex>
#include <string>

#include "agent/core/installation_id.hpp"
#include "agent/vzdump/notes.hpp"
#include "agent/vzdump/owner_tag.hpp"
#include "agent/vzdump/retention_plan.hpp"
#include "tests/fuzz/fuzz_util.hpp"

namespace {

constexpr std::string_view k_sep = " \xC2\xB7 ";

void check_tag(std::string_view notes) {
  const auto tag = agent::parse_owner_tag(notes);
  const std::string line = agent::first_line(notes);
  if (!tag) return;
  const std::string printed =
      tag->legacy ? tag->target + " smokerbak:" + tag->run_id
                  : agent::owner_tag_text(tag->installation_id, tag->target, tag->run_id);
  fuzz::check(line.compare(0, printed.size(), printed) == 0, "tag is not the line's prefix");
  const std::string_view rest = std::string_view(line).substr(printed.size());
  fuzz::check(rest.empty() || rest.substr(0, k_sep.size()) == k_sep, "tag not ended");
  fuzz::check(agent::is_tag_target(tag->target) && agent::is_tag_run_id(tag->run_id),
              "parts outside the grammar");
  if (!tag->legacy) {
    fuzz::check(agent::is_installation_id(tag->installation_id), "bad installation id");
  }
  const agent::Ownership me{tag->legacy ? std::string("000000000000") : tag->installation_id,
                            tag->target};
  fuzz::check(agent::owned_run_id(me, notes) == tag->run_id, "own tag not ours");
  const agent::Ownership other{std::string("ffffffffffff"), tag->target + "x"};
  fuzz::check(!agent::owned_run_id(other, notes), "another target's tag taken as ours");

  // The agent rewrites the first line: the tag and the verify state read back, the rest stays.
  if (tag->legacy) return;
  for (const auto state : {agent::VerifyState::verified, agent::VerifyState::pbs_pending,
                           agent::VerifyState::not_verifiable, agent::VerifyState::pbs_failed}) {
    const std::string mine =
        agent::status_line(printed, "daily", state, agent::parts_after_verify(notes));
    const std::string rewritten = agent::with_first_line(notes, mine);
    fuzz::check(agent::rest_lines(rewritten) == agent::rest_lines(notes), "operator lines lost");
    fuzz::check(agent::owned_run_id(me, rewritten) == tag->run_id, "rewritten tag lost");
    fuzz::check(agent::verify_state_of(rewritten) == state, "verify state not read back");
  }
}

void check_candidate(std::string_view text) {
  proxmox::BackupVolume v;
  v.volid = std::string(text.substr(0, text.find('\n')));
  v.vmid = 106;
  v.subtype = "lxc";
  if (agent::deletion_candidate(v, "local", 106)) return;  // refused: always safe
  static const std::regex allowed(
      R"(local:backup/(vzdump-lxc-106-\d{4}_\d{2}_\d{2}-\d{2}_\d{2}_\d{2}\.tar(\.(gz|zst|lzo))?)"
      R"(|ct/106/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z))");
  fuzz::check(std::regex_match(v.volid, allowed), "a non-standard name may be deleted");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_tag(text);
  (void)agent::verify_state_of(text);
  (void)agent::parts_after_verify(text);
  check_candidate(text);
  return 0;
}
