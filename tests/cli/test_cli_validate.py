"""`jit validate` and hand-corrupted files (SPEC sections 1 and 8, issue "Bad input").

A broken file is reported by name with the fix, in one line, with no
traceback; commands that do not need it keep working. Decision (SPEC is
silent): an unreadable file is exit 1 with code `corrupt_file` (it is none
of usage, not found, conflict or refused), and `jit validate` exits 5 while
problems remain.
"""

import json

import pytest

def _edit(**changes):
    def apply(data):
        for key, value in changes.items():
            if value is _DROP:
                del data[key]
            else:
                data[key] = value
        return json.dumps(data, indent=2)

    return apply


_DROP = object()
# A name -> the text a careless hand edit or a bad merge leaves in the file.
CORRUPTIONS = {
    "not json": lambda data: '{"id": "torn',
    "empty": lambda data: "",
    "a list": lambda data: "[]",
    "merge markers": lambda data: "<<<<<<< HEAD\n" + json.dumps(data) + "\n=======\n{}\n>>>>>>> theirs\n",
    "unknown state": _edit(state="open"),
    "missing title": _edit(title=_DROP),
    "empty title": _edit(title=""),
    "labels not a list": _edit(labels="type:task"),
    "a label not a string": _edit(labels=[5]),
    "a dependency not a string": _edit(dependencies=[5]),
    "a gate key not a string": _edit(gates_required=[None]),
    "gate status not an object": _edit(gates_status={"review": "passed"}),
    "description not a string": _edit(description=7),
    "assignee not a string": _edit(assignee=5),
    "created_at not a string": _edit(created_at=5),
    "lease not an object": _edit(lease="soon"),
    "unknown priority": _edit(priority="urgent"),
    "wrong id": _edit(id="00000000-0000-4000-8000-000000000000"),
}


def corrupt(repo, issue_id, kind):
    path = repo.data / "issues" / f"{issue_id}.json"
    path.write_text(CORRUPTIONS[kind](json.loads(path.read_text())))
    return f".jit/issues/{issue_id}.json"


@pytest.mark.parametrize("kind", list(CORRUPTIONS))
def test_a_corrupt_issue_file_is_named_with_the_fix_and_no_traceback(repo, fails, kind):
    other = repo.create("Healthy")
    broken = repo.create("Broken")
    name = corrupt(repo, broken, kind)
    commands = [["issue", "show", broken], ["dep", "add", broken, other]]
    if kind in ("not json", "a dependency not a string"):  # every command that reads it, for two kinds
        commands += [["issue", "update", broken, "--title", "x"], ["issue", "done", broken],
                     ["issue", "reject", broken], ["graph", "show", broken], ["dep", "add", other, broken],
                     ["issue", "create", "--title", "x", "--dep", broken]]
    for args in commands:
        error = fails(1, *args, code="corrupt_file")
        assert name in error["message"] and "fix" in error["message"], error
        assert error["details"]["file"] == name
    # What does not need the broken file still works, and says what it skipped.
    listed = repo.jit("issue", "list")
    assert listed.code == 0 and other[:8] in listed.out and "Traceback" not in listed.err
    assert name in listed.err
    assert [i["id"] for i in repo.ok("issue", "list")] == [other]
    assert [i["id"] for i in repo.ok("query", "available")] == [other]
    for args in (["issue", "search", "e"], ["query", "blocked"], ["query", "label", "type:*"], ["graph", "export"],
                 ["graph", "show", other]):
        r = repo.jit(*args, "--json")
        assert r.code == 0 and "Traceback" not in r.err, (args, r)
    assert repo.ok("issue", "done", other)["state"] == "done"
    assert repo.ok("status")["corrupt"] == [broken]

    report = repo.jit("validate")
    assert report.code == 5 and name in report.out and "Traceback" not in report.err
    data = repo.jit("validate", "--json")
    assert data.code == 5
    [problem] = data.json["problems"]
    assert problem["kind"] == "corrupt_file" and problem["file"] == name and problem["fix"]
    assert data.json["ok"] is False


def test_a_corrupt_gate_registry_and_config_are_named(repo, fails):
    a = repo.create("A")
    (repo.data / "gates.json").write_text("{not json")
    error = fails(1, "issue", "create", "--title", "x", "--gate", "g")
    assert ".jit/gates.json" in error["message"]
    report = repo.jit("validate", "--json")
    assert report.code == 5 and report.json["problems"][0]["file"] == ".jit/gates.json"
    (repo.data / "gates.json").write_text("{}\n")
    (repo.data / "config.toml").write_text("schema_version = [\n")
    error = fails(1, "issue", "create", "--title", "x")
    assert "config.toml" in error["message"]
    assert repo.ok("issue", "show", a)["id"] == a


def test_validate_passes_on_a_healthy_repository(repo):
    a = repo.create("A")
    repo.create("B", "--dep", a)
    r = repo.jit("validate")
    assert r.code == 0 and "no problems" in r.out
    assert repo.ok("validate") == {"ok": True, "problems": [], "fixed": []}
    assert repo.jit("validate", "-q").out == ""


def test_validate_reports_and_fixes_a_dangling_dependency(repo):
    a = repo.create("A")
    b = repo.create("B", "--dep", a)
    (repo.data / "issues" / f"{a}.json").unlink()  # as a careless hand edit or merge would
    report = repo.jit("validate", "--json")
    assert report.code == 5
    kinds = {p["kind"] for p in report.json["problems"]}
    assert "dangling_dependency" in kinds
    fixed = repo.jit("validate", "--fix", "--json")
    assert fixed.code == 0, fixed
    assert fixed.json["ok"] is True and fixed.json["fixed"]
    shown = repo.ok("issue", "show", b)
    assert shown["dependencies"] == [] and shown["state"] == "ready"


def test_validate_reports_a_state_that_disagrees_with_dependencies(repo):
    a = repo.create("A")
    b = repo.create("B", "--dep", a)
    path = repo.data / "issues" / f"{b}.json"
    path.write_text(path.read_text().replace('"state": "backlog"', '"state": "ready"'))
    report = repo.jit("validate", "--json")
    assert report.code == 5 and report.json["problems"][0]["kind"] == "bad_state"
    assert b[:8] in repo.jit("validate").out
    assert repo.jit("validate", "--fix").code == 0
    assert repo.ok("issue", "show", b)["state"] == "backlog"


def test_validate_reports_a_cycle_made_by_a_merge(repo):
    a = repo.create("A")
    b = repo.create("B", "--dep", a)
    path = repo.data / "issues" / f"{a}.json"
    data = json.loads(path.read_text())
    data["dependencies"] = [b]
    data["state"] = "backlog"
    path.write_text(json.dumps(data, indent=2, sort_keys=True))
    report = repo.jit("validate", "--json")
    assert report.code == 5
    [cycle] = [p for p in report.json["problems"] if p["kind"] == "cycle"]
    assert set(cycle["cycle"]) == {a, b}
    assert "dep rm" in cycle["fix"]


def test_validate_reports_an_unknown_gate(repo):
    a = repo.create("A")
    path = repo.data / "issues" / f"{a}.json"
    data = json.loads(path.read_text())
    data["gates_required"] = ["ghost"]
    data["gates_status"] = {"ghost": {"status": "pending", "by": None, "at": None}}
    path.write_text(json.dumps(data))
    report = repo.jit("validate", "--json")
    assert report.code == 5 and [p["kind"] for p in report.json["problems"]] == ["unknown_gate"]
    assert "ghost" in report.json["problems"][0]["message"]
