"""The cross-process repository write lock (an fcntl.flock on `.jit/.lock`).

Every read-modify-write holds it, so updates are serialised and never lost.
The kernel drops a flock when its holder dies, so a killed process never
leaves the repository locked. Waiting past the timeout raises Conflict (exit 4).
"""

import fcntl
import os
import stat

from jit.errors import Conflict
from jit.storage import probe
from jit.storage.issues import CorruptFile

DEFAULT_TIMEOUT = 30.0


class _Timeout(Exception):
    pass


def _raise_timeout(signum, frame):
    raise _Timeout()



def timeout_from_env(value: str | None) -> float:
    """JIT_LOCK_TIMEOUT: seconds to wait for a busy repository; 0 means do not wait (exit 4 at
    once). Unset or empty: 30. Raises UsageError for anything else that is not a finite number
    of seconds (negative, `inf`, garbage): waiting forever is never what was meant."""
    if value is None or not value.strip():
        return DEFAULT_TIMEOUT
    from jit.domain.durations import check_seconds
    from jit.errors import UsageError

    try:
        return float(check_seconds(float(value), "JIT_LOCK_TIMEOUT", zero_ok=True))
    except (ValueError, UsageError) as exc:
        detail = exc.message if isinstance(exc, UsageError) else "JIT_LOCK_TIMEOUT must be a number of seconds"
        raise UsageError(f"{detail} (it is {value!r}); set it to seconds, e.g. JIT_LOCK_TIMEOUT=30, "
                         "or 0 to fail at once when the repository is busy", {"JIT_LOCK_TIMEOUT": value}) from None


class RepoLock:
    def __init__(self, path, timeout: float | None = None):
        self.path = path
        self.timeout = timeout if timeout is not None else timeout_from_env(os.environ.get("JIT_LOCK_TIMEOUT"))
        self.fd = None

    def acquire(self) -> None:
        try:
            # O_NOFOLLOW: a `.lock` planted as a symlink must not make jit create or open a file elsewhere.
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise self._fault(exc) from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise CorruptFile(f"{self._where()} is not a regular file; delete it (jit recreates it)",
                                  {"file": self._where()})
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                self._wait(fd)
            except BaseException:
                os.close(fd)
                raise
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd
        probe.locked(1)

    def _where(self) -> str:
        return os.path.join(os.path.basename(os.path.dirname(self.path)), os.path.basename(self.path))

    def _fault(self, exc: OSError):
        import errno

        from jit.errors import storage_fault

        if exc.errno in (errno.ELOOP, errno.EISDIR):
            return CorruptFile(f"{self._where()} is not a regular file; delete it (jit recreates it)",
                               {"file": self._where()})
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            # A read-only repository: name the folder, which is what the person must make writable.
            return storage_fault(exc, os.path.dirname(self.path), "writing to")
        return storage_fault(exc, self._where(), "locking")

    def _wait(self, fd) -> None:
        import signal  # only a contended lock pays for these imports
        import threading
        import time

        if self.timeout <= 0:
            pass  # JIT_LOCK_TIMEOUT=0: the caller would rather hear "busy" now than wait
        elif threading.current_thread() is threading.main_thread():
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
