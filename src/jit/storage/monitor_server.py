"""The watcher behind `jit watch`: one inotify watch on `.jit/issues/`, answering over a socket.

It keeps, per issue-file name, the sequence number of its last change, in change
order, so "what changed since token S:N?" costs what the answer holds. A token
names the watcher's session: after a restart, a queue overflow or the folder
being replaced, the session changes and every client does one full check.

It runs no code from the repository and writes only its socket and lock file
under `.jit/`. It exits after `idle_timeout` seconds without a question, when
`.jit/` goes away, or when its socket is removed or replaced.
"""

import json
import os
import secrets
import time
from collections import OrderedDict

from jit.storage.monitor import LOCK, SOCKET, issue_file_name_ok, socket_path

MAX_ANSWER = 20_000  # more changes than this and a full check is cheaper than the list
MAX_REMEMBERED = 1_000_000
HOUSEKEEPING = 5.0


class AlreadyRunning(Exception):
    pass


def _stop_on_signal(signum, frame):
    raise SystemExit(0)  # unwinds through run()'s finally, which removes the socket


class ChangeLog:
    """Names in the order of their last change, each with that change's sequence number."""

    def __init__(self):
        self.changed: OrderedDict = OrderedDict()
        self.reset()

    def reset(self) -> None:
        self.session = secrets.token_hex(8)
        self.seq = 0
        self.changed.clear()

    @property
    def token(self) -> str:
        return f"{self.session}:{self.seq}"

    def note(self, name: str) -> None:
        self.seq += 1
        self.changed[name] = self.seq
        self.changed.move_to_end(name)
        if len(self.changed) > MAX_REMEMBERED:
            self.reset()

    def since(self, token: str) -> list | None:
        """Names changed after `token`, newest first; None when this log cannot tell."""
        session, _, seq = token.partition(":")
        if session != self.session or not seq.isdigit() or int(seq) > self.seq:
            return None
        seq = int(seq)
        names = []
        for name in reversed(self.changed):
            if self.changed[name] <= seq:
                return names
            names.append(name)
            if len(names) > MAX_ANSWER:
                return None
        return names


