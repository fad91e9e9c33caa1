"""`jit import --from backlog`: a Backlog.md folder made by its real CLI (npm package `backlog.md`).

The CLI is looked up on PATH, then in a cached prefix (~/.cache/jit-tests, or $JIT_TEST_CACHE),
and installed there with npm when missing; without npm or the registry the test is skipped
with the reason.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from migrate_helpers import by_origin, dry_run_writes_nothing, import_twice

VERSION = "1.52.0"


def _backlog_cli() -> str:
    found = shutil.which("backlog")
    if found:
        return found
    cache = Path(os.environ.get("JIT_TEST_CACHE") or Path.home() / ".cache" / "jit-tests") / f"backlog.md-{VERSION}"
    binary = cache / "node_modules" / ".bin" / "backlog"
    if binary.exists():
        return str(binary)
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("Backlog.md's CLI needs npm (Node.js), which is not installed")
    cache.mkdir(parents=True, exist_ok=True)
    try:
        proc = subprocess.run([npm, "install", "--prefix", str(cache), f"backlog.md@{VERSION}", "--no-audit",
                               "--no-fund", "--loglevel=error"], capture_output=True, text=True, timeout=300,
                              check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.skip("npm install backlog.md timed out (is the npm registry reachable?)")
    if proc.returncode != 0 or not binary.exists():
        pytest.skip(f"npm install backlog.md@{VERSION} failed (registry unreachable?): {proc.stderr.strip()[-300:]}")
    return str(binary)


@pytest.fixture(scope="module")
def backlog_folder(tmp_path_factory):
    cli = _backlog_cli()
    project = tmp_path_factory.mktemp("backlog-project")

    def bl(*args):
        proc = subprocess.run([cli, *args], cwd=project, capture_output=True, text=True, timeout=120, check=False,
                              stdin=subprocess.DEVNULL, env={**os.environ, "NO_COLOR": "1"})
        assert proc.returncode == 0, (args, proc.stdout[-500:], proc.stderr[-500:])
        return proc.stdout

    # A child task takes its parent's number (TASK-1.1); top-level numbers go on from there.
    bl("init", "demo", "--defaults", "--no-git", "--integration-mode", "none")
    bl("task", "create", "Design the API", "-d", "REST first", "--priority", "high", "-l", "api,design", "-a", "@ana", "--plain")
    bl("task", "create", "Write the handlers", "--dep", "task-1", "-p", "task-1", "--priority", "medium",
       "-s", "In Progress", "-a", "@bob", "--plain")
    bl("task", "create", "Docs", "--dep", "task-1.1", "--priority", "low", "--plain")
    bl("task", "create", "Old spike", "-s", "Done", "--final-summary", "learned enough", "--plain")
    bl("task", "create", "Abandoned", "--plain")
    bl("task", "create", "Maybe later", "--draft", "--plain")
    bl("task", "edit", "task-1", "--comment", "looks right", "--comment-author", "@carol", "--plain")
    bl("task", "edit", "task-1", "--append-notes", "checked with the team", "--plain")
    bl("task", "complete", "task-3")
    bl("task", "archive", "task-4")
    return project


def test_backlog_folder_states_priorities_links_comments_and_idempotence(repo, backlog_folder):
    assert len(dry_run_writes_nothing(repo, "backlog", backlog_folder)["created"]) == 5
    first = import_twice(repo, "backlog", backlog_folder)
    assert len(first["created"]) == 5
    assert any(s["reason"] == "a draft" for s in first["skipped"])
    got = by_origin(repo)
    api, handlers, docs, spike, abandoned = (got[f"backlog:TASK-{n}"] for n in ("1", "1.1", "2", "3", "4"))
    assert (api["state"], api["priority"], api["assignee"], api["labels"]) == \
        ("ready", "high", "human:ana", ["tag:api", "tag:design"])
    assert api["description"].startswith("REST first") and "checked with the team" in api["description"]
    assert [(c["by"], c["text"]) for c in api["comments"]] == [("human:carol", "looks right")]
    assert (handlers["state"], handlers["priority"], handlers["assignee"]) == ("in_progress", "normal", "human:bob")
    assert handlers["dependencies"] == [api["id"]] and handlers["parent"] == api["id"]
    assert (docs["state"], docs["priority"], docs["dependencies"]) == ("backlog", "low", [handlers["id"]])
    assert (spike["state"], spike["resolution"]["text"]) == ("done", "learned enough")
    assert (abandoned["state"], abandoned["resolution"]["kind"]) == ("rejected", "rejected")


def test_the_project_folder_and_the_backlog_folder_are_the_same_source(repo, backlog_folder):
    repo.ok("import", "--from", "backlog", backlog_folder)
    again = repo.ok("import", "--from", "backlog", backlog_folder / "backlog")
    assert again["created"] == [] and again["updated"] == []
