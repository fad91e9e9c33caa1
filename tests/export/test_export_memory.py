"""`jit export` streams: its peak memory does not grow with the store (the short version of
bench/export_memory.py, which measures 100,000 issues; results in docs/performance.md)."""

import json
import subprocess
import sys

from jit_testing import Repo

FILLER = "Context for the agent picking this up. " * 10
# The peak resident set of the process's own memory (VmHWM). rusage's ru_maxrss would not do:
# Linux carries over the forking parent's size (here pytest's) across exec.
MEASURED = ("import sys\nfrom jit.cli import main\ncode = main(sys.argv[1:])\n"
            "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0].split()[1]\n"
            "sys.stderr.write(f'VmHWM {hwm}\\n')\nsys.exit(code)\n")


def peak_kb(repo: Repo, *args) -> int:
    proc = subprocess.run([sys.executable, "-c", MEASURED, *args], cwd=repo.root, env=repo.env, capture_output=True,
                          text=True, timeout=300, check=False, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    return int(proc.stderr.rsplit("VmHWM ", 1)[1].split()[0])


def _store(tmp_path, name, n) -> Repo:
    repo = Repo(tmp_path / name)
    repo.root.mkdir()
    assert repo.jit("init").code == 0
    lines = "".join(json.dumps({"title": f"Issue {i}", "description": FILLER, "labels": ["type:task"],
                                "context": {"n": i}}) + "\n" for i in range(n))
    assert repo.jit("issue", "import", "-", "-q", input=lines, timeout=300).code == 0
    return repo


def test_export_peak_memory_does_not_grow_with_the_store(tmp_path):
    small = _store(tmp_path, "small", 100)
    large = _store(tmp_path, "large", 3000)
    small_kb = peak_kb(small, "export", "--events", "-o", tmp_path / "small.jsonl")
    large_kb = peak_kb(large, "export", "--events", "-o", tmp_path / "large.jsonl")
    size_kb = (tmp_path / "large.jsonl").stat().st_size // 1024
    assert size_kb > 2500  # a non-streaming export would hold at least this much more
    assert large_kb - small_kb < 1024, f"export peak grew from {small_kb} KB to {large_kb} KB for a {size_kb} KB export"
