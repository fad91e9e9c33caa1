"""`jit issue create/show/list/search/update/done/reject/delete` (SPEC sections 2, 3, 8, 9)."""

import json

import pytest


def test_create_returns_the_issue_and_stores_it_pretty_with_sorted_keys(repo, issue_shape):
    made = repo.ok("issue", "create", "--title", "  Parse config  ", "--description", "## Why\nbecause",
                   "--priority", "high", "--label", "type:task", "--label", "epic:cfg", "--assignee", "agent:w1")
    issue_shape(made)
    assert made["title"] == "Parse config"
    assert (made["priority"], made["state"], made["assignee"]) == ("high", "ready", "agent:w1")
    assert made["labels"] == ["type:task", "epic:cfg"] and made["description"] == "## Why\nbecause"
    assert made["dependencies"] == [] and made["gates_required"] == [] and made["context"] == {}
    assert made["created_at"] == made["updated_at"]
    text = (repo.data / "issues" / f"{made['id']}.json").read_text()
    assert text == json.dumps(made, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert repo.ok("issue", "show", made["id"]) == made


def test_create_defaults_and_quiet_and_human_output(repo):
    r = repo.jit("issue", "create", "--title", "Plain", "-q")
    assert r.code == 0 and r.err == ""
    issue_id = r.out.strip()
    assert r.out == issue_id + "\n" and len(issue_id) == 36
    shown = repo.ok("issue", "show", issue_id)
    assert (shown["priority"], shown["state"], shown["assignee"], shown["description"]) == ("normal", "ready", None, "")
    human = repo.jit("issue", "create", "--title", "Second")
    assert human.code == 0 and human.out.startswith("created ") and "Second" in human.out


def test_create_with_an_unfinished_dependency_is_backlog(repo):
    base = repo.create("Base")
    top = repo.ok("issue", "create", "--title", "Top", "--dep", base[:6], "--dep", base)
    assert top["state"] == "backlog" and top["dependencies"] == [base]


def test_create_with_a_done_dependency_is_ready(repo):
    base = repo.create("Base")
    repo.ok("issue", "done", base)
    assert repo.ok("issue", "create", "--title", "Top", "--dep", base)["state"] == "ready"


@pytest.mark.parametrize("args, exit_code, field", [
    (["--title", ""], 2, "title"),
    (["--title", "   "], 2, "title"),
    (["--title", "x", "--priority", "urgent"], 2, "priority"),
    (["--title", "x", "--priority", "HIGH"], 2, "priority"),
    (["--title", "x", "--label", "nocolon"], 2, "label"),
    (["--title", "x", "--label", "type:"], 2, "label"),
    (["--title", "x", "--label", ":task"], 2, "label"),
    (["--title", "x", "--label", "type:two words"], 2, "label"),
    (["--title", "x", "--assignee", "worker-1"], 2, "assignee"),
    (["--title", "x", "--dep", "00000000-0000-4000-8000-000000000000"], 3, None),
    (["--title", "x", "--dep", "zz"], 2, None),
    (["--title", "x", "--gate", "nosuchgate"], 3, "gate"),
    ([], 2, "title"),
])
def test_create_refuses_bad_input_and_writes_nothing(repo, fails, args, exit_code, field):
    repo.create("Existing")
    error = fails(exit_code, "issue", "create", *args)
    if field:
        assert field in error["message"].lower()


def test_create_with_a_dependency_on_a_missing_prefix(repo, fails):
    existing = repo.create("Existing")
    missing = "0000" if not existing.startswith("0000") else "1111"
    error = fails(3, "issue", "create", "--title", "x", "--dep", missing)
    assert missing in error["message"]


def test_show_human_detail(repo):
    base = repo.create("Base")
    top = repo.create("Top", "--dep", base, "--label", "epic:x", "--description", "details here")
    out = repo.jit("issue", "show", top[:8]).out
    for expected in (top, "backlog", "epic:x", base[:8], "details here", "Top"):
        assert expected in out
    assert repo.jit("issue", "show", top, "-q").out == top + "\n"


def test_list_filters(repo, issue_shape):
    a = repo.create("A", "--label", "epic:auth", "--priority", "high")
    b = repo.create("B", "--label", "epic:auth", "--label", "type:bug", "--dep", a)
    c = repo.create("C", "--label", "epic:pay", "--priority", "low", "--assignee", "human:ana")
    listed = repo.ok("issue", "list")
    for item in listed:
        issue_shape(item)
    assert [i["id"] for i in listed] == [a, b, c]  # priority, then age
    ids = lambda *args: [i["id"] for i in repo.ok("issue", "list", *args)]  # noqa: E731
    assert ids("--state", "backlog") == [b]
    assert ids("--label", "epic:auth") == [a, b]
    assert ids("--label", "epic:*") == [a, b, c]
    assert ids("--label", "epic:auth", "--label", "type:*") == [b]
    assert ids("--assignee", "human:ana") == [c]
    assert ids("--priority", "low") == [c]
    assert ids("--state", "done") == []
    assert repo.jit("issue", "list", "-q").out.split() == [a, b, c]
    assert repo.jit("issue", "list", "--state", "done").out.strip() == "(none)"


def test_list_refuses_unknown_filter_values(repo, fails):
    fails(2, "issue", "list", "--state", "open")
    fails(2, "issue", "list", "--priority", "urgent")
    fails(2, "issue", "list", "--assignee", "ana")


def test_search(repo):
    a = repo.create("Login form", "--description", "OAuth flow")
    b = repo.create("Payments")
    assert [i["id"] for i in repo.ok("issue", "search", "login")] == [a]
    assert [i["id"] for i in repo.ok("issue", "search", "oauth")] == [a]
    assert [i["id"] for i in repo.ok("issue", "search", b[:8])] == [b]
    assert repo.ok("issue", "search", "nothing-matches") == []


def test_update_fields_and_labels(repo, issue_shape):
    a = repo.create("Old", "--label", "type:task")
    before = repo.ok("issue", "show", a)
    after = repo.ok("issue", "update", a[:5], "--title", "New", "--description", "more", "--priority", "critical",
                    "--add-label", "area:api", "--remove-label", "type:task")
    issue_shape(after)
    assert (after["title"], after["description"], after["priority"], after["labels"]) == \
        ("New", "more", "critical", ["area:api"])
    assert after["updated_at"] > before["updated_at"] and after["created_at"] == before["created_at"]
    [event] = repo.ok("events", "tail", "-n", "1")
    assert event["type"] == "issue_updated" and event["issue_id"] == a
    assert event["data"]["fields"]["title"] == {"from": "Old", "to": "New"}
    assert repo.jit("issue", "update", a, "--add-label", "x:y", "-q").out == a + "\n"


def test_update_with_nothing_to_change_writes_nothing(repo):
    a = repo.create("Same", "--label", "type:task")
    before = repo.snapshot()
    repo.ok("issue", "update", a, "--title", "Same", "--add-label", "type:task")
    assert repo.snapshot() == before


@pytest.mark.parametrize("args", [
    ["--title", ""], ["--priority", "p1"], ["--state", "open"], ["--state", "DONE"], ["--add-label", "oops"],
])
def test_update_refuses_bad_values(repo, fails, args):
    a = repo.create("Target")
    fails(2, "issue", "update", a, *args)


def test_done_moves_dependents_to_ready_in_the_same_command(repo):
    base = repo.create("Base")
    left = repo.create("Left", "--dep", base)
    right = repo.create("Right", "--dep", base)
    both = repo.create("Both", "--dep", base, "--dep", left)
    done = repo.ok("issue", "done", base)
    assert done["state"] == "done"
    states = {i["id"]: i["state"] for i in repo.ok("issue", "list")}
    assert states == {base: "done", left: "ready", right: "ready", both: "backlog"}
    moved = [e for e in repo.ok("events", "tail", "-n", "0", "--type", "state_changed")]
    assert {(e["issue_id"], e["data"]["from"], e["data"]["to"]) for e in moved} == {
        (base, "ready", "done"), (left, "backlog", "ready"), (right, "backlog", "ready")}
    repo.ok("issue", "update", left, "--state", "done")
    assert repo.ok("issue", "show", both)["state"] == "ready"


def test_done_quiet_and_human(repo):
    a = repo.create("A")
    b = repo.create("B")
    assert repo.jit("issue", "done", a, "-q").out == a + "\n"
    human = repo.jit("issue", "done", b)
    assert human.code == 0 and "done" in human.out


def test_done_with_unpassed_gates_is_gated(repo):
    assert repo.jit("gate", "define", "review", "--title", "Reviewed").code == 0
    a = repo.create("Gated", "--gate", "review")
    b = repo.create("After", "--dep", a)
    assert repo.ok("issue", "create", "--title", "g", "--gate", "review")["gates_status"]["review"]["status"] == "pending"
    assert repo.ok("issue", "done", a)["state"] == "gated"
    assert repo.ok("issue", "show", b)["state"] == "backlog"


@pytest.mark.parametrize("target", ["done", "ready", "in_progress", "gated"])
def test_backlog_issue_cannot_be_moved_by_hand(repo, fails, target):
    base = repo.create("Base")
    top = repo.create("Top", "--dep", base)
    error = fails(5, "issue", "update", top, "--state", target)
    assert "backlog" in error["message"]


def test_backlog_is_derived_and_cannot_be_requested(repo, fails):
    a = repo.create("A")
    fails(5, "issue", "update", a, "--state", "backlog")


def test_gated_cannot_be_requested_without_gates(repo, fails):
    a = repo.create("A")
    fails(5, "issue", "update", a, "--state", "gated")


def test_in_progress_needs_an_assignee(repo, fails):
    """ready -> in_progress happens by claim or assign (SPEC 3); a bare state change would leave
    an in-progress issue nobody holds, which `jit validate` rightly reports."""
    a = repo.create("A")
    error = fails(5, "issue", "update", a, "--state", "in_progress")
    assert "claim" in error["message"]
    b = repo.create("B", "--assignee", "agent:w1")
    assert repo.ok("issue", "update", b, "--state", "in_progress")["state"] == "in_progress"
    assert repo.jit("validate").code == 0


@pytest.mark.parametrize("terminal", ["done", "rejected"])
def test_terminal_states_refuse_every_transition(repo, fails, terminal):
    a = repo.create("A")
    if terminal == "done":
        repo.ok("issue", "done", a)
    else:
        repo.ok("issue", "reject", a)
    for target in ("ready", "in_progress", "gated", "done", "rejected"):
        if target == terminal:
            continue
        fails(5, "issue", "update", a, "--state", target, code="refused")
    fails(5, "issue", "reject", a)
    if terminal == "rejected":
        fails(5, "issue", "done", a)


def test_reject_from_any_non_terminal_state_records_the_reason(repo):
    base = repo.create("Base")
    backlog = repo.create("Backlog", "--dep", base)
    claimed = repo.create("Claimed")
    repo.ok("issue", "claim", claimed, "agent:w1")
    for issue_id in (base, backlog, claimed):
        rejected = repo.ok("issue", "reject", issue_id, "--reason", "duplicate")
        assert rejected["state"] == "rejected"
        [event] = repo.ok("events", "tail", "-n", "1", "--issue", issue_id, "--type", "state_changed")
        assert event["data"]["to"] == "rejected" and event["data"]["reason"] == "duplicate"
    assert repo.jit("issue", "reject", repo.create("X"), "-q").code == 0


def test_delete_is_refused_while_others_depend_on_it(repo, fails):
    base = repo.create("Base")
    top = repo.create("Top", "--dep", base)
    error = fails(5, "issue", "delete", base)
    assert top in error["details"]["dependents"] and "--force" in error["message"]


def test_delete_force_drops_the_edges_and_settles_dependents(repo):
    base = repo.create("Base")
    top = repo.create("Top", "--dep", base)
    out = repo.ok("issue", "delete", base[:6], "--force")
    assert out["id"] == base and out["title"] == "Base"  # the deleted issue, as it was
    assert not (repo.data / "issues" / f"{base}.json").exists()
    shown = repo.ok("issue", "show", top)
    assert shown["dependencies"] == [] and shown["state"] == "ready"
    types = [e["type"] for e in repo.ok("events", "tail", "-n", "0", "--issue", base)]
    assert "issue_deleted" in types
    assert repo.jit("validate").code == 0


def test_delete_quiet(repo):
    a = repo.create("A")
    assert repo.jit("issue", "delete", a, "-q").out == a + "\n"
    assert repo.ok("issue", "list") == []


def test_every_change_appends_one_event_with_the_spec_shape(repo):
    base = repo.create("Base")
    repo.create("Top", "--dep", base)
    repo.ok("issue", "update", base, "--title", "Base 2")
    repo.ok("issue", "done", base)
    lines = (repo.data / "events.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in lines]
    for e in events:
        assert set(e) == {"id", "ts", "type", "issue_id", "actor", "data"}
    types = [e["type"] for e in events if e["type"] != "repo_initialized"]
    assert types == ["issue_created", "issue_created", "issue_updated", "state_changed", "state_changed"]
    assert len({e["id"] for e in events}) == len(events)


def test_a_refused_state_change_drops_the_field_edits_of_the_same_command(repo, fails):
    base = repo.create("Base")
    top = repo.create("Top", "--dep", base)
    fails(5, "issue", "update", top, "--title", "New title", "--add-label", "x:y", "--state", "done")
    assert repo.ok("issue", "show", top)["title"] == "Top"


def test_field_edits_and_a_state_change_land_together(repo):
    a = repo.create("A")
    after = repo.ok("issue", "update", a, "--title", "A2", "--state", "done")
    assert (after["title"], after["state"]) == ("A2", "done")
    assert [e["type"] for e in repo.ok("events", "tail", "-n", "2")] == ["issue_updated", "state_changed"]


def test_context_is_set_on_create_and_merged_on_update(repo, fails):
    issue = repo.ok("issue", "create", "--title", "With context", "--context", "branch=feat/x", "-c", "tries=3")
    assert issue["context"] == {"branch": "feat/x", "tries": 3}
    updated = repo.ok("issue", "update", issue["id"], "-c", 'files=["a.py"]', "-c", "tries=4")
    assert updated["context"] == {"branch": "feat/x", "tries": 4, "files": ["a.py"]}
    fails(2, "issue", "update", issue["id"], "--context", "no-equals-sign")
