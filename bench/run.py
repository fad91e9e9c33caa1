#!/usr/bin/env python3
"""jit's benchmark: whole-process timings against the interpreter floor and Taskwarrior.

Builds stores of N issues through `jit issue import` (every 10th issue depends on
the one before, four priorities, a label each), times each command as a whole
process (warm-up, then the median of several runs), measures peak memory of
`query available`, claim throughput with 1/4/8 concurrent agents, and prints one
table. Run from the repository with the project's venv:

    .venv/bin/python bench/run.py                      # 1,000 / 10,000 / 100,000
    .venv/bin/python bench/run.py --sizes 1000 --runs 5 --agents 1,4   # quick

Stores live in a temporary folder that is deleted at the end (deleting 100,000
files takes a while on a disk mounted with `discard`; it is not timed).
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

PRIORITIES = ["critical", "high", "normal", "low"]
TW_PRIORITY = {"critical": "H", "high": "H", "normal": "M", "low": "L"}


def bench_env() -> dict:
    """The environment an agent would have: no bytecode suppression, no unbuffered stdio."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("JIT_") and k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED")}
    env["JIT_ACTOR"] = "agent:bench"
    return env


def jit_bin() -> str:
    script = Path(sys.executable).parent / "jit"
    if not script.exists():
        sys.exit(f"no jit next to {sys.executable}; install the project into this venv first")
    return str(script)


