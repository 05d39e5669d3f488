#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "agent/drill/container_check.hpp"
#include "agent/drill/drill_context.hpp"
#include "proxmox/client.hpp"

// The vzdump drill through the Proxmox API: restore a verified archive of the target into the
// scratch container drill.vzdump.vmid (POST /nodes/{node}/lxc restore=1 with every network
// interface of the archived config passed again with link_down=1 and no hwaddr, never unique=1,
// onboot=0, protection=0, the drill's tag and description, pool= when configured), wait for the
// restore, check that every interface of the copy is down, start it, wait until it runs, stop
// it, wait until it runs, run drill.vzdump.check inside it through `pct exec` (container_check.hpp)
// when configured, stop it and destroy it (purge=1, destroy-unreferenced-disks=1) -- also after
// a failure. After a successful drill the archive's notes get a "restored OK" part
// (drill_notes.hpp).
//
// Safety: the scratch vmid is never the target's; a scratch vmid in use by a guest that is not
// this agent's drill copy of this target (tag k_drill_tag and the description's first line
// "pve-smokerbak restore drill of <target> ...") is refused and left alone; the agent's own
// leftovers (a killed drill) are stopped and destroyed before the next drill.
namespace agent::drill {

inline constexpr const char* k_drill_tag = "smokerbak-drill";

struct VzdumpDrillOptions {
  std::chrono::milliseconds first_poll{250};
  std::chrono::milliseconds max_poll{5000};
  // Between status polls while waiting for the copy to run.
  std::chrono::milliseconds boot_poll{1000};
  std::function<void(std::chrono::milliseconds)> sleep;  // default std::this_thread::sleep_for
  ContainerCheckOptions check;                           // drill.vzdump.check: between attempts
};

// The description's first line that marks a guest as this agent's drill copy of `target`.
std::string drill_guest_marker(const std::string& target);

// Runs the drill of `backup` (a volid; "" = the newest archive the agent verified, from its
// backup records, still listed by the storage). In a dry run, reads only (locate, listing,
// extractconfig, the scratch vmid) and returns the plan.
DrillOutcome run_vzdump_drill(const DrillContext& ctx, const TargetConfig& target,
                              proxmox::Client& api, const std::string& backup,
                              const VzdumpDrillOptions& options = {});

// Stops and destroys what a killed drill of `target` left on the scratch vmid (only a guest
// carrying this target's drill marker); one sentence per action or problem.
std::vector<std::string> clean_vzdump_leftovers(const TargetConfig& target, proxmox::Client& api,
                                                const VzdumpDrillOptions& options = {});

}  // namespace agent::drill