class Watcher:
    def __init__(self, layout, idle_timeout: float = 0, log=None):
        self.layout = layout
        self.idle_timeout = idle_timeout
        self.log = log or (lambda message: None)
        self.changes = ChangeLog()
        self.started = time.time()
        self.last_question = time.monotonic()
        self.stopping = False
        self._inotify = self._wd = self._listener = self._lock_fd = self._socket_ino = None

    # -- set-up and tear-down ---------------------------------------------------
    def _take_lock(self) -> None:
        import fcntl

        fd = os.open(self.layout.path(LOCK), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        for attempt in range(5):  # a client's autostart test holds it for a moment (service/watching.py)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._lock_fd = fd
                return
            except BlockingIOError:
                time.sleep(0.02)
        os.close(fd)
        raise AlreadyRunning(f"a watcher already runs for {self.layout.data_dir}")

    def _watch(self) -> bool:
        """(Re)start watching the issues folder; False when it is not there."""
        from inotify_simple import flags

        mask = (flags.CREATE | flags.DELETE | flags.MODIFY | flags.CLOSE_WRITE | flags.ATTRIB | flags.MOVED_FROM
                | flags.MOVED_TO | flags.DELETE_SELF | flags.MOVE_SELF | flags.ONLYDIR | flags.DONT_FOLLOW
                | flags.EXCL_UNLINK)
        try:
            self._wd = self._inotify.add_watch(self.layout.issues_dir, mask)
        except OSError:
            self._wd = None
        self.changes.reset()  # whatever happened while not watching is unknown: clients check in full
        return self._wd is not None

    def _listen(self) -> None:
        import socket

        final = socket_path(self.layout)
        temp = self.layout.path(f".{SOCKET}.{os.getpid()}.tmp")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        folder = os.open(self.layout.data_dir, os.O_RDONLY)
        try:
            short = f"/proc/self/fd/{folder}/{os.path.basename(temp)}"
            old = os.umask(0o177)
            try:
                listener.bind(temp if len(temp.encode()) <= 100 else short)
            finally:
                os.umask(old)
            os.rename(temp, final)  # atomic: replaces a dead watcher's socket
        finally:
            os.close(folder)
        listener.listen(64)
        self._listener = listener
        self._socket_ino = os.lstat(final).st_ino

    def close(self) -> None:
        try:
            if self._socket_ino is not None and os.lstat(socket_path(self.layout)).st_ino == self._socket_ino:
                os.unlink(socket_path(self.layout))
        except OSError:
            pass
        for thing in (self._listener, self._inotify):
            if thing is not None:
                thing.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    # -- the loop ------------------------------------------------------------------
    def run(self, ready=None) -> None:
        """Serve until idle, stopped, or `.jit/` is gone. Raises AlreadyRunning and OSError."""
        import select

        from inotify_simple import INotify

        import signal

        import threading

        self._take_lock()
        if threading.current_thread() is threading.main_thread():  # a benchmark may run it in a thread
            signal.signal(signal.SIGTERM, _stop_on_signal)
            signal.signal(signal.SIGHUP, _stop_on_signal)
        try:
            self._inotify = INotify(nonblocking=True)
            if not self._watch():
                raise FileNotFoundError(f"{self.layout.issues_dir} is not a folder")
            self._listen()
            self.log(f"watching {self.layout.issues_dir} (pid {os.getpid()})")
            if ready:
                ready()
            while not self.stopping:
                readable, _, _ = select.select([self._inotify, self._listener], [], [], HOUSEKEEPING)
                if self._inotify in readable:
                    self._drain()
                if self._listener in readable:
                    self._answer_one()
                if not readable and self._should_exit():
                    break
        finally:
            self.close()

    def _should_exit(self) -> bool:
        try:
            if os.lstat(socket_path(self.layout)).st_ino != self._socket_ino:
                self.log("the socket was replaced: stopping")
                return True
        except OSError:
            self.log("the socket or .jit/ is gone: stopping")
            return True
        if self.idle_timeout and time.monotonic() - self.last_question > self.idle_timeout:
            self.log(f"no question for {self.idle_timeout:g} s: stopping")
            return True
        return False

    def _drain(self) -> None:
        from inotify_simple import flags

        lost = flags.DELETE_SELF | flags.MOVE_SELF | flags.IGNORED | flags.UNMOUNT | flags.Q_OVERFLOW
        while True:
            events = self._inotify.read(timeout=0)
            if not events:
                return
            for event in events:
                if event.mask & lost:
                    self.log("lost track of the folder (overflow, moved or removed): clients check in full")
                    if event.mask & flags.Q_OVERFLOW or self._wd is None:
                        self.changes.reset()
                    else:
                        self._wd = None
                        self._watch()
                elif event.name and issue_file_name_ok(event.name):
                    self.changes.note(event.name)

    def _answer_one(self) -> None:
        conn, _ = self._listener.accept()
        with conn:
            conn.settimeout(1.0)
            try:
                line = conn.makefile("rb").readline(256).decode("ascii", "replace").strip()
                conn.sendall(self._reply(line))
            except OSError:
                pass

    def _reply(self, line: str) -> bytes:
        self.last_question = time.monotonic()
        word, _, arg = line.partition(" ")
        if word == "since":
            self._drain()  # every change that finished before the question is now in the log
            if self._wd is None:
                self._watch()
            names = self.changes.since(arg) if self._wd is not None else None
            if names is None:
                return f"full {self.changes.token}\n".encode()
            return "".join([f"ok {self.changes.token}\n", *(n + "\n" for n in names)]).encode()
        if word == "status":
            return (json.dumps(self.status()) + "\n").encode()
        if word == "stop":
            self.stopping = True
            return b"stopping\n"
        return b"error unknown request\n"

    def status(self) -> dict:
        return {"running": True, "pid": os.getpid(), "folder": self.layout.issues_dir,
                "token": self.changes.token, "remembered": len(self.changes.changed),
                "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
                "idle_timeout": self.idle_timeout, "watching": self._wd is not None}
