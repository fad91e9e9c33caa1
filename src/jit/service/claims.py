"""Claims, claim-next, release, assignment, heartbeats and lazy lease expiry (SPEC section 6).

Atomicity comes from the repository lock: a claim re-reads the issue under
the lock and only a ready, unassigned issue can be claimed, so of any number
of racing claimers exactly one wins and the rest get Conflict (exit 4)
having changed nothing. Expired leases are noticed by whatever command next
reads the issue; there is no daemon.
"""

from jit.domain import states
from jit.domain.leases import check_holder, is_expired, make_lease
from jit.domain.model import BACKLOG, GATED, IN_PROGRESS, READY, TERMINAL, check_assignee
from jit.errors import Conflict, NotFound, NothingAvailable, Refused, StorageFault, UsageError
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
    try:
        with ctx.transaction() as tx:
            return _expire(ctx, tx, tx.load(issue.id))
    except StorageFault as exc:
        _cannot_settle(ctx, exc, 1)
        return issue


def expire_due_leases(ctx, index=None) -> list:
    """Expire every lease that ran out; returns the ids put back."""
    index = index or ctx.index()
    due = index.expired_leases(ctx.now())
    if not due:
        return []
    try:
        with ctx.transaction() as tx:
            expired = [i for i in due if tx.exists(i) and _expire(ctx, tx, tx.load(i)).state != IN_PROGRESS]
    except StorageFault as exc:
        _cannot_settle(ctx, exc, len(due))
        return []
    index.invalidate()
    return expired


def _cannot_settle(ctx, exc, count) -> None:
    """Readers answer from the files as they are when the repository cannot be written
    (a read-only .jit/, a full disk): the expiry is committed by the next jit that can write."""
    if not getattr(ctx, "_unsettled_warned", False):
        ctx._unsettled_warned = True
        ctx.warn(f"warning: {count} expired lease(s) left as recorded: {exc.message}")


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


def claim_next(ctx, assignee, labels=(), priority=None, ttl=None, filter=None):
    """Claim the best available issue (priority, then age). Raises NothingAvailable (exit 3).

    Nothing under the lock grows with the store: the index is checked against the files before
    locking; under the lock the best few candidates (a LIMIT) are verified from their files, and
    issues changed since the check (the event log names them) are read and compete too.
    """
    from jit.domain import filter as flt
    from jit.service.queries import _terms, compile_filter, parse_filter

    check_assignee(assignee)
    node = flt.conjunction(*_terms(labels=labels, priority=priority), parse_filter(filter))
    lease = _lease(ctx, ttl)
    where, args = compile_filter(ctx, node)
    index = ctx.index()
    index.connection()  # the freshness check, O(files), before taking the lock
    with ctx.transaction() as tx:
        issue = _best_candidate(ctx, tx, index, node, where, args)
        if issue is not None:
            return _claim_in_tx(ctx, tx, issue, assignee, lease)
    filters = ", ".join([*(f"label {p}" for p in labels), *([f"priority {priority}"] if priority else []),
                         *([f"filter {filter}"] if filter else [])])
    from jit.service.queries import waiting_for_prechecks

    waiting = waiting_for_prechecks(ctx, ctx.gate_files.load_registry())
    hint = f"; {waiting} ready issue(s) wait for a precheck gate: see `jit query blocked`" if waiting else ""
    raise NothingAvailable("no issue is available to claim" + (f" with {filters}" if filters else "") + hint,
                           {"labels": list(labels), "priority": priority, "filter": filter,
                            "waiting_for_prechecks": waiting})


CANDIDATES = 16  # index rows fetched per round under the lock (files are read one by one)


def _best_candidate(ctx, tx, index, node, where, args):
    """Under the lock: the best issue that is available according to its file, or None."""
    from jit.domain import filter as flt
    from jit.domain.queries import work_order
    from jit.service.queries import available_where

    gate_defs = tx.gates()
    awhere, aargs = available_where(gate_defs)
    conn = index.as_checked()
    touched = index.touched_since_check()
    if touched is None:  # the event log was rewritten (a git merge): check every file, the slow way
        index.invalidate()
        conn, touched = index.connection(), set()
    for issue_id in set(index.expired_leases(ctx.now(), conn)) | touched:
        if tx.exists(issue_id):
            _expire(ctx, tx, tx.load(issue_id))

    def blocked(issue):
        return not deps_done(tx, issue) or bool(states.unpassed_prechecks(issue, gate_defs))

    def eligible(issue):
        if issue.state != READY or issue.assignee or blocked(issue):
            return False
        return node is None or flt.matches(node, issue, blocked)

    # Issues written since the check: their index rows are stale, their files are not.
    changed = [i for i in tx.touched.values() if i is not None]
    changed += [tx.load(i) for i in touched - tx.touched.keys() if tx.exists(i)]
    pending = sorted((i for i in changed if eligible(i)), key=work_order)
    query, args = f"{awhere} AND ({where})", [*aargs, *args]
    offset = 0
    while True:
        # Rows come in work order; files are read one at a time, so the usual cost is one file.
        rows = index.select(query, args, CANDIDATES, offset, columns="i.id, i.prank, i.created", conn=conn)
        offset += CANDIDATES
        for issue_id, prank, created in rows:
            while pending and work_order(pending[0]) <= (prank, created, issue_id):
                issue = pending.pop(0)
                if eligible(issue):
                    return issue
            if issue_id in touched or issue_id in tx.touched:
                continue  # a stale row: its file is among `pending` when it qualifies
            try:
                issue = tx.load(issue_id)
            except NotFound:
                continue
            if eligible(issue):
                return issue
        if len(rows) < CANDIDATES:
            return next((i for i in pending if eligible(i)), None)


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
