"""Deterministic crash and fault points inside a commit, for the crash tests only.

`JIT_CRASH_AT=<point>[:<nth>]` SIGKILLs the process the nth time (default 1) it
reaches <point>; `JIT_STOP_AT` sends SIGSTOP instead (a test can then kill it at
a moment it chooses); `JIT_FAULT_AT` raises ENOSPC there, as a full disk would.
The variables are read once, when storage first commits; unset, a point costs one
global lookup. Only the storage layer calls `reached()`; the points are listed in
POINTS, in the order a commit passes them (docs/coordination.md describes each).
"""

import os

POINTS = (
    "journal.mid-write",      # half of the journal's temp file written
    "journal.temps-written",  # the journal's temp file is durable, not yet renamed
    "journal.renamed",        # the journal is in place, its folder not yet fsynced
    "journal.durable",        # the journal's folder is fsynced: the commit point
    "files.mid-write",        # half of the first file's temp written
    "files.temps-written",    # every temp file durable, none renamed
    "files.renamed",          # after each rename (nth = after the nth file)
    "events.mid-append",      # half of the events' bytes appended
    "events.appended",        # the events are durable, the journal not yet removed
    "journal.removed",        # the commit is complete; the command has not reported yet
    # `jit issue import` stages its files first (storage/staging.py), then commits through a journal
    # naming the stage: it passes the journal.*, events.* points and these three of its own.
    "import.staged",          # every staged issue file and event durable, the lock not yet taken
    "import.half-renamed",    # half of the staged issue files renamed into issues/
    "import.renamed",         # every staged file renamed, the staged events not yet appended
    "claim.ledger-written",   # a claim's ledger entry written, its ref not yet pushed (claim_plane)
    "claim.ref-pushed",       # a claim ref won on the remote, not yet recorded locally (claim_plane)
)

_plan = None  # {point: [action, remaining count]}, built on first use


def _parse() -> dict:
    plan = {}
    for var, action in (("JIT_CRASH_AT", "kill"), ("JIT_STOP_AT", "stop"), ("JIT_FAULT_AT", "enospc")):
        spec = os.environ.get(var)
        if not spec:
            continue
        point, _, nth = spec.partition(":")
        if point not in POINTS:
            raise SystemExit(f"{var}={spec}: unknown point; one of {', '.join(POINTS)}")
        plan[point] = [action, int(nth) if nth.isdigit() and int(nth) > 0 else 1]
    return plan


def armed() -> bool:
    """True when some point is set (cheap after the first call)."""
    global _plan
    if _plan is None:
        _plan = _parse()
    return bool(_plan)


def reached(point: str) -> None:
    """Called at each step of a commit; acts only when the environment named this point."""
    if not (_plan or (_plan is None and armed())):
        return
    entry = _plan.get(point)
    if entry is None:
        return
    entry[1] -= 1
    if entry[1] != 0:
        return
    action = entry[0]
    if action == "enospc":
        import errno

        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), point)
    import signal

    os.kill(os.getpid(), signal.SIGSTOP if action == "stop" else signal.SIGKILL)


def write_with_points(fd: int, data: bytes, point: str | None) -> None:
    """Write all of data to fd; with an armed `point`, write half, then act at the point (a torn
    write, exactly as a kill or a full disk mid-write would leave it)."""
    view = memoryview(data)
    if point is not None and armed() and point in _plan and len(view) > 1:
        first, view = view[: len(view) // 2], view[len(view) // 2:]
        while first:
            first = first[os.write(fd, first):]
        reached(point)
    while view:
        view = view[os.write(fd, view):]
