"""The append-only audit log `events.jsonl` (SPEC section 10).

Lines are appended by the unit of work only, under the repository lock and in
a single O_APPEND write, so they never interleave. Readers skip a malformed
line (for example a half-merged one) instead of failing.
"""

import json
import os


def encode_events(events) -> bytes:
    return "".join(json.dumps(e, sort_keys=True, ensure_ascii=False) + "\n" for e in events).encode("utf-8")


class EventLog:
    def __init__(self, layout):
        self.path = layout.events_file

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
    except ValueError:
        return None
    return event if isinstance(event, dict) else None
