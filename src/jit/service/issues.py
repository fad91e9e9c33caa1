"""Create, show, update, finish, reject, reopen and delete issues (SPEC sections 2, 3 and 8).

A `done` or `reject` records its summary or reason on the issue (`resolution`); `reopen`
clears it (the old one is kept in the `issue_reopened` event) and puts released dependents
back in the backlog. Parent links are checked in `hierarchy`.
"""

from jit.domain import states
from jit.domain.labels import check_label
from jit.domain.model import (
    BACKLOG, DONE, GATED, PRIORITIES, READY, REJECTED, STATES, TERMINAL, Issue, check_assignee, check_choice,
    check_title, make_resolution, pending_status,
)
from jit.errors import NotFound, Refused
from jit.service.flow import deps_done, record_state, settle
from jit.service.hierarchy import resolve_parent


def _check_gate_keys(ctx, tx, keys) -> None:
    registry = tx.gates()
    unknown = [k for k in keys if k not in registry]
    if unknown:
        raise NotFound(
            f"unknown gate {unknown[0]!r}; define it first with `jit gate define {unknown[0]} --title ...`",
            {"gates": unknown},
        )


def create_issue(ctx, title, *, description="", priority=None, labels=(), gates=(), deps=(),
                 assignee=None, context=None, parent=None) -> Issue:
    """Create an issue, backlog when a dependency is unfinished, else ready.

    Raises UsageError for bad values, NotFound for an unknown dependency, gate or parent.
    """
    title = check_title(title)
    priority = check_choice("priority", priority or ctx.config["defaults"].get("priority", "normal"), PRIORITIES)
    labels = [check_label(label) for label in labels]
    if assignee:
        check_assignee(assignee)
    dep_ids = [ctx.resolve(d) for d in deps]
    with ctx.transaction() as tx:
        for dep in dep_ids:
            tx.load(dep)  # under the lock: a dependency deleted since it was resolved is NotFound, not dangling
        if gates:
            _check_gate_keys(ctx, tx, gates)
        parent_id = resolve_parent(ctx, tx, None, parent) if parent else None
        issue = Issue.new(ctx.new_id(), title, ctx.now(), description=description, priority=priority,
                          labels=labels, dependencies=dep_ids, gates=gates, assignee=assignee, context=context,
                          parent=parent_id)
        issue.state = READY if deps_done(tx, issue) else BACKLOG
        tx.save(issue)
        data = {"title": issue.title, "state": issue.state}
        if parent_id:
            data["parent"] = parent_id
        tx.event(ctx.event("issue_created", issue.id, data))
    return issue


def show_issue(ctx, ref: str) -> Issue:
    from jit.service.claims import expire_if_due

    ctx.settle_crash_leftovers()  # never show half of an interrupted multi-file commit
    return expire_if_due(ctx, ctx.files.load(ctx.resolve(ref)))


def show_issues(ctx, refs) -> list:
    """Several issues in the order asked; every id is resolved before any is read.
    Raises NotFound or UsageError naming the first bad id."""
    ids = [ctx.resolve(r) for r in refs]
    return [show_issue(ctx, i) for i in ids]


