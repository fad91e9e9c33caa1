"""No wasted re-runs: a check that passed at the same clean git commit is skipped (issue 13)."""

import json
import os
import subprocess

from gate_helpers import define_auto, run_files

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x"}


def git(repo, *args) -> str:
    return subprocess.run(["git", *args], cwd=repo.root, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout.strip()


def committed(repo):
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "work")
    return git(repo, "rev-parse", "HEAD")


def test_skip_at_the_same_clean_commit_then_run_when_dirty_or_forced(repo):
    git(repo, "init", "-q")
    (repo.root / ".gitignore").write_text("count\n")
    define_auto(repo, "tests", "echo run >> count; echo ok")
    issue = repo.create("Parser", "--gate", "tests")
    head = committed(repo)  # .jit/ is committed too; its later changes never count

    first = repo.ok("gate", "check", issue, "tests")
    assert first["skipped"] is False and first["run"]["commit"] == head and first["run"]["dirty"] is False
    again = repo.ok("gate", "check", issue, "tests")
    assert again["skipped"] is True and again["run"] == first["run"]
    human = repo.jit("gate", "check", issue, "tests")
    assert human.code == 0 and f"already passed at {head[:7]}" in human.out
    assert repo.jit("gate", "check", issue, "tests", "-q").out.strip() == "skipped"
    assert (repo.root / "count").read_text() == "run\n" and len(run_files(repo, issue)) == 1

    (repo.root / "parser.py").write_text("changed\n")  # a dirty tree outside .jit/: runs
    dirty = repo.ok("gate", "check", issue, "tests")
    assert dirty["skipped"] is False and dirty["run"]["dirty"] is True and dirty["run"]["commit"] == head
    # A passing run on a dirty tree is not one to stand on, even after the tree is clean again.
    (repo.root / "parser.py").unlink()
    assert repo.ok("gate", "check", issue, "tests")["skipped"] is False
    assert repo.ok("gate", "check", issue, "tests")["skipped"] is True
    forced = repo.ok("gate", "check", issue, "tests", "--force")
    assert forced["skipped"] is False
    assert (repo.root / "count").read_text().count("run") == 4
    stored = [json.loads(p.read_text()) for p in run_files(repo, issue)]
    assert all(r["commit"] == head for r in stored)

    new_head = committed(repo)  # a new commit: runs again
    assert new_head != head and repo.ok("gate", "check", issue, "tests")["run"]["commit"] == new_head


def test_what_never_skips(repo):
    git(repo, "init", "-q")
    define_auto(repo, "tests", "exit 0")
    define_auto(repo, "flaky", "test -f ok")
    issue = repo.create("Parser", "--gate", "tests", "--gate", "flaky")
    committed(repo)
    repo.ok("gate", "check", issue, "tests")
    # A changed definition runs again.
    repo.ok("gate", "update", "tests", "--checker", "exit 0 # v2")
    assert repo.ok("gate", "check", issue, "tests")["skipped"] is False
    assert repo.ok("gate", "check", issue, "tests")["skipped"] is True
    # A later manual verdict wins over the stored run: it is not skipped.
    repo.ok("gate", "fail", issue, "tests", "--reason", "saw it flake")
    assert repo.ok("gate", "check", issue, "tests")["skipped"] is False
    # A failed run is never stood on.
    assert repo.jit("gate", "check", issue, "flaky").code == 6
    assert repo.jit("gate", "check", issue, "flaky").code == 6
    # check-all names what it skipped.
    (repo.root / "ok").write_text("")
    committed(repo)
    repo.jit("gate", "check-all", issue)
    result = repo.ok("gate", "check-all", issue)
    assert result["skipped"] == ["tests", "flaky"] and [r["status"] for r in result["runs"]] == ["passed"] * 2


def test_outside_git_every_check_runs(repo):
    define_auto(repo, "tests", "echo run >> count")
    issue = repo.create("Parser", "--gate", "tests")
    runs = [repo.ok("gate", "check", issue, "tests") for _ in range(2)]
    assert [r["skipped"] for r in runs] == [False, False] and runs[0]["run"]["commit"] is None
    assert (repo.root / "count").read_text() == "run\nrun\n"
