"""Gates in an issue's life: gated -> done, dependents released, prechecks, overrides, runs, blocked.

SPEC sections 3 and 5, through the real CLI.
"""

from gate_helpers import define_auto, events, run_files


def test_last_manual_gate_finishes_a_gated_issue_and_releases_dependents(gated):
    repo = gated
    base = repo.create("Parser", "--gate", "tests", "--gate", "review")
    other = repo.create("Unrelated prerequisite")
    follow = repo.create("Use the parser", "--dep", base)
    both = repo.create("Needs both", "--dep", base, "--dep", other)
    repo.ok("issue", "claim", base, "agent:w1")
    assert repo.ok("issue", "done", base)["state"] == "gated"  # asking for done while gates are pending
    after_check = repo.ok("gate", "check", base, "tests")["issue"]
    assert after_check["state"] == "gated"  # one gate left
    assert repo.ok("issue", "show", follow)["state"] == "backlog"
    finished = repo.ok("gate", "pass", base, "review", "--by", "human:ana")
    assert finished["state"] == "done" and finished["gates_status"]["review"]["by"] == "human:ana"
    # Released in the same command: no further jit call in between.
    assert repo.ok("issue", "show", follow)["state"] == "ready"
    assert repo.ok("issue", "show", both)["state"] == "backlog"  # still waits for `other`
    moves = [(e["issue_id"], e["data"]["from"], e["data"]["to"]) for e in events(repo, "state_changed")]
    assert moves[-2:] == [(base, "gated", "done"), (follow, "backlog", "ready")]
    assert repo.jit("validate").code == 0


def test_passing_check_as_last_gate_finishes_the_issue(gated):
    repo = gated
    base = repo.create("Parser", "--gate", "review", "--gate", "tests")
    follow = repo.create("Use the parser", "--dep", base)
    repo.ok("issue", "claim", base, "agent:w1")
    repo.ok("gate", "pass", base, "review")
    assert repo.ok("issue", "done", base)["state"] == "gated"
    result = repo.ok("gate", "check", base, "tests")
    assert result["issue"]["state"] == "done"
    assert repo.ok("issue", "show", follow)["state"] == "ready"


def test_done_with_every_gate_passed_is_done_at_once(gated):
    repo = gated
    issue = repo.create("Parser", "--gate", "tests", "--gate", "review")
    repo.ok("issue", "claim", issue, "agent:w1")
    repo.ok("gate", "check", issue, "tests")
    repo.ok("gate", "pass", issue, "review")
    assert repo.ok("issue", "show", issue)["state"] == "in_progress"  # a verdict alone does not finish work
    assert repo.ok("issue", "done", issue)["state"] == "done"


def test_failed_gate_keeps_the_issue_gated_until_it_passes(gated):
    repo = gated
    define_auto(repo, "flaky", "test -f green")
    issue = repo.create("Parser", "--gate", "flaky")
    repo.ok("issue", "claim", issue, "agent:w1")
    assert repo.ok("issue", "done", issue)["state"] == "gated"
    assert repo.jit("gate", "check", issue, "flaky").code == 6
    assert repo.ok("issue", "show", issue)["state"] == "gated"
    (repo.root / "green").write_text("")
    assert repo.ok("gate", "check", issue, "flaky")["issue"]["state"] == "done"


def test_prechecks_block_claims_until_they_pass(repo):
    repo.ok("gate", "define", "design", "--title", "Design approved", "--stage", "precheck")
    define_auto(repo, "spec-lint", "test -f spec.md", stage="precheck")
    issue = repo.create("Build it", "--gate", "design", "--gate", "spec-lint")
    before = repo.snapshot()
    r = repo.jit("issue", "claim", issue, "agent:w1")
    assert r.code == 5 and "precheck" in r.err and "design" in r.err
    nothing = repo.jit("issue", "claim-next", "agent:w1", "--json")
    assert nothing.code == 3 and nothing.out.strip() == "null"
    assert repo.snapshot() == before
    blocked = repo.ok("query", "blocked")
    assert [b["issue"]["id"] for b in blocked] == [issue]
    assert {r["gate"] for r in blocked[0]["blocked_by"] if r["kind"] == "gate"} == {"design", "spec-lint"}
    repo.ok("gate", "pass", issue, "design")
    assert repo.jit("issue", "claim", issue, "agent:w1").code == 5  # one precheck still pending
    (repo.root / "spec.md").write_text("# spec\n")
    repo.ok("gate", "check", issue, "spec-lint")
    claimed = repo.ok("issue", "claim-next", "agent:w1")
    assert claimed["id"] == issue and claimed["state"] == "in_progress"
    # Prechecks already passed do not hold up done.
    assert repo.ok("issue", "done", issue)["state"] == "done"


