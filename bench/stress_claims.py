#!/usr/bin/env python3
"""Stress the claim race: many processes claim one issue at the same instant, round after round.

Each round creates a fresh ready issue, starts N processes that each block on a
shared pipe (the barrier), releases them all at once by closing the pipe, and
every one of them execs `jit issue claim ISSUE agent:racer-K`. A round is
correct when exactly one process exits 0, every other exits 4, the issue is
held by the winner, and the log has exactly one `issue_claimed` event for it.

    python bench/stress_claims.py                # 200 rounds of 30 processes
    python bench/stress_claims.py --rounds 3 --procs 32 --json

Exits 1 when any round breaks the guarantee (a double claim, a lost claim, an
unexpected exit code), 0 otherwise. The test suite runs a short version.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Runs in each racer: say "ready", block until the barrier pipe closes, then become `jit`.
_BARRIER = (
    "import os, sys\n"
    "gate, ready = int(sys.argv[1]), int(sys.argv[2])\n"
    "os.write(ready, b'.'); os.close(ready)\n"
    "os.read(gate, 1)\n"
    "os.execv(sys.argv[3], sys.argv[3:])\n"
)


def default_jit() -> str:
    beside = Path(sys.executable).parent / "jit"
    return str(beside) if beside.exists() else (shutil.which("jit") or "jit")


def race(commands, *, cwd, env, timeout=120.0) -> list:
    """Start every argv in `commands` behind one barrier, release them together.

    Returns [(exit code, stdout, stderr)] in the order given. Every child is reaped.
    """
    gate_r, gate_w = os.pipe()
    ready_r, ready_w = os.pipe()
    procs = []
    try:
        for argv in commands:
            procs.append(subprocess.Popen(
                [sys.executable, "-c", _BARRIER, str(gate_r), str(ready_w), *argv],
                cwd=cwd, env=env, pass_fds=(gate_r, ready_w), stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            ))
        os.close(ready_w)
        ready_w = -1
        arrived = 0
        while arrived < len(procs):
            chunk = os.read(ready_r, len(procs))
            if not chunk:
                break  # a racer died before the barrier; its exit code will show it
            arrived += len(chunk)
        os.close(gate_w)  # the barrier: every racer's read returns at once
        gate_w = -1
        deadline = time.monotonic() + timeout
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=max(deadline - time.monotonic(), 1))
            results.append((proc.returncode, out, err))
        return results
    finally:
        for fd in (gate_r, gate_w, ready_r, ready_w):
            if fd >= 0:
                os.close(fd)
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()


def claim_events(data_dir: Path, issue_id: str) -> list:
    with open(data_dir / "events.jsonl", encoding="utf-8") as fh:
        events = [json.loads(line) for line in fh if line.strip()]
    return [e for e in events if e["type"] == "issue_claimed" and e["issue_id"] == issue_id]


def check_round(results, issue: dict, events: list) -> list:
    """Every way this round broke the guarantee, as readable strings (empty when it held)."""
    problems = []
    winners = [i for i, (code, _, _) in enumerate(results) if code == 0]
    odd = [(i, code, err.strip()) for i, (code, _, err) in enumerate(results) if code not in (0, 4)]
    if len(winners) != 1:
        problems.append(f"{len(winners)} processes won the claim (expected exactly 1)")
    if odd:
        problems.append(f"unexpected exit codes: {odd[:3]}")
    if len(events) != 1:
        problems.append(f"{len(events)} issue_claimed events (expected exactly 1)")
    if len(winners) == 1:
        winner = f"agent:racer-{winners[0]}"
        if issue.get("assignee") != winner or issue.get("state") != "in_progress":
            problems.append(f"issue held by {issue.get('assignee')} ({issue.get('state')}), winner was {winner}")
        if events and events[0]["data"].get("assignee") != winner:
            problems.append(f"claim event names {events[0]['data'].get('assignee')}, winner was {winner}")
        losers = [err for code, _, err in results if code == 4]
        if any(winner not in err for err in losers):
            problems.append("a losing process did not name the holder")
    return problems


def run(rounds: int, procs: int, jit: str, workdir: Path, progress=None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIT_")}
    env["JIT_LOCK_TIMEOUT"] = "120"  # a loaded machine must not turn a lost race into a lock timeout
    subprocess.run([jit, "init", "-q"], cwd=workdir, env=env, check=True, capture_output=True)
    data_dir = workdir / ".jit"
    violations = []
    started = time.monotonic()
    for n in range(1, rounds + 1):
        made = subprocess.run([jit, "issue", "create", "--title", f"round {n}", "-q"], cwd=workdir, env=env,
                              check=True, capture_output=True, text=True)
        issue_id = made.stdout.strip()
        results = race([[jit, "issue", "claim", issue_id, f"agent:racer-{k}"] for k in range(procs)],
                       cwd=workdir, env=env)
        issue = json.loads((data_dir / "issues" / f"{issue_id}.json").read_text(encoding="utf-8"))
        problems = check_round(results, issue, claim_events(data_dir, issue_id))
        if problems:
            violations.append({"round": n, "issue": issue_id, "problems": problems})
        if progress:
            progress(n, problems)
    return {"rounds": rounds, "processes": procs, "violations": violations,
            "seconds": round(time.monotonic() - started, 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=200, help="races to run (default 200)")
    ap.add_argument("--procs", type=int, default=30, help="processes per race (default 30)")
    ap.add_argument("--jit", default=default_jit(), help="the jit executable (default: beside this Python)")
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    args = ap.parse_args(argv)
    if args.rounds < 1 or args.procs < 2:
        ap.error("need at least 1 round and 2 processes")

    def progress(n, problems):
        if not args.json:
            mark = "VIOLATION: " + "; ".join(problems) if problems else "ok"
            print(f"round {n}/{args.rounds}: {mark}", file=sys.stderr if not problems else sys.stdout,
                  flush=True)

    with tempfile.TemporaryDirectory(prefix="jit-stress-") as tmp:
        report = run(args.rounds, args.procs, args.jit, Path(tmp), progress)
    if args.json:
        print(json.dumps(report))
    else:
        print(f"{report['rounds']} rounds of {report['processes']} racing processes in {report['seconds']}s: "
              f"{len(report['violations'])} violation(s)")
    return 1 if report["violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