def update_issue(ctx, ref, *, title=None, description=None, priority=None, state=None,
                 add_labels=(), remove_labels=(), assignee=None, context=None, parent=None,
                 no_parent=False, summary=None, force=False, reason=None) -> Issue:
    """Change fields and optionally ask for a state; field edits and the move land together.
    `parent` sets the parent link, `no_parent` clears it; `summary` goes with a done request.

    Raises UsageError for bad values, Refused (nothing changed) for a forbidden transition,
    a parent cycle, or finishing a parent whose children are open.
    """
    if state is not None:
        check_choice("state", state, STATES)
    if parent is not None and no_parent:
        from jit.errors import UsageError

        raise UsageError("give a new parent or --no-parent, not both", {"parent": parent})
    if priority is not None:
        check_choice("priority", priority, PRIORITIES)
    if title is not None:
        title = check_title(title)
    for label in add_labels:
        check_label(label)
    issue_id = ctx.resolve(ref)
    if state is not None:
        from jit.service.flow import check_index

        check_index(ctx)  # finishing releases dependents: find them without O(files) work under the lock
    with ctx.transaction() as tx:
        before = tx.load(issue_id)
        changes = {}
        if title is not None and title != before.title:
            changes["title"] = title
        if description is not None and description != before.description:
            changes["description"] = description
        if priority is not None and priority != before.priority:
            changes["priority"] = priority
        if add_labels or remove_labels:
            labels = [lb for lb in before.labels if lb not in remove_labels]
            labels += [lb for lb in add_labels if lb not in labels]
            if labels != before.labels:
                changes["labels"] = labels
        if context is not None:
            merged = {**before.context, **context}
            if merged != before.context:
                changes["context"] = merged
        if parent is not None or no_parent:
            parent_id = resolve_parent(ctx, tx, issue_id, parent) if parent is not None else None
            if parent_id != before.parent:
                changes["parent"] = parent_id
        current = before
        if changes:
            current = before.replace(**changes, updated_at=ctx.now())
            tx.save(current)
            tx.event(ctx.event("issue_updated", issue_id, {
                "fields": {k: {"from": getattr(before, k), "to": v} for k, v in changes.items()}}))
        if state is not None and state != current.state:
            from jit.service.claims import acting, authorize

            # Asking for a state on a claimed issue is the holder's call (a stale agent gets exit 4);
            # rejecting stays a person's decision, like `jit issue reject` (docs/coordination.md).
            extra = {} if state == REJECTED else authorize(
                ctx, current, "done" if state == DONE else f"--state {state}", force, reason)
            after = _requested_state(ctx, tx, current, state)
            if after.state in (DONE, GATED, REJECTED) and (after is not current or summary):
                kind = "rejected" if after.state == REJECTED else "done"
                after = after.replace(resolution=make_resolution(kind, summary, acting(ctx, current, extra), ctx.now()))
            record_state(ctx, tx, current, after, reason="requested",
                         actor=acting(ctx, current, extra) if extra else None, extra=extra)
            current = after
        elif state in (DONE, REJECTED) and summary and (current.resolution or {}).get("text") != summary:
            # A summary added to a finished issue (the agent forgot it): recorded, the state stays.
            after = current.replace(resolution=make_resolution(
                state if state == DONE else "rejected", summary, ctx.actor(current.assignee), ctx.now()),
                updated_at=ctx.now())
            tx.save(after)
            tx.event(ctx.event("issue_updated", issue_id, {"fields": {"resolution": {
                "from": current.resolution, "to": after.resolution}}}))
            current = after
        return current


def _requested_state(ctx, tx, issue: Issue, target: str) -> Issue:
    now = ctx.now()
    if target in (DONE, GATED):
        from jit.service.hierarchy import refuse_open_children

        after = states.request_done(issue, now)
        if after.state in (DONE, GATED):
            refuse_open_children(ctx, tx, issue)
        if target == GATED and after.state == DONE:
            raise Refused(f"{issue.short_id} has no unpassed gates, so it cannot be gated; ask for done",
                          {"id": issue.id})
        return after
    if target == REJECTED:
        return states.reject(issue, now)
    if target == READY:
        states.check_transition(issue, READY)
        if not deps_done(tx, issue):
            raise states.refuse_transition(issue, READY, "its dependencies are not done yet")
        return issue.replace(state=READY, assignee=None, lease=None, updated_at=now)
    if target == BACKLOG:
        raise states.refuse_transition(issue, BACKLOG, "backlog is derived from unfinished dependencies")
    from jit.domain.model import IN_PROGRESS

    if target == IN_PROGRESS:
        if not issue.assignee:
            # Work in progress belongs to someone (SPEC 3: by claim or assign); validate flags it otherwise.
            raise states.refuse_transition(issue, IN_PROGRESS, "nobody holds it; use `jit issue claim "
                                           f"{issue.short_id} ASSIGNEE` or `jit issue assign`")
        return states.start(issue, issue.assignee, tx.gates(), now)
    raise states.refuse_transition(issue, target)


