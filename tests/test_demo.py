"""README's first command runs `jit demo`: it must finish, do every issue once, say what becomes of its
repository, and leave nothing behind unless asked to keep it."""

import glob
import json
import shutil
import subprocess
import tempfile

from jit_testing import JIT_BIN, clean_env


def test_demo_runs_clean_says_so_and_leaves_nothing_behind():
    before = set(glob.glob(f"{tempfile.gettempdir()}/jit-demo-*"))
    proc = subprocess.run([JIT_BIN, "demo", "--agents", "3"], capture_output=True, text=True,
                          env=clean_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].endswith("(deleted at the end; add --keep to keep it)")
    assert "issues claimed twice: 0, done twice: 0, jit validate: clean" in lines
    assert any(line.startswith("OK: 12 issues done by 3 agents") for line in lines)
    assert lines[-1] == "deleted the demo repository; run `jit demo --keep` to keep it and look around"
    assert set(glob.glob(f"{tempfile.gettempdir()}/jit-demo-*")) == before


def test_demo_keeps_its_repository_when_asked():
    proc = subprocess.run([JIT_BIN, "demo", "--agents", "2", "--keep", "--json"], capture_output=True, text=True,
                          env=clean_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    path = summary["repository"]
    try:
        assert summary["ok"] and summary["validate_ok"]
        assert summary["by_state"]["done"] == summary["issues"] == 12
        assert summary["claimed_twice"] == [] and summary["done_twice"] == []
        status = subprocess.run([JIT_BIN, "status", "--json"], cwd=path, capture_output=True, text=True,
                                env=clean_env(), timeout=60)
        assert json.loads(status.stdout)["by_state"]["done"] == 12
    finally:
        shutil.rmtree(path.rsplit("/project", 1)[0], ignore_errors=True)
