"""The gate registry and gate verdicts on issues (SPEC section 5).

Prechecks must pass before an issue starts; postchecks decide gated versus
done. Passing the last gate of a gated issue makes it done and releases its
dependents in the same transaction. Checkers run outside the repository lock
(they may take minutes); the verdict is recorded under it afterwards.
"""

from jit.domain import states
from jit.domain.checks import EXTRA_FIELDS, gate_extras, ordered_keys
from jit.domain.model import FAILED, GATE_FIELDS, PASSED, TERMINAL, check_author, make_gate
from jit.errors import Conflict, GateFailed, NotFound, Refused, UsageError
from jit.service.flow import record_state


def _unknown_gate(key):
    return NotFound(f"unknown gate {key!r}; see `jit gate list` or define it with `jit gate define {key} --title ...`",
                    {"gate": key})


def define_gate(ctx, key, title, *, description="", mode="manual", checker=None, timeout=None,
                stage="postcheck", **extras) -> dict:
    """Add a gate to the registry. Raises UsageError for bad values, Conflict if the key exists.

    `extras` are the optional run settings of jit.domain.checks (pass_context, prompt,
    working_dir, env, order)."""
    if timeout is None:
        timeout = ctx.config["defaults"].get("gate_timeout")
    gate = make_gate(key, title, description=description, mode=mode, checker=checker, timeout=timeout, stage=stage)
    gate.update(_extras(ctx, {**EXTRA_DEFAULTS, **extras}))
    with ctx.transaction() as tx:
        registry = dict(tx.gates())
        if key in registry:
            raise Conflict(f"gate {key!r} already exists; change it with `jit gate update {key}`", {"gate": key})
        registry[key] = gate
        tx.save_gates(registry)
        tx.event(ctx.event("gate_defined", None, {"gate": gate}))
    return gate


def update_gate(ctx, key, **changes) -> dict:
    """Change a gate definition. Raises NotFound, UsageError."""
    with ctx.transaction() as tx:
        registry = dict(tx.gates())
        if key not in registry:
            raise _unknown_gate(key)
        current = {f: registry[key].get(f) for f in GATE_FIELDS + EXTRA_FIELDS}
        merged = {**current, **{k: v for k, v in changes.items() if v is not None}}
        merged.pop("key")
        extras = {f: merged.pop(f) for f in EXTRA_FIELDS}
        gate = make_gate(key, merged.pop("title"), **merged)
        gate.update(_extras(ctx, {**EXTRA_DEFAULTS, **{k: v for k, v in extras.items() if v is not None}}))
        if gate != registry[key]:
            registry[key] = gate
            tx.save_gates(registry)
            tx.event(ctx.event("gate_updated", None, {"gate": gate}))
        return gate


EXTRA_DEFAULTS = {"pass_context": False, "prompt": None, "working_dir": None, "env": None, "order": None}


def _extras(ctx, extras: dict) -> dict:
    from jit.service.checking import inside_root

    return gate_extras(**{**extras, "working_dir": inside_root(ctx, extras.get("working_dir"))})


def list_gates(ctx) -> list:
    registry = ctx.gate_files.load_registry()
    return [registry[k] for k in sorted(registry)]


def show_gate(ctx, key) -> dict:
    registry = ctx.gate_files.load_registry()
    if key not in registry:
        raise _unknown_gate(key)
    return registry[key]


def remove_gate(ctx, key, force=False) -> dict:
    """Delete a gate definition. Raises Refused while issues require it, unless force."""
    import json

    with ctx.transaction() as tx:
        registry = dict(tx.gates())
        if key not in registry:
            raise _unknown_gate(key)
        # Found under the lock, so an issue gaining the gate meanwhile cannot be left requiring a removed gate.
        found = (json.loads(raw) for raw in ctx.index().issue_jsons())
        users = sorted(d["id"] for d in found if key in (d.get("gates_required") or []))
        users = [i for i in users if tx.exists(i) and key in tx.load(i).gates_required]
        if users and not force:
            raise Refused(f"gate {key!r} is required by {len(users)} issue(s) ({', '.join(u[:8] for u in users[:5])}); "
                          "detach it with `jit gate rm` or pass --force", {"gate": key, "issues": users})
        gate = registry.pop(key)
        tx.save_gates(registry)
        tx.event(ctx.event("gate_removed", None, {"gate": key, "issues": users}))
        for issue_id in users:
            _detach(ctx, tx, tx.load(issue_id), key)
        return gate


