#!/usr/bin/env python3
"""What agents do, timed (issue 14): every hot command on a dense graph, cached and right after a write.

For each size it builds a store through `jit issue import` in which each issue
depends on 0-3 of the 400 before it (a fixed seed), a quarter carry a manual
`review` gate, and times whole processes (median of --runs after a warm-up):

  cached        the index was checked and nothing changed since
  after write   a write (`issue update --priority`) lands just before each run

with the peak memory of the child (ru_maxrss), every row also as a ratio to
`python -c pass` measured in the same run. With `--monitor` (the default: both)
every row is measured twice: each query checking the files itself, and with a
`jit watch` watcher telling it what changed. Then a throughput run: 1/4/8 agents
loop `claim-next -> done` over a fresh pool, reporting issues/s and how long
each command held the repository lock (JIT_PROBE, see jit.storage.probe).

    .venv/bin/python bench/hot.py                          # 1,000 and 10,000 (about 10 minutes)
    .venv/bin/python bench/hot.py --sizes 100000 --runs 3  # 100,000: not in CI, about 30 minutes
    .venv/bin/python bench/hot.py --sizes 200 --runs 1 --agents 2 --pool 20   # the CI smoke run
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run import bench_env, jit_bin, run_once  # the sibling script's process helpers

PRIORITIES = ["critical", "high", "normal", "low"]


def dense_plan(n: int, seed: int = 14) -> str:
    rnd = random.Random(seed)
    lines = []
    for i in range(n):
        rec = {"title": f"Issue {i}: part {i} of the work", "key": f"k{i}", "priority": PRIORITIES[i % 4],
               "labels": [f"area:a{i % 20}", f"epic:e{i % 7}"], "description": f"Detail for part {i}."}
        if i:
            rec["depends_on"] = [f"k{j}" for j in sorted(rnd.sample(range(max(0, i - 400), i),
                                                                    min(i, rnd.randint(0, 3))))]
        if i % 4 == 1:
            rec["gates"] = ["review"]
        lines.append(json.dumps(rec))
    return "\n".join(lines) + "\n"


def sh(args, cwd, env, check=True) -> str:
    proc = subprocess.run([jit_bin(), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if check and proc.returncode != 0:
        raise RuntimeError(f"jit {' '.join(args)} exited {proc.returncode}: {proc.stderr[-300:]}")
    return proc.stdout


def build(root: Path, n: int, env) -> dict:
    root.mkdir(parents=True)
    sh(["init", "-q"], root, env)
    sh(["gate", "define", "review", "--title", "Review"], root, env)
    (root / "plan.jsonl").write_text(dense_plan(n))
    t, rss, _ = run_once([jit_bin(), "issue", "import", "plan.jsonl", "-q"], root, env)
    return {"import_s": t, "import_rss_mb": rss / 1024}


def measure(cmds, root, env, warmup=None, before=None) -> dict:
    """Median ms and max RSS over the commands (one per run, the first a warm-up unless there is
    only one); `before(i)` runs untimed first."""
    warmup = (1 if len(cmds) > 1 else 0) if warmup is None else warmup
    times, rss = [], []
    for i, cmd in enumerate(cmds):
        if before:
            before(i)
        t, peak, _ = run_once(cmd, root, env)
        if i >= warmup:
            times.append(t)
            rss.append(peak)
    return {"ms": statistics.median(times) * 1000, "rss_mb": max(rss) / 1024}


def hot_commands(root: Path, env, runs: int) -> dict:
    J = jit_bin()
    ready = json.loads(sh(["query", "available", "--json", "--limit", "2"], root, env))["items"]
    any_id = ready[0]["id"]
    poke = [ready[-1]["id"]]

    def write(i):  # a write just before the timed run: the index must notice it
        sh(["issue", "update", poke[0], "--priority", PRIORITIES[i % 4], "-q"], root, env)

    reads = {
        "query available --limit 10 --json": ["query", "available", "--limit", "10", "--json"],
        "status --json": ["status", "--json"],
        "query blocked --limit 10 --json": ["query", "blocked", "--limit", "10", "--json"],
        "query blocked --json": ["query", "blocked", "--json"],
        "issue show PREFIX8 --json": ["issue", "show", any_id[:8], "--json"],
        "graph export --format json": ["graph", "export", "--format", "json"],
        "validate --json": ["validate", "--json"],
        "issue list --filter ... --limit 10": ["issue", "list", "--filter", "label:epic:e3 OR priority:critical",
                                               "--limit", "10", "--json"],
        "issue search --limit 10": ["issue", "search", "part 12*", "--limit", "10", "--json"],
    }
    out = {}
    for name, args in reads.items():
        cached = measure([[J, *args]] * (runs + 1 if runs > 1 else 1), root, env)
        fresh = measure([[J, *args]] * (runs + 1 if runs > 1 else 1), root, env, before=write)
        out[name] = {"cached": cached, "after_write": fresh}
    # Writes: each run changes one issue, so the next run is "right after a write" by construction.
    n = runs + 1 if runs > 1 else 1
    out["issue claim-next"] = {"after_write": measure([[J, "issue", "claim-next", "agent:bench", "-q"]] * n,
                                                      root, env)}
    def available(expr, gates):
        page = json.loads(sh(["query", "available", "--json", "--limit", str(3 * n), "--filter", expr], root, env))
        return [i["id"] for i in page["items"] if bool(i["gates_required"]) == gates]

    plain, gated = available("NOT priority:high", False), available("priority:high", True)  # i%4==1: high, gated
    # done: claim plain issues first (untimed), then finish them one by one
    todo = plain[: n]
    for issue_id in todo:
        sh(["issue", "claim", issue_id, "agent:bench", "-q"], root, env, check=False)
    out["issue done"] = {"after_write": measure([[J, "issue", "done", i, "-q"] for i in todo], root, env)}
    # the last gate pass: claimed, asked for done (gated), then the gate passes and releases dependents
    passing = gated[: n]
    for issue_id in passing:
        sh(["issue", "claim", issue_id, "agent:bench", "-q"], root, env, check=False)
        sh(["issue", "done", issue_id, "-q"], root, env, check=False)
    out["gate pass (last gate)"] = {"after_write": measure([[J, "gate", "pass", i, "review", "-q"] for i in passing],
                                                           root, env)}
    return out


WORKER = (
    "import subprocess,sys\n"
    "J,who=sys.argv[1],sys.argv[2]\n"
    "n=0\n"
    "while True:\n"
    "    p=subprocess.run([J,'issue','claim-next',who,'--filter','priority:critical','-q'],"
    "capture_output=True,text=True)\n"
    "    if p.returncode!=0: break\n"
    "    subprocess.run([J,'issue','done',p.stdout.strip(),'-q'],stdout=subprocess.DEVNULL,check=True)\n"
    "    n+=1\n"
    "print(n)\n"
)


class watcher:
    """`jit watch --detach` for the duration of a `with` block."""

    def __init__(self, root: Path, env):
        self.root, self.env = root, env

    def __enter__(self):
        sh(["watch", "--detach", "-q"], self.root, self.env)
        sh(["query", "available", "--limit", "1"], self.root, self.env)  # the new session's one full check
        return self

    def __exit__(self, *exc):
        sh(["watch", "--stop", "-q"], self.root, self.env, check=False)
        return False


def throughput(base: Path, agents: int, pool: int, store_size: int, env, monitored: bool = False) -> dict:
    """`agents` processes loop claim-next -> done over `pool` critical issues among store_size others."""
    root = base / f"drain-{agents}{'-monitored' if monitored else ''}"
    env = env if monitored else {**env, "JIT_MONITOR": "off"}
    build(root, 0, env)
    filler = "".join(json.dumps({"title": f"Other {i}", "priority": "low"}) + "\n" for i in range(store_size))
    jobs = "".join(json.dumps({"title": f"Job {i}", "priority": "critical"}) + "\n" for i in range(pool))
    (root / "plan.jsonl").write_text(filler + jobs)
    sh(["issue", "import", "plan.jsonl", "-q"], root, env)  # the agents drain the critical pool only
    sh(["query", "available", "--limit", "1"], root, env)
    probe = root / "probe.txt"
    penv = {**env, "JIT_PROBE": str(probe)}
    with watcher(root, env) if monitored else _nothing():
        t0 = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", WORKER, jit_bin(), f"agent:w{a}"], cwd=root,
                                  env={**penv, "JIT_ACTOR": f"agent:w{a}"}, stdout=subprocess.PIPE, text=True)
                 for a in range(agents)]
        done = sum(int(p.communicate()[0].strip() or 0) for p in procs)
        elapsed = time.perf_counter() - t0
    held = [float(line.split()[3]) for line in probe.read_text().splitlines() if len(line.split()) > 3]
    writers = [h for h in held if h > 0]
    return {"agents": agents, "store": store_size, "monitor": monitored, "issues": done, "seconds": elapsed, "per_second": done / elapsed,
            "lock_hold_ms_median": statistics.median(writers) * 1000 if writers else 0.0,
            "lock_hold_ms_max": max(writers) * 1000 if writers else 0.0,
            "lock_busy_share": sum(writers) / elapsed if elapsed else 0.0}


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--agents", default="1,4,8")
    ap.add_argument("--pool", type=int, default=100, help="issues each throughput run drains")
    ap.add_argument("--drain-store", type=int, default=10000, help="finished issues around the pool")
    ap.add_argument("--json", dest="json_out")
    ap.add_argument("--monitor", choices=["both", "off", "on"], default="both",
                    help="measure without the `jit watch` monitor, with it, or both (default)")
    args = ap.parse_args()
    env = bench_env()
    base = Path(tempfile.mkdtemp(prefix="jit-hot-"))
    results = {"date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(), "sizes": {}, "throughput": []}
    try:
        results["floor_ms"] = measure([[sys.executable, "-c", "pass"]] * (2 * args.runs + 1), base, env)["ms"]
        for n in [int(s) for s in args.sizes.split(",") if s]:
            print(f"building {n:,} issues (dense graph) ...", file=sys.stderr, flush=True)
            root = base / f"store-{n}"
            info = build(root, n, env)
            time.sleep(2.1)  # past the index's racy window, as a store at rest would be
            sh(["query", "available", "--limit", "1"], root, env)
            if args.monitor != "on":
                info["commands"] = hot_commands(root, {**env, "JIT_MONITOR": "off"}, args.runs)
            if args.monitor != "off":
                with watcher(root, env):
                    info["monitored"] = hot_commands(root, env, args.runs)
            results["sizes"][n] = info
        for a in [int(x) for x in args.agents.split(",") if x]:
            for monitored in {"both": (False, True), "off": (False,), "on": (True,)}[args.monitor]:
                print(f"throughput: {a} agent(s){' with the monitor' if monitored else ''} ...", file=sys.stderr,
                      flush=True)
                results["throughput"].append(throughput(base, a, args.pool, args.drain_store, env, monitored))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print_table(results)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2))
    return 0


def _cell(m, floor) -> str:
    return f"{m['ms']:.1f} ({m['ms'] / floor:.1f}x)" if m else ""


def print_table(r: dict) -> None:
    floor = r["floor_ms"]
    print(f"\nfloor (python -c pass): {floor:.1f} ms; {r['cpus']} cores; {r['date']}\n")
    print("| command | issues | cached ms (x floor) | after a write ms (x floor) | with `jit watch`: cached | "
          "with `jit watch`: after a write | peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for n, info in r["sizes"].items():
        print(f"| issue import (dense graph) | {int(n):,} | {info['import_s'] * 1000:.0f} | | | | "
              f"{info['import_rss_mb']:.0f} |")
        plain, watched = info.get("commands", {}), info.get("monitored", {})
        for name in plain or watched:
            cells = [m.get(k) for m in (plain.get(name, {}), watched.get(name, {})) for k in ("cached", "after_write")]
            rss = max(x["rss_mb"] for x in cells if x)
            print(f"| {name} | {int(n):,} | {' | '.join(_cell(c, floor) for c in cells)} | {rss:.0f} |")
    if r["throughput"]:
        print("\n| agents | store | monitor | issues | issues/s | lock held per command (median / max ms) | lock busy |")
        print("|---:|---:|---|---:|---:|---:|---:|")
        for t in r["throughput"]:
            print(f"| {t['agents']} | {t['store']:,} | {'yes' if t.get('monitor') else 'no'} | {t['issues']} | "
                  f"{t['per_second']:.1f} | {t['lock_hold_ms_median']:.1f} / {t['lock_hold_ms_max']:.1f} | "
                  f"{t['lock_busy_share']:.0%} |")


if __name__ == "__main__":
    sys.exit(main())
