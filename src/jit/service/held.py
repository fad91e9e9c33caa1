"""Held work (`jit query claimed`): who holds what, since when, until when, last touched when.

"Since" comes from the event log (the latest claim or assignment of each held
issue): issue files record the lease, not the moment of the claim. "Last
activity" is the later of the issue's updated_at and its latest event, so a
comment, a heartbeat or a gate verdict all count as being alive.
"""

from jit.domain.durations import check_seconds
from jit.domain.leases import rfc3339
from jit.domain.model import GATED, IN_PROGRESS
from jit.errors import UsageError

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
CLAIM_EVENTS = ("issue_claimed", "issue_assigned")


def parse_duration(text) -> float:
    """Seconds in "90s", "15m", "2h", "1d", "1w" or a plain number of seconds. Raises UsageError."""
    raw = str(text).strip().lower()
    number, unit = (raw[:-1], raw[-1]) if raw[-1:] in UNITS else (raw, "s")
    try:
        value = float(number)
    except ValueError:
        value = -1
    if not value > 0:  # also NaN
        raise UsageError(f"duration {text!r} must be a positive number with a unit, e.g. 30m, 2h or 1d",
                         {"duration": text})
    return check_seconds(value * UNITS[unit], "--stale")


def held_issues(ctx, assignee=None) -> list:
    """In-progress and gated issues (optionally of one holder), from the index by state."""
    from jit.service.queries import list_issues

    found = []
    for state in (IN_PROGRESS, GATED):
        found += [i for i in list_issues(ctx, state=state, assignee=assignee) if i.assignee]
    return found


def claimed(ctx, stale=None) -> list:
    """[{issue, holder, since, lease_expires_at, last_activity}] for every held issue, the least
    recently active first; with `stale` (e.g. "2h") only those untouched for longer than that."""
    cutoff = rfc3339(ctx.clock.now_ns() - int(parse_duration(stale) * 1e9)) if stale is not None else None
    held = held_issues(ctx)
    ids = {i.id for i in held}
    since, latest = {}, {}
    if ids:
        for event in ctx.events.read_all():
            issue_id = event.get("issue_id")
            if issue_id not in ids:
                continue
            ts = str(event.get("ts") or "")
            latest[issue_id] = max(latest.get(issue_id, ""), ts)
            if event.get("type") in CLAIM_EVENTS:
                since[issue_id] = ts
    rows = []
    for issue in held:
        activity = max(issue.updated_at or "", latest.get(issue.id, ""))
        if cutoff is not None and activity >= cutoff:
            continue
        lease = issue.lease if isinstance(issue.lease, dict) else {}
        rows.append({"issue": issue, "holder": issue.assignee, "since": since.get(issue.id),
                     "lease_expires_at": lease.get("expires_at"), "last_activity": activity})
    return sorted(rows, key=lambda r: (r["last_activity"], r["issue"].id))
