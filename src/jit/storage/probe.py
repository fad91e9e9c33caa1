"""A test probe: how many issue files a command reads or stats while it holds the repository lock.

Work under the lock caps every agent at once, so it must not grow with the store
(issue 14). With JIT_PROBE=<file> set, each process appends one line at exit,
`<pid> <reads> <stats> <seconds held> <all reads> <all stats>`: the first three count only
work done while the lock was held, the last two the whole command's (the freshness check's
cost, with or without a file-system monitor). Unset (always, outside tests) it costs one
attribute check per file touched.
"""

import os
import time

ENABLED = bool(os.environ.get("JIT_PROBE"))
held = 0
reads = 0
stats = 0
all_reads = 0
all_stats = 0
seconds = 0.0
_since = 0.0


def count_read(n: int = 1) -> None:
    global reads, all_reads
    all_reads += n
    if held:
        reads += n


def count_stats(n: int) -> None:
    global stats, all_stats
    all_stats += n
    if held:
        stats += n


def locked(delta: int) -> None:
    """Called by the lock on acquire (+1) and release (-1)."""
    global held, seconds, _since
    held += delta
    if ENABLED:
        if delta > 0 and held == 1:
            _since = time.perf_counter()
        elif delta < 0 and held == 0:
            seconds += time.perf_counter() - _since


def _report() -> None:
    with open(os.environ["JIT_PROBE"], "a", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()} {reads} {stats} {seconds:.6f} {all_reads} {all_stats}\n")


if ENABLED:
    import atexit

    atexit.register(_report)
