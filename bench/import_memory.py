#!/usr/bin/env python3
"""Peak memory and time of `jit issue import` by file size (docs/performance.md, "Streaming import").

Writes a plan of N issues shaped like bench/export_memory.py's (a 400-character description,
two labels, a context key, nine of every ten lines depending on the line before by key), then
imports it into a fresh repository as a whole process, once from the file with `--json` (the
created issues streamed to stdout, thrown away here) and once from stdin with `-q`, and reads
the process's own peak resident set (VmHWM) as bench/export_memory.py does.

    .venv/bin/python bench/import_memory.py                 # 10,000 and 100,000
    .venv/bin/python bench/import_memory.py --sizes 2000    # quick
    PYTHONPATH=/path/to/other/src .venv/bin/python bench/import_memory.py   # another jit's import
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from export_memory import MEASURED  # noqa: E402 - the sibling script's measured runner and plan
from export_memory import plan as write_plan  # noqa: E402


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(args, cwd, env, stdin=None) -> dict:
    """Seconds (wall and CPU: on a shared machine the wall clock waits for other people's disk
    writes) and peak RSS (MB) of one whole `jit` process; exits on failure."""
    cpu0, t0 = _cpu(), time.perf_counter()
    with open(stdin, "rb") if stdin else open(os.devnull, "rb") as source:
        proc = subprocess.run([sys.executable, "-c", MEASURED, *map(str, args)], cwd=cwd, env=env, stdin=source,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    seconds, cpu = time.perf_counter() - t0, _cpu() - cpu0
    if proc.returncode != 0:
        sys.exit(f"jit {' '.join(map(str, args))} failed: {proc.stderr}")
    peak_kb = int(proc.stderr.rsplit("VmHWM ", 1)[1].split()[0])
    return {"seconds": round(seconds, 2), "cpu_s": round(cpu, 2), "peak_mb": round(peak_kb / 1024, 1)}


def fresh(base: Path, name: str, env: dict) -> Path:
    folder = base / name
    folder.mkdir()
    subprocess.run([sys.executable, "-m", "jit", "init", "-q"], cwd=folder, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return folder


def one_size(n: int, base: Path, env: dict) -> dict:
    plan = base / f"plan{n}.jsonl"
    write_plan(n, plan)
    row = {"issues": n, "plan_mb": round(plan.stat().st_size / 1e6, 1)}
    probe = base / "probe.txt"  # storage/probe.py: how long the first import held the repository lock
    row["file_json"] = measure(["issue", "import", plan, "--json"], fresh(base, f"a{n}", env),
                               {**env, "JIT_PROBE": str(probe)})
    row["file_json"]["lock_s"] = round(sum(float(line.split()[3]) for line in probe.read_text().splitlines()), 2)
    probe.unlink()
    row["stdin_quiet"] = measure(["issue", "import", "-", "-q"], fresh(base, f"b{n}", env), env, stdin=plan)
    print(json.dumps(row), file=sys.stderr, flush=True)
    for name in (f"a{n}", f"b{n}"):
        shutil.rmtree(base / name, ignore_errors=True)
    plan.unlink()
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated numbers of issues")
    parser.add_argument("--dir", help="where to build the repositories (default: a temporary folder)")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIT_") and k != "PYTHONDONTWRITEBYTECODE"}
    env["JIT_ACTOR"] = "agent:bench"
    rows = []
    with tempfile.TemporaryDirectory(prefix="jit-import-bench-", dir=args.dir) as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            rows.append(one_size(n, Path(tmp), env))
    print(f"{'issues':>8} {'plan':>8} {'file --json (wall, cpu, peak)':>32} {'lock held':>10} "
          f"{'stdin -q (wall, cpu, peak)':>32}")
    for r in rows:
        cells = [f"{r[k]['seconds']:>6.1f}s {r[k]['cpu_s']:>6.1f}s {r[k]['peak_mb']:>7.1f}MB"
                 for k in ("file_json", "stdin_quiet")]
        print(f"{r['issues']:>8} {r['plan_mb']:>6.1f}MB {cells[0]:>32} {r['file_json']['lock_s']:>9.2f}s {cells[1]:>32}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