def _detach(ctx, tx, issue, key):
    status = dict(issue.gates_status)
    status.pop(key, None)
    after = issue.replace(gates_required=[g for g in issue.gates_required if g != key], gates_status=status,
                          updated_at=ctx.now())
    tx.save(after)
    tx.event(ctx.event("gate_removed_from_issue", issue.id, {"gate": key}))
    record_state(ctx, tx, after, states.after_gate_verdict(after, ctx.now()), reason="gates")


def add_gates(ctx, ref, keys) -> object:
    """Require gates on an issue (status pending). Raises NotFound for unknown keys, Refused when terminal."""
    if not keys:
        raise UsageError("name at least one gate key to add", {})
    issue_id = ctx.resolve(ref)
    with ctx.transaction() as tx:
        registry = tx.gates()
        for key in keys:
            if key not in registry:
                raise _unknown_gate(key)
        issue = tx.load(issue_id)
        if issue.state in TERMINAL:
            raise Refused(f"{issue.short_id} is {issue.state}; gates cannot be added", {"id": issue_id})
        return attach_gates(ctx, tx, issue, keys)


def attach_gates(ctx, tx, issue, keys):
    """Require the keys an issue does not require yet (status pending), inside `tx`."""
    new = [k for k in dict.fromkeys(keys) if k not in issue.gates_required]
    if not new:
        return issue
    status = dict(issue.gates_status)
    for key in new:
        status[key] = {"status": "pending", "by": None, "at": None}
    after = issue.replace(gates_required=issue.gates_required + new, gates_status=status, updated_at=ctx.now())
    tx.save(after)
    tx.event(ctx.event("gate_added", issue.id, {"gates": new}))
    return after


def _issue_gate(tx, issue_id, key):
    issue = tx.load(issue_id)
    if key not in tx.gates():
        raise _unknown_gate(key)
    if key not in issue.gates_required:
        raise NotFound(f"{issue.short_id} does not require gate {key!r}; add it with `jit gate add {issue.short_id} {key}`",
                       {"id": issue_id, "gate": key})
    if issue.state in TERMINAL:
        raise Refused(f"{issue.short_id} is {issue.state}; its gates are closed", {"id": issue_id, "gate": key})
    return issue


def remove_gate_from_issue(ctx, ref, key):
    issue_id = ctx.resolve(ref)
    with ctx.transaction() as tx:
        issue = _issue_gate(tx, issue_id, key)
        _detach(ctx, tx, issue, key)
        return tx.load(issue_id)


def _record_verdict(ctx, tx, issue, key, verdict, by, extra, force=False, reason=None):
    """Record a verdict whose author is `by` (default: SPEC 10's actor rule). Only the holder of a
    claimed issue, an unnamed caller, or --force with a reason may (Conflict otherwise, exit 4)."""
    from jit.service.claims import acting, authorize

    forced = authorize(ctx, issue, f"a verdict on gate {key}", force, reason)
    by = by or acting(ctx, issue, forced)
    gate = tx.gates()[key]
    status = {"status": verdict, "by": by, "at": ctx.now(), **extra}
    if gate.get("mode") == "auto" and "run" not in extra:
        status["override"] = True
    gates_status = dict(issue.gates_status)
    gates_status[key] = status
    updated = issue.replace(gates_status=gates_status, updated_at=ctx.now())
    tx.save(updated)
    data = {"gate": key, **{k: v for k, v in status.items() if k not in ("status", "at")}, **forced}
    # The verdict's author is its actor, whoever holds the issue (`--by human:bob` on agent:alice's work).
    tx.event(ctx.event("gate_passed" if verdict == PASSED else "gate_failed", issue.id, data, actor=by))
    after = states.after_gate_verdict(updated, ctx.now())
    record_state(ctx, tx, updated, after, reason="gates", actor=by)
    return after


