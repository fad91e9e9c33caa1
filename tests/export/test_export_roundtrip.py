"""`jit export` / `jit import FILE` (SPEC section 11): a full-fidelity round trip at 1,000 issues.

One store is built through the real CLI with every field in use (comments, parents,
gates passed and failed, automated gate runs, leases, done with a summary, rejected
with a reason, context, labels, dependencies), exported once, and shared by the tests.
"""

import json

import pytest
from jit_testing import Repo, events

N = 1000


def _jsonl(records) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    repo = Repo(tmp_path_factory.mktemp("source"))
    assert repo.jit("init").code == 0
    repo.ok("gate", "define", "review", "--title", "Reviewed")
    repo.ok("gate", "define", "tests", "--title", "Tests", "--mode", "auto", "--checker", "true")
    repo.ok("gate", "define", "lint", "--title", "Lint", "--mode", "auto", "--checker", "echo bad; exit 1")
    records = []
    for i in range(N):
        record = {"title": f"Issue {i} \u00e9t\u00e9", "key": f"k{i}", "priority": ("critical", "high", "normal", "low")[i % 4],
                  "labels": [f"epic:e{i % 7}", "type:task"], "description": f"line one\nline {i}",
                  "context": {"n": i, "nested": {"ok": i % 2 == 0}}}
        if i % 3 == 0 and i:
            record["depends_on"] = [f"k{i - 1}"]
        if i % 5 == 0:
            record["gates"] = ["review", "tests", "lint"]
        records.append(record)
    made = repo.ok("issue", "import", "-", input=_jsonl(records))
    ids = [m["id"] for m in made]
    ready = [m["id"] for m in made if m["state"] == "ready" and not m["gates_required"]]
    gated = [m["id"] for m in made if m["state"] == "ready" and m["gates_required"]]
    repo.ok("issue", "comment", ids[0], "first comment, with a newline\nand unicode \u2713")
    repo.ok("issue", "comment", ids[0], "second comment")
    repo.ok("issue", "create", "--title", "A child", "--parent", ids[1])
    repo.ok("issue", "create", "--title", "A grandchild", "--parent", ids[2], "--label", "area:x")
    repo.ok("gate", "pass", gated[0], "review")
    repo.ok("gate", "fail", gated[0], "review", "--reason", "needs work")
    repo.ok("gate", "pass", gated[1], "review")
    repo.jit("gate", "check", gated[1], "tests")
    repo.jit("gate", "check", gated[1], "lint")
    repo.ok("issue", "claim", ready[0], "agent:w1", "--ttl", "86400000")
    repo.ok("issue", "claim", ready[1], "agent:w2")
    repo.ok("issue", "done", ready[2], "--summary", "shipped it")
    repo.ok("issue", "reject", ready[3], "--reason", "duplicate of another")
    repo.ok("issue", "reject", ready[4])
    export = repo.root / "export.jsonl"
    assert repo.jit("export", "--events", "-o", export).code == 0
    return repo, export


def _fresh(tmp_path) -> Repo:
    repo = Repo(tmp_path)
    assert repo.jit("init").code == 0
    return repo


def test_the_store_uses_every_field(source):
    _repo, export = source
    lines = export.read_text().splitlines()
    issues = [json.loads(line)["issue"] for line in lines if line.startswith('{"issue"')]
    assert len(issues) == N + 2
    assert any(len(i["comments"]) == 2 for i in issues)
    assert sum(1 for i in issues if i["parent"]) == 2
    assert any(i["lease"] for i in issues)
    assert {(i["resolution"] or {}).get("text") for i in issues} >= {"shipped it", "duplicate of another"}
    statuses = {s["status"] for i in issues for s in i["gates_status"].values()}
    assert statuses == {"pending", "passed", "failed"}
    assert any(line.startswith('{"gate_run"') for line in lines)
    assert json.loads(lines[-1])["end"]["issues"] == N + 2


def test_export_import_export_is_byte_identical_with_events(source, tmp_path):
    _repo, export = source
    target = _fresh(tmp_path)
    summary = target.ok("import", export)
    assert summary["created"] == N + 2 and summary["config"] == "restored"
    again = target.jit("export", "--events")
    assert again.code == 0, again
    assert again.out == export.read_text()
    assert target.jit("validate").code == 0
    # The index was rebuilt: queries see the restored store at once.
    assert len(target.ok("issue", "list")) == N + 2