def run_once(cmd, cwd, env, stdin=None) -> tuple:
    """(seconds, peak RSS in KB, exit code) of one whole process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL)
    if stdin is not None:
        proc.stdin.write(stdin)
        proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read()
    proc.stderr.close()
    if proc.returncode not in (0,):
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {proc.returncode}: {err.decode()[-300:]}")
    return elapsed, usage.ru_maxrss, proc.returncode


def timed(cmds, cwd, env, runs, warmup=2) -> dict:
    """Median wall time over `runs`; `cmds` is a list (one command per run) or one command."""
    if not isinstance(cmds[0], (list, tuple)):
        cmds = [cmds] * (runs + warmup)
    times, rss = [], []
    for i, cmd in enumerate(cmds[: runs + warmup]):
        t, peak, _ = run_once(cmd, cwd, env)
        if i >= warmup:
            times.append(t)
            rss.append(peak)
    return {"ms": statistics.median(times) * 1000, "rss_mb": max(rss) / 1024}


def plan(n: int) -> str:
    lines = []
    for i in range(n):
        rec = {"title": f"Issue {i}: do part {i} of the work", "key": f"k{i}", "priority": PRIORITIES[i % 4],
               "labels": [f"area:a{i % 20}"]}
        if i % 10 == 0 and i:
            rec["depends_on"] = [f"k{i - 1}"]
        lines.append(json.dumps(rec))
    return "\n".join(lines) + "\n"


def build_store(root: Path, n: int, env) -> float:
    root.mkdir(parents=True)
    subprocess.run([jit_bin(), "init", "-q"], cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)
    plan_file = root / "plan.jsonl"
    plan_file.write_text(plan(n))
    t, _, _ = run_once([jit_bin(), "issue", "import", str(plan_file), "-q"], root, env)
    return t


def ready_ids(root: Path, env, count: int) -> list:
    out = subprocess.run([jit_bin(), "query", "available", "-q"], cwd=root, env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    return out[:count]


def taskwarrior_ready(root: Path, n: int, runs: int) -> dict | None:
    if not shutil.which("task"):
        return None
    data = root / "tw"
    data.mkdir()
    rc = root / "taskrc"
    rc.write_text(f"data.location={data}\nconfirmation=off\nverbose=nothing\nhooks=off\n"
                  "recurrence=off\ngc=off\n")
    env = {**os.environ, "TASKRC": str(rc)}
    uuids = [str(uuid.uuid4()) for _ in range(n)]
    tasks = []
    for i in range(n):
        t = {"uuid": uuids[i], "description": f"Issue {i}: do part {i} of the work", "status": "pending",
             "entry": "20261125T000000Z", "priority": TW_PRIORITY[PRIORITIES[i % 4]], "tags": [f"a{i % 20}"]}
        if i % 10 == 0 and i:
            t["depends"] = [uuids[i - 1]]
        tasks.append(t)
    subprocess.run(["task", "import", "-"], input=json.dumps(tasks).encode(), env=env, cwd=root,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return timed(["task", "ready"], root, env, runs)


def claims_throughput(base: Path, agents: int, n: int, env) -> dict:
    """`agents` processes drain n issues with claim-next; returns claims/s and double claims."""
    root = base / f"claims-{agents}"
    build_store(root, 0, env)
    (root / "plan.jsonl").write_text("".join(json.dumps({"title": f"Job {i}"}) + "\n" for i in range(n)))
    subprocess.run([jit_bin(), "issue", "import", "plan.jsonl", "-q"], cwd=root, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    worker = (
        "import subprocess,sys\n"
        "n=0\n"
        "while subprocess.run([sys.argv[1],'issue','claim-next',sys.argv[2],'-q'],stdout=subprocess.DEVNULL,"
        "stderr=subprocess.DEVNULL).returncode==0: n+=1\n"
        "print(n)\n"
    )
    t0 = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", worker, jit_bin(), f"agent:w{a}"], cwd=root, env=env,
                              stdout=subprocess.PIPE, text=True) for a in range(agents)]
    counts = [int(p.communicate()[0].strip() or 0) for p in procs]
    elapsed = time.perf_counter() - t0
    claimed = {}
    with open(root / ".jit" / "events.jsonl") as fh:
        for line in fh:
            e = json.loads(line)
            if e["type"] == "issue_claimed":
                claimed[e["issue_id"]] = claimed.get(e["issue_id"], 0) + 1
    doubles = sum(1 for c in claimed.values() if c > 1)
    return {"agents": agents, "claims": sum(counts), "unique": len(claimed), "seconds": elapsed,
            "per_second": sum(counts) / elapsed, "double_claims": doubles, "lost": n - len(claimed)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--agents", default="1,4,8", help="agent counts for the claim benchmark ('' to skip)")
    ap.add_argument("--claim-pool", type=int, default=1000)
    ap.add_argument("--json", dest="json_out", help="also write the results to this JSON file")
    args = ap.parse_args()
    env = bench_env()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(__file__).parents[1] / "src" / "jit")],
                   stdout=subprocess.DEVNULL, env=env, check=False)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    base = Path(tempfile.mkdtemp(prefix="jit-bench-"))
    results = {"machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, "
                          f"Python {platform.python_version()}", "date": time.strftime("%Y-%m-%d"), "sizes": {}}
    J = jit_bin()
    try:
        floor = timed([sys.executable, "-c", "pass"], base, env, args.runs * 2)["ms"]
        results["floor_ms"] = floor
        results["version_ms"] = timed([J, "--version"], base, env, args.runs)["ms"]
        results["help_ms"] = timed([J, "--help"], base, env, args.runs)["ms"]
        for n in sizes:
            print(f"building {n:,} issues ...", file=sys.stderr, flush=True)
            root = base / f"store-{n}"
            r = {"import_s": build_store(root, n, env)}
            time.sleep(2.1)  # let freshly written files age out of the index's racy window
            subprocess.run([J, "query", "available", "-q"], cwd=root, env=env, stdout=subprocess.DEVNULL, check=False)
            avail = timed([J, "query", "available", "--json"], root, env, args.runs)
            r["available_ms"], r["available_rss_mb"] = avail["ms"], avail["rss_mb"]
            ids = ready_ids(root, env, 2 * (args.runs + 2))
            r["show_ms"] = timed([J, "issue", "show", ids[0], "--json"], root, env, args.runs)["ms"]
            r["claim_ms"] = timed([[J, "issue", "claim", i, "agent:bench"] for i in ids[: args.runs + 2]],
                                  root, env, args.runs)["ms"]
            r["create_ms"] = timed([J, "issue", "create", "--title", "bench", "-q"], root, env, args.runs)["ms"]
            r["prime_ms"] = timed([J, "prime"], root, env, args.runs)["ms"]  # env names agent:bench, holding claims
            r["prime_bytes"] = max(len(subprocess.run([J, "prime", *fmt], cwd=root, env=env, capture_output=True,
                                                      check=False).stdout) for fmt in ((), ("--json",)))
            tw = taskwarrior_ready(root, n, max(3, args.runs // 2)) if n <= 10000 else None
            r["taskwarrior_ready_ms"] = tw["ms"] if tw else None
            results["sizes"][n] = r
            print(f"  {n:,}: available {r['available_ms']:.1f} ms", file=sys.stderr, flush=True)
        results["claims"] = []
        for a in [int(x) for x in args.agents.split(",") if x]:
            print(f"claim-next with {a} agent(s) ...", file=sys.stderr, flush=True)
            results["claims"].append(claims_throughput(base, a, args.claim_pool, env))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print_table(results)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2))
    return 0 if all(c["double_claims"] == 0 and c["lost"] == 0 for c in results["claims"]) else 1


def print_table(r: dict) -> None:
    floor = r["floor_ms"]
    rows = [("python -c pass (floor)", "", floor, 1.0, "")]
    rows.append(("jit --version", "", r["version_ms"], r["version_ms"] / floor, "<= 2x"))
    rows.append(("jit --help", "", r["help_ms"], r["help_ms"] / floor, "<= 2x"))
    for n, s in r["sizes"].items():
        label = f"{int(n):,}"
        rows.append(("jit issue import", label, s["import_s"] * 1000, None, "<= 5 s at 10,000"))
        rows.append(("jit query available --json", label, s["available_ms"], s["available_ms"] / floor, "<= 4x"))
        if s.get("taskwarrior_ready_ms"):
            rows.append(("  task ready (Taskwarrior)", label, s["taskwarrior_ready_ms"],
                         s["taskwarrior_ready_ms"] / floor, "jit faster"))
        rows.append(("  peak RSS of query available (MB)", label, s["available_rss_mb"], None, "<= 60 MB"))
        rows.append(("jit issue show ID --json", label, s["show_ms"], s["show_ms"] / floor, "<= 3x"))
        rows.append(("jit issue create", label, s["create_ms"], s["create_ms"] / floor, "<= 3x"))
        rows.append(("jit issue claim", label, s["claim_ms"], s["claim_ms"] / floor, "<= 3x"))
        if s.get("prime_ms"):
            rows.append(("jit prime", label, s["prime_ms"], s["prime_ms"] / floor, "fast at 100,000"))
            rows.append(("  size of jit prime (bytes, text/JSON)", label, s["prime_bytes"], None, "< 6,000"))
    if 10000 in r["sizes"] and 100000 in r["sizes"]:
        g = r["sizes"][100000]["available_ms"] / r["sizes"][10000]["available_ms"]
        rows.append(("growth of query available 100k/10k", "", g, None, "<= 3x"))
    print(f"\njit benchmark — {r['machine']} — {r['date']}\n")
    print(f"| {'measure':<36} | {'issues':>7} | {'median':>10} | {'x floor':>7} | {'target':<16} |")
    print(f"|{'-' * 38}|{'-' * 9}|{'-' * 12}|{'-' * 9}|{'-' * 18}|")
    for name, size, value, ratio, target in rows:
        unit = "" if "growth" in name or "MB" in name or "bytes" in name else " ms"
        shown = f"{value:.1f}{unit}" if "growth" not in name else f"{value:.2f}x"
        print(f"| {name:<36} | {size:>7} | {shown:>10} | {'' if ratio is None else f'{ratio:.1f}x':>7} | {target:<16} |")
    if r.get("claims"):
        print(f"\n| {'claim-next agents':<18} | {'claims':>6} | {'seconds':>7} | {'claims/s':>8} | {'double claims':>13} | {'lost':>4} |")
        print(f"|{'-' * 20}|{'-' * 8}|{'-' * 9}|{'-' * 10}|{'-' * 15}|{'-' * 6}|")
        for c in r["claims"]:
            print(f"| {c['agents']:<18} | {c['claims']:>6} | {c['seconds']:>7.2f} | {c['per_second']:>8.1f} | "
                  f"{c['double_claims']:>13} | {c['lost']:>4} |")


if __name__ == "__main__":
    sys.exit(main())
