"""examples/ci/jit-gates.sh: the CI job of docs/ci.md, run on a real branch."""

import os
import subprocess
from pathlib import Path

from gate_helpers import JIT_BIN, define_auto

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "ci" / "jit-gates.sh"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x"}


def git(repo, *args):
    return subprocess.run(["git", *args], cwd=repo.root, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout.strip()


def test_checks_the_issues_a_branch_touched_and_records_ci_as_the_author(repo):
    git(repo, "init", "-q", "-b", "main")
    define_auto(repo, "tests", "test ! -f broken")
    untouched = repo.create("Old work", "--gate", "tests")
    by_file = repo.create("Touched in the branch", "--gate", "tests")
    by_message = repo.create("Named in a commit message", "--gate", "tests")
    finished = repo.create("Finished in the branch", "--gate", "tests")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "start")
    git(repo, "checkout", "-q", "-b", "feature")
    repo.ok("issue", "update", by_file, "--priority", "high")
    repo.ok("issue", "reject", finished)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", f"work\n\nJit-Issue: {by_message[:8]}")

    env = {**repo.env, "JIT": JIT_BIN}
    run = subprocess.run(["sh", str(SCRIPT), "main", "test"], cwd=repo.root, env=env, capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0, run.stderr
    assert "checked 2 issue(s)" in run.stderr
    for issue, expected in ((by_file, "passed"), (by_message, "passed"), (untouched, "pending")):
        status = repo.ok("issue", "show", issue)["gates_status"]["tests"]
        assert status["status"] == expected, issue
        if expected == "passed":
            assert status["by"] == "ci:test"
    (repo.root / "broken").write_text("")
    run = subprocess.run(["sh", str(SCRIPT), "main", "test"], cwd=repo.root, env=env, capture_output=True, text=True,
                         check=False)
    assert run.returncode == 1 and "failed" in run.stdout + run.stderr
