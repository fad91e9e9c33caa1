"""`jit issue import` streams: its peak memory grows by the links it must keep (ids, keys, edges),
not by the issues (the short version of bench/import_memory.py; figures in docs/performance.md).
The import that held every issue, its file text and its journal grew about 9 KB an issue."""

import json
import subprocess
import sys

from jit_testing import Repo

FILLER = "Context for the agent picking this up. " * 10
# The process's own peak resident set (VmHWM): rusage would carry over pytest's size across exec.
MEASURED = ("import sys\nfrom jit.cli import main\ncode = main(sys.argv[1:])\n"
            "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0].split()[1]\n"
            "sys.stderr.write(f'VmHWM {hwm}\\n')\nsys.exit(code)\n")


def _import_peak_kb(tmp_path, name, n) -> tuple:
    repo = Repo(tmp_path / name)
    repo.root.mkdir()
    assert repo.jit("init").code == 0
    plan = tmp_path / f"{name}.jsonl"
    plan.write_text("".join(json.dumps({"title": f"Issue {i}", "key": f"k{i}", "description": FILLER,
                                        "labels": ["type:task", f"epic:e{i % 7}"], "context": {"n": i},
                                        **({"depends_on": [f"k{i - 1}"]} if i % 10 else {})}) + "\n"
                            for i in range(n)))
    proc = subprocess.run([sys.executable, "-c", MEASURED, "issue", "import", str(plan), "--json"], cwd=repo.root,
                          env=repo.env, capture_output=True, text=True, timeout=300, check=False,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    created = json.loads(proc.stdout)
    assert len(created) == n and created[-1]["title"] == f"Issue {n - 1}"
    return int(proc.stderr.rsplit("VmHWM ", 1)[1].split()[0]), plan.stat().st_size // 1024


def test_import_peak_memory_does_not_grow_with_the_issues(tmp_path):
    small_kb, _ = _import_peak_kb(tmp_path, "small", 300)
    large_kb, size_kb = _import_peak_kb(tmp_path, "large", 3000)
    assert size_kb > 1200  # an import holding its issues would need several times this much more
    assert large_kb - small_kb < 3072, f"import peak grew from {small_kb} KB to {large_kb} KB for 2,700 more issues"
