"""The claim plane: a claim across machines is a compare-and-swap on `refs/jit/claims/<id>` (SPEC 6 + 11).

Real clones of a real bare remote, the real CLI, real racing processes and a real kill -9.
"""

import json
import os
import subprocess
import time

from git_helpers import JIT_BIN, git, make_team, race

NS = "refs/jit/claims/"


def remote_claims(tmp_path) -> dict:
    out = git(tmp_path / "remote.git", "for-each-ref", "--format=%(refname) %(objectname)", NS)
    return {line.split()[0][len(NS):]: line.split()[1] for line in out.splitlines()}


def race_clones(jobs):
    """Each job (clone, args) run at once with --json, in that clone as its agent."""
    return race([(clone.root, [*args, "--json"], clone.env) for clone, args in jobs])


def test_a_claim_is_one_ref_on_the_remote_and_the_branch_is_not_pushed(tmp_path):
    a, b = make_team(tmp_path, ("a", "b"))
    issue = a.create("Task")
    a.sync()
    head = git(tmp_path / "remote.git", "rev-parse", "main")
    claimed = b.ok("issue", "claim", issue[:8], "agent:b", "--sync")  # b learns the issue from the same fetch
    assert claimed["assignee"] == "agent:b"
    assert list(remote_claims(tmp_path)) == [issue]
    assert git(tmp_path / "remote.git", "rev-parse", "main") == head  # state follows by ordinary sync
    res = a.jit("issue", "claim", issue, "agent:a", "--sync", "--json")
    assert res.code == 4 and res.json["error"]["details"]["holder"] == "agent:b", res
    assert a.show(issue)["assignee"] is None  # a's refusal changed nothing
    b.sync()
    a.sync()
    assert a.show(issue)["assignee"] == "agent:b"


def test_racing_clones_on_one_issue_have_one_winner_and_on_different_issues_all_win(tmp_path):
    clones = make_team(tmp_path, ("a", "b", "c", "d"))
    issues = [clones[0].create(f"job {n}") for n in range(4)]
    contested = clones[0].create("everyone wants this")
    clones[0].sync()
    for c in clones[1:]:
        c.sync()
    results = race_clones([(c, ["issue", "claim", contested, f"agent:{c.name}{k}", "--sync"])
                    for c in clones for k in range(2)])
    assert sorted(code for code, _, _ in results) == [0] + [4] * 7, results
    results = race_clones([(c, ["issue", "claim", issue, f"agent:{c.name}", "--sync"]) for c, issue in zip(clones, issues)])
    assert [code for code, _, _ in results] == [0, 0, 0, 0], results
    assert set(remote_claims(tmp_path)) == {*issues, contested}


def test_claim_next_across_clones_never_grants_an_issue_twice_and_logs_each_claim_once(tmp_path):
    clones = make_team(tmp_path, ("a", "b", "c", "d"))
    for n in range(5):
        clones[0].create(f"job {n}")
    for c in clones:
        c.sync()
    results = race_clones([(c, ["issue", "claim-next", f"agent:{c.name}{k}", "--sync"]) for c in clones for k in range(2)])
    won = [json.loads(out)["id"] for code, out, _ in results if code == 0]
    assert len(won) == 5 and len(set(won)) == 5, results
    assert sorted(code for code, _, _ in results) == [0] * 5 + [3] * 3
    for _ in range(2):
        for c in clones:
            c.sync()
    holders = {e["issue_id"]: e["data"]["assignee"] for e in clones[0].events() if e["type"] == "issue_claimed"}
    assert len(holders) == 5
    for c in clones:
        claimed = [e["id"] for e in c.events() if e["type"] == "issue_claimed"]
        assert len(claimed) == len(set(claimed)) == 5
        assert {i: c.show(i)["assignee"] for i in holders} == holders


