"""Claims, claim-next, release, assignment, heartbeats and lazy lease expiry (SPEC section 6).

Atomicity comes from the repository lock: a claim re-reads the issue under
the lock and only a ready, unassigned issue can be claimed, so of any number
of racing claimers exactly one wins and the rest get Conflict (exit 4)
having changed nothing. Expired leases are noticed by whatever command next
reads the issue; there is no daemon.
"""

from jit.domain import states
from jit.domain.leases import check_holder, is_expired, make_lease
from jit.domain.model import BACKLOG, GATED, IN_PROGRESS, PRIORITIES, READY, TERMINAL, check_assignee, check_choice
from jit.errors import Conflict, NothingAvailable, NotFound, Refused, UsageError
from jit.service.flow import deps_done


def _lease(ctx, ttl):
    if ttl is None:
        ttl = ctx.config["defaults"].get("lease_ttl", 0) or 0
    if not isinstance(ttl, (int, float)) or isinstance(ttl, bool) or ttl < 0:
        raise UsageError(f"--ttl must be a positive number of seconds, got {ttl!r}", {"ttl": ttl})
    return make_lease(ctx.clock.now_ns(), ttl) if ttl else None


def _expire(ctx, tx, issue):
    """In a transaction: if the issue's lease ran out, put it back and log lease_expired."""
    if not is_expired(issue, ctx.now()):
        return issue
    target = READY if deps_done(tx, issue) else BACKLOG
    after = issue.replace(state=target, assignee=None, lease=None, updated_at=ctx.now())
    tx.save(after)
    tx.event(ctx.event("lease_expired", issue.id, {
        "assignee": issue.assignee, "expired_at": issue.lease.get("expires_at"),
        "from": issue.state, "to": target}, actor="system:lease"))
    return after


def expire_if_due(ctx, issue):
    """For readers: settle an expired lease before showing the issue."""
    if not is_expired(issue, ctx.now()):
        return issue
    with ctx.transaction() as tx:
        return _expire(ctx, tx, tx.load(issue.id))


def expire_due_leases(ctx, index=None) -> list:
    """Expire every lease that ran out; returns the ids put back."""
    index = index or ctx.index()
    due = index.expired_leases(ctx.now())
    if not due:
        return []
    with ctx.transaction() as tx:
        expired = [i for i in due if tx.exists(i) and _expire(ctx, tx, tx.load(i)).state != IN_PROGRESS]
    index.invalidate()
    return expired


def authorize(ctx, issue, action, force=False, reason=None) -> dict:
    """Let the holder (or an unnamed caller, or --force with a reason) act on a claimed issue.

    Returns the extra event data: {"forced": {"holder", "reason"}} when --force overrode a
    holder, else {}. Raises Conflict (exit 4) naming the holder when the caller named itself
    and is not the holder; UsageError for --reason without --force.
    """
    if reason is not None and not force:
        raise UsageError(f"--reason explains a --force; {action} without --force takes no reason",
                         {"id": issue.id, "action": action})
    forced = check_holder(issue, ctx.explicit_actor, action, force=force, reason=reason)
    return {"forced": forced} if forced else {}


def acting(ctx, issue, extra) -> str:
    """The event's actor (SPEC 10): --actor, else JIT_ACTOR, else the holder; a --force over the
    holder is never the holder's own act, so it falls back to human:$USER instead."""
    return ctx.actor(None if extra.get("forced") else issue.assignee)


def _holder_conflict(issue):
    return Conflict(
        f"{issue.short_id} is already claimed by {issue.assignee}",
        {"id": issue.id, "assignee": issue.assignee, "state": issue.state},
    )


def _claim_in_tx(ctx, tx, issue, assignee, lease):
    issue = _expire(ctx, tx, issue)
    if issue.assignee and issue.state in (IN_PROGRESS, GATED):
        raise _holder_conflict(issue)
    if issue.assignee and issue.assignee != assignee and issue.state not in TERMINAL:
        # Reserved for someone (`assign` on a backlog issue, `create --assignee`): claiming would steal it.
        raise Conflict(f"{issue.short_id} is assigned to {issue.assignee}; `jit issue unassign` it first",
                       {"id": issue.id, "assignee": issue.assignee, "state": issue.state})
    if issue.state == READY and not deps_done(tx, issue):
        raise states.refuse_transition(issue, IN_PROGRESS, "its dependencies are not done yet")
    after = states.start(issue, assignee, tx.gates(), ctx.now()).replace(lease=lease)
    tx.save(after)
    data = {"assignee": assignee, "from": issue.state, "to": after.state}
    if lease:
        data["lease"] = lease
    tx.event(ctx.event("issue_claimed", issue.id, data, actor=ctx.actor(assignee)))
    return after


def claim(ctx, ref, assignee, ttl=None):
    """Atomically claim a ready issue.

    Raises Conflict when someone holds it, Refused when it is not ready or prechecks have not passed.
    """
    check_assignee(assignee)
    lease = _lease(ctx, ttl)
    issue_id = ctx.resolve(ref)
    with ctx.transaction() as tx:
        return _claim_in_tx(ctx, tx, tx.load(issue_id), assignee, lease)


