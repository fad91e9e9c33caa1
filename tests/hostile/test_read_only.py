"""A read-only `.jit/` (a read-only mount, a checkout owned by someone else): every read
answers as it would on a writable one, every write fails with one line naming the
read-only folder (exit 1, code io_error) and changes nothing.

Root ignores file permissions, so as root the CLI runs in a private mount namespace where
`.jit/` is bind-mounted read-only (`unshare -m`); as another user `chmod -R a-w` is enough.
"""

import json
import os
import shutil
import subprocess
import time

import pytest
from jit_testing import JIT_BIN

READS = [["status"], ["issue", "list"], ["query", "available"], ["query", "blocked"], ["issue", "show", "{a}"],
         ["validate"], ["events", "tail", "-n", "50"], ["gate", "list"], ["issue", "search", "Alpha"],
         ["graph", "export", "--format", "json"], ["query", "state", "ready"], ["gate", "runs", "{a}"]]
WRITES = [["issue", "create", "--title", "new"], ["issue", "claim", "{a}", "agent:x"], ["issue", "update", "{b}",
          "--priority", "high"], ["gate", "pass", "{a}", "review"], ["dep", "add", "{b}", "{c}"],
          ["issue", "comment", "{a}", "hello"], ["gate", "define", "g2", "--title", "G2"]]
MOUNT = 'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && shift && exec "$@"'


def _can_remount() -> str | None:
    """None when `unshare -m` with a read-only bind mount works here, else why not."""
    if not shutil.which("unshare"):
        return "unshare is not installed"
    probe = subprocess.run(["unshare", "-m", "sh", "-c", MOUNT, "sh", "/tmp", "true"], capture_output=True,
                           text=True, timeout=30, check=False)
    return None if probe.returncode == 0 else f"unshare -m with a bind mount failed: {probe.stderr.strip()}"


@pytest.fixture
def read_only(repo):
    """run(*args) -> Result of the real CLI with repo's .jit/ read-only."""
    if os.geteuid() == 0:
        why = _can_remount()
        if why:
            pytest.skip(f"running as root and cannot mount .jit/ read-only ({why}); root ignores chmod")

        def run(*args, env=None):
            argv = ["unshare", "-m", "sh", "-c", MOUNT, "sh", str(repo.data), JIT_BIN, *map(str, args)]
            proc = subprocess.run(argv, cwd=repo.root, capture_output=True, text=True, timeout=60,
                                  env={**repo.env, **(env or {})}, check=False)
            return type("R", (), {"code": proc.returncode, "out": proc.stdout, "err": proc.stderr})()
        yield run
        return
    for folder, dirs, files in os.walk(repo.data):
        for name in dirs + files + ["."]:
            path = os.path.join(folder, name)
            os.chmod(path, os.stat(path).st_mode & ~0o222)
    yield lambda *args, env=None: repo.jit(*args, env=env)
    for folder, dirs, files in os.walk(repo.data, topdown=True):
        for name in dirs + files + ["."]:
            path = os.path.join(folder, name)
            os.chmod(path, os.stat(path).st_mode | 0o200)


@pytest.fixture
def ids(repo):
    assert repo.jit("gate", "define", "review", "--title", "Reviewed").code == 0
    a = repo.create("Alpha", "--gate", "review")
    b = repo.create("Beta", "--dep", a)
    c = repo.create("Gamma")
    repo.ok("status")  # the index exists, as in any repository in use
    return {"a": a, "b": b, "c": c}


def _tree(folder) -> dict:
    found = {}
    for path, _dirs, files in os.walk(folder):
        for name in files:
            with open(os.path.join(path, name), "rb") as fh:
                found[os.path.relpath(os.path.join(path, name), folder)] = fh.read()
    return found


def test_reads_answer_on_a_read_only_repository(repo, ids, read_only):
    expected = {}
    for args in READS:
        argv = [a.format(**ids) for a in args] + ["--json"]
        writable = repo.jit(*argv)
        assert writable.code in (0, 5), writable  # validate exits 5 when it finds problems
        expected[tuple(argv)] = (writable.code, writable.out)
    os.remove(repo.data / "index.sqlite")  # not even the cache can be rebuilt on disk
    before = _tree(repo.data)
    for argv, (code, out) in expected.items():
        r = read_only(*argv)
        assert (r.code, "Traceback" in r.err) == (code, False), (argv, r.code, r.err)
        assert json.loads(r.out) == json.loads(out), argv
    assert _tree(repo.data) == before


def test_writes_fail_naming_the_read_only_folder_and_change_nothing(repo, ids, read_only):
    before = _tree(repo.data)
    for args in WRITES:
        for as_json in (False, True):
            r = read_only(*[a.format(**ids) for a in args], *(["--json"] if as_json else []))
            assert r.code == 1 and "Traceback" not in r.err, (args, r.code, r.out, r.err)
            lines = r.err.strip("\n").splitlines()
            assert len(lines) == 1 and lines[0].startswith("error: "), (args, r.err)
            assert str(repo.data) in lines[0] and ("read-only" in lines[0] or "permission denied" in lines[0]), lines
            if as_json:
                assert json.loads(r.out)["error"]["code"] == "io_error", r.out
    assert _tree(repo.data) == before


def test_an_expired_lease_does_not_stop_reads_on_a_read_only_repository(repo, ids, read_only):
    repo.ok("issue", "claim", ids["c"], "agent:x", "--ttl", "1")
    time.sleep(1.2)
    before = _tree(repo.data)
    for args in (["status"], ["issue", "list"], ["issue", "show", ids["c"]], ["query", "available"]):
        r = read_only(*args, "--json")
        assert r.code == 0 and "Traceback" not in r.err, (args, r.err)
        assert "expired lease" in r.err and r.err.count("\n") == 1, r.err
    assert _tree(repo.data) == before
    assert repo.ok("issue", "show", ids["c"])["state"] == "ready"  # the next writable jit settles it
