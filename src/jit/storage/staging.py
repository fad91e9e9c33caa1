"""A streaming import's stage, and the commit that names it instead of holding its contents.

`jit issue import` writes its new issue files and their events into
`.jit/.import-<32 hex>.tmp/` (`issues/<id>.json`, `events.jsonl`) before it takes the
lock; no reader looks there. The commit point is a journal of one name, `{"staged": ...}`
(checked like any journal: storage.journal.staged_problem). Applying it renames each file
into `issues/`, appends the events the log does not already end with, and removes the
stage; every step can be repeated, so replay after a kill anywhere finishes it exactly
once (SPEC section 1). Before the journal, a kill leaves only the stage: its importer's
flock on it dies with the process, and the next writer sweeps it. Every folder is opened
relative to its parent with O_NOFOLLOW, so no link leads a move or a removal outside `.jit/`.
"""

import fcntl
import json
import os

from jit.errors import Conflict
from jit.storage import journal as journals
from jit.storage.events import EventLog
from jit.storage.faults import reached

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
EVENTS = "events.jsonl"
BULK = 64  # from this many files, one sync(2) makes them durable instead of an fsync each
CHUNK = 1 << 18  # the staged events reach the log in writes of about this many bytes


class Stage:
    """A new stage, owned (flocked) by this process until close(), for `expected` files (the way
    to make them durable depends on how many). Writes raise OSError."""

    def __init__(self, layout, expected: int):
        self.layout = layout
        self.count = 0
        self.bulk = expected >= BULK
        self.data_fd = os.open(layout.data_dir, _DIR & ~os.O_NOFOLLOW)
        self.fd = self.issues_fd = None
        try:
            self.name, self.fd = _claim_new(self.data_fd)
            os.mkdir("issues", 0o755, dir_fd=self.fd)
            self.issues_fd = os.open("issues", _DIR, dir_fd=self.fd)
            self._events = os.fdopen(os.open(EVENTS, _NEW, 0o644, dir_fd=self.fd), "wb")
        except BaseException:
            self.discard()
            raise

    def add_issue(self, issue_id: str, text: str) -> None:
        fd = os.open(f"{issue_id}.json", _NEW, 0o644, dir_fd=self.issues_fd)
        try:
            view = memoryview(text.encode("utf-8"))
            while view:
                view = view[os.write(fd, view):]
            if not self.bulk:
                os.fsync(fd)
        finally:
            os.close(fd)
        self.count += 1

    def add_events(self, data: bytes) -> None:
        self._events.write(data)

    def make_durable(self) -> None:
        """Every staged byte on disk, before the journal may name the stage."""
        self._events.flush()
        if self.bulk or self.count >= BULK:
            os.sync()
        else:
            os.fsync(self._events.fileno())
            os.fsync(self.issues_fd)
            os.fsync(self.fd)
        reached("import.staged")

    def check_free(self) -> None:
        """Under the lock, before the commit point: no staged id is taken in `issues/`.
        Raises Conflict, or UnsafePath when `issues/` or the log is not what jit made."""
        journals.check_paths(self.layout, [], events=True)
        why = journals.folder_problem(self.layout, "issues")
        if why:
            raise journals.UnsafePath(f"refusing to write under {self.layout.data_dir}: {why}", {"file": "issues"})
        issues_fd = os.open("issues", _DIR, dir_fd=self.data_fd)
        try:
            with os.scandir(self.issues_fd) as entries:
                for entry in entries:
                    if _exists(entry.name, issues_fd):
                        raise Conflict(f"issue {entry.name[:8]} was created by someone else while importing; "
                                       "nothing was imported; run the import again", {"id": entry.name[:-5]})
        finally:
            os.close(issues_fd)

    def discard(self) -> None:
        """Remove the stage (nothing was committed) and let go of it. What cannot be removed now
        (the disk gone read-only) is left for the next writer's sweep, never raised over the error
        that made the caller discard."""
        try:
            if self.fd is not None:
                _remove_stage(self.data_fd, self.name, self.fd)
        except OSError:
            pass
        finally:
            self.close()

    def close(self) -> None:
        events = getattr(self, "_events", None)
        if events is not None:
            self._events = None
            try:
                events.close()
            except OSError:  # its last bytes could not be written (a full disk): the stage is discarded
                pass
        for attr in ("issues_fd", "fd", "data_fd"):
            fd = getattr(self, attr)
            if fd is not None:
                os.close(fd)  # closing the stage's fd drops the flock
                setattr(self, attr, None)


def _claim_new(data_fd) -> tuple:
    """(name, flocked fd) of a new stage. A sweeper may take an unlocked new stage for an
    abandoned one between mkdir and flock; then it is gone (no links left) and we try again."""
    for _ in range(5):
        name = f".import-{os.urandom(16).hex()}.tmp"
        os.mkdir(name, 0o755, dir_fd=data_fd)
        fd = os.open(name, _DIR, dir_fd=data_fd)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.fstat(fd).st_nlink > 0:
                return name, fd
        except BlockingIOError:
            pass
        os.close(fd)
    import errno

    raise OSError(errno.EAGAIN, "could not create a stage folder", ".jit")


def _exists(name: str, dir_fd: int) -> bool:
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        return True
    except FileNotFoundError:
        return False


def commit_stage(layout, stage: Stage, warn) -> None:
    """Under the repository lock: make the stage's issues and events part of the repository,
    all or none. Raises Conflict, UnsafePath or StorageFault before the commit point (nothing
    changed); after it a failure only warns: the next jit command finishes the commit."""
    from jit.storage.unit import unfinished, write_journal

    stage.check_free()
    write_journal(layout, json.dumps({"staged": stage.name}))
    try:
        reached("journal.durable")
        apply_stage(layout, stage.name, stage.count, replaying=False)
        os.unlink(layout.journal_file)
        reached("journal.removed")
    except Exception as exc:  # noqa: BLE001 - committed: anything left is the next command's to finish
        unfinished(exc, warn)


