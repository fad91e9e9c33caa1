"""Three-way merge of the event log: a union by event id, never a line twice.

git's built-in `union` driver works on text hunks: when both sides appended around a
line they share, it can emit that line twice (an `issue_claimed` recorded twice).
Events carry unique ids, so the merge can be exact: keep the common history in its
order, then every event either side added, once, ordered by (time, id) so both
clones compute the same file whichever side is "ours". Lines that are not events
(a torn fragment, a hand edit) are never dropped: they are kept once, by text.
"""

import json


def _read(line: bytes) -> tuple:
    """(identity, sort key): an event is known by its id and ordered by (time, id); a line that is
    not a readable event is known and ordered by its raw text, after every event. One parse."""
    try:
        doc = json.loads(line)
    except (ValueError, RecursionError):  # RecursionError: deeply nested brackets
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("id"), str):
        ts = doc.get("ts")
        return ("id", doc["id"]), (0, ts if isinstance(ts, str) else "", doc["id"])
    return ("raw", line), (1, "", line.decode("utf-8", "replace"))


def _identity(line: bytes):
    return _read(line)[0]


def _lines(data: bytes) -> list:
    return [line for line in data.splitlines() if line.strip()]


def merge_events(base: bytes, ours: bytes, theirs: bytes) -> bytes:
    """The merged log: base events in order, then the events added on either side, each once."""
    seen = set()
    merged = []
    for line in _lines(base):
        identity = _identity(line)
        if identity not in seen:
            seen.add(identity)
            merged.append(line)
    added = []
    for line in _lines(ours) + _lines(theirs):
        identity, key = _read(line)
        if identity not in seen:
            seen.add(identity)
            added.append((key, line))
    added.sort(key=lambda pair: pair[0])
    merged.extend(line for _key, line in added)
    return b"".join(line + b"\n" for line in merged)


def duplicate_lines(lines) -> list:
    """1-based numbers of the lines repeating an event id seen on an earlier line."""
    seen = set()
    repeats = []
    for number, line in enumerate(lines, 1):
        identity = _identity(line)
        if identity[0] != "id":
            continue
        if identity in seen:
            repeats.append(number)
        seen.add(identity)
    return repeats
