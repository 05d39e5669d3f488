#!/usr/bin/env python3
"""bench/run-all.sh's table and JSON from its raw measurements.

Input lines (tab-separated): round figure contender seconds peak_rss_kib load bytes [cpu], cpu
being the user + system seconds of the measured process (all its threads). Under load the CPU
seconds vary much less than the wall time.
Ratios are the reference's time over ours (above 1: ours is faster), taken per round (both
measured side by side in that round) and then the median of the rounds, so one noisy round does
not decide. dump-e2e's reference is, per round, the slower of dump-transfer's OpenSSH and
validation's ours (its target: at most 1.25x that).
"""
import argparse
import json
import statistics
import sys
from collections import defaultdict

REFERENCE = {
    "dump-transfer": "openssh",
    "validation": "igzip-t",
    "vzdump-verify": "zstd-t",
}
GOALS = {  # figure -> (text, check of the median ratio)
    "dump-transfer": (">= 0.80x openssh (aim 0.95x)", lambda r: r >= 0.8),
    "validation": (">= 0.90x igzip -t", lambda r: r >= 0.9),
    "vzdump-verify": (">= 0.90x zstd -t", lambda r: r >= 0.9),
    "dump-e2e": ("<= 1.25x the slower reference", lambda r: 1 / r <= 1.25),
    "retention-100k": ("< 100 ms", None),
}
ORDER = ["dump-transfer", "dump-e2e", "validation", "vzdump-verify", "retention-100k",
         "retention-1M", "status-10k", "list-10k", "vzdump-requests"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("raw")
    ap.add_argument("out")
    ap.add_argument("--backups", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--smoke", default="0")
    ap.add_argument("--dump-bytes", type=int, default=0)
    ap.add_argument("--archive-bytes", type=int, default=0)
    a = ap.parse_args()

    rows = defaultdict(dict)  # (figure, contender) -> round -> (seconds, rss, load, bytes)
    loads = {}
    for line in open(a.raw):
        fields = line.rstrip("\n").split("\t")
        r, fig, who, secs, rss, load, nbytes = fields[:7]
        cpu = float(fields[7]) if len(fields) > 7 and fields[7] else None
        if fig == "load":
            loads[int(r)] = float(load)
            continue
        rows[(fig, who)][int(r)] = (float(secs), int(rss or 0), float(load), int(nbytes), cpu)
    # dump-e2e's reference, per round.
    for rnd in rows.get(("dump-e2e", "ours"), {}):
        t = rows.get(("dump-transfer", "openssh"), {}).get(rnd)
        v = rows.get(("validation", "ours"), {}).get(rnd)
        if t and v:
            rows[("dump-e2e", "slower-ref")][rnd] = (max(t[0], v[0]), 0, t[2], 0, None)

    figures = []
    for fig in ORDER + sorted({f for f, _ in rows} - set(ORDER)):
        ref = "slower-ref" if fig == "dump-e2e" else REFERENCE.get(fig)
        for (f, who), per_round in sorted(rows.items(), key=lambda kv: (kv[0][1] != "ours", kv[0][1])):
            if f != fig:
                continue
            secs = [v[0] for v in per_round.values()]
            entry = {"figure": fig, "contender": who, "rounds": len(secs),
                     "median": statistics.median(secs), "min": min(secs), "max": max(secs),
                     "peak_rss_kib": max(v[1] for v in per_round.values()),
                     "load_at_round_start": [per_round[k][2] for k in sorted(per_round)]}
            cpus = [v[4] for v in per_round.values() if v[4] is not None]
            if cpus:
                entry["cpu_median"] = statistics.median(cpus)
            nbytes = max(v[3] for v in per_round.values())
            if nbytes and fig != "vzdump-requests":
                entry["bytes"] = nbytes
                entry["mb_per_s"] = nbytes / entry["median"] / 1e6
            if fig == "vzdump-requests":
                entry["unit"] = "requests"
            if ref and who != ref and (fig, ref) in rows:
                ratios = [rows[(fig, ref)][k][0] / v[0] for k, v in per_round.items()
                          if k in rows[(fig, ref)] and v[0] > 0]
                if ratios:
                    entry["reference"] = ref
                    entry["ratio_per_round"] = ratios
                    entry["ratio"] = statistics.median(ratios)
                    goal = GOALS.get(fig)
                    if goal and who == "ours":
                        entry["goal"] = goal[0]
                        entry["goal_met"] = bool(goal[1](entry["ratio"]))
            elif who == "ours" and fig in GOALS and GOALS[fig][1] is None:
                entry["goal"] = GOALS[fig][0]
            figures.append(entry)

    print()
    hdr = f"{'figure':<16} {'contender':<15} {'median':>9} {'min':>9} {'max':>9} {'MB/s':>7} " \
          f"{'ratio':>7} {'per round':<18} {'cpu s':>7} {'peak RSS':>9}  goal"
    print(hdr)
    print("-" * len(hdr))
    for e in figures:
        unit = "" if e.get("unit") == "requests" else "s"
        fmt = (lambda x: f"{x:.0f}") if unit == "" else (lambda x: f"{x:.3f}{unit}")
        ratio = f"{e['ratio']:.2f}x" if "ratio" in e else "-"
        per = "/".join(f"{r:.2f}" for r in e.get("ratio_per_round", [])) or "-"
        rss = f"{e['peak_rss_kib'] / 1024:.1f}M" if e["peak_rss_kib"] else "-"
        mbs = f"{e['mb_per_s']:.0f}" if "mb_per_s" in e else "-"
        goal = e.get("goal", "")
        if "goal_met" in e:
            goal += " MET" if e["goal_met"] else " NOT MET"
        cpu = f"{e['cpu_median']:.2f}" if "cpu_median" in e else "-"
        print(f"{e['figure']:<16} {e['contender']:<15} {fmt(e['median']):>9} {fmt(e['min']):>9} "
              f"{fmt(e['max']):>9} {mbs:>7} {ratio:>7} {per:<18} {cpu:>7} {rss:>9}  {goal}")
    print("ratio: reference time / ours, median of the per-round ratios (above 1: ours faster);"
          " MB/s of the uncompressed bytes for validation and verify, of the file otherwise;"
          " cpu s: median user+system seconds of the measured process")
    print("load average at each round's start: "
          + ", ".join(f"{loads[k]:.2f}" for k in sorted(loads)))
    print("offsite-upload: not measured here (run-all.sh does not start the S3 test server;"
          " bench/offsite/run.sh measures the encrypted upload vs curl -T)")
    doc = {"smoke": a.smoke == "1", "rounds": a.rounds, "backups_per_tier": a.backups,
           "dump_bytes": a.dump_bytes, "archive_bytes": a.archive_bytes,
           "load_at_round_start": [loads[k] for k in sorted(loads)], "figures": figures}
    with open(a.out, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
