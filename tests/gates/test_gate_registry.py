"""The gate registry (`.jit/gates.json`): define, list, show, update, remove; gates on issues."""

import json

from gate_helpers import assert_one_line_error, define_auto, events


def test_define_list_show(repo):
    tests = define_auto(repo, "tests", "pytest -q", timeout=600)
    assert tests == {"key": "tests", "title": "tests", "description": "", "mode": "auto", "checker": "pytest -q",
                     "timeout": 600, "stage": "postcheck"}
    review = repo.ok("gate", "define", "review", "--title", "Reviewed", "--description", "a person read it")
    assert review["mode"] == "manual" and review["checker"] is None and review["stage"] == "postcheck"
    assert [g["key"] for g in repo.ok("gate", "list")] == ["review", "tests"]
    assert repo.ok("gate", "show", "tests") == tests
    assert json.loads((repo.data / "gates.json").read_text()) == {"review": review, "tests": tests}
    assert repo.jit("gate", "list", "-q").out.split() == ["review", "tests"]
    assert [e["data"]["gate"]["key"] for e in events(repo, "gate_defined")] == ["tests", "review"]


def test_update_changes_only_what_is_given(repo):
    define_auto(repo, "tests", "pytest -q", timeout=600)
    updated = repo.ok("gate", "update", "tests", "--timeout", "900", "--stage", "precheck")
    assert (updated["checker"], updated["timeout"], updated["stage"]) == ("pytest -q", 900, "precheck")
    assert repo.ok("gate", "show", "tests") == updated
    [event] = events(repo, "gate_updated")
    assert event["data"]["gate"] == updated
    before = repo.snapshot()
    assert repo.ok("gate", "update", "tests", "--timeout", "900") == updated  # no change, no event
    assert repo.snapshot() == before
    manual = repo.ok("gate", "update", "tests", "--mode", "manual")
    assert manual["mode"] == "manual"


def test_update_applies_to_the_next_check(repo):
    define_auto(repo, "tests", "exit 1")
    issue = repo.create("Parser", "--gate", "tests")
    assert repo.jit("gate", "check", issue, "tests").code == 6
    repo.ok("gate", "update", "tests", "--checker", "exit 0")
    assert repo.ok("gate", "check", issue, "tests")["run"]["command"] == "exit 0"


def test_remove_is_refused_while_issues_use_the_gate(repo):
    repo.ok("gate", "define", "review", "--title", "Review")
    user = repo.create("Uses it", "--gate", "review")
    before = repo.snapshot()
    r = repo.jit("gate", "remove", "review", "--json")
    assert_one_line_error(r, "refused", 5)
    assert "--force" in r.json["error"]["message"] and r.json["error"]["details"]["issues"] == [user]
    assert repo.snapshot() == before
    # Finished issues still count as users: their history names the gate.
    repo.ok("gate", "pass", user, "review")
    repo.ok("issue", "done", user)
    assert repo.jit("gate", "remove", "review").code == 5


def test_remove_force_detaches_and_finishes_what_only_waited_on_it(repo):
    repo.ok("gate", "define", "review", "--title", "Review")
    repo.ok("gate", "define", "design", "--title", "Design")
    waiting = repo.create("Waits only for review", "--gate", "review")
    child = repo.create("Child", "--dep", waiting)
    both = repo.create("Waits for both", "--gate", "review", "--gate", "design")
    for issue in (waiting, both):
        repo.ok("issue", "claim", issue, "agent:w1")
        assert repo.ok("issue", "done", issue)["state"] == "gated"
    removed = repo.ok("gate", "remove", "review", "--force")
    assert removed["key"] == "review"
    assert [g["key"] for g in repo.ok("gate", "list")] == ["design"]
    shown = repo.ok("issue", "show", waiting)
    assert shown["state"] == "done" and shown["gates_required"] == [] and "review" not in shown["gates_status"]
    assert repo.ok("issue", "show", child)["state"] == "ready"
    other = repo.ok("issue", "show", both)
    assert other["state"] == "gated" and other["gates_required"] == ["design"]
    assert repo.jit("validate").code == 0


def test_remove_an_unused_gate(repo):
    repo.ok("gate", "define", "review", "--title", "Review")
    assert repo.jit("gate", "remove", "review", "-q").out.strip() == "review"
    assert repo.ok("gate", "list") == []
    assert events(repo, "gate_removed")[0]["data"] == {"gate": "review", "issues": []}


def test_add_and_rm_gates_on_an_issue(repo):
    repo.ok("gate", "define", "review", "--title", "Review")
    define_auto(repo, "tests", "exit 0")
    issue = repo.create("Parser")
    added = repo.ok("gate", "add", issue, "review", "tests", "review")
    assert added["gates_required"] == ["review", "tests"]
    assert added["gates_status"]["tests"] == {"status": "pending", "by": None, "at": None}
    before = repo.snapshot()
    assert repo.ok("gate", "add", issue, "tests")["gates_required"] == ["review", "tests"]  # already there
    assert repo.snapshot() == before
    repo.ok("issue", "claim", issue, "agent:w1")
    repo.ok("gate", "check", issue, "tests")
    assert repo.ok("issue", "done", issue)["state"] == "gated"
    # Dropping the only pending gate of a gated issue finishes it.
    after = repo.ok("gate", "rm", issue, "review")
    assert after["state"] == "done" and after["gates_required"] == ["tests"]


def test_create_with_gates_and_the_default_timeout(repo):
    gate = repo.ok("gate", "define", "tests", "--title", "T", "--mode", "auto", "--checker", "true")
    assert gate["timeout"] == 300
    issue = repo.ok("issue", "create", "--title", "x", "--gate", "tests", "--gate", "tests")
    assert issue["gates_required"] == ["tests"] and issue["gates_status"]["tests"]["status"] == "pending"
