"""A team of clones around one bare repository, each driven through the real `jit` and `git`.

Git runs with a fixed identity and no system or global config, so a clean CI machine (or a
developer's own ~/.gitconfig with signing or rebase settings) gives the same result.
"""

import json
import os
import subprocess
from pathlib import Path

from jit_testing import JIT_BIN, Result as Run  # noqa: F401 - Run is the name these tests use
DERIVED = ("index.sqlite", ".lock", ".journal.json")

GIT_ENV = {
    "GIT_AUTHOR_NAME": "jit tests", "GIT_AUTHOR_EMAIL": "tests@jit.invalid",
    "GIT_COMMITTER_NAME": "jit tests", "GIT_COMMITTER_EMAIL": "tests@jit.invalid",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_TERMINAL_PROMPT": "0",
}


def base_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIT_", "GIT_"))}
    env.update(GIT_ENV, USER="tester")
    env.update(extra)
    return env


def git(cwd, *args, env=None) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, env=env or base_env(), capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, (args, proc.stderr)
    return proc.stdout.strip()


class Clone:
    def __init__(self, root: Path, name: str):
        self.root = root
        self.name = name
        self.data = root / ".jit"
        self.env = base_env(JIT_ACTOR=f"agent:{name}")

    def jit(self, *args, input=None, timeout=120) -> Run:
        proc = subprocess.run([JIT_BIN, *map(str, args)], cwd=self.root, env=self.env, input=input,
                              capture_output=True, text=True, timeout=timeout)
        return Run(proc)

    def ok(self, *args):
        r = self.jit(*args, "--json")
        assert r.code == 0, (self.name, args, r)
        return r.json

    def create(self, title, *args) -> str:
        return self.ok("issue", "create", "--title", title, *args)["id"]

    def show(self, issue_id) -> dict:
        return self.ok("issue", "show", issue_id)

    def sync(self) -> dict:
        return self.ok("sync")

    def git(self, *args) -> str:
        return git(self.root, *args, env=self.env)

    def events(self) -> list:
        text = (self.data / "events.jsonl").read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def snapshot(self) -> dict:
        """Every file under .jit/ except derived ones (index, lock, journal, temp files)."""
        files = {}
        for path in sorted(self.data.rglob("*")):
            rel = path.relative_to(self.data).as_posix()
            if path.is_file() and not rel.startswith(DERIVED) and not path.name.endswith(".tmp"):
                files[rel] = path.read_bytes()
        return files


def make_team(tmp_path: Path, names=("a", "b", "c")) -> list:
    """A bare repository and one clone per name; the first runs `jit init` and pushes, the others
    clone afterwards and register the merge driver (`jit git setup`), as the docs tell people to."""
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    clones = []
    for i, name in enumerate(names):
        root = tmp_path / name
        git(tmp_path, "clone", "--quiet", str(bare), str(root))
        clone = Clone(root, name)
        if i == 0:
            git(root, "checkout", "--quiet", "-b", "main")
            assert clone.jit("init").code == 0
            clone.sync()
        else:
            assert clone.jit("git", "setup").code == 0
        clones.append(clone)
    return clones


def race(jobs) -> list:
    """Start every job `(cwd, argv, env)` of the real `jit` at once; [(exit code, stdout, stderr)] in order."""
    procs = [subprocess.Popen([JIT_BIN, *map(str, argv)], cwd=cwd, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for cwd, argv, env in jobs]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=180)
        results.append((proc.returncode, out, err))
    return results
