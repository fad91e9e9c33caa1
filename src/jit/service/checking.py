"""One automated check, from the gate definition to the recorded verdict.

Validates under the lock, then (outside it) decides whether an earlier passed run at the
same clean commit stands (no wasted re-runs), otherwise runs the checker in its working
folder with its environment and, for `--pass-context` gates, the context file. The run
record stores the commit it ran at. The verdict is recorded under the lock again.
"""

import os

from jit.domain.checks import check_working_dir, parse_env, reusable_run, run_fingerprint
from jit.domain.leases import rfc3339
from jit.domain.model import FAILED, PASSED
from jit.errors import UsageError


def working_folder(ctx, working_dir, must_exist=True) -> str:
    """The absolute folder a checker runs in: the root, or a folder inside it, symlinks
    resolved (also those on the way to a folder not made yet). Raises UsageError when it
    leaves the repository or does not exist."""
    root = ctx.layout.root
    if not working_dir:
        return root
    folder = os.path.join(root, working_dir)
    real_root = os.path.realpath(root)
    real = os.path.realpath(folder)
    if real != real_root and not real.startswith(real_root.rstrip("/") + "/"):
        raise UsageError(f"working dir {working_dir!r} leads outside the repository ({real}); "
                         "checkers run inside it", {"working_dir": working_dir})
    if must_exist and not os.path.isdir(real):
        raise UsageError(f"working dir {working_dir!r} is not a folder under {root}; create it or change it with "
                         "`jit gate update KEY --working-dir DIR`", {"working_dir": working_dir})
    return folder


def inside_root(ctx, working_dir):
    """A --working-dir as given by a user (relative to the root, or absolute inside it) in the
    stored form; refuses one that leaves the repository, also through a symlink. Raises UsageError."""
    if working_dir is None:
        return None
    if os.path.isabs(working_dir):
        real_root = os.path.realpath(ctx.layout.root)
        real = os.path.realpath(working_dir)
        if real != real_root and not real.startswith(real_root.rstrip("/") + "/"):
            raise UsageError(f"working dir {working_dir!r} is outside the repository {ctx.layout.root}",
                             {"working_dir": working_dir})
        working_dir = os.path.relpath(real, real_root)
    stored = check_working_dir(working_dir)
    if stored:
        working_folder(ctx, stored, must_exist=False)
    return stored or ""


def run_check(ctx, issue_id, key, *, on_progress=None, force=False, by=None):
    """Run (or stand on an earlier run of) one auto gate. Returns (issue, record, skipped).
    `by` names the verdict's author (a CI job: `ci:NAME`); default SPEC 10's actor rule."""
    from jit.domain.model import check_author

    check_author(by)
    from jit.service.checker import run_checker
    from jit.service.claims import authorize
    from jit.service.gate_context import build_context, git_state
    from jit.service.gates import _issue_gate, _record_verdict

    with ctx.transaction() as tx:  # validate up front, but do not hold the lock while the checker runs
        issue = _issue_gate(tx, issue_id, key)
        gate = tx.gates()[key]
        authorize(ctx, issue, f"a verdict on gate {key}")  # a stale agent is told before its checker runs
    if gate.get("mode") != "auto":
        raise UsageError(f"gate {key!r} is manual; record a verdict with `jit gate pass {issue.short_id} {key}`",
                         {"gate": key})
    if not isinstance(gate.get("checker"), str) or not gate["checker"].strip():
        from jit.errors import Refused  # a hand-edited gates.json; `jit validate` reports it too

        raise Refused(f"auto gate {key!r} has no checker command; set one with "
                      f"`jit gate update {key} --checker 'CMD'`", {"gate": key})
    cwd = working_folder(ctx, check_working_dir(gate.get("working_dir")))  # re-checked: gates.json is hand-editable
    state = git_state(ctx)
    runs = ctx.gate_files.list_runs(issue_id, key)
    if not force and state:
        reused = reusable_run(runs, issue.gates_status.get(key), gate, state["commit"], state["clean"])
        if reused:
            return issue, reused, True
    env = {**ctx.env, **parse_env(gate.get("env") or {}), "JIT_ISSUE_ID": issue_id, "JIT_GATE_KEY": key,
           "JIT_STAGE": gate.get("stage") or "postcheck", "JIT_REPO_ROOT": str(ctx.layout.root)}
    env.pop("JIT_CONTEXT_FILE", None)  # only a --pass-context gate gets one, and then its own
    context = build_context(ctx, issue, gate, runs, state) if gate.get("pass_context") else None
    result = run_checker(gate["checker"], cwd=cwd, env=env, timeout=float(gate.get("timeout") or 300),
                         on_progress=(lambda elapsed, line: on_progress(key, elapsed, line)) if on_progress else None,
                         context=context)
    passed = result["exit_code"] == 0
    run_id = rfc3339(int(result["started"] * 1e9)).replace(":", "").replace("-", "") + "-" + ctx.new_id()[:6]
    record = {
        "id": run_id, "issue_id": issue_id, "gate": key, "command": gate["checker"],
        "started_at": rfc3339(int(result["started"] * 1e9)), "duration": result["duration"],
        "exit_code": result["exit_code"], "timed_out": result["timed_out"], "error": result["error"],
        "output_tail": result["output_tail"], "output_bytes": result["output_bytes"],
        "status": PASSED if passed else FAILED, "by": by or ctx.actor(issue.assignee),  # SPEC 10's actor rule
        "commit": state["commit"] if state else None, "dirty": (not state["clean"]) if state else None,
        "fingerprint": run_fingerprint(gate),
    }
    if passed:
        from jit.service.flow import check_index

        check_index(ctx)  # a passing check may finish the issue: find dependents before the lock
    with ctx.transaction() as tx:
        issue = _issue_gate(tx, issue_id, key)
        tx.save_run(issue_id, run_id, record)
        extra = {"run": run_id, "exit_code": result["exit_code"]}
        if result["error"]:
            extra["reason"] = result["error"]
        after = _record_verdict(ctx, tx, issue, key, PASSED if passed else FAILED, record["by"], extra)
    return after, record, False
