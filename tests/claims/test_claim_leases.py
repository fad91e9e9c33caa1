"""Leases: a claim with a TTL runs out unless renewed; the next command that looks puts it back.

Real processes with one- and two-second TTLs (two where a step must land before expiry,
so a slow CI machine cannot outrun the lease) for the lazy expiry as users meet it, and
an injected clock for the exact boundary.
"""

import json
import time

from claim_helpers import JIT_BIN, events, race


def _wait_past(expires_at: str, margin=0.2):
    """Sleep until `margin` seconds after an RFC 3339 UTC instant (leases are wall-clock)."""
    import calendar

    whole, frac = expires_at.rstrip("Z").split(".")
    target = calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) + float("0." + frac) + margin
    time.sleep(max(0.0, target - time.time()))


def test_expired_lease_frees_the_issue_for_another_agent(repo):
    issue = repo.create("Parser")
    lease = repo.ok("issue", "claim", issue, "agent:a", "--ttl", "2")["lease"]
    assert lease["ttl"] == 2
    blocked = repo.jit("issue", "claim", issue, "agent:b")
    assert blocked.code == 4 and "agent:a" in blocked.err
    _wait_past(lease["expires_at"])
    shown = repo.ok("issue", "show", issue)  # any reader settles the expired lease
    assert (shown["state"], shown["assignee"], shown["lease"]) == ("ready", None, None)
    [expired] = events(repo, "lease_expired", issue)
    assert expired["actor"] == "system:lease"
    assert expired["data"] == {"assignee": "agent:a", "expired_at": lease["expires_at"], "from": "in_progress",
                               "to": "ready"}
    repo.ok("issue", "show", issue)
    assert len(events(repo, "lease_expired")) == 1  # logged once
    reclaimed = repo.ok("issue", "claim", issue, "agent:b")
    assert (reclaimed["assignee"], reclaimed["lease"]) == ("agent:b", None)  # no TTL: held until released
    assert [e["type"] for e in events(repo, issue_id=issue)][-3:] == ["issue_claimed", "lease_expired",
                                                                     "issue_claimed"]


def test_claim_next_reclaims_an_expired_lease(repo):
    issue = repo.create("Only one")
    lease = repo.ok("issue", "claim-next", "agent:a", "--ttl", "2")["lease"]
    assert repo.jit("issue", "claim-next", "agent:b", "--json").out == "null\n"
    _wait_past(lease["expires_at"])
    # Nothing read the issue in between: claim-next itself notices the expiry.
    got = repo.ok("issue", "claim-next", "agent:b")
    assert (got["id"], got["assignee"]) == (issue, "agent:b")
    assert [e["data"]["assignee"] for e in events(repo, "lease_expired")] == ["agent:a"]


def test_many_readers_log_an_expiry_once(repo):
    issue = repo.create("Parser")
    lease = repo.ok("issue", "claim", issue, "agent:a", "--ttl", "1")["lease"]
    _wait_past(lease["expires_at"])
    results = race([[JIT_BIN, "issue", "show", issue, "--json"] for _ in range(8)]
                   + [[JIT_BIN, "query", "available", "--json"] for _ in range(4)], cwd=repo.root, env=repo.env)
    assert {code for code, _, _ in results} == {0}
    assert all(json.loads(out)["state"] == "ready" for _, out, _ in results[:8])
    assert len(events(repo, "lease_expired")) == 1


def test_heartbeat_keeps_the_claim_alive(repo):
    issue = repo.create("Parser")
    first = repo.ok("issue", "claim", issue, "agent:a", "--ttl", "4")["lease"]
    time.sleep(1.5)
    renewed = repo.ok("issue", "heartbeat", issue)["lease"]  # keeps the claim's TTL
    assert renewed["ttl"] == 4 and renewed["expires_at"] > first["expires_at"]
    # Checked just after the first expiry, with over a second of the renewed lease still left.
    _wait_past(first["expires_at"], margin=0.1)
    shown = repo.ok("issue", "show", issue)
    assert (shown["state"], shown["assignee"]) == ("in_progress", "agent:a")
    assert events(repo, "lease_expired") == []
    [event] = events(repo, "lease_renewed")
    assert event["actor"] == "agent:a" and event["data"]["lease"] == renewed
    assert repo.ok("issue", "heartbeat", issue, "--ttl", "600")["lease"]["ttl"] == 600


