"""README's first command runs `jit demo`: it must finish, do every issue once, and leave nothing behind."""

import glob
import json
import subprocess
import tempfile

from jit_testing import JIT_BIN, clean_env


def test_demo_runs_clean_and_leaves_nothing_behind():
    before = set(glob.glob(f"{tempfile.gettempdir()}/jit-demo-*"))
    proc = subprocess.run([JIT_BIN, "demo", "--agents", "3", "--json"], capture_output=True, text=True,
                          env=clean_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["ok"] and summary["validate_ok"]
    assert summary["by_state"]["done"] == summary["issues"] == 12
    assert summary["claimed_twice"] == [] and summary["done_twice"] == []
    assert set(glob.glob(f"{tempfile.gettempdir()}/jit-demo-*")) == before
