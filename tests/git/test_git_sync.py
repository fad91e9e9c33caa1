"""`jit sync` between clones of one bare repository: what comes in, how conflicts land, what validate says."""

import pytest

from git_helpers import make_team


@pytest.fixture
def pair(tmp_path):
    return make_team(tmp_path, ("a", "b"))


def test_sync_reports_what_came_in(pair):
    a, b = pair
    first = a.create("Write the parser")
    second = a.create("Write the lexer")
    a.ok("issue", "claim", second, "agent:a")
    report = a.sync()
    assert report["pushed"] and report["ok"] and report["incoming"]["new"] == []
    got = b.sync()
    assert not got["pushed"]
    assert {i["id"] for i in got["incoming"]["new"]} == {first, second}
    assert [(i["id"], i["assignee"]) for i in got["incoming"]["claimed"]] == [(second, "agent:a")]
    assert got["incoming"]["events"] >= 3
    assert b.show(second)["assignee"] == "agent:a"
    human = b.jit("sync")
    assert human.code == 0 and "incoming: nothing" in human.out
    assert b.sync()["incoming"]["new"] == []


def test_only_jit_changes_are_committed(pair):
    a, _ = pair
    (a.root / "notes.txt").write_text("work in progress\n")
    a.create("Task")
    a.sync()
    status = a.git("status", "--porcelain")
    assert status == "?? notes.txt"
    assert a.git("status", "--porcelain", ".jit") == ""


def test_edits_of_different_fields_combine_and_a_real_conflict_follows_the_rule(pair):
    a, b = pair
    issue = a.create("Shared")
    a.sync()
    b.sync()
    a.ok("issue", "update", issue, "--priority", "high", "--title", "Title from a", "--add-label", "from:a")
    b.ok("issue", "update", issue, "--description", "written on b", "--title", "Title from b (later)",
         "--add-label", "from:b")
    a.sync()
    report = b.sync()
    merged = b.show(issue)
    assert merged["priority"] == "high" and merged["description"] == "written on b"
    assert merged["title"] == "Title from b (later)"  # both changed the title: the later change wins
    assert sorted(merged["labels"]) == ["from:a", "from:b"]
    assert [c["field"] for c in report["conflicts"]] == ["title"]
    logged = [e for e in b.events() if e["type"] == "merge_conflict_resolved"]
    assert logged and logged[-1]["issue_id"] == issue and logged[-1]["data"]["fields"][0]["kept"] == merged["title"]
    a.sync()
    assert a.snapshot() == b.snapshot()
    assert b.jit("validate").code == 0


def test_a_terminal_state_beats_a_later_change(pair):
    a, b = pair
    issue = a.create("Close me")
    a.sync()
    b.sync()
    a.ok("issue", "reject", issue, "--reason", "duplicate")
    b.ok("issue", "claim", issue, "agent:b", "--no-sync")  # later, but the issue is closed on a
    b.sync()
    report = a.sync()
    assert a.show(issue)["state"] == "rejected"
    assert {c["field"] for c in report["conflicts"]} >= {"state"}
    assert all(c["rule"] == "terminal state wins" for c in report["conflicts"])
    b.sync()
    assert a.snapshot() == b.snapshot()


def test_a_granted_claim_survives_a_later_offline_claim(pair):
    a, b = pair
    issue = a.create("Task")
    a.sync()
    b.sync()
    a.ok("issue", "claim", issue, "agent:a", "--sync")  # granted: its claim ref is on the remote
    a.sync()  # and the issue's state follows through the branch
    b.ok("issue", "claim", issue, "agent:b", "--no-sync")  # later, offline
    report = b.sync()
    assert b.show(issue)["assignee"] == "agent:a"
    assert [(i["id"], i["was"]) for i in report["incoming"]["lost"]] == [(issue, "agent:b")]
    assert report["conflicts"][0]["rule"] == "the claim already on the remote wins"


