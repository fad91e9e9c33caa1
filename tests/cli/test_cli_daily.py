"""The agent's daily loop through the real CLI: comments, resolutions, reopen, several ids at
once, friendlier create (issue 12)."""

import importlib.util
from pathlib import Path

from jit_testing import JIT_BIN, events

_BENCH = Path(__file__).resolve().parents[2] / "bench" / "stress_claims.py"


def _race():
    spec = importlib.util.spec_from_file_location("stress_claims", _BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.race


# -- comments ------------------------------------------------------------------------------------

def test_comments_are_stored_oldest_first_shown_and_logged(repo, issue_shape):
    issue = repo.create("Parser")
    first = repo.ok("issue", "comment", issue[:6], "tried the regex route; too slow", "--actor", "agent:w1")
    issue_shape(first)
    assert [c["text"] for c in first["comments"]] == ["tried the regex route; too slow"]
    assert first["comments"][0]["by"] == "agent:w1" and first["updated_at"] == first["comments"][0]["at"]
    r = repo.jit("issue", "comment", issue, "-", input="multi\nline note\n", env={"JIT_ACTOR": "human:ana"})
    assert r.code == 0 and "2 comment" in r.out, r
    shown = repo.ok("issue", "show", issue)
    assert [(c["by"], c["text"]) for c in shown["comments"]] == [
        ("agent:w1", "tried the regex route; too slow"), ("human:ana", "multi\nline note")]
    assert shown["comments"][0]["at"] < shown["comments"][1]["at"]
    text = repo.jit("issue", "show", issue).out
    assert "comments (2):" in text and "agent:w1" in text and "      line note" in text
    logged = events(repo, "comment_added", issue)
    assert [(e["actor"], e["data"]["text"]) for e in logged] == [
        ("agent:w1", "tried the regex route; too slow"), ("human:ana", "multi\nline note")]


def test_a_comment_by_nobody_in_particular_is_the_user_not_the_assignee(repo):
    issue = repo.create("Held", "--assignee", "agent:w1")
    made = repo.ok("issue", "comment", issue, "a person's note")
    assert made["comments"][0]["by"] == "human:tester"


def test_bad_comments_change_nothing(repo, fails):
    issue = repo.create("Parser")
    fails(2, "issue", "comment", issue, "   ", match="must not be empty")
    fails(2, "issue", "comment", issue, "-", input="\n\n", match="must not be empty")
    fails(3, "issue", "comment", "0000dead", "note")
    fails(2, "issue", "comment", issue)


def test_racing_commenters_all_keep_their_comment(repo):
    issue = repo.create("Busy")
    n = 12
    results = _race()([[JIT_BIN, "issue", "comment", issue, f"note {k}", "--actor", f"agent:a{k}"] for k in range(n)],
                      cwd=repo.root, env={**repo.env, "JIT_LOCK_TIMEOUT": "120"})
    assert [code for code, _, _ in results] == [0] * n, results
    comments = repo.ok("issue", "show", issue)["comments"]
    assert sorted(c["text"] for c in comments) == sorted(f"note {k}" for k in range(n))
    assert [c["at"] for c in comments] == sorted(c["at"] for c in comments)
    assert len(events(repo, "comment_added", issue)) == n


# -- resolutions and reopen ----------------------------------------------------------------------

def test_done_with_summary_and_reject_with_reason_store_a_resolution(repo):
    a, b = repo.create("A"), repo.create("B")
    assert repo.ok("issue", "show", a)["resolution"] is None
    done = repo.ok("issue", "done", a, "--summary", "parser fixed; tests added", "--actor", "agent:w1")
    assert done["state"] == "done"
    assert {k: done["resolution"][k] for k in ("kind", "text", "by")} == {
        "kind": "done", "text": "parser fixed; tests added", "by": "agent:w1"}
    rejected = repo.ok("issue", "reject", b, "--reason", "duplicate of A")
    assert (rejected["resolution"]["kind"], rejected["resolution"]["text"]) == ("rejected", "duplicate of A")
    assert "resolved:  rejected by human:tester" in repo.jit("issue", "show", b).out
    # A summary given after the fact is recorded; the state stays.
    again = repo.ok("issue", "done", a, "--summary", "also documented")
    assert again["state"] == "done" and again["resolution"]["text"] == "also documented"


def test_a_gated_done_keeps_its_summary_until_the_last_gate_passes(repo):
    repo.ok("gate", "define", "review", "--title", "Reviewed")
    issue = repo.create("Gated", "--gate", "review")
    gated = repo.ok("issue", "done", issue, "-m", "ready for review")
    assert gated["state"] == "gated" and gated["resolution"]["text"] == "ready for review"
    assert repo.ok("issue", "done", issue)["resolution"]["text"] == "ready for review"  # a retry keeps it
    passed = repo.ok("gate", "pass", issue, "review")
    assert passed["state"] == "done" and passed["resolution"]["text"] == "ready for review"


def test_reopen_brings_work_back_and_returns_released_dependents_to_backlog(repo):
    repo.ok("gate", "define", "tests", "--title", "Tests")
    base = repo.create("Base", "--gate", "tests")
    top = repo.create("Top", "--dep", base)
    started = repo.create("Started", "--dep", base)
    repo.ok("issue", "claim", base, "agent:w1")
    repo.ok("gate", "pass", base, "tests")
    repo.ok("issue", "done", base, "--summary", "first try")
    assert repo.ok("issue", "show", top)["state"] == "ready"
    repo.ok("issue", "claim", started, "agent:w2")
    reopened = repo.ok("issue", "reopen", base[:6], "--reason", "fails on empty input")
    assert (reopened["state"], reopened["assignee"], reopened["resolution"]) == ("ready", None, None)
    assert reopened["gates_status"]["tests"]["status"] == "pending"
    assert repo.ok("issue", "show", top)["state"] == "backlog"
    assert repo.ok("issue", "show", started)["state"] == "in_progress"  # started work is not stopped
    [event] = events(repo, "issue_reopened", base)
    assert event["data"]["reason"] == "fails on empty input" and event["data"]["resolution"]["text"] == "first try"
    assert (event["data"]["from"], event["data"]["to"]) == ("done", "ready")
    # Rejected work comes back too; backlog while a dependency is unfinished.
    repo.ok("issue", "reject", top, "--reason", "not now")
    assert repo.ok("issue", "reopen", top)["state"] == "backlog"


def test_reopen_of_open_work_is_refused(repo, fails):
    issue = repo.create("Open")
    fails(5, "issue", "reopen", issue, match="nothing to reopen")
    fails(3, "issue", "reopen", "0000dead")


# -- several ids, friendlier create ---------------------------------------------------------------

def test_show_takes_several_ids(repo, fails):
    a, b, c = repo.create("A"), repo.create("B"), repo.create("C")
    shown = repo.ok("issue", "show", c, a[:6], b)
    assert [i["id"] for i in shown] == [c, a, b]
    assert isinstance(repo.ok("issue", "show", a), dict)  # one id: the object, as before
    text = repo.jit("issue", "show", a, b).out
    assert text.index(a[:8]) < text.index(b[:8])
    assert repo.jit("issue", "show", a, b, "-q").out.split() == [a, b]
    fails(3, "issue", "show", a, "0000dead")


def test_create_takes_a_positional_title_and_descriptions_from_stdin_or_a_file(repo, fails, tmp_path):
    made = repo.ok("issue", "create", "Fix the parser")
    assert made["title"] == "Fix the parser"
    piped = repo.ok("issue", "create", "Piped", "--description", "-", input="## Steps\n1. read\n")
    assert piped["description"] == "## Steps\n1. read\n"
    notes = tmp_path / "notes.md"
    notes.write_text("from a file\n", encoding="utf-8")
    assert repo.ok("issue", "create", "Filed", "--description-file", notes)["description"] == "from a file\n"
    updated = repo.ok("issue", "update", made["id"], "--description", "-", input="new text")
    assert updated["description"] == "new text"
    fails(2, "issue", "create", "One", "--title", "Two", match="title once")
    fails(2, "issue", "create", match="title is required")
    fails(2, "issue", "create", "X", "--description", "d", "--description-file", notes, match="not both")
    fails(3, "issue", "create", "X", "--description-file", tmp_path / "missing.md", match="cannot read")
