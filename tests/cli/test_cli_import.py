"""`jit issue import FILE|-` (SPEC section 8): JSON Lines, all or nothing, errors name the line."""

import json
import uuid

import pytest
from jit.service.context import open_repo
from jit.service.issues import create_issue


def jsonl(*records) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def test_import_keys_and_depends_on_in_any_order(repo, issue_shape, tmp_path):
    existing = repo.create("Existing")
    plan = tmp_path / "plan.jsonl"
    plan.write_text(jsonl(
        {"title": "Child", "key": "child", "depends_on": ["parent", existing[:6]], "labels": ["epic:x"]},
        {"title": "Parent", "key": "parent", "priority": "high", "description": "d", "assignee": "agent:w1"},
        "",
        {"title": "Solo", "depends_on": [existing]},
    ))
    created = repo.ok("issue", "import", plan)
    for issue in created:
        issue_shape(issue)
    assert [i["title"] for i in created] == ["Child", "Parent", "Solo"]  # file order
    child, parent, solo = created
    assert child["dependencies"] == [parent["id"], existing]
    assert child["state"] == "backlog" and child["labels"] == ["epic:x"]
    assert (parent["state"], parent["priority"], parent["assignee"], parent["description"]) == \
        ("ready", "high", "agent:w1", "d")
    assert solo["state"] == "backlog"
    # What --json printed is what is stored.
    for issue in created:
        assert repo.ok("issue", "show", issue["id"]) == issue
    repo.ok("issue", "done", existing)
    assert repo.ok("issue", "show", solo["id"])["state"] == "ready"
    assert repo.jit("validate").code == 0


def test_import_from_stdin_with_quiet_output_in_file_order(repo):
    r = repo.jit("issue", "import", "-", "-q", input=jsonl({"title": "A"}, {"title": "B"}, {"title": "C"}))
    assert r.code == 0, r
    ids = r.out.split()
    assert len(ids) == 3
    assert [repo.ok("issue", "show", i)["title"] for i in ids] == ["A", "B", "C"]
    # Same-burst issues keep their file order by age.
    assert [i["id"] for i in repo.ok("query", "available")] == ids


def test_import_with_a_done_existing_dependency_is_ready(repo):
    base = repo.create("Base")
    repo.ok("issue", "done", base)
    [made] = repo.ok("issue", "import", "-", input=jsonl({"title": "After", "depends_on": [base]}))
    assert made["state"] == "ready"


def test_import_of_an_empty_file_creates_nothing(repo):
    before = repo.snapshot()
    assert repo.ok("issue", "import", "-", input="") == []
    assert repo.ok("issue", "import", "-", input="\n\n") == []
    assert repo.snapshot() == before


def test_import_logs_one_created_event_per_issue(repo):
    repo.ok("issue", "import", "-", input=jsonl({"title": "A", "key": "a"}, {"title": "B", "depends_on": ["a"]}))
    created = repo.ok("events", "tail", "-n", "0", "--type", "issue_created")
    assert [e["data"]["title"] for e in created] == ["A", "B"]


BAD_LINES = [
    ({"title": "bad", "priority": "urgent"}, "priority"),
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"description": "no title"}, "title"),
    ({"title": 5}, "string"),
    ({"title": "x", "labels": ["nocolon"]}, "label"),
    ({"title": "x", "labels": "a:b"}, "labels"),
    ({"title": "x", "labels": [1]}, "labels"),
    ({"title": "x", "gates": ["nogate"]}, "gate"),
    ({"title": "x", "assignee": "nobody"}, "assignee"),
    ({"title": "x", "assignee": 5}, "string"),
    ({"title": "x", "depends_on": ["nokey"]}, "nokey"),
    ({"title": "x", "depends_on": "first"}, "depends_on"),
    ({"title": "x", "key": 5}, "key"),
    ({"title": "x", "key": "first"}, "first"),  # duplicate key
    ({"title": "x", "description": 5}, "string"),
    ({"title": "x", "priority": 1}, "string"),
    ({"title": "x", "colour": "red"}, "colour"),
    ('{"title": "torn', "json"),
    ("[1, 2]", "object"),
    ("null", "object"),
]


@pytest.mark.parametrize("bad, word", BAD_LINES, ids=[str(i) for i in range(len(BAD_LINES))])
def test_any_bad_line_names_the_line_and_writes_nothing(repo, fails, bad, word):
    text = jsonl({"title": "fine", "key": "first"}, {"title": "also fine", "depends_on": ["first"]}, bad)
    error = fails(2, "issue", "import", "-", input=text)
    assert error["message"].startswith("line 3: "), error
    assert error["message"].count("line 3") == 1, error
    assert error["details"]["line"] == 3
    assert word in error["message"].lower(), error


def test_line_numbers_count_blank_lines(repo, fails):
    error = fails(2, "issue", "import", "-", input="\n" + jsonl({"title": "ok"}) + "\n" + jsonl({"title": ""}))
    assert error["details"]["line"] == 4


def test_a_cycle_inside_the_file_is_refused_naming_the_lines(repo, fails):
    text = jsonl({"title": "a", "key": "a", "depends_on": ["c"]}, {"title": "b", "key": "b", "depends_on": ["a"]},
                 {"title": "c", "key": "c", "depends_on": ["b"]})
    error = fails(2, "issue", "import", "-", input=text)
    assert "cycle" in error["message"] and "line" in error["message"]
    error = fails(2, "issue", "import", "-", input=jsonl({"title": "self", "key": "s", "depends_on": ["s"]}))
    assert "cycle" in error["message"]


def test_an_ambiguous_or_missing_existing_id_is_an_error(repo, fails):
    ids = iter(["abcd1234-0000-4000-8000-000000000001", str(uuid.uuid4()),
                "abcd1234-0000-4000-8000-000000000002", str(uuid.uuid4())])
    ctx = open_repo(str(repo.root), env=repo.env, new_id=lambda: next(ids))
    try:
        create_issue(ctx, "first")
        create_issue(ctx, "second")
    finally:
        ctx.close()
    error = fails(2, "issue", "import", "-", input=jsonl({"title": "x", "depends_on": ["abcd"]}))
    assert "line 1" in error["message"]
    fails(2, "issue", "import", "-", input=jsonl({"title": "x", "depends_on": ["0000"]}))
    second = "abcd1234-0000-4000-8000-000000000002"
    [made] = repo.ok("issue", "import", "-", input=jsonl({"title": "x", "depends_on": [second.replace("-", "")]}))
    assert made["dependencies"] == [second]


def test_missing_file_is_not_found(repo, fails, tmp_path):
    error = fails(3, "issue", "import", tmp_path / "nope.jsonl")
    assert "nope.jsonl" in error["message"]


def test_unknown_gate_is_checked_against_the_registry(repo):
    assert repo.jit("gate", "define", "tests", "--title", "Tests pass").code == 0
    [made] = repo.ok("issue", "import", "-", input=jsonl({"title": "gated", "gates": ["tests"]}))
    assert made["gates_required"] == ["tests"] and made["gates_status"]["tests"]["status"] == "pending"