def test_heartbeat_after_expiry_is_a_conflict(repo):
    issue = repo.create("Parser")
    lease = repo.ok("issue", "claim", issue, "agent:a", "--ttl", "1")["lease"]
    _wait_past(lease["expires_at"])
    r = repo.jit("issue", "heartbeat", issue, "--json")
    assert r.code == 4 and "expired" in r.json["error"]["message"] and len(r.err.strip().splitlines()) == 1
    assert repo.ok("issue", "show", issue)["state"] == "ready"
    assert len(events(repo, "lease_expired")) == 1  # the heartbeat itself recorded the expiry


def test_heartbeat_refusals(repo):
    issue = repo.create("Parser")
    before = repo.snapshot()
    assert repo.jit("issue", "heartbeat", issue).code == 5  # not claimed
    assert repo.jit("issue", "heartbeat", "ffffffff").code == 3
    assert repo.snapshot() == before
    repo.ok("issue", "claim", issue, "agent:a")
    before = repo.snapshot()
    r = repo.jit("issue", "heartbeat", issue)
    assert r.code == 2 and "--ttl" in r.err  # no lease to renew
    assert repo.jit("issue", "heartbeat", issue, "--ttl", "0").code == 2
    assert repo.snapshot() == before
    assert repo.ok("issue", "heartbeat", issue, "--ttl", "30")["lease"]["ttl"] == 30  # starts one


def test_finished_or_released_work_is_not_expired_later(repo):
    repo.ok("gate", "define", "review", "--title", "Review")
    done = repo.create("Done")
    gated = repo.create("Gated", "--gate", "review")
    released = repo.create("Released")
    leases = [repo.ok("issue", "claim", i, "agent:a", "--ttl", "2")["lease"] for i in (done, gated, released)]
    repo.ok("issue", "done", done)
    repo.ok("issue", "done", gated)
    repo.ok("issue", "release", released)
    _wait_past(max(lease["expires_at"] for lease in leases))
    assert [repo.ok("issue", "show", i)["state"] for i in (done, gated, released)] == ["done", "gated", "ready"]
    assert repo.ok("issue", "show", gated)["assignee"] == "agent:a"
    assert events(repo, "lease_expired") == []


def test_default_ttl_comes_from_config(repo):
    config = repo.data / "config.toml"
    config.write_text(config.read_text().replace("lease_ttl = 0", "lease_ttl = 900"))
    issue = repo.create("Parser")
    assert repo.ok("issue", "claim", issue, "agent:a")["lease"]["ttl"] == 900
    other = repo.create("Other")
    assert repo.ok("issue", "claim", other, "agent:a", "--ttl", "5")["lease"]["ttl"] == 5


class _Clock:
    def __init__(self, ns):
        self.ns = ns

    def now_ns(self):
        return self.ns

    def now(self):
        from jit.domain.leases import rfc3339

        return rfc3339(self.ns)


def test_lease_boundary_with_an_injected_clock(repo):
    from jit.service import claims, issues
    from jit.service.context import open_repo

    clock = _Clock(1_900_000_000 * 10**9)
    ctx = open_repo(str(repo.root), env=repo.env, clock=clock)
    issue = issues.create_issue(ctx, "Parser")
    claimed = claims.claim(ctx, issue.id, "agent:a", ttl=10)
    assert claimed.lease["expires_at"] == "2030-03-17T17:46:50.000000Z"
    clock.ns += 10 * 10**9  # exactly at expiry: still held
    assert issues.show_issue(ctx, issue.id).assignee == "agent:a"
    clock.ns += 1000  # one microsecond later: gone
    assert issues.show_issue(ctx, issue.id).assignee is None
    ctx.close()


def test_a_person_taking_over_ends_the_agents_lease(repo):
    issue = repo.create("Parser")
    lease = repo.ok("issue", "claim", issue, "agent:a", "--ttl", "2")["lease"]
    taken = repo.ok("issue", "assign", issue, "human:ana")
    assert (taken["assignee"], taken["lease"]) == ("human:ana", None)
    _wait_past(lease["expires_at"])
    shown = repo.ok("issue", "show", issue)
    assert (shown["state"], shown["assignee"]) == ("in_progress", "human:ana")
    assert events(repo, "lease_expired") == []
