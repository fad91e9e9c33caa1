"""`jit issue import` streams (issue 14): its output is written an issue at a time, its input read
a line at a time, its issues staged where no reader looks until one journal commits them all, and
what it found in the repository is checked again under the lock."""

import io
import json
import os
import signal
import subprocess

import pytest
from jit_testing import JIT_BIN, wait_for_stop

from jit.errors import Conflict
from jit.service.importer import import_issues, import_stream


def jsonl(*records) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def stages(repo) -> list:
    return sorted(p.name for p in repo.data.glob(".import-*"))


def tree(repo) -> dict:
    """Every entry under .jit/ but the index and the lock, folders included: a refusal leaves none."""
    found = {}
    for path in sorted(repo.data.rglob("*")):
        rel = path.relative_to(repo.data).as_posix()
        if not rel.startswith(("index.sqlite", ".lock", ".import-")):  # stages: see stages()
            found[rel] = path.read_bytes() if path.is_file() else None
    return found


def test_the_json_answer_is_the_array_the_list_would_print(repo):
    text = jsonl({"title": "ünïcode \u2028 stays on its line", "context": {"n": 1.5}}, {"title": "B", "labels": ["a:b"]})
    r = repo.jit("issue", "import", "-", "--json", input=text)
    assert r.code == 0, r
    made = json.loads(r.out)
    assert [i["title"] for i in made] == ["ünïcode \u2028 stays on its line", "B"]
    assert r.out == json.dumps(made, sort_keys=True, ensure_ascii=False) + "\n"
    assert repo.jit("issue", "import", "-", "--json", input="").out == "[]\n"
    human = repo.jit("issue", "import", "-", input=jsonl({"title": "C"}))
    assert human.code == 0 and human.out == "imported 1 issue(s)\n", human


def test_stdin_from_a_file_or_a_pipe_and_a_file_argument_import_alike(repo, tmp_path):
    plan = tmp_path / "plan.jsonl"
    plan.write_text(jsonl({"title": "A", "key": "a"}, {"title": "B", "depends_on": ["a"]}))
    with open(plan, "rb") as fh:  # a regular file on stdin is read twice in place
        redirected = subprocess.run([JIT_BIN, "issue", "import", "-", "--json"], stdin=fh, cwd=repo.root,
                                    env=repo.env, capture_output=True, text=True, timeout=60)
    piped = repo.jit("issue", "import", "-", "--json", input=plan.read_text())
    named = repo.jit("issue", "import", plan, "--json")
    for result in (redirected, piped, named):
        out = result.stdout if hasattr(result, "stdout") else result.out
        a, b = json.loads(out)
        assert (a["title"], b["title"], b["dependencies"], b["state"]) == ("A", "B", [a["id"]], "backlog")
    assert len(repo.ok("issue", "list")) == 6


UNSTORABLE = [
    ('{"title": "x", "context": {"n": NaN}}', "NaN"),
    ('{"title": "x", "context": {"n": -Infinity}}', "Infinity"),
    ('{"title": "x", "context": {"n": 1e999}}', "1e999"),
    ('{"title": "x\\ud800"}', "surrogate"),
    (b'{"title": "\xff"}', "utf-8"),
]


@pytest.mark.parametrize("bad, word", UNSTORABLE, ids=[w for _, w in UNSTORABLE])
def test_a_line_an_issue_file_cannot_hold_is_refused_by_number(repo, fails, bad, word):
    before = tree(repo)
    good = jsonl({"title": "fine"}).encode()
    text = good + (bad if isinstance(bad, bytes) else bad.encode()) + b"\n"
    proc = subprocess.run([JIT_BIN, "issue", "import", "-", "--json"], input=text, cwd=repo.root, env=repo.env,
                          capture_output=True, timeout=60)
    assert proc.returncode == 2, proc
    error = json.loads(proc.stdout)["error"]
    assert error["details"]["line"] == 2 and word.lower() in error["message"].lower(), error
    assert tree(repo) == before


def _stopped_import(repo, text, point="import.staged"):
    proc = subprocess.Popen([JIT_BIN, "issue", "import", "-", "--json"], cwd=repo.root, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**repo.env, "JIT_STOP_AT": point})
    proc.stdin.write(text)
    proc.stdin.close()
    proc.stdin = None  # so that communicate() only reads
    assert wait_for_stop([proc]) is proc, proc.communicate()
    return proc


def _resume(proc):
    os.kill(proc.pid, signal.SIGCONT)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


