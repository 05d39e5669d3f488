#!/usr/bin/env python3
"""Checks every night recorded by simulated_nights.sh in one process.

The truth is the script's schedule (schedule.tsv: night, epoch, fault kind; the script checks
each run's exit code itself) plus the retention engine's marks (`pve-smokerbak retention
simulate`), applied night by night exactly as the agent prunes: a tier prunes only on a night
its backup succeeded, a failed tier takes no slot and deletes nothing. From that the model
derives, for each day, what must be on disk and what `status --json`, `status --check` and the
metrics file must say an hour after the run. Every mismatch is reported (night, what, have,
want); exit 1 if there is any.

The model depends on the schedule only, so `--predict` computes it while the nights run (it is
hundreds of engine calls) and writes it to --model; the check then reads it."""
import argparse
import copy
import json
import os
import pickle
import re
import subprocess
import sys
import threading
import time

# Fault kind -> outcome of (vzdump, mongo): ok; failed (no backup made; the next run may well
# succeed: error kind refused or unreachable, status says warning); denied (no backup made,
# credentials refused: error kind access, status says critical); bad (a backup was made but
# failed verification: kind invalid, a failed validation, critical).
EFFECTS = {
    "none": ("ok", "ok"),
    "vz_job_errors": ("failed", "ok"),
    "api_down": ("failed", "ok"),
    "vz_truncated": ("bad", "ok"),
    "mongo_auth": ("ok", "denied"),
    "mongo_midway": ("ok", "failed"),
    "mongo_truncate": ("ok", "bad"),
    "both_fail": ("failed", "denied"),
}
NEEDS_OPERATOR = {"denied", "bad"}  # error kinds access and invalid
# Fault kind -> the error kind status --json reports for (vzdump, mongo) when that tier failed.
ERROR_KINDS = {
    "vz_job_errors": ("refused", None),
    "api_down": ("unreachable", None),
    "vz_truncated": ("invalid", None),
    "mongo_auth": (None, "access"),
    "mongo_midway": (None, "refused"),
    "mongo_truncate": (None, "invalid"),
    "both_fail": ("refused", "access"),
}
STATUS_DELAY_S = 3600  # the script runs status an hour after each night's run
WARN_AFTER_S, CRITICAL_AFTER_S = 26 * 3600, 50 * 3600  # nightly schedule (issue 5)
RANK = {"ok": 0, "warning": 1, "unknown": 2, "critical": 3}
NAGIOS = {"ok": 0, "warning": 1, "critical": 2, "unknown": 3}


def utc(t, fmt):
    return time.strftime(fmt, time.gmtime(t))


def vz_name(t):
    return "vzdump-lxc-106-" + utc(t, "%Y_%m_%d-%H_%M_%S") + ".tar.zst"


def run_id(t):
    return utc(t, "%Y%m%dT%H%M%SZ")


def rfc3339(t):
    return utc(t, "%Y-%m-%dT%H:%M:%SZ")


def worst(states):
    return max(states, key=lambda s: RANK[s])


class Engine:
    """The retention engine through the product's own CLI (policies::mark_backups)."""

    def __init__(self, binary, policy):
        self.binary, self.policy, self.calls = binary, policy, 0
        self.cache = {}  # sorted ctimes -> {ctime: rules}: both tiers often hold the same set

    def keep(self, backups):
        """backups: {id: ctime} (distinct ctimes) -> {id: [rules]} of the kept ones."""
        key = tuple(sorted(backups.values()))
        if key not in self.cache:
            self.calls += 1
            data = json.dumps([{"id": str(c), "ctime": c} for c in key])
            out = subprocess.run(
                [self.binary, "retention", "simulate", "--policy", self.policy, "--timezone",
                 "UTC", "--input", "-", "--json"], input=data, capture_output=True, text=True,
                check=True)
            self.cache[key] = {d["ctime"]: d["rules"] for d in json.loads(out.stdout)
                               if d["mark"] == "keep"}
        kept = self.cache[key]
        return {i: kept[c] for i, c in backups.items() if c in kept}