def pass_gate(ctx, ref, key, by=None, force=False, reason=None):
    """Record a passing verdict by `by`; the last gate of a gated issue makes it done.
    Raises NotFound, Refused; Conflict when the caller named itself and another holds the issue."""
    check_author(by)
    issue_id = ctx.resolve(ref)
    from jit.service.flow import check_index

    check_index(ctx)  # the last gate finishes the issue: find its dependents before taking the lock
    with ctx.transaction() as tx:
        issue = _issue_gate(tx, issue_id, key)
        return _record_verdict(ctx, tx, issue, key, PASSED, by, {}, force, reason)


def fail_gate(ctx, ref, key, reason=None, by=None, force=False):
    """Record a failing verdict by `by`; with `force`, `reason` also explains the override."""
    check_author(by)
    issue_id = ctx.resolve(ref)
    with ctx.transaction() as tx:
        issue = _issue_gate(tx, issue_id, key)
        return _record_verdict(ctx, tx, issue, key, FAILED, by, {"reason": reason} if reason else {},
                               force, reason if force else None)


def _run_one(ctx, issue_id, key, on_progress, force=False, by=None):
    """(issue, run record, skipped): see jit.service.checking.run_check."""
    from jit.service.checking import run_check

    return run_check(ctx, issue_id, key, on_progress=on_progress, force=force, by=by)


def _failure(issue, records):
    failed = [r for r in records if r["status"] != PASSED]
    first = failed[0]
    why = first["error"] or f"exit code {first['exit_code']}"
    return GateFailed(
        f"gate {first['gate']!r} failed on {issue.short_id} ({why}); see `jit gate runs {issue.short_id} {first['gate']}`",
        {"id": issue.id, "state": issue.state, "issue": issue.to_dict(), "runs": records},
    )


def check_gate(ctx, ref, key, on_progress=None, force=False, by=None):
    """Run an auto gate's checker and record the verdict. Returns (issue, run, skipped): skipped
    when the last run passed at this same clean commit (`force` runs anyway). Raises GateFailed (exit 6)."""
    issue_id = ctx.resolve(ref)
    issue, record, skipped = _run_one(ctx, issue_id, key, on_progress, force, by)
    if record["status"] != PASSED:
        raise _failure(issue, [record])
    return issue, record, skipped


def check_all(ctx, ref, on_progress=None, force=False, fail_fast=False, by=None):
    """Run every auto gate of an issue, lower `order` first. Returns (issue, runs, skipped keys);
    raises GateFailed if any failed (with `fail_fast`, right after the first failure)."""
    issue_id = ctx.resolve(ref)
    issue = ctx.files.load(issue_id)
    registry = ctx.gate_files.load_registry()
    keys = ordered_keys([k for k in issue.gates_required if (registry.get(k) or {}).get("mode") == "auto"], registry)
    records, skipped = [], []
    for key in keys:
        issue, record, reused = _run_one(ctx, issue_id, key, on_progress, force, by)
        records.append(record)
        if reused:
            skipped.append(key)
        if fail_fast and record["status"] != PASSED:
            break
    if any(r["status"] != PASSED for r in records):
        raise _failure(issue, records)
    return issue, records, skipped


def pass_all(ctx, ref, by=None):
    """Pass every manual gate of an issue that has not passed yet, in one transaction (the last
    one may finish a gated issue). Returns (issue, keys passed). Raises NotFound, Refused."""
    check_author(by)
    issue_id = ctx.resolve(ref)
    from jit.service.flow import check_index

    check_index(ctx)  # the last gate may finish the issue: find its dependents before taking the lock
    with ctx.transaction() as tx:
        issue = tx.load(issue_id)
        registry = tx.gates()
        keys = [k for k in ordered_keys(issue.unpassed_gates(), registry)
                if (registry.get(k) or {}).get("mode", "manual") == "manual"]
        for key in keys:
            issue = _issue_gate(tx, issue_id, key)
            issue = _record_verdict(ctx, tx, issue, key, PASSED, by or ctx.actor(issue.assignee), {})
        return issue, keys


def list_runs(ctx, ref, key=None) -> list:
    issue_id = ctx.resolve(ref)
    if key is not None and key not in ctx.gate_files.load_registry():
        raise _unknown_gate(key)
    return ctx.gate_files.list_runs(issue_id, key)