def apply_stage(layout, name: str, total: int | None = None, replaying: bool = True) -> None:
    """Move a committed stage into place. Idempotent: a file already moved is not in the stage,
    events already appended (only a replay can meet them) are not appended again, a stage
    already removed is done."""
    data_fd = os.open(layout.data_dir, _DIR & ~os.O_NOFOLLOW)
    try:
        try:
            stage_fd = os.open(name, _DIR, dir_fd=data_fd)
        except FileNotFoundError:
            return  # removed: the interrupted commit had finished all but deleting its journal
        try:
            _move_issues(data_fd, stage_fd, total)
            reached("import.renamed")
            _append_events(layout, stage_fd, replaying)
            reached("events.appended")
            _remove_stage(data_fd, name, stage_fd)
        finally:
            os.close(stage_fd)
    finally:
        os.close(data_fd)


def _move_issues(data_fd, stage_fd, total) -> None:
    try:
        staged_fd = os.open("issues", _DIR, dir_fd=stage_fd)
    except FileNotFoundError:
        return
    issues_fd = os.open("issues", _DIR, dir_fd=data_fd)
    try:
        half, moved = max(1, (total or 0) // 2), 0
        for names in _batches(staged_fd):
            for name in names:
                os.replace(name, name, src_dir_fd=staged_fd, dst_dir_fd=issues_fd)
                moved += 1
                if total and moved == half:
                    reached("import.half-renamed")
        os.fsync(issues_fd)
    finally:
        os.close(issues_fd)
        os.close(staged_fd)


def _append_events(layout, stage_fd, replaying: bool) -> None:
    try:
        fd = os.open(EVENTS, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=stage_fd)
    except FileNotFoundError:
        return
    with os.fdopen(fd, "rb") as staged:
        size = os.fstat(fd).st_size
        if not size:
            return
        if replaying:
            for _ in range(_landed(layout, staged, size)):
                staged.readline()
        EventLog(layout).append_chunks(_pieces(staged))


def _pieces(staged):
    """The rest of the staged events in pieces of whole lines, about CHUNK bytes each."""
    while True:
        piece = staged.read(CHUNK)
        if not piece:
            return
        yield piece + staged.readline() if not piece.endswith(b"\n") else piece


def _landed(layout, staged, size: int) -> int:
    """How many of the staged events the log already ends with (a replay after a kill during or
    after the append). They were appended in order, byte for byte, after everything else in the
    log, and only a torn last line can follow them: so match lines from the first staged one on.
    Leaves `staged` at its start."""
    first = staged.readline()
    try:
        fh = open(layout.events_file, "rb")
    except FileNotFoundError:
        first = b""
    count = 0
    if first:
        with fh:
            end = os.fstat(fh.fileno()).st_size
            start = max(0, end - size - (1 << 16))  # the healing of a torn tail may precede them
            fh.seek(start)
            if start:
                fh.readline()  # a partial line
            for line in fh:
                if _same(line, first):
                    count = 1
                    break
            for line in fh if count else ():
                if not _same(line, staged.readline()):
                    break
                count += 1
    staged.seek(0)
    return count


def _same(logged: bytes, staged: bytes) -> bool:
    """The same event line; the log's last may lack only its newline (the next append adds it)."""
    return bool(staged) and (logged == staged or logged == staged.rstrip(b"\n"))


def _remove_stage(data_fd, name: str, stage_fd) -> None:
    """Empty and remove a stage folder: its files, its issues/ folder's files, nothing deeper.
    Removing a link removes the link, never what it points to."""
    with os.scandir(stage_fd) as entries:
        top = [(entry.name, entry.is_dir(follow_symlinks=False)) for entry in entries]
    for entry, is_dir in top:
        if is_dir:
            sub = os.open(entry, _DIR, dir_fd=stage_fd)
            try:
                for batch in _batches(sub):
                    for inner in batch:
                        os.unlink(inner, dir_fd=sub)
            finally:
                os.close(sub)
            os.rmdir(entry, dir_fd=stage_fd)
        else:
            os.unlink(entry, dir_fd=stage_fd)
    os.rmdir(name, dir_fd=data_fd)


def _batches(dir_fd, size: int = 4096):
    """The names in a folder, a few thousand at a time, for a caller that moves or removes each
    batch before asking for the next (entries removed during a listing may hide others, so it
    lists again until a listing finds nothing): memory stays flat at 100,000 files."""
    while True:
        with os.scandir(dir_fd) as entries:
            names = [entry.name for _, entry in zip(range(size), entries)]
        if not names:
            return
        yield names


def sweep_abandoned(layout) -> None:
    """Remove every stage whose importer is gone (its flock free). Under the repository lock, after
    replay: a stage a journal names has been applied by then. A stage jit cannot remove (a folder
    in it it did not make) is left for a person; nothing else stops for it."""
    import re

    data_fd = os.open(layout.data_dir, _DIR & ~os.O_NOFOLLOW)
    try:
        for name in os.listdir(data_fd):
            if not re.fullmatch(journals.STAGE, name):
                continue
            try:
                fd = os.open(name, _DIR, dir_fd=data_fd)
            except OSError:
                continue  # a link or a file named like a stage: not jit's, not followed
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                _remove_stage(data_fd, name, fd)
            except OSError:
                pass  # alive (its importer holds the flock), or not removable
            finally:
                os.close(fd)
    finally:
        os.close(data_fd)
