"""The client side of the optional file-system monitor (`jit watch`, see monitor_server.py).

With a watcher running, the index asks it "which issue files changed since my
token?" instead of stat-ing every file: O(changes) instead of O(issues). The
watcher drains the kernel's inotify queue before it answers, and inotify queues
an event inside the very system call that changed the file, so any change that
finished before the question is in the answer (git's fsmonitor needs cookie
files for this only because macOS reports changes late).

No command needs the monitor: when the socket is missing, refuses, is not a
socket, is not ours or answers nonsense, the caller does the full check. One
`lstat` is all a repository without a watcher pays. The socket could be a
symbolic link that came with a clone, so it is used only when it is a real
socket owned by this user, and only a peer running as this user is believed.
"""

import os
import stat

SOCKET = "monitor.sock"
LOCK = "monitor.lock"
MAX_NAME = 255
TIMEOUT = 2.0


class Answer:
    """The watcher's reply: a new token, and the changed file names, or None for "check everything"."""

    __slots__ = ("token", "names")

    def __init__(self, token: str, names):
        self.token = token
        self.names = names


def socket_path(layout) -> str:
    return layout.path(SOCKET)


def present(layout) -> bool:
    """Whether a watcher's socket, owned by this user, is there (it may still be a dead one's)."""
    try:
        st = os.lstat(socket_path(layout))
    except OSError:
        return False
    return stat.S_ISSOCK(st.st_mode) and st.st_uid == os.getuid()


def request(layout, line: str, timeout: float = TIMEOUT) -> bytes | None:
    """Send one request line, return the whole reply; None when no trustworthy watcher answers."""
    if not present(layout):
        return None
    import _socket

    path = socket_path(layout)
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        folder = None
        if len(path.encode()) > 100:  # sun_path holds 108 bytes: reach it through the open folder
            folder = os.open(layout.data_dir, os.O_RDONLY)
            path = f"/proc/self/fd/{folder}/{SOCKET}"
        try:
            sock.connect(path)
        finally:
            if folder is not None:
                os.close(folder)
        if not _peer_is_us(sock, _socket):
            return None
        sock.sendall(line.encode() + b"\n")
        chunks = []
        while True:
            chunk = sock.recv(1 << 16)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    except OSError:  # refused (a dead watcher's socket), timed out, reset
        return None
    finally:
        sock.close()


def _peer_is_us(sock, _socket) -> bool:
    import struct

    try:
        creds = sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, struct.calcsize("3i"))
    except (OSError, AttributeError):
        return False
    return struct.unpack("3i", creds)[1] == os.getuid()


def changes_since(layout, token: str | None) -> Answer | None:
    """What changed in `.jit/issues/` since `token`, or None when no watcher answers sensibly.

    Answer.names is None when the watcher cannot say (it restarted, its queue overflowed, the token
    is unknown): the caller checks every file, then stores Answer.token for next time.
    """
    reply = request(layout, f"since {token or '-'}")
    if not reply or not reply.endswith(b"\n"):
        return None
    try:
        lines = reply.decode("utf-8").split("\n")[:-1]
    except UnicodeDecodeError:
        return None
    head = lines[0].split(" ")
    if len(head) != 2 or head[0] not in ("ok", "full") or not _token_ok(head[1]):
        return None
    if head[0] == "full":
        return Answer(head[1], None)
    names = lines[1:]
    if not all(issue_file_name_ok(n) for n in names):
        return None
    return Answer(head[1], names)


def current_token(layout) -> str | None:
    """The watcher's token now (it changes with every change it sees), or None without a watcher."""
    answer = changes_since(layout, None)
    return answer.token if answer is not None else None


def _token_ok(token: str) -> bool:
    session, _, seq = token.partition(":")
    return 0 < len(session) <= 64 and session.isalnum() and seq.isdigit()


def issue_file_name_ok(name: str) -> bool:
    """Only plain issue-file names: the caller stats them inside `.jit/issues/`, nowhere else."""
    return (0 < len(name) <= MAX_NAME and name.endswith(".json") and "/" not in name and "\0" not in name
            and name[0] != ".")
