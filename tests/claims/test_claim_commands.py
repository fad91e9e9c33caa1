"""claim, claim-next, release, assign, unassign: outcomes, refusals and events (SPEC section 6)."""

import pytest
from claim_helpers import events, import_issues


def test_claim_moves_ready_to_in_progress_and_logs_who(repo):
    issue = repo.create("Parser")
    claimed = repo.ok("issue", "claim", issue[:6], "agent:w1")
    assert (claimed["state"], claimed["assignee"], claimed["lease"]) == ("in_progress", "agent:w1", None)
    [event] = events(repo, "issue_claimed")
    assert event["actor"] == "agent:w1" and event["data"] == {"assignee": "agent:w1", "from": "ready",
                                                              "to": "in_progress"}
    other = repo.create("Other")
    repo.ok("issue", "claim", other, "agent:w2", "--actor", "agent:orchestrator")
    assert events(repo, "issue_claimed")[-1]["actor"] == "agent:orchestrator"
    assert repo.jit("issue", "claim", repo.create("Third"), "agent:w3", "-q").out.strip() != ""


@pytest.mark.parametrize("setup,code,words", [
    ("held", 4, "already claimed by agent:w1"),
    ("held-same", 4, "already claimed by agent:w1"),
    ("gated", 4, "already claimed by agent:w1"),
    ("reserved", 4, "assigned to human:ana"),
    ("backlog", 5, "dependencies"),
    ("done", 5, "done"),
    ("rejected", 5, "rejected"),
])
def test_claim_refusals_change_nothing(repo, setup, code, words):
    issue = repo.create("Target")
    claimer = "agent:w1" if setup == "held-same" else "agent:w2"
    if setup in ("held", "held-same", "gated"):
        repo.ok("issue", "claim", issue, "agent:w1")
    if setup == "gated":
        repo.ok("gate", "define", "review", "--title", "Review")
        repo.ok("gate", "add", issue, "review")
        assert repo.ok("issue", "done", issue)["state"] == "gated"
    if setup == "reserved":
        issue = repo.create("Reserved", "--assignee", "human:ana")
    if setup == "backlog":
        issue = repo.create("Later", "--dep", issue)
    if setup == "done":
        repo.ok("issue", "done", issue)
    if setup == "rejected":
        repo.ok("issue", "reject", issue)
    before = repo.snapshot()
    r = repo.jit("issue", "claim", issue, claimer, "--json")
    assert r.code == code, r
    assert words in r.json["error"]["message"] and len(r.err.strip().splitlines()) == 1, r
    assert repo.snapshot() == before


def test_claim_of_an_issue_reserved_for_its_own_assignee_starts_it(repo):
    issue = repo.create("Reserved", "--assignee", "human:ana")
    assert repo.ok("issue", "claim", issue, "human:ana")["state"] == "in_progress"


@pytest.mark.parametrize("argv,code", [
    (["issue", "claim", "ffffffff", "agent:w1"], 3),
    (["issue", "claim", "ISSUE", "worker-1"], 2),
    (["issue", "claim", "ISSUE", "agent:w1", "--ttl", "0"], 2),
    (["issue", "claim", "ISSUE", "agent:w1", "--ttl", "-3"], 2),
    (["issue", "claim-next", "nobody"], 2),
    (["issue", "claim-next", "agent:w1", "--priority", "urgent"], 2),
    (["issue", "release", "ISSUE"], 5),
    (["issue", "unassign", "ffffffff"], 3),
    (["issue", "assign", "ISSUE", "ana"], 2),
])
def test_bad_claim_input(repo, argv, code):
    issue = repo.create("Target")
    before = repo.snapshot()
    r = repo.jit(*[issue if a == "ISSUE" else a for a in argv], "--json")
    assert r.code == code, r
    assert "error" in r.json and len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err
    assert repo.snapshot() == before


def test_claim_next_takes_priority_then_age(repo):
    ids = import_issues(repo, [
        {"title": "low", "priority": "low"},
        {"title": "normal old"},
        {"title": "critical", "priority": "critical"},
        {"title": "high", "priority": "high"},
        {"title": "normal new"},
    ])
    low, normal_old, critical, high, normal_new = ids
    blocked = repo.create("Blocked critical", "--priority", "critical", "--dep", low)
    repo.create("Reserved critical", "--priority", "critical", "--assignee", "human:ana")
    got = [repo.ok("issue", "claim-next", "agent:w1")["id"] for _ in range(5)]
    assert got == [critical, high, normal_old, normal_new, low]
    # Finishing `low` releases the blocked critical issue, which comes next.
    repo.ok("issue", "done", low)
    assert repo.ok("issue", "claim-next", "agent:w2")["id"] == blocked


