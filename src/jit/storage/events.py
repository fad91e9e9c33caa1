"""The append-only audit log `events.jsonl` (SPEC section 10).

Lines are appended by the unit of work only, under the repository lock and in
a single O_APPEND write, so they never interleave. Readers skip a malformed
line (for example a half-merged one) instead of failing. A torn last line (a
full disk, a kill mid-append, a hand edit) is never glued to the next event:
the next append completes it if it is a whole event, else moves it to
`events.unreadable.log` (git-ignored) and cuts it; `jit validate --fix` does the
same for unreadable lines anywhere in the log.
"""

import json
import os

from jit.storage.faults import write_with_points

SIDE_FILE = "events.unreadable.log"


def encode_events(events) -> bytes:
    return "".join(json.dumps(e, sort_keys=True, ensure_ascii=False) + "\n" for e in events).encode("utf-8")


class EventLog:
    def __init__(self, layout):
        self.path = layout.events_file
        self.side_path = layout.path(SIDE_FILE)

    # -- writing (under the repository lock only) -----------------------------------------
    def append(self, data: bytes) -> None:
        """Append whole lines in one O_APPEND write, then fsync; heal a torn tail first."""
        self.append_chunks((data,))

    def append_chunks(self, chunks) -> None:
        """Append whole lines given in pieces (a streaming import's events, read from its stage a
        piece at a time), one O_APPEND write each and one fsync at the end; heal a torn tail first."""
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        try:
            size = os.fstat(fd).st_size
            healed = self._heal_tail(fd, size) if size and os.pread(fd, 1, size - 1) != b"\n" else b""
            for data in chunks:
                write_with_points(fd, healed + data if healed else data, "events.mid-append")
                healed = b""
            os.fsync(fd)
        finally:
            os.close(fd)

    def _heal_tail(self, fd: int, size: int) -> bytes:
        """The log ends without a newline. A whole event there only lacks its newline (returned,
        to go first); anything else is set aside in the side file, then cut from the log."""
        start = size
        while start > 0:
            step = min(start, 1 << 16)
            chunk = os.pread(fd, step, start - step)
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                start = start - step + cut + 1
                break
            start -= step
        fragment = os.pread(fd, size - start, start)
        if _parse(fragment) is not None:
            return b"\n"
        self.set_aside([fragment])
        os.ftruncate(fd, start)
        os.fsync(fd)
        return b""

    def set_aside(self, lines) -> None:
        """Keep unreadable lines for a person, durably, before they leave the log."""
        fd = os.open(self.side_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        try:
            data = b"".join(line.rstrip(b"\n") + b"\n" for line in lines)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)

    def unreadable(self) -> list:
        """(line number, line) for every non-blank line that is not a JSON object."""
        try:
            with open(self.path, "rb") as fh:
                return [(n, line.rstrip(b"\n")) for n, line in enumerate(fh, 1)
                        if line.strip() and _parse(line) is None]
        except FileNotFoundError:
            return []

    def fix_unreadable(self) -> int:
        """Move unreadable lines to the side file, keeping every whole event (one glued after a
        torn fragment is split off and kept). Under the repository lock. Returns lines moved."""
        from jit.storage.atomic import write_atomic

        try:
            with open(self.path, "rb") as fh:
                lines = fh.read().split(b"\n")
        except FileNotFoundError:
            return 0
        kept, bad = [], []
        for line in lines:
            if not line.strip() or _parse(line) is not None:
                kept.append(line)
                continue
            fragment, event = _split_glued(line)
            bad.append(fragment)
            if event is not None:
                kept.append(event)
        if not bad:
            return 0
        self.set_aside(bad)
        text = b"\n".join(line for line in kept if line.strip())
        write_atomic(self.path, text + b"\n" if text else b"")
        return len(bad)

    def duplicates(self) -> list:
        """Line numbers (1-based) repeating an event id seen on an earlier line: left by git's
        `union` merge, which copies a line when both sides appended around it."""
        from jit.domain.event_merge import duplicate_lines

        try:
            with open(self.path, "rb") as fh:
                return duplicate_lines(line.rstrip(b"\n") for line in fh)
        except FileNotFoundError:
            return []

    def drop_duplicates(self) -> int:
        """Rewrite the log keeping the first line of each event id. Under the repository lock."""
        from jit.domain.event_merge import duplicate_lines
        from jit.storage.atomic import write_atomic

        try:
            with open(self.path, "rb") as fh:
                lines = fh.read().split(b"\n")
        except FileNotFoundError:
            return 0
        repeats = set(duplicate_lines(lines))
        if not repeats:
            return 0
        kept = [line for n, line in enumerate(lines, 1) if n not in repeats and line.strip()]
        write_atomic(self.path, b"".join(line + b"\n" for line in kept))
        return len(repeats)

    # -- reading ------------------------------------------------------------------------------

    def tail_ids(self, window: int = 1 << 16) -> set:
        """Ids of the most recent events, to make journal replay idempotent."""
        return {e.get("id") for e in self._read_tail_lines(window)}

    def _read_tail_lines(self, window: int) -> list:
        try:
            with open(self.path, "rb") as fh:
                fh.seek(0, os.SEEK_END)
                size = fh.tell()
                fh.seek(max(0, size - window))
                data = fh.read()
        except FileNotFoundError:
            return []
        lines = data.split(b"\n")
        if size > window:
            lines = lines[1:]
        return [e for e in (_parse(line) for line in lines) if e is not None]

    def read_all(self) -> list:
        try:
            with open(self.path, "rb") as fh:
                return [e for e in (_parse(line) for line in fh) if e is not None]
        except FileNotFoundError:
            return []

    def tail(self, n: int = 20, issue_id: str | None = None, types=()) -> list:
        """The last n events (all when n <= 0), optionally for one issue or of some types."""
        if issue_id is None and not types and n > 0:
            try:
                size = os.path.getsize(self.path)
            except FileNotFoundError:
                return []
            window = 1 << 16
            while True:
                events = self._read_tail_lines(window)
                if len(events) >= n or window >= size:
                    return events[-n:]
                window *= 4
        selected = [
            e for e in self.read_all()
            if (issue_id is None or e.get("issue_id") == issue_id) and (not types or e.get("type") in types)
        ]
        return selected[-n:] if n > 0 else selected


def _parse(line: bytes):
    line = line.strip()
    if not line:
        return None
    try:
        event = json.loads(line)
    except (ValueError, RecursionError):  # RecursionError: a line nested 100k deep
        return None
    return event if _event_shape_ok(event) else None


# What every reader of an event relies on (SPEC 10); a line of another shape counts as unreadable.
EVENT_FIELDS = {"id": (str,), "ts": (str,), "type": (str,), "issue_id": (str, type(None)),
                "actor": (str, type(None)), "data": (dict,)}


def _event_shape_ok(event) -> bool:
    return isinstance(event, dict) and all(isinstance(event.get(f), t) for f, t in EVENT_FIELDS.items())


def _split_glued(line: bytes) -> tuple:
    """(fragment, whole event or None): the longest tail of line that is a whole event."""
    at = line.find(b"{", 1)
    while at > 0:
        event = _parse(line[at:])
        if event is not None and isinstance(event.get("id"), str) and isinstance(event.get("type"), str):
            return line[:at], line[at:]
        at = line.find(b"{", at + 1)
    return line, None
