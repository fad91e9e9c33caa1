"""The cross-process repository write lock (an fcntl.flock on `.jit/.lock`).

Every read-modify-write holds it, so updates are serialised and never lost.
The kernel drops a flock when its holder dies, so a killed process never
leaves the repository locked. Waiting past the timeout raises Conflict (exit 4).
"""

import fcntl
import os

from jit.errors import Conflict
from jit.storage import probe

DEFAULT_TIMEOUT = 30.0


class _Timeout(Exception):
    pass


def _raise_timeout(signum, frame):
    raise _Timeout()



class RepoLock:
    def __init__(self, path, timeout: float | None = None):
        self.path = path
        env_timeout = os.environ.get("JIT_LOCK_TIMEOUT")
        self.timeout = timeout if timeout is not None else float(env_timeout or DEFAULT_TIMEOUT)
        self.fd = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                self._wait(fd)
            except BaseException:
                os.close(fd)
                raise
        self.fd = fd
        probe.locked(1)

    def _wait(self, fd) -> None:
        import signal  # only a contended lock pays for these imports
        import threading
        import time

        if threading.current_thread() is threading.main_thread():
            # Block in the kernel (woken the moment the holder releases) with an alarm as timeout.
            previous = signal.signal(signal.SIGALRM, _raise_timeout)
            signal.setitimer(signal.ITIMER_REAL, self.timeout)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                return
            except _Timeout:
                pass
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
        else:
            deadline = time.monotonic() + self.timeout
            delay = 0.001
            while time.monotonic() < deadline:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return
                except BlockingIOError:
                    time.sleep(delay)
                    delay = min(delay * 2, 0.05)
        raise Conflict(
            f"the repository is busy: could not take {self.path} within {self.timeout:g}s "
            "(another jit process holds it; retry, or raise JIT_LOCK_TIMEOUT)",
            {"lock": str(self.path), "timeout": self.timeout},
        )

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
            probe.locked(-1)

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()
