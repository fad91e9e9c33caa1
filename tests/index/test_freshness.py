"""SPEC section 1: the index never hides a change made behind jit's back, whatever made it.

Each test changes the files the way a person or a tool would (a hand edit in
place, `cp -p` with an old mtime, a deletion, a rename out and back, a `git
pull`) and the very next query must show it, both when the query checks the
files itself and when a `jit watch` monitor tells it what changed (conftest.py).
"""

import json
import os
import subprocess
import time


def _ids(repo, *args, env=None):
    return [i["id"] for i in repo.ok("query", "available", *args, env=env)]


def test_copy_with_an_old_mtime_over_an_existing_file_shows(checked_repo, tmp_path):
    """`cp -p` rewrites in place (same inode) and sets the old mtime back: same size and same mtime
    as the file the index recorded, so only the ctime tells (git keeps it for the same reason)."""
    repo = checked_repo
    a, b = repo.create("Alpha"), repo.create("Bravo")
    path = repo.data / "issues" / f"{a}.json"
    settled = path.stat().st_mtime_ns - 10 * 10**9
    os.utime(path, ns=(settled, settled))
    data = json.loads(path.read_text())
    data["state"] = "gated"  # as long as "ready": the same size
    saved = tmp_path / "saved.json"
    saved.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.utime(saved, ns=(settled, settled))
    assert saved.stat().st_size == path.stat().st_size
    assert _ids(repo) == [a, b]
    time.sleep(2.2)  # past the two-second racy window: the index now trusts a's signature
    assert _ids(repo) == [a, b]
    subprocess.run(["cp", "-p", str(saved), str(path)], check=True)
    assert path.stat().st_mtime_ns == settled
    assert _ids(repo) == [b]
    # A prefix lookup answers from the index while the folder holds still, and sees a file copied in.
    assert repo.ok("issue", "show", b[:8])["id"] == b
    new_id = "0123abcd-0000-4000-8000-00000000000c"
    data.update(id=new_id, state="ready")
    (repo.data / "issues" / f"{new_id}.json").write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    assert repo.ok("issue", "show", "0123abcd")["id"] == new_id
    os.unlink(path)
    assert repo.jit("issue", "show", a[:8]).code == 3


def test_deletion_and_rename_out_and_back_show(checked_repo, tmp_path):
    repo = checked_repo
    a, b, c = repo.create("A"), repo.create("B"), repo.create("C")
    assert _ids(repo) == [a, b, c]
    os.rename(repo.data / "issues" / f"{b}.json", tmp_path / "b.json")
    assert _ids(repo) == [a, c]
    os.rename(tmp_path / "b.json", repo.data / "issues" / f"{b}.json")  # same inode, same mtime: back again
    assert _ids(repo) == [a, b, c]
    os.unlink(repo.data / "issues" / f"{c}.json")
    assert _ids(repo) == [a, b]
    assert repo.ok("query", "available", "--limit", "1")["total"] == 2


def test_git_pull_shows_in_the_next_query(checked_repo, tmp_path):
    repo = checked_repo
    def git(*args, cwd):
        subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                       env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x",
                            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x"})

    a = repo.create("Shared")
    git("init", "-q", cwd=repo.root)
    git("add", ".jit", cwd=repo.root)
    git("commit", "-qm", "start", cwd=repo.root)
    other = tmp_path / "other"
    git("clone", "-q", str(repo.root), str(other), cwd=tmp_path)
    assert _ids(repo) == [a]
    path = other / ".jit" / "issues" / f"{a}.json"
    data = json.loads(path.read_text())
    data["priority"], data["title"] = "critical", "Shared, edited elsewhere"
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    git("commit", "-qam", "edit", cwd=other)
    git("pull", "-q", str(other), cwd=repo.root)
    got = repo.ok("query", "available", "--filter", "priority:critical")
    assert [i["title"] for i in got] == ["Shared, edited elsewhere"]


def test_switching_the_verify_mode_keeps_the_answers(checked_repo):
    repo = checked_repo
    a, b = repo.create("A"), repo.create("B", "--priority", "high")
    for mode in ("inode", "stat", "inode"):
        assert _ids(repo, env={"JIT_INDEX_VERIFY": mode}) == [b, a]
    repo.ok("issue", "update", a, "--priority", "critical", env={"JIT_INDEX_VERIFY": "inode"})
    assert _ids(repo) == [a, b]