def test_assign_also_respects_prechecks(repo):
    repo.ok("gate", "define", "design", "--title", "Design approved", "--stage", "precheck")
    issue = repo.create("Build it", "--gate", "design")
    before = repo.snapshot()
    assert repo.jit("issue", "assign", issue, "human:ana").code == 5
    assert repo.snapshot() == before


def test_manual_override_of_an_auto_gate_is_recorded(gated):
    repo = gated
    issue = repo.create("Parser", "--gate", "tests")
    repo.ok("issue", "claim", issue, "agent:w1")
    repo.ok("issue", "done", issue)
    failed = repo.ok("gate", "fail", issue, "tests", "--reason", "flaky on CI", "--by", "human:ana")
    status = failed["gates_status"]["tests"]
    assert status == {**status, "status": "failed", "override": True, "by": "human:ana", "reason": "flaky on CI"}
    passed = repo.ok("gate", "pass", issue, "tests", "--by", "human:lead")
    assert passed["state"] == "done"
    status = passed["gates_status"]["tests"]
    assert status["override"] is True and status["by"] == "human:lead" and "run" not in status
    assert run_files(repo, issue) == []  # no checker ran
    [event] = events(repo, "gate_passed", issue)
    assert event["data"]["override"] is True and event["data"]["by"] == "human:lead"
    assert events(repo, "gate_failed", issue)[0]["data"]["override"] is True


def test_actor_defaults_and_by(gated):
    repo = gated
    issue = repo.create("Parser", "--gate", "review")
    status = repo.ok("gate", "pass", issue, "review", "--actor", "agent:reviewer")["gates_status"]["review"]
    assert status["by"] == "agent:reviewer"
    assert events(repo, "gate_passed", issue)[0]["actor"] == "agent:reviewer"
    # Without --by or --actor, a verdict on claimed work is the assignee's, in the run, status and log alike.
    claimed = repo.create("Claimed", "--gate", "tests", "--gate", "review")
    repo.ok("issue", "claim", claimed, "agent:w1")
    run = repo.ok("gate", "check", claimed, "tests")["run"]
    status = repo.ok("gate", "pass", claimed, "review")["gates_status"]
    assert run["by"] == status["tests"]["by"] == status["review"]["by"] == "agent:w1"
    assert {e["actor"] for e in events(repo, "gate_passed", claimed)} == {"agent:w1"}


def test_gate_runs_lists_history_and_latest_tail(repo):
    define_auto(repo, "unit", "echo run-$(ls .jit/gate-runs/$JIT_ISSUE_ID 2>/dev/null | wc -l); test -f ok")
    define_auto(repo, "lint", "echo linted")
    issue = repo.create("Parser", "--gate", "unit", "--gate", "lint")
    assert repo.jit("gate", "check", issue, "unit").code == 6
    (repo.root / "ok").write_text("")
    repo.ok("gate", "check", issue, "unit")
    repo.ok("gate", "check", issue, "lint")
    runs = repo.ok("gate", "runs", issue)
    assert [(r["gate"], r["status"]) for r in runs] == [("unit", "failed"), ("unit", "passed"), ("lint", "passed")]
    assert [r["output_tail"] for r in runs[:2]] == ["run-0\n", "run-1\n"]
    assert [r["status"] for r in repo.ok("gate", "runs", issue[:8], "unit")] == ["failed", "passed"]
    human = repo.jit("gate", "runs", issue, "unit")
    assert human.code == 0 and "output tail of the latest run (unit):\nrun-1" in human.out
    assert repo.ok("gate", "runs", repo.create("Fresh")) == []
    assert repo.jit("gate", "runs", issue, "nope").code == 3
    assert repo.jit("gate", "runs", "ffffffff", "unit").code == 3
    quiet = repo.jit("gate", "runs", issue, "-q")
    assert quiet.out.split() == [r["id"] for r in runs]


def test_query_blocked_names_gate_and_dependency_blockers(gated):
    repo = gated
    waiting = repo.create("Waits for review", "--gate", "review")
    repo.ok("issue", "claim", waiting, "agent:w1")
    repo.ok("issue", "done", waiting)
    child = repo.create("Child", "--dep", waiting)
    free = repo.create("Free")
    blocked = {b["issue"]["id"]: b["blocked_by"] for b in repo.ok("query", "blocked")}
    assert set(blocked) == {waiting, child}
    assert blocked[waiting] == [{"kind": "gate", "gate": "review", "status": "pending",
                                 "reason": "gate review is pending"}]
    assert [(r["kind"], r["id"]) for r in blocked[child]] == [("dependency", waiting)]
    human = repo.jit("query", "blocked")
    assert "review" in human.out and waiting[:8] in human.out and free[:8] not in human.out
    repo.ok("gate", "pass", waiting, "review")
    assert repo.ok("query", "blocked") == []
