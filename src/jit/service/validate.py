"""`jit validate`: re-check every invariant from the files alone, and repair what is safe.

Reads every issue file directly (never the index), so it also catches what a
hand edit or a git merge broke: corrupt files, dangling dependencies, cycles,
states that disagree with dependencies or gates, unknown gates, leftovers of
crashed writers.
"""

import os

from jit.domain import graph
from jit.domain.model import BACKLOG, DONE, GATED, IN_PROGRESS, READY
from jit.storage.issues import CorruptFile


def _parent_problems(issues) -> list:
    """Parent links a hand edit or a merge of two clones left pointing nowhere or in a circle."""
    found = [_problem("dangling_parent", f"{i.short_id} has parent {i.parent[:8]}, which does not exist",
                      f"`jit issue update {i.short_id} --no-parent`", i.id, parent=i.parent)
             for i in issues.values() if i.parent and i.parent not in issues]
    links = {i: [x.parent] for i, x in issues.items() if x.parent in issues}
    for cycle in graph.find_cycles(links):
        found.append(_problem("parent_cycle", "parent cycle: " + " -> ".join(c[:8] for c in cycle),
                              f"break it with `jit issue update {cycle[0][:8]} --no-parent`", cycle[0], cycle=cycle))
    return found


def _problem(kind, message, fix=None, issue_id=None, fixable=False, **extra):
    return {"kind": kind, "id": issue_id, "message": message, "fix": fix, "fixable": fixable, **extra}


def _load_all(ctx, problems):
    issues = {}
    for issue_id in sorted(ctx.files.ids()):
        try:
            issues[issue_id] = ctx.files.load(issue_id)
        except CorruptFile as exc:
            problems.append(_problem("corrupt_file", exc.message, "fix the file by hand or `git checkout` it",
                                     issue_id, file=f".jit/issues/{issue_id}.json"))
    return issues


def check(ctx) -> tuple:
    """(problems, issues) for the repository as it is on disk."""
    problems = []
    try:
        registry = ctx.gate_files.load_registry()
    except CorruptFile as exc:
        problems.append(_problem("corrupt_file", exc.message, "fix .jit/gates.json by hand", file=".jit/gates.json"))
        registry = {}
    issues = _load_all(ctx, problems)
    for issue in issues.values():
        sid = issue.short_id
        for dep in issue.dependencies:
            if dep not in issues:
                problems.append(_problem("dangling_dependency", f"{sid} depends on {dep[:8]}, which does not exist",
                                         f"`jit dep rm {sid} {dep}` (or --fix)", issue.id, True, dependency=dep))
        for key in issue.gates_required:
            if key not in registry:
                problems.append(_problem("unknown_gate", f"{sid} requires gate {key!r}, which is not defined",
                                         f"`jit gate define {key} --title ...` or `jit gate rm {sid} {key}`",
                                         issue.id, gate=key))
        # A dependency on a missing issue is not done (as claims and queries see it).
        all_done = all(d in issues and issues[d].state == DONE for d in issue.dependencies)
        if issue.state == READY and not all_done:
            problems.append(_problem("bad_state", f"{sid} is ready but a dependency is not done",
                                     "move it to backlog (--fix)", issue.id, True))
        if issue.state == BACKLOG and all_done:
            problems.append(_problem("bad_state", f"{sid} is backlog but every dependency is done",
                                     "move it to ready (--fix)", issue.id, True))
        if issue.state == IN_PROGRESS and not issue.assignee:
            problems.append(_problem("bad_state", f"{sid} is in_progress with no assignee",
                                     "move it back to ready (--fix)", issue.id, True))
        if issue.state == DONE and issue.unpassed_gates():
            problems.append(_problem("bad_state", f"{sid} is done but gate(s) {', '.join(issue.unpassed_gates())} "
                                     "have not passed", "review it by hand", issue.id))
        if issue.state == GATED and not issue.unpassed_gates():
            problems.append(_problem("bad_state", f"{sid} is gated but every gate passed",
                                     "move it to done (--fix)", issue.id, True))
        missing_status = [g for g in issue.gates_required if g not in issue.gates_status]
        if missing_status:
            problems.append(_problem("missing_gate_status", f"{sid} has no status for gate(s) {', '.join(missing_status)}",
                                     "record them as pending (--fix)", issue.id, True))
    deps = {i: [d for d in x.dependencies if d in issues] for i, x in issues.items()}
    for cycle in graph.find_cycles(deps):
        problems.append(_problem("cycle", "dependency cycle: " + " -> ".join(c[:8] for c in cycle),
                                 f"break it with `jit dep rm {cycle[0][:8]} {cycle[1][:8]}`", cycle[0], cycle=cycle))
    problems += _parent_problems(issues)
    from jit.service import file_checks

    problems += file_checks.check(ctx, issues, registry)
    leftovers = _leftover_temp_files(ctx)
    if leftovers:
        problems.append(_problem("temp_files", f"{len(leftovers)} temporary file(s) left by interrupted writes",
                                 "delete them (--fix)", None, True, files=leftovers))
    return problems, issues