def test_export_without_events_round_trips_and_is_deterministic(source, tmp_path):
    repo, _ = source
    first = repo.jit("export")
    assert first.code == 0 and first.out == repo.jit("export").out
    assert '{"event"' not in first.out
    target = _fresh(tmp_path)
    assert target.jit("import", "-", input=first.out).code == 0
    assert target.jit("export").out == first.out
    # Importing without the log leaves the target's own log and says what happened there.
    assert events(target, "export_imported")


def test_collisions_are_refused_naming_them_and_nothing_is_written(source, tmp_path):
    _repo, export = source
    target = _fresh(tmp_path)
    assert target.jit("import", export).code == 0
    kept = target.create("Only here")
    before = target.snapshot()
    r = target.jit("import", export, "--json")
    assert r.code == 4, r
    error = r.json["error"]
    assert error["code"] == "conflict" and error["details"]["count"] == N + 2
    assert len(error["details"]["ids"]) == 1000 and error["details"]["ids"] == sorted(error["details"]["ids"])
    assert "--merge" in error["message"] and error["details"]["ids"][0][:8] in error["message"]
    assert target.snapshot() == before
    skip = target.ok("import", export, "--merge", "skip")
    assert (skip["created"], skip["skipped"]) == (0, N + 2)
    replace = target.ok("import", export, "--merge", "replace")
    assert replace["replaced"] == N + 2
    assert target.ok("issue", "show", kept)["title"] == "Only here"
    assert target.jit("validate").code == 0


@pytest.mark.parametrize("damage, line_of", [
    ("truncate", "end"),
    ("drop_issue", "end"),
    ("bad_state", "edited"),
    ("bad_json", "edited"),
    ("deep_json", "edited"),
    ("nan", "edited"),
    ("unknown_dependency", "edited"),
])
def test_a_damaged_export_is_refused_naming_the_line(source, tmp_path, damage, line_of):
    _repo, export = source
    lines = export.read_text().splitlines(keepends=True)
    edited = 5
    if damage == "truncate":
        lines = lines[:-1]
    elif damage == "drop_issue":
        del lines[edited]
    elif damage == "bad_state":
        lines[edited] = lines[edited].replace('"state":"', '"state":"sleeping-', 1)
    elif damage == "bad_json":
        lines[edited] = lines[edited][:40] + "\n"
    elif damage == "nan":
        lines[edited] = lines[edited].replace('"context":{', '"context":{"x":NaN,', 1)
    elif damage == "deep_json":
        lines[edited] = "[" * 100_000 + "]" * 100_000 + "\n"
    else:
        record = json.loads(lines[edited])
        record["issue"]["dependencies"] = ["0" * 8 + "-0000-4000-8000-" + "0" * 12]
        lines[edited] = json.dumps(record) + "\n"
    target = _fresh(tmp_path)
    before = target.snapshot()
    r = target.jit("import", "-", input="".join(lines))
    assert r.code == 2, r
    expected = len(lines) + (1 if damage == "truncate" else 0) if line_of == "end" else edited + 1
    assert f"line {expected}:" in r.err and "nothing was imported" in r.err, r.err
    assert target.snapshot() == before


def test_dry_run_writes_nothing(source, tmp_path):
    _repo, export = source
    target = _fresh(tmp_path)
    before = target.snapshot()
    summary = target.ok("import", export, "--dry-run")
    assert summary["dry_run"] and summary["created"] == N + 2
    assert target.snapshot() == before


def test_a_file_that_is_not_an_export_points_at_issue_import(repo, tmp_path):
    plan = tmp_path / "plan.jsonl"
    plan.write_text('{"title": "New work"}\n')
    r = repo.jit("import", plan)
    assert r.code == 2 and "line 1:" in r.err and "jit issue import" in r.err, r


def test_an_export_that_cannot_read_an_issue_fails_and_leaves_no_file(repo, tmp_path):
    broken = repo.create("Will break")
    repo.create("Fine")
    (repo.data / "issues" / f"{broken}.json").write_text("{ not json")
    out = tmp_path / "out.jsonl"
    r = repo.jit("export", "-o", out)
    assert r.code == 1 and f"{broken}.json" in r.err and "Traceback" not in r.err, r
    assert not out.exists() and not list(tmp_path.glob("out.jsonl*"))
    streamed = repo.jit("export")
    assert streamed.code == 1 and '"end"' not in streamed.out  # a reader sees no closing line
