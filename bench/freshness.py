#!/usr/bin/env python3
"""How close the index's freshness check is to the system-call floor (issue 14).

Writes N issue files straight into a fresh `.jit/issues/` (no jit process, so
100,000 take seconds), builds the index once, then times in-process (median of
--runs):

  floor       os.listdir + one os.stat per file, nothing else (what any check must pay)
  check       Index.connection() when nothing changed (the path every query takes)
  inode mode  the same with JIT_INDEX_VERIFY=inode (the listing alone)
  one edit    the check after one file was rewritten (re-reads that file only)
  watcher     the check and the one-edit check with a `jit watch` watcher running (its
              server runs in a thread of this process; the check asks it over the socket)

    .venv/bin/python bench/freshness.py --sizes 10000,100000
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def make_store(base: Path, n: int) -> Path:
    data = base / ".jit"
    (data / "issues").mkdir(parents=True)
    (data / "events.jsonl").write_text("")
    for i in range(n):
        issue_id = f"{i:08x}-0000-4000-8000-{i:012x}"
        doc = {"id": issue_id, "title": f"Issue {i}", "description": "", "state": "ready", "priority": "normal",
               "assignee": None, "dependencies": [], "gates_required": [], "gates_status": {}, "labels": [],
               "context": {}, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
               "lease": None, "parent": None, "comments": [], "resolution": None}
        (data / "issues" / f"{issue_id}.json").write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    time.sleep(2.1)  # as a store at rest: every file older than the index's racy window
    return data


def timed(fn, runs) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def measure(n: int, runs: int) -> str:
    from jit.storage.index import Index
    from jit.storage.layout import Layout

    with tempfile.TemporaryDirectory() as tmp:
        layout = Layout(str(make_store(Path(tmp), n)))
        folder = layout.issues_dir

        def floor():
            fd = os.open(folder, os.O_RDONLY)
            try:
                for name in os.listdir(fd):
                    os.stat(name, dir_fd=fd)
            finally:
                os.close(fd)

        def check(verify="stat"):
            index = Index(layout, verify=verify)
            index.connection()
            index.close()

        check()  # build
        f, c, i = timed(floor, runs), timed(check, runs), timed(lambda: check("inode"), runs)
        victim = Path(folder) / sorted(os.listdir(folder))[n // 2]

        def edit_then_check():
            text = victim.read_text()
            a, b = ('"normal"', '"high"') if '"normal"' in text else ('"high"', '"normal"')
            victim.write_text(text.replace(a, b))
            check()

        e = timed(edit_then_check, runs)
        with _watching(layout):
            check()  # the watcher's new session: one full check
            w, we = timed(check, runs), timed(edit_then_check, runs)
        return f"| {n:,} | {f:.1f} | {c:.1f} ({c / f:.1f}x) | {i:.1f} | {e:.1f} | {w:.2f} | {we:.2f} |"


class _watching:
    def __init__(self, layout):
        import threading

        from jit.storage.monitor import present
        from jit.storage.monitor_server import Watcher

        self.present, self.layout = present, layout
        self.watcher = Watcher(layout)
        self.thread = threading.Thread(target=self.watcher.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        while not self.present(self.layout):
            time.sleep(0.01)
        return self

    def __exit__(self, *exc):
        self.watcher.stopping = True
        from jit.storage.monitor import request

        request(self.layout, "stop")
        self.thread.join()
        return False


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    print("| files | floor: listdir + stat ms | check ms (x floor) | inode mode ms | after one edit ms "
          "| with a watcher ms | with a watcher, after one edit ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n in [int(s) for s in args.sizes.split(",") if s]:
        print(measure(n, args.runs), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
