#!/usr/bin/env python3
"""Peak memory and time of `jit export`, `jit import` (restore) and `jit snapshot` by store size.

Builds stores of N issues through `jit issue import` (a 400-character description,
labels, context, every 10th issue depending on the one before), then runs each
command as a whole process and reads its peak RSS from wait4(2). Export streams,
so its peak should stay flat as N grows; restore checks every line before writing
anything and so holds the file's issues in memory (see docs/performance.md).

    .venv/bin/python bench/export_memory.py                 # 1,000 / 10,000 / 100,000
    .venv/bin/python bench/export_memory.py --sizes 2000    # quick
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def jit_bin() -> str:
    script = Path(sys.executable).parent / "jit"
    if not script.exists():
        sys.exit(f"no jit next to {sys.executable}; install the project into this venv first")
    return str(script)


# Runs jit's main in a fresh interpreter and reports the process's own peak resident set (VmHWM):
# rusage's ru_maxrss would include the forking parent's size, which Linux carries across exec.
MEASURED = ("import sys\nfrom jit.cli import main\ncode = main(sys.argv[1:])\n"
            "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0].split()[1]\n"
            "sys.stderr.write(f'VmHWM {hwm}\\n')\nsys.exit(code)\n")


def measure(cmd, cwd, env) -> dict:
    """Seconds and peak RSS (MB) of one whole `jit` process; exits on failure."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", MEASURED, *map(str, cmd[1:])], cwd=cwd, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                          text=True, check=False)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed: {proc.stderr}")
    peak_kb = int(proc.stderr.rsplit("VmHWM ", 1)[1].split()[0])
    return {"seconds": round(seconds, 2), "peak_mb": round(peak_kb / 1024, 1)}


def plan(n: int, path: Path) -> None:
    filler = "Context for the agent picking this up. " * 10
    with open(path, "w") as fh:
        for i in range(n):
            record = {"title": f"Issue {i}", "key": f"k{i}", "description": filler, "priority": "normal",
                      "labels": [f"epic:e{i % 50}", "type:task"], "context": {"n": i}}
            if i % 10 and i:
                record["depends_on"] = [f"k{i - 1}"]
            fh.write(json.dumps(record) + "\n")


def one_size(n: int, base: Path, env: dict) -> dict:
    jit = jit_bin()
    source, target = base / f"src{n}", base / f"dst{n}"
    for folder in (source, target):
        folder.mkdir()
        subprocess.run([jit, "init", "-q"], cwd=folder, env=env, check=True, stdout=subprocess.DEVNULL)
    plan(n, base / "plan.jsonl")
    build = measure([jit, "issue", "import", str(base / "plan.jsonl")], source, env)
    export = base / f"export{n}.jsonl"
    row = {"issues": n, "build_s": build["seconds"]}
    row["export"] = measure([jit, "export", "--events", "-o", str(export)], source, env)
    row["export_bytes"] = export.stat().st_size
    row["export_stdout"] = measure([jit, "export"], source, env)
    row["import"] = measure([jit, "import", str(export)], target, env)
    again = base / f"again{n}.jsonl"
    measure([jit, "export", "--events", "-o", str(again)], target, env)
    row["identical"] = again.read_bytes() == export.read_bytes()
    row["snapshot"] = measure([jit, "snapshot", "-o", str(base / f"snap{n}.tar.gz")], source, env)
    print(json.dumps(row), file=sys.stderr, flush=True)
    for folder in (source, target):
        shutil.rmtree(folder, ignore_errors=True)
    for path in (export, again):
        path.unlink(missing_ok=True)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated store sizes")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIT_")}
    env["JIT_ACTOR"] = "agent:bench"
    rows = []
    with tempfile.TemporaryDirectory(prefix="jit-export-bench-") as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            rows.append(one_size(n, Path(tmp), env))
    print(f"{'issues':>8} {'export -o':>16} {'export >stdout':>16} {'import':>16} {'snapshot':>16}  identical")
    for r in rows:
        cells = [f"{r[k]['seconds']:>6.1f}s {r[k]['peak_mb']:>6.1f}MB" for k in ("export", "export_stdout", "import", "snapshot")]
        print(f"{r['issues']:>8} " + " ".join(f"{c:>16}" for c in cells) + f"  {r['identical']}")
    return 0 if all(r["identical"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
