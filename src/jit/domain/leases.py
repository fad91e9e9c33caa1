"""Claim leases: a claim with a TTL expires unless renewed by a heartbeat (SPEC section 6).

Timestamps are RFC 3339 UTC with a fixed width, so comparing strings compares times.
"""

import time

from jit.domain.model import IN_PROGRESS, Issue


def rfc3339(ns: int) -> str:
    secs, micros = divmod(ns // 1000, 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + f".{micros:06d}Z"


def make_lease(now_ns: int, ttl: float) -> dict:
    return {"ttl": ttl, "expires_at": rfc3339(now_ns + int(ttl * 1_000_000_000))}


def is_expired(issue: Issue, now: str) -> bool:
    lease = issue.lease if isinstance(issue.lease, dict) else None
    return bool(issue.state == IN_PROGRESS and lease and lease.get("expires_at") and lease["expires_at"] < now)
