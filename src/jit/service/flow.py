"""Transitions with their knock-on effects, shared by every use-case.

When an issue becomes done, its dependents whose dependencies are now all
done move backlog -> ready in the same transaction (SPEC section 3). Every
state change records exactly one `state_changed` event.
"""

from jit.domain import states
from jit.domain.model import DONE, Issue
from jit.errors import NotFound


def record_state(ctx, tx, before: Issue, after: Issue, reason: str | None = None, actor=None,
                 extra=None) -> None:
    """Save `after` and, when its state moved, log the move (with `extra` data) and release dependents."""
    tx.save(after)
    if before.state != after.state:
        data = {"from": before.state, "to": after.state}
        if reason:
            data["reason"] = reason
        data.update(extra or {})
        tx.event(ctx.event("state_changed", after.id, data, actor=actor))
        if after.state == DONE:
            release_dependents(ctx, tx, after.id, actor=actor)


def deps_done(tx, issue: Issue) -> bool:
    for dep in issue.dependencies:
        try:
            if tx.load(dep).state != DONE:
                return False
        except NotFound:
            return False
    return True


def release_dependents(ctx, tx, issue_id: str, actor=None) -> None:
    for dependent_id in dependents_of(ctx, tx, issue_id):
        try:
            dependent = tx.load(dependent_id)
        except NotFound:
            continue
        settle(ctx, tx, dependent, actor=actor)


def settle(ctx, tx, issue: Issue, actor=None) -> Issue:
    """Put a backlog/ready issue where its dependencies say it belongs, logging any move."""
    after = states.settle_unstarted(issue, deps_done(tx, issue), ctx.now())
    if after is not issue:
        record_state(ctx, tx, issue, after, reason="dependencies", actor=actor)
    return after


def check_index(ctx) -> None:
    """Check the index against the files now, before taking the lock, so that `dependents_of`
    under the lock needs no O(files) work. Call it in commands that may finish an issue."""
    ctx.index().check_quietly()


def dependents_of(ctx, tx, issue_id: str) -> list:
    """Issues whose dependency list names issue_id, verified against their files.

    Under the lock this costs the direct dependents, not the store: the index as last checked
    (see check_index), plus every issue a jit commit touched since that check (the event log
    names them: commits append under this same lock, so none can be missed), plus this
    transaction's own writes. Only a dependency hand-edited into a file in place between that
    check and taking the lock could be missed (a race with a person); `jit validate --fix` settles it.
    """
    found = ctx.index().related_under_lock("dependents", issue_id)
    for other_id, other in tx.touched.items():
        if other is not None and issue_id in other.dependencies:
            found.add(other_id)
    return sorted(i for i in found if i != issue_id and tx.exists(i) and issue_id in tx.load(i).dependencies)