def test_claim_next_filters(repo):
    auth_low = repo.create("Login", "--label", "epic:auth", "--priority", "low")
    auth_high = repo.create("Tokens", "--label", "epic:auth", "--label", "type:bug", "--priority", "high")
    billing = repo.create("Invoices", "--label", "epic:billing", "--priority", "critical")
    assert repo.ok("issue", "claim-next", "agent:w1", "--label", "epic:auth")["id"] == auth_high
    assert repo.ok("issue", "claim-next", "agent:w1", "--priority", "low")["id"] == auth_low
    r = repo.jit("issue", "claim-next", "agent:w1", "--label", "epic:auth", "--json")
    assert r.code == 3 and r.out.strip() == "null" and "label epic:auth" in r.err
    assert repo.ok("issue", "claim-next", "agent:w1", "--label", "epic:*")["id"] == billing


def test_claim_next_with_nothing_available(repo):
    r = repo.jit("issue", "claim-next", "agent:w1", "--json")
    assert (r.code, r.out) == (3, "null\n")
    assert r.err.strip() == "no issue is available to claim"
    human = repo.jit("issue", "claim-next", "agent:w1")
    assert human.code == 3 and human.out == "" and len(human.err.strip().splitlines()) == 1
    issue = repo.create("Only one")
    repo.ok("issue", "claim-next", "agent:w1", "--ttl", "60")
    before = repo.snapshot()
    assert repo.jit("issue", "claim-next", "agent:w2", "--json").out == "null\n"
    assert repo.snapshot() == before
    assert repo.ok("issue", "show", issue)["assignee"] == "agent:w1"


def test_release_gives_the_issue_back(repo):
    issue = repo.create("Parser")
    repo.ok("issue", "claim", issue, "agent:w1", "--ttl", "600")
    released = repo.ok("issue", "release", issue)
    assert (released["state"], released["assignee"], released["lease"]) == ("ready", None, None)
    [event] = events(repo, "issue_released")
    assert event["data"] == {"assignee": "agent:w1", "from": "in_progress", "to": "ready"}
    assert repo.ok("query", "available")[0]["id"] == issue
    assert repo.ok("issue", "claim", issue, "agent:w2")["assignee"] == "agent:w2"


def test_assign_is_a_recorded_override(repo):
    issue = repo.create("Parser")
    assigned = repo.ok("issue", "assign", issue, "human:ana")
    assert (assigned["state"], assigned["assignee"]) == ("in_progress", "human:ana")
    # A person may take over an agent's claim: no race check, but the log says who had it.
    claimed = repo.create("Claimed")
    repo.ok("issue", "claim", claimed, "agent:w1", "--ttl", "600")
    taken = repo.ok("issue", "assign", claimed, "human:ana", "--actor", "human:lead")
    assert (taken["state"], taken["assignee"]) == ("in_progress", "human:ana")
    event = events(repo, "issue_assigned", claimed)[0]
    assert event["data"]["from_assignee"] == "agent:w1" and event["data"]["assignee"] == "human:ana"
    assert event["actor"] == "human:lead"
    later = repo.create("Later", "--dep", issue)
    parked = repo.ok("issue", "assign", later, "agent:w3")
    assert (parked["state"], parked["assignee"]) == ("backlog", "agent:w3")
    repo.ok("issue", "done", issue)
    assert repo.ok("query", "available") == []  # ready now, but reserved for agent:w3
    done = repo.create("Done")
    repo.ok("issue", "done", done)
    assert repo.jit("issue", "assign", done, "human:ana").code == 5


def test_unassign_puts_work_back(repo):
    issue = repo.create("Parser")
    repo.ok("issue", "claim", issue, "agent:w1", "--ttl", "600")
    back = repo.ok("issue", "unassign", issue)
    assert (back["state"], back["assignee"], back["lease"]) == ("ready", None, None)
    assert events(repo, "issue_unassigned")[0]["data"]["from_assignee"] == "agent:w1"
    reserved = repo.create("Reserved", "--assignee", "human:ana")
    freed = repo.ok("issue", "unassign", reserved)
    assert (freed["state"], freed["assignee"]) == ("ready", None)
    assert {i["id"] for i in repo.ok("query", "available")} == {issue, reserved}
    repo.ok("issue", "reject", issue)
    assert repo.jit("issue", "unassign", issue).code == 5
