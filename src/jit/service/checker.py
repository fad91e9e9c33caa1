"""Runs an automated gate's checker command; infrastructure the gate service can swap in tests.

A checker is trusted like a Makefile target: it comes from the repository's own
gates.json. Still, jit never hangs on one: no stdin, its own process group
killed at the timeout (children included), and only a bounded tail of its
output is kept so a chatty checker cannot flood the terminal, the JSON or memory.
"""

import os
import select
import signal
import subprocess
import time

TAIL_LINES = 40
TAIL_BYTES = 4000
# After the checker exits, how long to keep reading from a descendant that left
# its process group (setsid, a daemonised server) but still holds the pipe.
DRAIN_GRACE = 0.5


def _kill_group(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class _Tail:
    """The last TAIL_BYTES of a stream, whatever its size or line lengths."""

    def __init__(self):
        self.buf = bytearray()
        self.total = 0

    def feed(self, chunk: bytes) -> None:
        self.total += len(chunk)
        self.buf += chunk
        if len(self.buf) > 2 * TAIL_BYTES:
            del self.buf[:-TAIL_BYTES]

    def last_line(self) -> str:
        lines = bytes(self.buf[-TAIL_BYTES:]).rstrip().splitlines()
        return lines[-1].decode("utf-8", "replace") if lines else ""

    def text(self) -> str:
        data = bytes(self.buf[-TAIL_BYTES:])
        lines = data.splitlines(keepends=True)[-TAIL_LINES:]
        return b"".join(lines).decode("utf-8", "replace")


def _read_some(fd, tail: _Tail, wait: float) -> bool:
    """Read what is available within `wait` seconds; False at end of stream."""
    ready, _, _ = select.select([fd], [], [], max(wait, 0))
    if not ready:
        return True
    chunk = os.read(fd, 65536)
    if not chunk:
        return False
    tail.feed(chunk)
    return True


def run_checker(command: str, *, cwd, env: dict, timeout: float, on_progress=None, context: bytes | None = None) -> dict:
    """Run `command` through the shell; returns exit code, duration, output tail, and whether it timed out.

    With `context`, the checker finds those bytes in the file named by JIT_CONTEXT_FILE (private
    to this user, removed when the run ends, whatever its outcome).
    """
    if context is None:
        return _run(command, cwd=cwd, env=env, timeout=timeout, on_progress=on_progress)
    import tempfile

    fd, path = tempfile.mkstemp(prefix="jit-context-", suffix=".json")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(context)
        return _run(command, cwd=cwd, env={**env, "JIT_CONTEXT_FILE": path}, timeout=timeout,
                    on_progress=on_progress)
    finally:
        try:
            os.unlink(path)
        except FileNotFoundError:  # the checker removed it itself
            pass


def _run(command: str, *, cwd, env: dict, timeout: float, on_progress=None) -> dict:
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
    fd = proc.stdout.fileno()
    tail = _Tail()
    timed_out = False
    deadline = t0 + timeout
    open_ = True
    next_progress = t0 + 0.2
    # One thread, select() on the pipe: nothing can block past the deadline.
    while proc.poll() is None:
        now = time.monotonic()
        if now >= deadline:
            timed_out = True
            _kill_group(proc)
            proc.wait()
            break
        if open_:
            open_ = _read_some(fd, tail, min(0.2, deadline - now))
        else:
            try:
                proc.wait(timeout=min(0.2, deadline - now))
            except subprocess.TimeoutExpired:
                pass
        if on_progress and time.monotonic() >= next_progress:
            next_progress = time.monotonic() + 0.2
            on_progress(time.monotonic() - t0, tail.last_line())
    # Children left in the group would keep the pipe open; they die with it.
    _kill_group(proc)
    grace = time.monotonic() + DRAIN_GRACE
    while open_ and time.monotonic() < grace:
        open_ = _read_some(fd, tail, grace - time.monotonic())
    proc.stdout.close()
    duration = round(time.monotonic() - t0, 3)
    code = proc.returncode
    error = None
    if timed_out:
        error = f"timed out after {timeout:g}s; the checker and its children were killed"
        code = None
    elif code == 127:
        error = "command not found (exit 127): check the gate's --checker command"
    elif code == 126:
        error = "command not executable (exit 126): check the gate's --checker command"
    elif code is not None and code < 0:
        error = f"killed by signal {-code}"
    return {"exit_code": code, "duration": duration, "started": started, "output_tail": tail.text(),
            "output_bytes": tail.total, "timed_out": timed_out, "error": error}
