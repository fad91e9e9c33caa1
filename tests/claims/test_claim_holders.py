"""Only the holder renews, releases or finishes a claim (issue 11 items 5, 7 and 9).

A caller that names itself (--actor, JIT_ACTOR) and is not the holder gets exit 4 naming the
holder and changes nothing; `--force --reason` acts anyway and the event records both. An
unnamed caller is a person at a terminal and is let through. Every step is the real CLI.
"""

import pytest
from claim_helpers import events, stored
from test_claim_leases import _wait_past


def _held(repo, holder="agent:alice", ttl="600"):
    issue = repo.create("Parser")
    repo.ok("issue", "claim", issue, holder, "--ttl", ttl)
    return issue


def _refused(repo, args, holder, env=None):
    """Run a command that must be refused with exit 4 naming the holder, and change nothing."""
    before = repo.snapshot()
    r = repo.jit(*args, "--json", env=env)
    assert r.code == 4, r
    assert r.json["error"]["code"] == "conflict" and r.json["error"]["details"]["holder"] == holder
    assert holder in r.json["error"]["message"]
    assert repo.snapshot() == before
    return r


def test_item_5_heartbeat_by_another_actor_is_refused(repo):
    issue = _held(repo)
    # As the issue words it: `jit issue heartbeat ID --actor agent:other`.
    r = repo.jit("issue", "heartbeat", issue, "--actor", "agent:other")
    assert r.code == 4 and "agent:alice" in r.err and len(r.err.strip().splitlines()) == 1
    _refused(repo, ["issue", "heartbeat", issue, "--ttl", "1", "--actor", "agent:other"], "agent:alice")
    _refused(repo, ["issue", "heartbeat", issue], "agent:alice", env={"JIT_ACTOR": "agent:other"})
    assert events(repo, "lease_renewed") == []
    # The holder itself, named either way, renews as before.
    renewed = repo.ok("issue", "heartbeat", issue, "--ttl", "900", env={"JIT_ACTOR": "agent:alice"})
    assert renewed["lease"]["ttl"] == 900
    assert [e["actor"] for e in events(repo, "lease_renewed")] == ["agent:alice"]


def test_item_9_a_holder_that_lost_its_lease_is_told(repo):
    """Agent A claims with --ttl 1, the lease expires, B claims with --ttl 60; A's heartbeat and done
    then exit 4 and B's claim and lease stay exactly as B made them."""
    issue = repo.create("Parser")
    lease_a = repo.ok("issue", "claim", issue, "agent:a", "--ttl", "1")["lease"]
    _wait_past(lease_a["expires_at"])
    claimed_b = repo.ok("issue", "claim", issue, "agent:b", "--ttl", "60")
    a = {"JIT_ACTOR": "agent:a"}
    r = repo.jit("issue", "heartbeat", issue, "--ttl", "1", env=a)
    assert r.code == 4 and "agent:b" in r.err, r
    r = repo.jit("issue", "done", issue, env=a)
    assert r.code == 4 and "agent:b" in r.err, r
    r = repo.jit("issue", "release", issue, env=a)
    assert r.code == 4 and "agent:b" in r.err, r
    after = stored(repo, issue)
    assert (after["state"], after["assignee"], after["lease"]) == ("in_progress", "agent:b", claimed_b["lease"])
    assert [e["type"] for e in events(repo, issue_id=issue)][-2:] == ["lease_expired", "issue_claimed"]
    # B itself carries on.
    assert repo.ok("issue", "done", issue, env={"JIT_ACTOR": "agent:b"})["state"] == "done"


def test_release_and_done_by_a_named_stranger_are_refused(repo):
    issue = _held(repo)
    stranger = {"JIT_ACTOR": "agent:bob"}
    _refused(repo, ["issue", "release", issue], "agent:alice", env=stranger)
    _refused(repo, ["issue", "done", issue], "agent:alice", env=stranger)
    _refused(repo, ["issue", "update", issue, "--state", "done"], "agent:alice", env=stranger)
    _refused(repo, ["issue", "update", issue, "--state", "ready", "--actor", "agent:bob"], "agent:alice")


@pytest.mark.parametrize("command", [["issue", "heartbeat"], ["issue", "release"], ["issue", "done"]])
def test_force_needs_a_reason_and_reason_needs_force(repo, command):
    issue = _held(repo)
    before = repo.snapshot()
    r = repo.jit(*command, issue, "--force", "--actor", "agent:bob")
    assert r.code == 2 and "--reason" in r.err and len(r.err.strip().splitlines()) == 1
    r = repo.jit(*command, issue, "--force", "--reason", "  ", "--actor", "agent:bob")
    assert r.code == 2
    r = repo.jit(*command, issue, "--reason", "why", "--actor", "agent:alice")
    assert r.code == 2 and "--force" in r.err
    assert repo.snapshot() == before


def test_forced_heartbeat_and_release_record_the_reason(repo):
    issue = _held(repo)
    renewed = repo.ok("issue", "heartbeat", issue, "--ttl", "30", "--force", "--reason", "alice is stuck in CI",
                      "--actor", "agent:bob")
    assert renewed["assignee"] == "agent:alice" and renewed["lease"]["ttl"] == 30
    [event] = events(repo, "lease_renewed")
    assert event["actor"] == "agent:bob"
    assert event["data"]["forced"] == {"holder": "agent:alice", "reason": "alice is stuck in CI"}
    # Forced by a person at a terminal: recorded as that person, not as the holder.
    released = repo.ok("issue", "release", issue, "--force", "--reason", "taking it back")
    assert (released["state"], released["assignee"]) == ("ready", None)
    [event] = events(repo, "issue_released")
    assert event["actor"] == "human:tester" and event["data"]["assignee"] == "agent:alice"
    assert event["data"]["forced"] == {"holder": "agent:alice", "reason": "taking it back"}


