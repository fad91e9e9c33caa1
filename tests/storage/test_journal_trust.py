"""Nothing that comes with a repository names paths for jit to write or delete (SPEC section 1).

A journal planted in a real clone (force-added past .gitignore) must not make a read write or
delete anything outside `.jit/`; reads warn and answer from the files, writes refuse with one
line naming `.jit/.journal.json` until a person removes it. Symbolic links a clone can carry
(a folder under `.jit/`, a temp file, the index, the lock) lead nowhere outside either.
"""

import json
import os
import sqlite3
import subprocess

import pytest
from jit_testing import Repo

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t.invalid", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def git(cwd, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "JIT_"))} | GIT_ENV
    proc = subprocess.run(["git", *args], check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, (args, proc.stderr)
    return proc.stdout


def outside(top, data):
    """Every file and link under `top` except those inside the data folder: path -> content."""
    found = {}
    for folder, dirs, names in os.walk(top):
        dirs[:] = [d for d in dirs if os.path.join(folder, d) != str(data) and d != ".git"]
        for name in names:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                found[path] = os.readlink(path)
            else:
                with open(path, "rb") as fh:
                    found[path] = fh.read()
    return found


def test_a_journal_planted_in_a_clone_writes_and_deletes_nothing_outside_jit(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q")
    repo = Repo(origin)
    assert repo.jit("init").code == 0
    issue = repo.create("a real issue")
    stolen = json.loads((repo.data / "issues" / f"{issue}.json").read_text()) | {"title": "forged"}
    (repo.data / ".journal.json").write_text(json.dumps({
        "files": {"../../victim.txt": None, "../planted.txt": "written by a stranger",
                  str(tmp_path / "absolute.txt"): "written by a stranger",
                  f"issues/{issue}.json": json.dumps(stolen)},
        "events": [{"id": "e1", "type": "issue_updated"}]}))
    git(origin, "add", "-A")
    git(origin, "add", "-f", ".jit/.journal.json")
    git(origin, "commit", "-qm", "a repository with a planted journal")
    git(tmp_path, "clone", "-q", "origin", "clone")
    clone = Repo(tmp_path / "clone")
    assert (clone.data / ".journal.json").exists()
    before = outside(tmp_path, clone.data)
    inside = clone.snapshot()

    listed = clone.jit("issue", "list", "--json")
    assert listed.code == 0, listed
    assert [i["title"] for i in listed.json] == ["a real issue"]  # answered from the files
    assert "warning: refusing to replay .jit/.journal.json" in listed.err and "delete it" in listed.err
    report = clone.jit("validate", "--json")
    assert report.code == 5
    assert [p["kind"] for p in report.json["problems"]] == ["untrusted_journal", "tracked_runtime_file"]
    refused = clone.jit("issue", "create", "--title", "x")
    assert refused.code != 0 and refused.err.count("\n") == 1, refused
    assert ".jit/.journal.json" in refused.err and "delete it" in refused.err and "Traceback" not in refused.err

    assert outside(tmp_path, clone.data) == before, "a file outside .jit/ was written or deleted"
    assert victim.read_text() == "keep me" and not (tmp_path / "absolute.txt").exists()
    assert clone.snapshot() == inside, "the refused journal changed .jit/"
    (clone.data / ".journal.json").unlink()  # what a person does after inspecting it
    assert clone.jit("issue", "create", "--title", "x").code == 0
    assert clone.ok("issue", "show", issue)["title"] == "a real issue"


def _event(n=1):
    return {"id": f"e{n}", "type": "issue_created"}


BAD_JOURNALS = {
    "not json": "{\"files\": {",
    "a list": "[]",
    "extra key": json.dumps({"files": {}, "events": [], "run": "rm -rf /"}),
    "files not an object": json.dumps({"files": [], "events": []}),
    "events not a list": json.dumps({"files": {}, "events": {}}),
    "content a number": json.dumps({"files": {"gates.json": 5}, "events": []}),
    "event without id": json.dumps({"files": {}, "events": [{"type": "x"}]}),
    "event id a number": json.dumps({"files": {}, "events": [{"id": 7, "type": "x"}]}),
    "unknown kind": json.dumps({"files": {"hooks/post-claim": "#!/bin/sh"}, "events": []}),
    "dot dot in an issue name": json.dumps({"files": {"issues/../../x.json": "{}"}, "events": []}),
    "absolute": json.dumps({"files": {"/tmp/jit-trust-x.json": "{}"}, "events": [_event()]}),
    "deeply nested": "[" * 100000 + "]" * 100000,
}


@pytest.mark.parametrize("name", sorted(BAD_JOURNALS))
def test_a_journal_of_the_wrong_shape_is_refused_whole(repo, name):
    issue = repo.create("kept")
    journal = repo.data / ".journal.json"
    journal.write_text(BAD_JOURNALS[name])
    before = repo.snapshot()
    listed = repo.jit("issue", "list", "--json")
    assert listed.code == 0 and len(listed.json) == 1 and "refusing to replay" in listed.err, listed
    refused = repo.jit("issue", "update", issue, "--title", "changed")
    assert refused.code not in (0, 3) and "internal error" not in refused.err, refused
    assert ".jit/.journal.json" in refused.err and refused.err.count("\n") == 1
    assert repo.snapshot() == before and not os.path.exists("/tmp/jit-trust-x.json")


def test_a_symlinked_folder_under_jit_is_never_written_through(repo, tmp_path):
    """A clone can carry `.jit/gate-runs` as a link to anywhere: jit refuses to write through it."""
    issue = repo.create("gated")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.rmdir(repo.data / "gate-runs")
    os.symlink(elsewhere, repo.data / "gate-runs")
    (repo.data / ".journal.json").write_text(json.dumps({
        "files": {f"gate-runs/{issue}/20250101T000000Z-aaaaaa.json": "{}"}, "events": []}))
    listed = repo.jit("issue", "list")
    assert listed.code == 0 and "gate-runs is a symbolic link" in listed.err, listed
    assert list(elsewhere.iterdir()) == []
    report = repo.jit("validate", "--json")
    kinds = {p["kind"] for p in report.json["problems"]}
    assert {"untrusted_journal", "unsafe_path"} <= kinds, report.json
    (repo.data / ".journal.json").unlink()
    assert repo.jit("gate", "define", "t", "--title", "T", "--mode", "auto", "--checker", "true").code == 0
    assert repo.jit("gate", "add", issue, "t").code == 0
    checked = repo.jit("gate", "check", issue, "t")
    assert checked.code == 1 and "symbolic link" in checked.err and "internal" not in checked.err, checked
    assert list(elsewhere.iterdir()) == []


def test_links_named_like_jits_runtime_files_lead_nowhere(repo, tmp_path):
    """A temp file, the index and the lock planted as links to files outside: jit may remove the
    links (they are inside .jit/), never touch what they point to."""
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    other_db = tmp_path / "other.db"
    with sqlite3.connect(other_db) as conn:
        conn.execute("CREATE TABLE issues (precious TEXT)")
        conn.execute("INSERT INTO issues VALUES ('data')")
    issue = repo.create("x")
    for leftover in list(repo.data.glob("index.sqlite*")):
        leftover.unlink()
    os.symlink(other_db, repo.data / "index.sqlite")
    os.symlink(victim, repo.data / "issues" / f".{issue}.json.1234.abcdef.tmp")
    os.symlink(victim, repo.data / "..journal.json.99.aaaaaa.tmp")
    (repo.data / ".lock").unlink()
    os.symlink(tmp_path / "made-by-jit.lock", repo.data / ".lock")
    repo.jit("issue", "list")
    repo.jit("issue", "update", issue, "--title", "y")
    repo.jit("validate", "--fix")
    assert victim.read_text() == "keep me"
    assert not (tmp_path / "made-by-jit.lock").exists(), "the lock link created a file outside .jit/"
    with sqlite3.connect(other_db) as conn:
        assert conn.execute("SELECT precious FROM issues").fetchall() == [("data",)]


def test_init_ignores_every_runtime_file_and_validate_warns_when_git_tracks_one(tmp_path):
    git(tmp_path, "init", "-q")
    repo = Repo(tmp_path)
    assert repo.jit("init").code == 0
    ignore = (repo.data / ".gitignore").read_text().splitlines()
    for rule in ("index.sqlite*", ".lock", ".journal.json", ".*.tmp", "events.unreadable.log"):
        assert rule in ignore, rule
    repo.create("x")
    for name in (".journal.json", ".lock", "index.sqlite", "events.unreadable.log",
                 "issues/.0a.json.1.aaaaaa.tmp"):
        assert git(tmp_path, "check-ignore", f".jit/{name}").strip() == f".jit/{name}", name
    assert repo.jit("validate").code == 0
    assert repo.jit("issue", "list").code == 0  # builds the index
    git(tmp_path, "add", "-f", ".jit/index.sqlite")
    report = repo.jit("validate", "--json")
    assert report.code == 5
    [problem] = report.json["problems"]
    assert problem["kind"] == "tracked_runtime_file" and "git rm --cached .jit/index.sqlite" in problem["fix"]


def test_the_web_status_with_a_planted_journal_answers_and_touches_nothing_outside(repo, tmp_path):
    """Issue 11 item 2 through `jit serve`: GET /api/status is a read like `jit status`."""
    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from jit.web.app import create_app

    victim = tmp_path.parent / f"{tmp_path.name}-victim.txt"
    victim.write_text("keep me")
    repo.create("a real issue")
    (repo.data / ".journal.json").write_text(json.dumps({"files": {f"../../{victim.name}": None}, "events": []}))
    try:
        app = create_app(repo.root, env=repo.env)
        with TestClient(app, base_url="http://127.0.0.1") as client:
            response = client.get("/api/status")
        assert response.status_code == 200 and response.json()["total"] == 1, response.text
        assert victim.read_text() == "keep me" and (repo.data / ".journal.json").exists()
    finally:
        victim.unlink(missing_ok=True)