def test_edges_from_two_clones_forming_a_cycle_land_and_validate_reports_it(pair):
    a, b = pair
    x = a.create("X")
    y = a.create("Y")
    a.sync()
    b.sync()
    a.ok("dep", "add", x, y)  # X depends on Y
    b.ok("dep", "add", y, x)  # Y depends on X: each clone's graph alone is acyclic
    a.sync()
    report = b.sync()
    assert sorted(b.show(x)["dependencies"] + b.show(y)["dependencies"]) == sorted([x, y])
    assert [p["kind"] for p in report["problems"]] == ["cycle"]
    res = b.jit("validate", "--json")
    assert res.code == 5
    problem = res.json["problems"][0]
    assert problem["kind"] == "cycle" and "jit dep rm" in problem["fix"]
    a.sync()
    assert a.jit("validate").code == 5  # the other clone gets the same report


def test_dependency_on_an_issue_deleted_elsewhere_is_reported(pair):
    a, b = pair
    target = a.create("Will be deleted")
    a.sync()
    b.sync()
    a.ok("issue", "delete", target)
    dependent = b.create("Depends on it", "--dep", target)
    a.sync()
    report = b.sync()
    dangling = [p for p in report["problems"] if p["kind"] == "dangling_dependency"]
    assert [p["id"] for p in dangling] == [dependent]
    assert b.jit("validate").code == 5
    assert b.jit("validate", "--fix").code == 0


def test_an_edit_beats_a_deletion(pair):
    a, b = pair
    issue = a.create("Contested")
    a.sync()
    b.sync()
    a.ok("issue", "delete", issue)
    b.ok("issue", "update", issue, "--priority", "critical")
    a.sync()
    report = b.sync()
    assert b.show(issue)["priority"] == "critical"
    assert any(c["rule"] == "an edited issue beats its deletion" for c in report["conflicts"])
    a.sync()
    assert a.show(issue)["priority"] == "critical"
    assert a.snapshot() == b.snapshot()


def test_merge_settles_states_a_single_machine_would_have_moved(pair):
    a, b = pair
    base = a.create("Base")
    a.sync()
    b.sync()
    a.ok("issue", "done", base)  # a does not know that b is adding a dependent
    top = b.create("Top", "--dep", base)
    assert b.show(top)["state"] == "backlog"
    a.sync()
    report = b.sync()
    assert b.show(top)["state"] == "ready" and report["ok"]
    a.sync()
    assert a.show(top)["state"] == "ready"
    assert a.snapshot() == b.snapshot()


def test_gates_passed_on_two_machines_finish_the_issue(pair):
    a, b = pair
    a.ok("gate", "define", "review", "--title", "Review")
    a.ok("gate", "define", "qa", "--title", "QA")
    issue = a.create("Gated work", "--gate", "review", "--gate", "qa")
    a.ok("issue", "claim", issue, "agent:a")
    assert a.ok("issue", "done", issue)["state"] == "gated"
    a.sync()
    b.sync()
    a.ok("gate", "pass", issue, "review")
    b.ok("gate", "pass", issue, "qa")  # each machine alone still waits for the other gate
    a.sync()
    report = b.sync()
    assert report["ok"] and b.show(issue)["state"] == "done"
    a.sync()
    assert a.show(issue)["state"] == "done" and a.snapshot() == b.snapshot()


def test_gate_definitions_from_two_clones_merge(pair):
    a, b = pair
    a.ok("gate", "define", "lint", "--title", "Lint")
    b.ok("gate", "define", "review", "--title", "Review")
    a.sync()
    b.sync()
    assert {g["key"] for g in b.ok("gate", "list")} == {"lint", "review"}


def test_sync_warns_when_the_clone_has_no_driver_but_merges_with_it(pair):
    a, b = pair
    issue = a.create("Shared")
    a.sync()
    b.sync()
    b.git("config", "--unset", "merge.jit.driver")
    a.ok("issue", "update", issue, "--priority", "low")
    b.ok("issue", "update", issue, "--title", "Renamed")
    a.sync()
    res = b.jit("sync")
    assert res.code == 0 and "jit git setup" in res.err
    assert (b.show(issue)["priority"], b.show(issue)["title"]) == ("low", "Renamed")


def test_sync_outside_git_or_without_remote_is_a_usage_error(tmp_path):
    from git_helpers import Clone, git

    lone = Clone(tmp_path / "lone", "lone")
    lone.root.mkdir()
    git(lone.root, "init", "--quiet")
    lone.jit("init")
    res = lone.jit("sync", "--json")
    assert res.code == 2 and res.json["error"]["code"] == "usage" and "remote" in res.json["error"]["message"]
