"""Claim leases and holders: a claim with a TTL expires unless renewed by a heartbeat, and
only its holder renews, releases or finishes it (SPEC section 6).

Timestamps are RFC 3339 UTC with a fixed width, so comparing strings compares times.
"""

import time

from jit.domain.model import IN_PROGRESS, Issue
from jit.errors import Conflict, UsageError


def rfc3339(ns: int) -> str:
    secs, micros = divmod(ns // 1000, 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + f".{micros:06d}Z"


def make_lease(now_ns: int, ttl: float) -> dict:
    return {"ttl": ttl, "expires_at": rfc3339(now_ns + int(ttl * 1_000_000_000))}


def is_expired(issue: Issue, now: str) -> bool:
    lease = issue.lease if isinstance(issue.lease, dict) else None
    return bool(issue.state == IN_PROGRESS and lease and lease.get("expires_at") and lease["expires_at"] < now)


def holder(issue: Issue) -> str | None:
    """Who holds the claim: the assignee of an in-progress issue. A gated issue keeps its
    assignee for the record, but its claim is over (the lease ended), so reviewers may act."""
    return issue.assignee if issue.state == IN_PROGRESS and issue.assignee else None


def check_holder(issue: Issue, caller: str | None, action: str, *, force=False, reason=None) -> dict | None:
    """Whether `caller` may `action` (heartbeat, release, done, a gate verdict) on this issue.

    `caller` is the actor the caller named (--actor or JIT_ACTOR), None when unnamed. A named
    caller that is not the holder is refused, so a stale agent learns it lost the issue; an
    unnamed caller is a person at a terminal and is let through. `force` with a reason
    overrides the refusal; the returned {"holder", "reason"} goes into the event's data as
    "forced" (None when nobody was overridden).
    Raises Conflict naming the holder; UsageError for a --force over a holder without a reason.
    """
    held_by = holder(issue)
    if held_by is None or caller == held_by or (caller is None and not force):
        return None
    if not force:
        raise Conflict(
            f"{issue.short_id} is held by {held_by}, not {caller}: {action} refused (you no longer hold it; "
            f"see `jit issue show {issue.short_id}`, or add --force --reason TEXT to act anyway)",
            {"id": issue.id, "holder": held_by, "actor": caller, "action": action, "state": issue.state},
        )
    if not (isinstance(reason, str) and reason.strip()):
        raise UsageError(f"--force over {held_by}'s claim needs --reason TEXT (it is recorded in the event)",
                         {"id": issue.id, "holder": held_by, "action": action})
    return {"holder": held_by, "reason": reason.strip()}