class TierModel:
    """What one tier must look like after each night."""

    def __init__(self, tier, engine):
        self.tier, self.engine = tier, engine
        self.survivors = {}  # backup name -> ctime
        self.rules = {}  # backup name -> keep rules from the last prune
        self.failed = []  # failed attempts on disk, oldest first
        self.count = None  # kept backups reported by the last prune
        self.last_success = self.last_run = None
        self.last_run_failed = False
        self.last_run_needs_operator = False
        self.last_error_kind = None
        self.validation = None

    def snapshot(self):
        """A copy of the state after a night (the engine is shared, not copied)."""
        s = copy.copy(self)
        s.engine = None
        s.survivors, s.rules, s.failed = dict(self.survivors), dict(self.rules), list(self.failed)
        return s

    def name(self, t):
        return vz_name(t) if self.tier == "vzdump" else "backup-" + utc(t, "%Y%m%d-%H%M%S")

    def night(self, t, outcome, error_kind=None):
        self.last_run = t
        self.last_error_kind = error_kind if outcome != "ok" else None
        self.last_run_failed = outcome != "ok"
        self.last_run_needs_operator = outcome in NEEDS_OPERATOR
        if outcome == "ok":
            self.survivors[self.name(t)] = t
            self.rules = self.engine.keep(self.survivors)
            self.survivors = {n: c for n, c in self.survivors.items() if n in self.rules}
            if self.tier == "vzdump":  # the prune removes all but the newest failed archive
                self.failed = self.failed[-1:]
            # The kept failed archive takes no retention slot but is counted as kept.
            self.count = len(self.survivors) + (len(self.failed) if self.tier == "vzdump" else 0)
            self.last_success = t
            self.validation = True
            return
        if outcome == "bad":
            self.validation = False
        if self.tier == "vzdump":
            if outcome == "bad":  # the archive stays as evidence; no prune after a failure
                self.failed.append(vz_name(t))
        else:  # the newest failed attempt replaces the older one
            self.failed = ["failed-" + utc(t, "%Y%m%d-%H%M%S")]

    def health(self, now, api_down):
        if self.tier == "vzdump" and api_down:
            return "unknown"
        states = ["ok"]
        if self.last_success is None:
            states.append("critical")
        else:
            age = now - self.last_success
            states.append("critical" if age > CRITICAL_AFTER_S else
                          "warning" if age > WARN_AFTER_S else "ok")
        if self.last_run_failed:
            states.append("critical" if self.last_run_needs_operator else "warning")
        if self.validation is False:
            states.append("critical")
        return worst(states)

    def on_disk(self):
        return set(self.survivors) | set(self.failed)


def read_metrics(path):
    values = {}
    if not os.path.exists(path):
        return values
    for line in open(path):
        m = re.match(r'^(\w+)\{target="prod-cloud",tier="(\w+)"\} (\S+)$', line)
        if m:
            values[(m.group(1), m.group(2))] = float(m.group(3))
        m = re.match(r'^(pve_smokerbak_last_run_error)\{target="prod-cloud",tier="(\w+)",'
                     r'kind="(\w+)"\} 1$', line)
        if m:
            values[(m.group(1), m.group(2))] = m.group(3)
    return values


class Checker:
    def __init__(self):
        self.problems = []

    def eq(self, night, what, have, want):
        if have != want:
            self.problems.append(f"night {night}: {what}: have {have!r}, want {want!r}")

    def true(self, night, what, cond, detail=""):
        if not cond:
            self.problems.append(f"night {night}: {what} {detail}".rstrip())


def check_tier_status(c, night, x, model, now, api_down):
    tier = model.tier
    c.eq(night, f"{tier} state", x["state"], model.health(now, api_down))
    if tier == "vzdump" and api_down:
        c.true(night, "vzdump reasons name the unreachable API:",
               any("Proxmox API unreachable" in r for r in x["reasons"]), repr(x["reasons"]))
    ls = model.last_success
    c.eq(night, f"{tier} last_success", x["last_success"], rfc3339(ls) if ls else None)
    c.eq(night, f"{tier} last_success_age_s", x["last_success_age_s"], now - ls if ls else None)
    if ls:
        backup = model.name(ls)
        c.eq(night, f"{tier} last_success_backup", x["last_success_backup"],
             "local:backup/" + backup if tier == "vzdump" else backup)
    c.eq(night, f"{tier} count", x["count"], model.count)
    c.eq(night, f"{tier} last_error set", x["last_error"] is not None, model.last_run_failed)
    c.eq(night, f"{tier} last_run.run_id", x["last_run"]["run_id"], run_id(model.last_run))
    c.eq(night, f"{tier} last_error_kind", x["last_error_kind"], model.last_error_kind)
    c.eq(night, f"{tier} last_run.state failed", x["last_run"]["state"] == "failed",
         model.last_run_failed)
    want_validation = {None: None, True: "ok", False: "failed"}[model.validation]
    c.eq(night, f"{tier} validation", x["validation"], want_validation)
    c.eq(night, f"{tier} thresholds", x["thresholds"],
         {"warn_after_s": WARN_AFTER_S, "critical_after_s": CRITICAL_AFTER_S})