def claim_next(ctx, assignee, labels=(), priority=None, ttl=None):
    """Claim the best available issue (priority, then age). Raises NothingAvailable (exit 3)."""
    from jit.domain.labels import check_pattern, label_matches
    from jit.service.queries import rows_with_labels

    check_assignee(assignee)
    for pattern in labels:
        check_pattern(pattern)
    if priority:
        check_choice("priority", priority, PRIORITIES)
    lease = _lease(ctx, ttl)
    with ctx.transaction() as tx:
        index = ctx.index()
        now = ctx.now()
        gate_defs = tx.gates()
        for issue_id in index.expired_leases(now):
            _expire(ctx, tx, tx.load(issue_id))
        candidates = [row[0] for row in rows_with_labels(index.available_rows(priority, with_json=False), labels)]
        # Leases expired just now are not in the index yet; they compete on equal terms.
        expired_now = [i for i, issue in tx.touched.items() if issue is not None and issue.state == READY]
        if expired_now:
            from jit.domain.queries import work_order

            pool = {i: tx.load(i) for i in candidates + expired_now}
            candidates = [i.id for i in sorted(pool.values(), key=work_order)
                          if (not priority or i.priority == priority)
                          and all(label_matches(p, i.labels) for p in labels)]
        for issue_id in candidates:
            try:
                issue = tx.load(issue_id)
            except NotFound:
                continue
            if issue.state != READY or issue.assignee or not deps_done(tx, issue):
                continue
            if states.unpassed_prechecks(issue, gate_defs):
                continue
            return _claim_in_tx(ctx, tx, issue, assignee, lease)
    filters = ", ".join([*(f"label {p}" for p in labels), *([f"priority {priority}"] if priority else [])])
    raise NothingAvailable("no issue is available to claim" + (f" with {filters}" if filters else ""),
                           {"labels": list(labels), "priority": priority})


def release(ctx, ref, force=False, reason=None):
    """Give a claimed issue back: ready and unassigned.

    Raises Refused when it is not claimed, Conflict when the named caller is not the holder (see authorize).
    """
    issue_id = ctx.resolve(ref)
    with ctx.transaction() as tx:
        issue = _expire(ctx, tx, tx.load(issue_id))
        if issue.state != IN_PROGRESS:
            raise Refused(f"{issue.short_id} is not claimed (it is {issue.state}); nothing to release",
                          {"id": issue.id, "state": issue.state})
        extra = authorize(ctx, issue, "release", force, reason)
        after = issue.replace(state=READY if deps_done(tx, issue) else BACKLOG, assignee=None, lease=None,
                              updated_at=ctx.now())
        tx.save(after)
        tx.event(ctx.event("issue_released", issue_id, {"assignee": issue.assignee, "from": issue.state,
                                                        "to": after.state, **extra}, actor=acting(ctx, issue, extra)))
        return after


def assign(ctx, ref, assignee):
    """A person's override: set the assignee (ready issues start). Raises Refused when terminal."""
    check_assignee(assignee)
    issue_id = ctx.resolve(ref)
    with ctx.transaction() as tx:
        issue = _expire(ctx, tx, tx.load(issue_id))
        if issue.state in TERMINAL:
            raise Refused(f"{issue.short_id} is {issue.state}; it cannot be assigned", {"id": issue_id})
        # The previous holder's lease is theirs: it must not expire the new assignment.
        if issue.state == READY:
            after = states.start(issue, assignee, tx.gates(), ctx.now()).replace(lease=None)
        else:
            after = issue.replace(assignee=assignee, lease=None, updated_at=ctx.now())
        tx.save(after)
        tx.event(ctx.event("issue_assigned", issue_id, {"from_assignee": issue.assignee, "assignee": assignee,
                                                        "from": issue.state, "to": after.state}))
        return after


def unassign(ctx, ref):
    """Clear the assignee; an in-progress issue goes back to ready."""
    issue_id = ctx.resolve(ref)
    with ctx.transaction() as tx:
        issue = tx.load(issue_id)
        if issue.state in TERMINAL:
            raise Refused(f"{issue.short_id} is {issue.state}; it cannot be unassigned", {"id": issue_id})
        target = issue.state
        if issue.state == IN_PROGRESS:
            target = READY if deps_done(tx, issue) else BACKLOG
        after = issue.replace(assignee=None, lease=None, state=target, updated_at=ctx.now())
        tx.save(after)
        tx.event(ctx.event("issue_unassigned", issue_id, {"from_assignee": issue.assignee,
                                                          "from": issue.state, "to": target}))
        return after


def heartbeat(ctx, ref, ttl=None, force=False, reason=None):
    """Renew a claim's lease; only its holder may (see authorize).

    Raises Conflict when the lease already ran out or another holds it, Refused when not claimed.
    """
    issue_id = ctx.resolve(ref)
    with ctx.transaction() as tx:
        issue = tx.load(issue_id)
        expired = is_expired(issue, ctx.now())
        if expired:
            _expire(ctx, tx, issue)  # committed on leaving the block; reported below
        elif issue.state != IN_PROGRESS:
            raise Refused(f"{issue.short_id} is not claimed (it is {issue.state})", {"id": issue_id})
        else:
            extra = authorize(ctx, issue, "heartbeat", force, reason)
            old = issue.lease or {}
            new_ttl = ttl if ttl is not None else old.get("ttl")
            if not new_ttl:
                raise UsageError(f"{issue.short_id} has no lease to renew; pass --ttl SECONDS to start one",
                                 {"id": issue_id})
            lease = _lease(ctx, new_ttl)
            after = issue.replace(lease=lease, updated_at=ctx.now())
            tx.save(after)
            tx.event(ctx.event("lease_renewed", issue_id, {"lease": lease, **extra}, actor=acting(ctx, issue, extra)))
            return after
    raise Conflict(f"the lease of {issue.short_id} held by {issue.assignee} has expired; claim it again",
                   {"id": issue_id, "assignee": issue.assignee})
