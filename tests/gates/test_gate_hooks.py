"""`jit hooks install`: a git pre-push hook that runs the gates of issues in progress."""

import os
import subprocess

from gate_helpers import assert_one_line_error, define_auto

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x"}


def git(cwd, *args, check=True):
    return subprocess.run(["git", *args], cwd=cwd, check=check, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV})


def test_a_failing_gate_of_an_issue_in_progress_stops_the_push(repo, tmp_path_factory):
    remote = tmp_path_factory.mktemp("remote")
    git(remote, "init", "-q", "--bare")
    git(repo.root, "init", "-q")
    git(repo.root, "remote", "add", "origin", str(remote))
    define_auto(repo, "tests", "test -f fixed")
    issue = repo.create("Parser", "--gate", "tests")
    other = repo.create("Not started", "--gate", "tests")  # ready, not in progress: not checked
    repo.ok("issue", "claim", issue, "agent:w1")
    installed = repo.ok("hooks", "install")
    assert installed["action"] == "installed" and os.access(installed["path"], os.X_OK)
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-qm", "work")
    push = git(repo.root, "push", "-q", "origin", "HEAD:main", check=False)
    assert push.returncode != 0 and f"a gate of issue {issue}" in push.stderr
    assert git(remote, "branch", "--list", check=False).stdout.strip() == ""
    (repo.root / "fixed").write_text("")
    push = git(repo.root, "push", "-q", "origin", "HEAD:main", check=False)
    assert push.returncode == 0, push.stderr
    assert repo.ok("issue", "show", issue)["gates_status"]["tests"]["status"] == "passed"
    assert repo.ok("issue", "show", other)["gates_status"]["tests"]["status"] == "pending"


def test_a_foreign_hook_is_never_overwritten_without_force(repo):
    git(repo.root, "init", "-q")
    hook = repo.root / ".git" / "hooks" / "pre-push"
    hook.write_text("#!/bin/sh\necho theirs\n")
    r = repo.jit("hooks", "install", "--json")
    assert_one_line_error(r, "refused", 5)
    assert hook.read_text() == "#!/bin/sh\necho theirs\n"
    forced = repo.ok("hooks", "install", "--force")
    assert forced["backup"].endswith("pre-push.jit-backup") and "jit pre-push hook" in hook.read_text()
    assert repo.ok("hooks", "install")["action"] == "unchanged"
    removed = repo.ok("hooks", "uninstall")
    assert removed["action"] == "removed" and hook.read_text() == "#!/bin/sh\necho theirs\n"
    assert_one_line_error(repo.jit("hooks", "uninstall", "--json"), "refused", 5)


def test_outside_git_there_is_no_hook_to_install(repo):
    assert_one_line_error(repo.jit("hooks", "install", "--json", env={"GIT_CEILING_DIRECTORIES": str(repo.root.parent)}),
                          "not_found", 3)
