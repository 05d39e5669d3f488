#!/bin/sh
# Stand-in `pct` for tests of the vzdump drill's check: `pct exec VMID -- CMD...` appends
# "VMID CMD..." to <dir>/pct.calls and runs CMD here; its exit status is CMD's, or 1 while
# <dir>/pct-fail-<VMID> holds a number above 0 (decremented per call: "not up yet").
dir=${FAKE_MONGO_DIR:-$(dirname "$(readlink -f "$0")")/fake-mongo.d}
[ "$1" = exec ] || { echo "pct: only 'exec' in this stand-in" >&2; exit 255; }
vmid=$2
shift 2
[ "$1" = -- ] && shift
printf '%s %s\n' "$vmid" "$*" >>"$dir/pct.calls"
fail="$dir/pct-fail-$vmid"
if [ -f "$fail" ] && [ "$(cat "$fail")" -gt 0 ]; then
  echo $(($(cat "$fail") - 1)) >"$fail"
  echo "container $vmid not ready" >&2
  exit 1
fi
exec "$@"