def check_metrics(c, night, metrics, model):
    tier = model.tier
    got = lambda name: metrics.get(("pve_smokerbak_" + name, tier))  # noqa: E731
    c.eq(night, f"metrics {tier} last_success", got("last_success_timestamp_seconds"),
         float(model.last_success or 0))
    c.eq(night, f"metrics {tier} last_run", got("last_run_timestamp_seconds"),
         float(model.last_run))
    c.eq(night, f"metrics {tier} last_run_success", got("last_run_success"),
         0.0 if model.last_run_failed else 1.0)
    c.eq(night, f"metrics {tier} last_run_error kind", got("last_run_error"),
         model.last_error_kind)
    if model.count is not None:
        c.eq(night, f"metrics {tier} backups", got("backups"), float(model.count))
    c.eq(night, f"metrics {tier} last_validation_success", got("last_validation_success"),
         None if model.validation is None else float(model.validation))


def owner_tag(work, run):
    """The agent's ownership tag (agent/vzdump/owner_tag.hpp): smokerbak:<install-id>:<target>:<run>."""
    with open(os.path.join(work, "state", "installation-id")) as f:
        install_id = f.read().strip()
    assert re.fullmatch(r"[0-9a-f]{12}", install_id), install_id
    return f"smokerbak:{install_id}:prod-cloud:{run}"


def check_disk(c, night, disk, vz, mongo, work):
    vz_files = {row[1]: row[2] if len(row) > 2 else "" for row in disk if row[0] == "vz"}
    mongo_dirs = {row[1] for row in disk if row[0] == "mongo"}
    c.eq(night, "vzdump archives on the storage", sorted(vz_files), sorted(vz.on_disk()))
    c.eq(night, "mongo backup directories", sorted(mongo_dirs), sorted(mongo.on_disk()))
    for name, ctime in vz.survivors.items():
        want = f"{owner_tag(work, run_id(ctime))} · keep: {', '.join(vz.rules[name])} · verified"
        c.eq(night, f"notes of {name}", vz_files.get(name), want)
    for name in vz.failed:
        notes = vz_files.get(name) or ""
        ctime = [t for t in NIGHT_EPOCHS if vz_name(t) == name][0]
        c.true(night, f"notes of the failed archive {name} say so:", notes.startswith(
            f"{owner_tag(work, run_id(ctime))} ") and "verify FAILED" in notes, repr(notes))


def check_manifest(c, night, path, t, vz_outcome):
    m = json.load(open(path))
    c.eq(night, "manifest run_id", m.get("run_id"), run_id(t))
    c.eq(night, "manifest started", (m.get("started_at"), m.get("started_epoch")), (rfc3339(t), t))
    c.eq(night, "manifest backup_id", m.get("backup_id"), "backup-" + utc(t, "%Y%m%d-%H%M%S"))
    c.eq(night, "manifest validation", m.get("validation", {}).get("valid"), True)
    c.eq(night, "manifest vzdump_volid (pairs with the same run's archive)", m.get("vzdump_volid"),
         "local:backup/" + vz_name(t) if vz_outcome == "ok" else None)


def check_run_log(c, night, log, vz_outcome, mongo_outcome):
    for tier, outcome in (("vzdump", vz_outcome), ("mongo", mongo_outcome)):
        backup_row = re.search(rf"^prod-cloud\s+{tier}\s+backup\s+(\S+)", log, re.M)
        prune_row = re.search(rf"^prod-cloud\s+{tier}\s+prune\s+(\S+)", log, re.M)
        c.eq(night, f"run summary: {tier} backup result", backup_row and backup_row.group(1),
             "ok" if outcome == "ok" else "FAILED")
        c.eq(night, f"run summary: {tier} pruned", prune_row and prune_row.group(1),
             "ok" if outcome == "ok" else None)


NIGHT_EPOCHS = []


