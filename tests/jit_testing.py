"""Test helpers shared by every test package (import as `from jit_testing import ...`).

`Repo.jit(...)` runs the installed console script as a subprocess (the real
CLI, real exit codes, real stdout/stderr). `Repo.ctx()` opens the same
repository in-process through the service layer for setup and inspection.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

JIT_BIN = str(Path(sys.executable).parent / "jit")


class Result:
    def __init__(self, proc):
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    @property
    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return f"Result(code={self.code}, out={self.out[:300]!r}, err={self.err[:300]!r})"


def events(repo, type_=None, issue_id=None) -> list:
    """The repository's event log, optionally of one type and/or one issue."""
    lines = (repo.data / "events.jsonl").read_text().splitlines()
    found = [json.loads(line) for line in lines if line.strip()]
    return [e for e in found if (type_ is None or e["type"] == type_)
            and (issue_id is None or e["issue_id"] == issue_id)]


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIT_")}
    env["USER"] = "tester"
    env.update(extra)
    return env


class Repo:
    def __init__(self, root: Path):
        self.root = root
        self.data = root / ".jit"
        self.env = clean_env()

    def jit(self, *args, input=None, env=None, cwd=None, timeout=60) -> Result:
        proc = subprocess.run(
            [JIT_BIN, *map(str, args)], cwd=cwd or self.root, input=input, capture_output=True, text=True,
            env={**self.env, **(env or {})}, timeout=timeout,
        )
        return Result(proc)

    def ok(self, *args, **kw):
        """Run with --json, assert exit 0, return the parsed JSON."""
        r = self.jit(*args, "--json", **kw)
        assert r.code == 0, r
        return r.json

    def create(self, title="Task", *args) -> str:
        return self.ok("issue", "create", "--title", title, *args)["id"]

    def ctx(self):
        from jit.service.context import open_repo

        return open_repo(str(self.root), env=self.env)

    def snapshot(self) -> dict:
        """Every file under .jit/ except derived ones, for "nothing changed" assertions."""
        files = {}
        for path in sorted(self.data.rglob("*")):
            rel = path.relative_to(self.data).as_posix()
            if path.is_file() and not rel.startswith(("index.sqlite", ".lock")):
                files[rel] = path.read_bytes()
        return files


def stopped(proc) -> bool:
    """True while a child process is stopped (SIGSTOP, e.g. at a JIT_STOP_AT crash point)."""
    try:
        with open(f"/proc/{proc.pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "T"
    except (FileNotFoundError, IndexError):
        return False


def wait_for_stop(procs, timeout=120):
    """The first of procs to stop itself at its crash point, or None when all exited first.
    Polls the processes' state; never decides by elapsed time (the timeout is a safety net)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in procs:
            if proc.poll() is None and stopped(proc):
                return proc
        if all(proc.poll() is not None for proc in procs):
            return None
        time.sleep(0.002)
    raise AssertionError("no process stopped or exited within the timeout")


def fresh_context(folder):
    """An in-process service Context on a new repository in `folder` (its `.jit/` named by JIT_DATA_DIR):
    for fuzz tests that call the service many times without paying a process each."""
    from jit.service.context import init_repo

    ctx, _ = init_repo(str(folder), env={"JIT_DATA_DIR": os.path.join(folder, ".jit"), "USER": "t"})
    return ctx
