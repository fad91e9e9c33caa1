"""Builds the demo project, starts the agents, prints their live trace and checks the outcome."""

import json
import os
import subprocess
import sys
import tempfile
import threading
import time

from jit.service import deps, gates, issues, queries
from jit.service.context import init_repo
from jit.service.validate import validate

# (key, title, priority, depends on, gates)
PROJECT = [
    ("schema", "Design the config schema", "high", [], ["tests"]),
    ("parser", "Write the config parser", "high", ["schema"], ["tests"]),
    ("errors", "Friendly parse errors", "normal", ["parser"], ["tests", "review"]),
    ("cli", "Add `app config` command", "normal", ["parser"], ["tests"]),
    ("env", "Environment variable overrides", "normal", ["parser"], ["tests"]),
    ("docs", "Document the config file", "low", ["cli", "env"], ["review"]),
    ("ci", "Run the tests in CI", "critical", [], ["tests"]),
    ("lint", "Add a linter to CI", "normal", ["ci"], ["tests"]),
    ("cache", "Cache parsed configs", "low", ["parser"], ["tests"]),
    ("bench", "Benchmark config loading", "low", ["cache"], ["tests"]),
    ("release", "Release 1.0", "high", ["docs", "errors", "lint", "bench"], ["review"]),
    ("notes", "Write release notes", "normal", ["release"], []),
]

CHECKER = 'test -s "work/$JIT_ISSUE_ID.txt"'


def build(workdir: str):
    env = {**os.environ, "JIT_DATA_DIR": os.path.join(workdir, ".jit"), "JIT_ACTOR": "human:demo-lead"}
    env.pop("JIT_DEBUG", None)
    ctx, _ = init_repo(env=env)
    gates.define_gate(ctx, "tests", "The work file exists (an automated check)", mode="auto", checker=CHECKER,
                      timeout=10)
    gates.define_gate(ctx, "review", "A peer reviewed it")
    ids = {}
    for key, title, priority, _, required in PROJECT:
        ids[key] = issues.create_issue(ctx, title, priority=priority, gates=required,
                                       labels=["project:config"]).id
    for key, _, _, needs, _ in PROJECT:
        for need in needs:
            deps.add_dependency(ctx, ids[key], ids[need])
    return ctx, env, ids


def _pump(proc, lines, lock, t0, out):
    for raw in proc.stdout:
        try:
            e = json.loads(raw)
        except ValueError:
            continue
        with lock:
            lines.append(e)
            extra = f"  ({e['extra']})" if e.get("extra") else ""
            out.write(f"{time.monotonic() - t0:6.2f}s  {e['agent']:<10} {e['verb']:<13} {e['id']}  {e['title']}{extra}\n")
            out.flush()


def run_demo(agents: int = 3, keep: bool = False, out=None) -> dict:
    """Run the whole demo; returns a summary (used by `jit demo --json` and the tests)."""
    out = out or sys.stdout
    tmp = tempfile.mkdtemp(prefix="jit-demo-")
    try:
        workdir = os.path.join(tmp, "project")
        os.makedirs(os.path.join(workdir, "work"))
        ctx, env, ids = build(workdir)
        fate = "kept afterwards (--keep)" if keep else "deleted at the end; add --keep to keep it"
        out.write(f"demo repository: {workdir} ({fate})\n{len(ids)} issues, gates: tests (auto: {CHECKER}), "
                  f"review (manual); {agents} agents start now\n\n")
        t0 = time.monotonic()
        lines, lock = [], threading.Lock()
        procs = []
        for n in range(1, agents + 1):
            agent_env = {**env, "JIT_ACTOR": f"agent:{n}"}
            procs.append(subprocess.Popen([sys.executable, "-m", "jit.demo.agent", f"agent:{n}", "work"],
                                          cwd=workdir, env=agent_env, stdout=subprocess.PIPE, text=True))
        pumps = [threading.Thread(target=_pump, args=(p, lines, lock, t0, out)) for p in procs]
        for t in pumps:
            t.start()
        codes = [p.wait(timeout=120) for p in procs]
        for t in pumps:
            t.join()
        elapsed = time.monotonic() - t0
        summary = _summarise(ctx, ids, lines, codes, elapsed, workdir if keep else None)
        _report(summary, out)
        return summary
    finally:
        if not keep:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)


def _summarise(ctx, ids, lines, codes, elapsed, kept):
    events = ctx.events.read_all()
    claims, dones = {}, {}
    for e in events:
        if e["type"] == "issue_claimed":
            claims[e["issue_id"]] = claims.get(e["issue_id"], 0) + 1
        if e["type"] == "state_changed" and e["data"].get("to") == "done":
            dones[e["issue_id"]] = dones.get(e["issue_id"], 0) + 1
    status = queries.status(ctx)
    report = validate(ctx)
    per_agent = {}
    for e in lines:
        if e["verb"] == "done":
            per_agent[e["agent"]] = per_agent.get(e["agent"], 0) + 1
    return {
        "issues": len(ids), "elapsed_seconds": round(elapsed, 2), "agent_exit_codes": codes,
        "by_state": status["by_state"], "done_by_agent": per_agent,
        "claimed_twice": sorted(i for i, n in claims.items() if n > 1),
        "done_twice": sorted(i for i, n in dones.items() if n > 1),
        "validate_ok": report["ok"], "repository": kept,
        "ok": report["ok"] and status["by_state"]["done"] == len(ids) and not any(codes)
        and all(n == 1 for n in dones.values()) and all(n == 1 for n in claims.values()),
    }


def _report(s, out):
    out.write("\nfinal status\n")
    for state, n in s["by_state"].items():
        out.write(f"  {state:<12} {n}\n")
    out.write("done per agent: " + ", ".join(f"{a} {n}" for a, n in sorted(s["done_by_agent"].items())) + "\n")
    out.write(f"issues claimed twice: {len(s['claimed_twice'])}, done twice: {len(s['done_twice'])}, "
              f"jit validate: {'clean' if s['validate_ok'] else 'PROBLEMS'}\n")
    out.write(("OK" if s["ok"] else "FAILED") + f": {s['issues']} issues done by "
              f"{len(s['agent_exit_codes'])} agents in {s['elapsed_seconds']}s\n")
    if s["repository"]:
        out.write(f"kept the repository at {s['repository']}; look around with `cd {s['repository']} && jit status` "
                  "or `jit serve`\n")
    else:
        out.write("deleted the demo repository; run `jit demo --keep` to keep it and look around\n")