def test_staged_issues_are_invisible_and_a_live_stage_survives_other_writers(repo):
    proc = _stopped_import(repo, jsonl(*({"title": f"staged {n}"} for n in range(80))))
    try:
        assert len(stages(repo)) == 1
        assert repo.ok("issue", "list") == [] and repo.ok("status")["total"] == 0
        other = repo.create("written meanwhile")  # a writer sweeps only stages whose importer died
        assert repo.ok("validate")["ok"]
        assert len(stages(repo)) == 1
    finally:
        code, out, err = _resume(proc)
    assert code == 0, err
    assert len(json.loads(out)) == 80 and stages(repo) == []
    assert len(repo.ok("issue", "list")) == 81 and repo.ok("issue", "show", other)["title"] == "written meanwhile"


def test_a_dependency_deleted_while_staging_refuses_the_whole_import(repo):
    base = repo.create("base")
    before = None
    proc = _stopped_import(repo, jsonl({"title": "needs base", "depends_on": [base]}, {"title": "other"}))
    try:
        assert repo.jit("issue", "delete", base).code == 0  # no visible dependent stops it
        before = tree(repo)
    finally:
        code, out, err = _resume(proc)
    assert code == 4, (code, out, err)
    assert "deleted while importing" in err and "nothing was imported" in err
    assert tree(repo) == before and stages(repo) == []


def test_a_dependency_finished_while_staging_refuses_rather_than_write_a_stale_state(repo):
    base = repo.create("base")
    proc = _stopped_import(repo, jsonl({"title": "waits for base", "depends_on": [base]}))
    try:
        assert repo.ok("issue", "done", base)["state"] == "done"
    finally:
        code, _, err = _resume(proc)
    assert code == 4 and "changed state while importing" in err, err
    [made] = repo.ok("issue", "import", "-", input=jsonl({"title": "waits for base", "depends_on": [base]}))
    assert made["state"] == "ready"


def test_a_gate_removed_while_staging_refuses_the_whole_import(repo):
    assert repo.jit("gate", "define", "review", "--title", "Review").code == 0
    proc = _stopped_import(repo, jsonl({"title": "gated", "gates": ["review"]}))
    try:
        assert repo.jit("gate", "remove", "review").code == 0
    finally:
        code, _, err = _resume(proc)
    assert code == 4 and "gate 'review' was removed" in err, err
    assert repo.ok("issue", "list") == [] and stages(repo) == []


def test_an_importer_killed_while_staging_leaves_nothing_validate_does_not_sweep_away(repo):
    killed = repo.jit("issue", "import", "-", input=jsonl({"title": "a"}, {"title": "b"}),
                      env={"JIT_CRASH_AT": "import.staged"})
    assert killed.code == -9 and len(stages(repo)) == 1
    assert repo.ok("issue", "list") == []
    report = repo.jit("validate", "--json")  # it sweeps the dead stage like any writer, then reports
    assert report.code == 0 and report.json["ok"], report
    assert stages(repo) == [] and repo.ok("events", "tail", "--type", "issue_created") == []


class ChangingBytes(io.BytesIO):
    """Bytes that are different the second time they are read: a file edited between the passes."""

    def __init__(self, first: str, second: str):
        super().__init__(first.encode())
        self.second = second

    def seek(self, *args):
        super().__init__(self.second.encode())
        return 0


SWAPS = [jsonl({"title": "swapped in"}), jsonl({"title": "unchecked", "assignee": "no-colon", "labels": [5]}),
         jsonl({"title": "original"}, {"title": "one more"}), "", "\n" + jsonl({"title": "original"})]


@pytest.mark.parametrize("second", SWAPS, ids=["other", "invalid", "longer", "emptied", "moved"])
def test_a_file_that_changes_between_the_two_readings_imports_nothing(repo, second):
    ctx = repo.ctx()
    try:
        with pytest.raises(Conflict, match="changed while it was being imported"):
            import_stream(ctx, ChangingBytes(jsonl({"title": "original"}), second), "plan.jsonl")
        made = import_issues(ctx, jsonl({"title": "in memory", "key": "a"}, {"title": "then", "depends_on": ["a"]}))
    finally:
        ctx.close()
    assert [i.title for i in made] == ["in memory", "then"] and made[1].dependencies == [made[0].id]
    assert [i["title"] for i in repo.ok("issue", "list")] == ["in memory", "then"] and stages(repo) == []