def done_issue(ctx, ref: str, summary: str | None = None, force=False, reason=None) -> Issue:
    """Ask for done (gated until every gate passes), recording `summary` as the resolution.
    Raises Refused from backlog, or for a parent whose children are still open; Conflict when
    the caller named itself and another holds the issue (see claims.authorize)."""
    return update_issue(ctx, ref, state=DONE, summary=_text(summary, "summary"), force=force, reason=reason)


def reject_issue(ctx, ref: str, reason: str | None = None) -> Issue:
    """Reject from any non-terminal state, bypassing gates; `reason` becomes the resolution.
    Raises Refused when terminal."""
    reason = _text(reason, "reason")
    issue_id = ctx.resolve(ref)
    with ctx.transaction() as tx:
        before = tx.load(issue_id)
        after = states.reject(before, ctx.now())
        after = after.replace(resolution=make_resolution("rejected", reason, ctx.actor(before.assignee), ctx.now()))
        record_state(ctx, tx, before, after, reason=reason or "rejected")
        return after


def reopen_issue(ctx, ref: str, reason: str | None = None) -> Issue:
    """Bring a done or rejected issue back: ready, or backlog while a dependency is unfinished.
    Unassigned, gates back to pending (the work will change), resolution cleared; dependents
    that its completion released go back to the backlog. Raises Refused when not finished."""
    from jit.service.flow import check_index, dependents_of

    reason = _text(reason, "reason")
    issue_id = ctx.resolve(ref)
    check_index(ctx)  # dependents are found under the lock without O(files) work, as done does
    with ctx.transaction() as tx:
        before = tx.load(issue_id)
        if before.state not in TERMINAL:
            raise Refused(f"{before.short_id} is {before.state}, not done or rejected; nothing to reopen",
                          {"id": issue_id, "state": before.state})
        target = READY if deps_done(tx, before) else BACKLOG
        after = before.replace(state=target, assignee=None, lease=None, resolution=None, updated_at=ctx.now(),
                               gates_status={g: pending_status() for g in before.gates_required})
        tx.save(after)
        tx.event(ctx.event("issue_reopened", issue_id, {
            "from": before.state, "to": target, "reason": reason, "resolution": before.resolution}))
        for dependent_id in dependents_of(ctx, tx, issue_id):
            settle(ctx, tx, tx.load(dependent_id))
        return after


def _text(value, field):
    """An optional summary or reason: None when absent or blank. Raises UsageError for a non-string."""
    if value is None:
        return None
    if not isinstance(value, str):
        from jit.errors import UsageError

        raise UsageError(f"{field} must be text", {"field": field})
    return value.strip() or None


def delete_issue(ctx, ref: str, force: bool = False) -> Issue:
    """Delete an issue. Raises Refused while others depend on it, unless force."""
    issue_id = ctx.resolve(ref)
    from jit.service.flow import dependents_of

    with ctx.transaction() as tx:
        issue = tx.load(issue_id)
        dependents = dependents_of(ctx, tx, issue_id)
        if dependents and not force:
            raise Refused(
                f"{len(dependents)} issue(s) depend on {issue.short_id} "
                f"({', '.join(d[:8] for d in dependents[:5])}); remove those dependencies or pass --force",
                {"id": issue_id, "dependents": dependents},
            )
        tx.delete(issue_id)
        tx.event(ctx.event("issue_deleted", issue_id, {"title": issue.title, "dependents": dependents}))
        for dependent_id in dependents:
            dep = tx.load(dependent_id)
            trimmed = dep.replace(dependencies=[d for d in dep.dependencies if d != issue_id],
                                  updated_at=ctx.now())
            tx.save(trimmed)
            tx.event(ctx.event("dependency_removed", dependent_id, {"on": issue_id, "reason": "deleted"}))
            settle(ctx, tx, trimmed)
        return issue

