"""Process helpers for the concurrency and crash tests: start real `jit` processes, always reap them."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from jit.domain.model import Issue


class Procs:
    """Real child processes; every one is killed and waited for when the test ends, pass or fail."""

    def __init__(self, repo):
        self.repo = repo
        self.children = []

    def start(self, *args, shell=None, **kw):
        cmd = ["sh", "-c", shell] if shell else [self.repo_bin(), *map(str, args)]
        proc = subprocess.Popen(cmd, cwd=self.repo.root, env=self.repo.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True, **kw)
        self.children.append(proc)
        return proc

    def repo_bin(self):
        return str(Path(sys.executable).parent / "jit")

    def wait_all(self, procs, timeout=120):
        results = []
        for proc in procs:
            out, err = proc.communicate(timeout=timeout)
            results.append((proc.returncode, out, err))
        return results

    def kill(self, proc):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def reap(self):
        for proc in self.children:
            if proc.poll() is None:
                self.kill(proc)
            try:
                proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                pass


@pytest.fixture
def procs(repo):
    p = Procs(repo)
    try:
        yield p
    finally:
        p.reap()


@pytest.fixture
def storage_sound():
    return assert_storage_sound


def assert_storage_sound(data_dir):
    """Every file jit owns is whole: issue files parse as issues, every event line is JSON."""
    for path in sorted((data_dir / "issues").glob("*.json")):
        text = path.read_text()
        issue = Issue.from_dict(json.loads(text))
        assert path.name == f"{issue.id}.json"
        assert text.endswith("}\n"), f"{path.name} is not a whole pretty-printed file"
    json.loads((data_dir / "gates.json").read_text())
    raw = (data_dir / "events.jsonl").read_bytes()
    assert raw == b"" or raw.endswith(b"\n"), "events.jsonl ends in a torn line"
    events = [json.loads(line) for line in raw.decode().splitlines()]
    assert all(isinstance(e, dict) and e.get("id") and e.get("type") for e in events)
    return events