def _leftover_temp_files(ctx) -> list:
    found = []
    for folder, _dirs, files in os.walk(ctx.layout.data_dir):
        for name in files:
            if name.startswith(".") and name.endswith(".tmp"):
                found.append(os.path.join(folder, name))
    return found


def validate(ctx, fix=False) -> dict:
    """Report problems; with fix, repair the safe ones under the lock and report again."""
    from jit.service import storage_checks
    from jit.storage.journal import UntrustedJournal

    ctx.settle_crash_leftovers()
    if _leftover_temp_files(ctx) or any(n.startswith(".import-") for n in os.listdir(ctx.layout.data_dir)):
        try:
            # The lock holder sweeps what writers killed mid-write left (temp files, import stages).
            with ctx.transaction():
                pass
        except UntrustedJournal:
            pass  # reported below; nothing is written until a person removes it
    problems, _ = check(ctx)
    problems += storage_checks.check(ctx)
    fixed = []
    if fix and any(p["fixable"] for p in problems):
        fixed = _fix(ctx) + storage_checks.fix(ctx, problems)
        problems, _ = check(ctx)
        problems += storage_checks.check(ctx)
    return {"ok": not problems, "problems": problems, "fixed": fixed}


def _fix(ctx) -> list:
    from jit.domain.model import pending_status

    fixed = []
    with ctx.transaction() as tx:
        problems, issues = check(ctx)
        for p in problems:
            if p["kind"] == "temp_files":
                for path in p["files"]:
                    try:
                        os.unlink(path)
                    except FileNotFoundError:
                        pass
                fixed.append(p["message"])
        for issue in issues.values():
            changed = issue.replace(
                dependencies=[d for d in issue.dependencies if d in issues],
                gates_status={**{g: pending_status() for g in issue.gates_required}, **issue.gates_status},
            )
            known_done = all(issues[d].state == DONE for d in changed.dependencies)
            if changed.state == READY and not known_done:
                changed.state = BACKLOG
            elif changed.state == BACKLOG and known_done:
                changed.state = READY
            elif changed.state == IN_PROGRESS and not changed.assignee:
                changed.state = READY if known_done else BACKLOG
            elif changed.state == GATED and not changed.unpassed_gates():
                changed.state = DONE
            if changed != issue:
                changed.updated_at = ctx.now()
                tx.save(changed)
                data = {"reason": "validate --fix"}
                if changed.state != issue.state:
                    data.update({"from": issue.state, "to": changed.state})
                tx.event(ctx.event("issue_repaired", issue.id, data))
                fixed.append(f"{issue.short_id}: repaired" + (f" ({issue.state} -> {changed.state})"
                                                               if changed.state != issue.state else ""))
    return fixed
