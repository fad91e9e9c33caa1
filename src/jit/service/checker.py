"""Runs an automated gate's checker command; infrastructure the gate service can swap in tests.

A checker is trusted like a Makefile target: it comes from the repository's own
gates.json. Still, jit never hangs on one: no stdin, its own process group
killed at the timeout (children included), and only a bounded tail of its
output is kept so a chatty checker cannot flood the terminal or the JSON.
"""

import os
import signal
import subprocess
import threading
import time
from collections import deque

TAIL_LINES = 40
TAIL_BYTES = 4000


def _kill_group(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_checker(command: str, *, cwd, env: dict, timeout: float, on_progress=None) -> dict:
    """Run `command` through the shell; returns exit code, duration, output tail, and whether it timed out."""
    started = time.time()
    t0 = time.monotonic()
    try:
        proc = subprocess.Popen(
            command, shell=True, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        )
    except OSError as exc:
        return {"exit_code": None, "duration": 0.0, "started": started, "output_tail": "",
                "output_bytes": 0, "timed_out": False, "error": f"could not start checker: {exc}"}
    tail: deque = deque(maxlen=TAIL_LINES)
    total = [0]

    def pump():
        for line in iter(proc.stdout.readline, b""):
            total[0] += len(line)
            tail.append(line[-TAIL_BYTES:])

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    timed_out = False
    deadline = t0 + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            _kill_group(proc)
            proc.wait()
            break
        try:
            proc.wait(timeout=min(0.2, remaining))
            break
        except subprocess.TimeoutExpired:
            if on_progress:
                last = tail[-1].decode("utf-8", "replace").rstrip() if tail else ""
                on_progress(time.monotonic() - t0, last)
    # Background children left behind would keep the pipe open; they die with the group.
    _kill_group(proc)
    reader.join(timeout=2)
    proc.stdout.close()
    duration = round(time.monotonic() - t0, 3)
    text = b"".join(tail).decode("utf-8", "replace")[-TAIL_BYTES:]
    code = proc.returncode
    error = None
    if timed_out:
        error = f"timed out after {timeout:g}s; the checker and its children were killed"
        code = None
    elif code == 127:
        error = "command not found (exit 127): check the gate's --checker command"
    elif code is not None and code < 0:
        error = f"killed by signal {-code}"
    return {"exit_code": code, "duration": duration, "started": started, "output_tail": text,
            "output_bytes": total[0], "timed_out": timed_out, "error": error}