def predict(truth, engine):
    """Each tier's model after every night; the two chains of engine calls run side by side."""
    history = {}

    def play(model, index):
        states = []
        for _night, t_s, kind in truth:
            if kind != "skip":
                model.night(int(t_s), EFFECTS[kind][index],
                            ERROR_KINDS.get(kind, (None, None))[index])
            states.append(model.snapshot())
        history[model.tier] = states

    threads = [threading.Thread(target=play, args=(TierModel(tier, engine), i))
               for i, tier in enumerate(("vzdump", "mongo"))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if set(history) != {"vzdump", "mongo"}:
        sys.exit(1)  # a thread failed; its traceback is printed
    return history, engine.calls


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--policy", required=True)
    ap.add_argument("--storage-dir")
    ap.add_argument("--model", required=True, help="pickled per-night model (made by --predict)")
    ap.add_argument("--predict", action="store_true", help="only compute and write the model")
    args = ap.parse_args()
    began = time.monotonic()
    truth = [line.rstrip("\n").split("\t") for line in open(os.path.join(args.work, "schedule.tsv"))]
    if args.predict:
        history, calls = predict(truth, Engine(args.bin, args.policy))
        with open(args.model + ".tmp", "wb") as f:
            pickle.dump({"history": history, "engine_calls": calls}, f)
        os.rename(args.model + ".tmp", args.model)
        print(f"model of {len(truth)} nights: {calls} engine calls, "
              f"{time.monotonic() - began:.1f} s")
        return 0
    with open(args.model, "rb") as f:
        model = pickle.load(f)
    history, calls = model["history"], model["engine_calls"]
    NIGHT_EPOCHS.extend(int(row[1]) for row in truth)
    c = Checker()
    seen = {"ok": 0, "warning": 0, "critical": 0, "unknown": 0}
    for index, (night_s, t_s, kind) in enumerate(truth):
        night, t = int(night_s), int(t_s)
        d = os.path.join(args.work, "nights", night_s)
        vz, mongo = history["vzdump"][index], history["mongo"][index]
        if kind != "skip":
            vz_outcome, mongo_outcome = EFFECTS[kind]
            check_run_log(c, night, open(os.path.join(d, "run.log")).read(), vz_outcome,
                          mongo_outcome)
            manifest = os.path.join(d, "manifest.json")
            c.eq(night, "a new mongo backup exists", os.path.exists(manifest), mongo_outcome == "ok")
            if os.path.exists(manifest):
                check_manifest(c, night, manifest, t, vz_outcome)
        now = t + STATUS_DELAY_S
        api_down = kind == "api_down"
        overall = worst([vz.health(now, api_down), mongo.health(now, api_down)])
        seen[overall] += 1
        status = json.load(open(os.path.join(d, "status.json")))
        c.eq(night, "status state", status["state"], overall)
        target = status["targets"][0]
        c.eq(night, "status target", (target["name"], target["vmid"], target["state"]),
             ("prod-cloud", 106, overall))
        for model in (vz, mongo):
            check_tier_status(c, night, target["tiers"][model.tier], model, now, api_down)
        *lines, code = open(os.path.join(d, "check.txt")).read().splitlines()
        c.eq(night, "status --check prints one line", len(lines), 1)
        line = "\n".join(lines)  # the checks below each test one more property
        c.true(night, "status --check line", line.startswith(f"PVE-SMOKERBAK {overall.upper()} - "),
               repr(line))
        c.eq(night, "status --check exit code", int(code), NAGIOS[overall])
        text, _, perf = line.partition(" | ")
        for model in (vz, mongo):
            bad = model.health(now, api_down) != "ok"
            c.eq(night, f"status --check names prod-cloud/{model.tier}",
                 f"prod-cloud/{model.tier}: " in text, bad)
            if model.last_success:
                age = f"'prod-cloud/{model.tier}_age'={now - model.last_success}s;"
                c.true(night, "status --check perf data has", age + f"{WARN_AFTER_S};"
                       f"{CRITICAL_AFTER_S}" in perf.split(), repr(perf))
        metrics = read_metrics(os.path.join(d, "metrics.prom"))
        for model in (vz, mongo):
            check_metrics(c, night, metrics, model)
        disk = [row.split("\t") for row in open(os.path.join(d, "disk.tsv")).read().splitlines()]
        check_disk(c, night, disk, vz, mongo, args.work)

    # Sizes after the last night (only when its prunes ran, so the record is current).
    last = truth[-1]
    if last[2] == "none":
        status = json.load(open(os.path.join(args.work, "nights", last[0], "status.json")))
        tiers = status["targets"][0]["tiers"]
        vz_bytes = sum(os.path.getsize(os.path.join(args.storage_dir, n)) for n in vz.on_disk())
        mongo_bytes = sum(json.load(open(os.path.join(args.work, "mongodb", n, "manifest.json")))
                          ["archive"]["size"] for n in mongo.survivors)
        c.eq(last[0], "vzdump size_bytes", tiers["vzdump"]["size_bytes"], vz_bytes)
        c.eq(last[0], "mongo size_bytes", tiers["mongo"]["size_bytes"], mongo_bytes)

    for p in c.problems[:60]:
        print("FAIL:", p)
    if len(c.problems) > 60:
        print(f"... and {len(c.problems) - 60} more problems")
    print(f"verified {len(truth)} nights ({calls} engine calls, "
          f"{time.monotonic() - began:.1f} s): survivors now vzdump {len(vz.survivors)} "
          f"(+{len(vz.failed)} failed), mongo {len(mongo.survivors)} (+{len(mongo.failed)} "
          f"failed); daily states {seen}")
    return 1 if c.problems else 0


if __name__ == "__main__":
    sys.exit(main())
