"""Bad gate input: a clear one-line error, the right exit code, and `.jit/` left exactly as it was."""

import pytest
from gate_helpers import assert_one_line_error


@pytest.fixture
def setup(gated):
    repo = gated
    issue = repo.create("Parser", "--gate", "tests")
    plain = repo.create("No gates")
    return repo, issue, plain


CASES = [
    # (name, argv with ISSUE/PLAIN placeholders, error code, exit code, words in the message)
    ("unknown key on add", ["gate", "add", "ISSUE", "nope"], "not_found", 3, ["unknown gate 'nope'"]),
    ("unknown key on pass", ["gate", "pass", "ISSUE", "nope"], "not_found", 3, ["unknown gate 'nope'"]),
    ("unknown key on fail", ["gate", "fail", "ISSUE", "nope"], "not_found", 3, ["unknown gate 'nope'"]),
    ("unknown key on check", ["gate", "check", "ISSUE", "nope"], "not_found", 3, ["unknown gate 'nope'"]),
    ("unknown key on rm", ["gate", "rm", "ISSUE", "nope"], "not_found", 3, ["unknown gate 'nope'"]),
    ("unknown key on show", ["gate", "show", "nope"], "not_found", 3, ["unknown gate 'nope'"]),
    ("unknown key on update", ["gate", "update", "nope", "--title", "x"], "not_found", 3, ["unknown gate"]),
    ("unknown key on remove", ["gate", "remove", "nope"], "not_found", 3, ["unknown gate"]),
    ("unknown key on create", ["issue", "create", "--title", "x", "--gate", "nope"], "not_found", 3, ["nope"]),
    ("unknown issue", ["gate", "pass", "ffffffff", "tests"], "not_found", 3, ["ffffffff"]),
    ("auto without checker", ["gate", "define", "lint", "--title", "Lint", "--mode", "auto"], "usage", 2,
     ["needs a checker"]),
    ("blank checker", ["gate", "define", "lint", "--title", "Lint", "--mode", "auto", "--checker", "  "],
     "usage", 2, ["needs a checker"]),
    ("zero timeout", ["gate", "define", "lint", "--title", "L", "--mode", "auto", "--checker", "true",
                      "--timeout", "0"], "usage", 2, ["positive"]),
    ("negative timeout", ["gate", "define", "lint", "--title", "L", "--mode", "auto", "--checker", "true",
                          "--timeout", "-5"], "usage", 2, ["positive"]),
    ("text timeout", ["gate", "define", "lint", "--title", "L", "--timeout", "soon"], "usage", 2, ["soon"]),
    ("zero timeout on update", ["gate", "update", "tests", "--timeout", "0"], "usage", 2, ["positive"]),
    ("update to auto without checker", ["gate", "update", "review", "--mode", "auto"], "usage", 2,
     ["needs a checker"]),
    ("bad key", ["gate", "define", "bad key!", "--title", "x"], "usage", 2, ["may hold only"]),
    ("empty title", ["gate", "define", "lint", "--title", " "], "usage", 2, ["title"]),
    ("bad mode", ["gate", "define", "lint", "--title", "x", "--mode", "sometimes"], "usage", 2, ["sometimes"]),
    ("bad stage", ["gate", "define", "lint", "--title", "x", "--stage", "during"], "usage", 2, ["during"]),
    ("duplicate key", ["gate", "define", "tests", "--title", "again"], "conflict", 4, ["already exists"]),
    ("pass on an issue lacking the gate", ["gate", "pass", "PLAIN", "tests"], "not_found", 3,
     ["does not require gate 'tests'"]),
    ("fail on an issue lacking the gate", ["gate", "fail", "PLAIN", "review"], "not_found", 3,
     ["does not require gate 'review'"]),
    ("check on an issue lacking the gate", ["gate", "check", "PLAIN", "tests"], "not_found", 3,
     ["does not require"]),
    ("rm on an issue lacking the gate", ["gate", "rm", "PLAIN", "tests"], "not_found", 3, ["does not require"]),
    ("add with no keys", ["gate", "add", "ISSUE"], "usage", 2, ["KEY"]),
]


@pytest.mark.parametrize("name,argv,code,exit_code,words", CASES, ids=[c[0] for c in CASES])
def test_bad_input_changes_nothing(setup, name, argv, code, exit_code, words):
    repo, issue, plain = setup
    argv = [{"ISSUE": issue, "PLAIN": plain}.get(a, a) for a in argv]
    before = repo.snapshot()
    r = repo.jit(*argv, "--json")
    assert_one_line_error(r, code, exit_code)
    assert all(w in r.json["error"]["message"] for w in words), r
    assert repo.snapshot() == before
    human = repo.jit(*argv)
    assert human.code == exit_code and human.out == "" and len(human.err.strip().splitlines()) == 1, human
    assert all(w in human.err for w in words), human
    assert repo.snapshot() == before


def test_check_of_a_manual_gate_is_refused_without_running_anything(gated):
    repo = gated
    issue = repo.create("Parser", "--gate", "review")
    before = repo.snapshot()
    r = repo.jit("gate", "check", issue, "review", "--json")
    assert_one_line_error(r, "usage", 2)
    assert "manual" in r.json["error"]["message"] and "jit gate pass" in r.json["error"]["message"]
    assert repo.snapshot() == before  # no run stored, no verdict


def test_verdicts_on_finished_issues_are_refused(gated):
    repo = gated
    done = repo.create("Done", "--gate", "review")
    repo.ok("gate", "pass", done, "review")
    repo.ok("issue", "done", done)
    rejected = repo.create("Rejected", "--gate", "tests")
    repo.ok("issue", "reject", rejected, "--reason", "duplicate")
    before = repo.snapshot()
    for argv in (["gate", "fail", done, "review"], ["gate", "pass", rejected, "tests"],
                 ["gate", "check", rejected, "tests"], ["gate", "add", done, "tests"],
                 ["gate", "rm", done, "review"]):
        assert_one_line_error(repo.jit(*argv, "--json"), "refused", 5)
    assert repo.snapshot() == before



def test_a_verdict_author_must_name_someone(repo):
    """`--by human:` (an empty $USER in a script) is refused, not recorded as an author."""
    repo.ok("gate", "define", "review", "--title", "Review")
    issue = repo.create("Reviewed work", "--gate", "review")
    before = repo.snapshot()
    for command in (["gate", "pass", issue, "review"], ["gate", "fail", issue, "review"],
                    ["gate", "pass-all", issue]):
        res = repo.jit(*command, "--by", "human:", "--json")
        assert res.code == 2 and "--by" in res.json["error"]["message"], (command, res)
    assert repo.snapshot() == before
