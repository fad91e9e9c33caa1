"""Claims across machines under load: C clones x A agents around one local bare remote.

Each agent loops `claim-next --sync` -> a little work -> `done` -> `sync` until nothing is left.
A `git` wrapper first on PATH counts pushes and can add a simulated round trip to every network
command (push, fetch), standing in for a server far away. Reports claims/s, claim-push attempts
per grant, grants per clone, claim latency (median, p95), double grants and duplicate events.

    python bench/sync.py                      # 4 clones x 2 agents, 120 issues, local remote
    python bench/sync.py --rtt 0.3            # the same with a remote 300 ms away
    python bench/sync.py --clones 8 --issues 60 --branch-claims   # the branch-push protocol
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

JIT = str(Path(sys.executable).parent / "jit")
WRAPPER = """#!/bin/sh
for arg in "$@"; do
  case "$arg" in
    push|fetch|ls-remote) echo "$*" >> "{log}"; sleep {rtt}; break;;
    -c|-C|--*|*=*) ;;
    *) break;;
  esac
done
exec {git} "$@"
"""


def env_for(tmp: Path, name: str, rtt: float) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIT_", "GIT_"))}
    env.update(GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="b@x.invalid", GIT_COMMITTER_NAME="bench",
               GIT_COMMITTER_EMAIL="b@x.invalid", GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull,
               JIT_ACTOR=f"agent:{name}")
    env["PATH"] = f"{tmp / 'bin'}:{env['PATH']}"
    return env


def sh(args, cwd, env):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def setup(tmp: Path, clones: int, issues: int, rtt: float, branch_claims: bool) -> list:
    (tmp / "bin").mkdir()
    wrapper = tmp / "bin" / "git"
    wrapper.write_text(WRAPPER.format(log=tmp / "net.log", rtt=rtt, git=shutil.which("git")))
    wrapper.chmod(0o755)
    env = env_for(tmp, "setup", 0)
    sh(["git", "init", "-q", "--bare", "--initial-branch=main", str(tmp / "remote.git")], tmp, env)
    roots = []
    for n in range(clones):
        root = tmp / f"c{n}"
        sh(["git", "clone", "-q", str(tmp / "remote.git"), str(root)], tmp, env)
        if n == 0:
            sh(["git", "checkout", "-q", "-b", "main"], root, env)
            sh([JIT, "init"], root, env)
            config = root / ".jit" / "config.toml"
            extra = "claim_refs = false\n" if branch_claims else ""
            config.write_text(config.read_text() + f'\n[sync]\nremote = "origin"\n{extra}')
            lines = "".join(json.dumps({"title": f"task {i}"}) + "\n" for i in range(issues))
            subprocess.run([JIT, "issue", "import", "-"], cwd=root, env=env, input=lines, text=True,
                           capture_output=True, check=True)
            sh([JIT, "sync"], root, env)
        else:
            sh([JIT, "sync"], root, env)
            sh([JIT, "git", "setup"], root, env)
        roots.append(root)
    (tmp / "net.log").write_text("")
    return roots


def agent(root: Path, name: str, env: dict, work: float, out: list) -> None:
    while True:
        started = time.monotonic()
        got = sh([JIT, "issue", "claim-next", f"agent:{name}", "--json"], root, env)
        took = time.monotonic() - started
        if got.returncode == 3:
            return
        if got.returncode != 0:
            out.append({"agent": name, "error": got.stderr.strip()[-200:], "latency": took})
            continue
        issue = json.loads(got.stdout)["id"]
        out.append({"agent": name, "clone": root.name, "issue": issue, "latency": took})
        time.sleep(work)
        done = sh([JIT, "issue", "done", issue], root, env)
        if done.returncode != 0:
            out.append({"agent": name, "stuck": issue, "error": done.stderr.strip()[-200:]})
        started = time.monotonic()
        synced = sh([JIT, "sync"], root, env)
        out.append({"agent": name, "clone": root.name, "sync": time.monotonic() - started,
                    "sync_ok": synced.returncode == 0})


def run(args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="jit-sync-bench-"))
    try:
        roots = setup(tmp, args.clones, args.issues, args.rtt, args.branch_claims)
        results: list = []
        threads = [threading.Thread(target=agent, args=(root, f"{root.name}a{k}", env_for(tmp, f"{root.name}a{k}",
                                                                                            args.rtt),
                                                        args.work, results))
                   for root in roots for k in range(args.agents)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        for root in roots:  # converge, then count what every clone agrees on
            sh([JIT, "sync"], root, env_for(tmp, "final", 0))
        sh([JIT, "sync"], roots[0], env_for(tmp, "final", 0))
        events = [json.loads(line) for line in (roots[0] / ".jit" / "events.jsonl").read_text().splitlines()
                  if line.strip()]
        grants = [r for r in results if "issue" in r]
        per_issue: dict = {}
        for g in grants:
            per_issue[g["issue"]] = per_issue.get(g["issue"], 0) + 1
        pushes = [line for line in (tmp / "net.log").read_text().splitlines() if " push " in f" {line} "]
        claim_pushes = [p for p in pushes if "refs/jit/claims/" in p and ":refs/jit/claims/" in p
                        and " :refs/jit/claims/" not in p]
        latencies = sorted(r["latency"] for r in grants)
        by_clone: dict = {}
        for g in grants:
            by_clone[g["clone"]] = by_clone.get(g["clone"], 0) + 1
        ids = [e["id"] for e in events]
        syncs = [r for r in results if "sync" in r]
        sync_time: dict = {}
        for r in syncs:
            sync_time[r["clone"]] = sync_time.get(r["clone"], 0) + r["sync"]
        return {
            "protocol": "branch" if args.branch_claims else "claim refs",
            "clones": args.clones, "agents": args.agents, "issues": args.issues, "rtt": args.rtt,
            "seconds": round(elapsed, 1), "grants": len(grants), "claims_per_s": round(len(grants) / elapsed, 2),
            "claim_pushes_per_grant": round((len(claim_pushes) if not args.branch_claims else len(pushes))
                                            / max(1, len(grants)), 2),
            "grants_per_clone": dict(sorted(by_clone.items())),
            "latency_median": round(statistics.median(latencies), 2) if latencies else None,
            "latency_p95": round(latencies[int(0.95 * (len(latencies) - 1))], 2) if latencies else None,
            "sync_seconds_per_clone": {k: round(v, 1) for k, v in sorted(sync_time.items())},
            "failed_syncs": sum(1 for r in syncs if not r["sync_ok"]),
            "double_grants": sum(1 for n in per_issue.values() if n > 1),
            "duplicate_events": len(ids) - len(set(ids)),
            "errors": [r for r in results if "error" in r][:5],
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clones", type=int, default=4)
    parser.add_argument("--agents", type=int, default=2, help="agents per clone")
    parser.add_argument("--issues", type=int, default=120)
    parser.add_argument("--rtt", type=float, default=0.0, help="seconds added to every push and fetch")
    parser.add_argument("--work", type=float, default=0.2, help="seconds of 'work' per issue")
    parser.add_argument("--branch-claims", action="store_true", help="the branch-push protocol (claim_refs=false)")
    args = parser.parse_args(argv)
    print(json.dumps(run(args), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