def killed_claim(tmp_path, point):
    """Two synced clones and one issue; a's claim of it killed with SIGKILL at the crash point."""
    a, b = make_team(tmp_path, ("a", "b"))
    issue = a.create("Task")
    a.sync()
    b.sync()
    env = {**a.env, "JIT_CRASH_AT": point}
    proc = subprocess.run([JIT_BIN, "issue", "claim", issue, "agent:a", "--sync"], cwd=a.root, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == -9, proc
    return a, b, issue


def test_a_claimer_killed_after_its_push_is_undone_and_never_granted(tmp_path):
    a, b, issue = killed_claim(tmp_path, "claim.ref-pushed")
    assert list(remote_claims(tmp_path)) == [issue]  # the push landed; the grant was never recorded
    assert a.show(issue)["assignee"] is None
    assert not [e for e in a.events() if e["type"] == "issue_claimed"]
    assert b.jit("issue", "claim", issue, "agent:b", "--sync").code == 4  # held until a tidies up
    a.sync()  # the clone that pushed gives the orphan back
    assert remote_claims(tmp_path) == {}
    assert b.ok("issue", "claim", issue, "agent:b", "--sync")["assignee"] == "agent:b"
    for c in (a, b):
        c.sync()
    assert a.sync() and [e["data"]["assignee"] for e in a.events() if e["type"] == "issue_claimed"] == ["agent:b"]


def test_a_claimer_killed_before_its_push_publishes_nothing(tmp_path):
    a, b, issue = killed_claim(tmp_path, "claim.ledger-written")
    assert remote_claims(tmp_path) == {}
    assert b.ok("issue", "claim", issue, "agent:b", "--sync")["assignee"] == "agent:b"
    assert a.jit("issue", "claim", issue, "agent:a", "--sync").code == 4  # a's leftover entry is tidied, not used
    assert list((a.root / ".git" / "jit-claims").glob("*.json")) == []
    assert not [e for e in a.events() if e["type"] == "issue_claimed"]


def test_finished_and_released_claims_give_their_refs_back(tmp_path):
    a, b = make_team(tmp_path, ("a", "b"))
    done, released = a.create("finish me"), a.create("let go of me")
    a.sync()
    b.ok("issue", "claim", done, "agent:b", "--sync")
    b.ok("issue", "claim", released, "agent:b", "--sync")
    assert set(remote_claims(tmp_path)) == {done, released}
    b.ok("issue", "done", done)
    b.ok("issue", "release", released)
    report = b.sync()
    assert report["claim_refs_removed"] == sorted([done, released])
    assert remote_claims(tmp_path) == {}
    a.sync()
    assert a.ok("issue", "claim", released, "agent:a", "--sync")["assignee"] == "agent:a"


def test_an_expired_lease_is_judged_by_the_observers_own_clock(tmp_path):
    a, b = make_team(tmp_path, ("a", "b"))
    issue = a.create("Task")
    a.sync()
    b.sync()
    a.ok("issue", "claim", issue, "agent:a", "--sync", "--ttl", "1")
    assert b.jit("issue", "claim", issue, "agent:b", "--sync").code == 4  # b starts counting now
    time.sleep(1.6)
    assert b.ok("issue", "claim", issue, "agent:b", "--sync")["assignee"] == "agent:b"
    sha = remote_claims(tmp_path)[issue]
    message = git(tmp_path / "remote.git", "log", "-1", "--format=%B", sha)
    assert json.loads(message)["assignee"] == "agent:b"


def test_a_remote_that_refuses_custom_refs_falls_back_to_the_branch(tmp_path):
    a, b = make_team(tmp_path, ("a", "b"))
    hook = tmp_path / "remote.git" / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\nwhile read old new ref; do case $ref in refs/jit/*) echo 'custom refs denied' >&2;"
                    " exit 1;; esac; done\nexit 0\n")
    os.chmod(hook, 0o755)
    issue = a.create("Task")
    a.sync()
    b.sync()
    res = b.jit("issue", "claim", issue, "agent:b", "--sync", "--json")
    assert res.code == 0 and "refuses jit's claim refs" in res.err, res
    assert remote_claims(tmp_path) == {}
    assert a.jit("issue", "claim", issue, "agent:a", "--sync").code == 4  # the branch push decided


def test_a_claim_finished_here_keeps_its_ref_until_the_branch_shows_it_finished(tmp_path):
    """The double grant bench/sync.py found: a `done` not yet pushed freed the ref, and another clone,
    whose branch still showed the issue ready, claimed it again."""
    a, b = make_team(tmp_path, ("a", "b"))
    first, second = a.create("first", "--priority", "high"), a.create("second")
    a.sync()
    b.sync()
    a.ok("issue", "claim", first, "agent:a1", "--sync")
    a.ok("issue", "done", first, "--actor", "agent:a1")
    a.ok("issue", "claim-next", "agent:a2", "--sync")  # another agent here tidies the ledger
    assert first in remote_claims(tmp_path)
    assert b.jit("issue", "claim", first, "agent:b", "--sync").code == 4
    a.sync()
    assert set(remote_claims(tmp_path)) == {second}
    b.sync()
    assert b.show(first)["state"] == "done"


def test_a_heartbeat_renews_the_claim_ref_and_a_taken_over_holder_learns_it_lost(tmp_path):
    a, b = make_team(tmp_path, ("a", "b"))
    for clone in (a, b):  # claims go through the remote for every command, heartbeat included
        config = clone.data / "config.toml"
        config.write_text(config.read_text() + '\n[sync]\nremote = "origin"\n')
    issue = a.create("Task")
    a.sync()
    b.sync()
    a.ok("issue", "claim", issue, "agent:a", "--ttl", "8")
    first = remote_claims(tmp_path)[issue]
    assert b.jit("issue", "claim", issue, "agent:b").code == 4  # b starts counting
    a.ok("issue", "heartbeat", issue, "--actor", "agent:a")
    assert remote_claims(tmp_path)[issue] != first  # a new value: every observer's count restarts
    assert b.jit("issue", "claim", issue, "agent:b").code == 4
    time.sleep(8.5)  # a stopped renewing; b has seen the same value for longer than the lease
    assert b.ok("issue", "claim", issue, "agent:b")["assignee"] == "agent:b"
    late = a.jit("issue", "heartbeat", issue, "--actor", "agent:a", "--json")
    assert late.code == 4, late