def test_forced_done_records_the_reason_on_the_state_change(repo):
    issue = _held(repo)
    done = repo.ok("issue", "done", issue, "--force", "--reason", "finished it myself", "--actor", "human:lead")
    assert done["state"] == "done"
    [event] = [e for e in events(repo, "state_changed", issue) if e["data"]["to"] == "done"]
    assert event["actor"] == "human:lead"
    assert event["data"]["forced"] == {"holder": "agent:alice", "reason": "finished it myself"}


def test_an_unnamed_caller_is_a_person_at_a_terminal(repo):
    """No --actor, no JIT_ACTOR: heartbeat, verdicts, done and release go through (SPEC 10 then
    records the holder as the actor, as before); nothing is recorded as forced."""
    repo.ok("gate", "define", "review", "--title", "Review")
    issue = repo.create("Parser", "--gate", "review")
    repo.ok("issue", "claim", issue, "agent:alice", "--ttl", "600")
    repo.ok("issue", "heartbeat", issue)
    repo.ok("gate", "fail", issue, "review", "--reason", "needs tests")
    assert repo.ok("issue", "release", issue)["state"] == "ready"
    repo.ok("issue", "claim", issue, "agent:alice")
    assert repo.ok("issue", "done", issue)["state"] == "gated"
    assert [e["actor"] for e in events(repo, "lease_renewed") + events(repo, "issue_released")] == \
        ["agent:alice", "agent:alice"]
    assert not any("forced" in e["data"] for e in events(repo))


def test_item_7_by_is_the_actor_of_the_verdict(repo):
    """`jit gate pass ID review --by human:bob` on an issue agent:alice holds records human:bob."""
    repo.ok("gate", "define", "review", "--title", "Review")
    issue = repo.create("Parser", "--gate", "review")
    repo.ok("issue", "claim", issue, "agent:alice")
    passed = repo.ok("gate", "pass", issue, "review", "--by", "human:bob")
    assert passed["gates_status"]["review"]["by"] == "human:bob"
    [event] = events(repo, "gate_passed", issue)
    assert (event["actor"], event["data"]["by"]) == ("human:bob", "human:bob")
    failed = repo.ok("gate", "fail", issue, "review", "--by", "human:carol", "--reason", "typo")
    assert failed["gates_status"]["review"]["by"] == "human:carol"
    assert events(repo, "gate_failed", issue)[0]["actor"] == "human:carol"
    # The verdict that finishes a gated issue: the state change is the reviewer's too.
    assert repo.ok("issue", "done", issue)["state"] == "gated"
    assert repo.ok("gate", "pass", issue, "review", "--by", "human:bob")["state"] == "done"
    assert events(repo, "state_changed", issue)[-1]["actor"] == "human:bob"


def test_verdicts_by_a_named_stranger_on_claimed_work_are_refused(repo):
    repo.ok("gate", "define", "review", "--title", "Review")
    repo.ok("gate", "define", "tests", "--title", "Tests", "--mode", "auto", "--checker", "touch ran")
    issue = repo.create("Parser", "--gate", "review", "--gate", "tests")
    repo.ok("issue", "claim", issue, "agent:alice")
    stranger = {"JIT_ACTOR": "agent:bob"}
    _refused(repo, ["gate", "pass", issue, "review"], "agent:alice", env=stranger)
    # --by names the verdict's author, not the caller: the caller is still agent:bob.
    _refused(repo, ["gate", "pass", issue, "review", "--by", "agent:alice"], "agent:alice", env=stranger)
    _refused(repo, ["gate", "fail", issue, "review", "--reason", "no"], "agent:alice", env=stranger)
    _refused(repo, ["gate", "check", issue, "tests"], "agent:alice", env=stranger)
    _refused(repo, ["gate", "check-all", issue], "agent:alice", env=stranger)
    assert not (repo.root / "ran").exists()  # told before the checker ran, not after
    forced = repo.ok("gate", "fail", issue, "review", "--force", "--reason", "spec changed", env=stranger)
    assert forced["gates_status"]["review"]["by"] == "agent:bob"
    [event] = events(repo, "gate_failed", issue)
    assert event["actor"] == "agent:bob"
    assert event["data"]["forced"] == {"holder": "agent:alice", "reason": "spec changed"}
    repo.ok("gate", "pass", issue, "review", "--force", "--reason", "reviewed", "--by", "human:ana", env=stranger)
    assert events(repo, "gate_passed", issue)[0]["actor"] == "human:ana"


def test_a_gated_issue_is_open_to_reviewers(repo):
    """Asking for done ends the claim (and its lease): named reviewers record verdicts freely."""
    repo.ok("gate", "define", "review", "--title", "Review")
    issue = _held(repo)
    repo.ok("gate", "add", issue, "review")
    assert repo.ok("issue", "done", issue, env={"JIT_ACTOR": "agent:alice"})["state"] == "gated"
    finished = repo.ok("gate", "pass", issue, "review", env={"JIT_ACTOR": "agent:reviewer"})
    assert finished["state"] == "done" and finished["gates_status"]["review"]["by"] == "agent:reviewer"


def test_reject_and_assign_stay_a_persons_override(repo):
    """No holder check on the overrides SPEC 6 names (assign, unassign) nor on reject."""
    taken = _held(repo)
    assert repo.ok("issue", "assign", taken, "human:ana", "--actor", "human:lead")["assignee"] == "human:ana"
    rejected = _held(repo)
    assert repo.ok("issue", "update", rejected, "--state", "rejected", "--actor", "human:lead")["state"] == "rejected"
    other = _held(repo)
    assert repo.ok("issue", "reject", other, "--reason", "out of scope", "--actor", "human:lead")["state"] == "rejected"
