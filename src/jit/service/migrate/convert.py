"""Small conversions every source needs: timestamps, labels, assignees, comments.

Each source module turns its records into plain "items" (see core.py); these
helpers keep the shapes jit stores (fixed-width RFC 3339 UTC, `namespace:value`
labels without spaces, `type:identifier` assignees) identical across sources.
"""

import re
from datetime import UTC

_SPACE = re.compile(r"\s+")


def timestamp(value) -> str | None:
    """jit's fixed-width RFC 3339 UTC (microseconds, Z) for the time formats trackers write:
    `2024-01-20T10:00:00Z`, offsets and nanoseconds, Taskwarrior's `20240120T100000Z`,
    Backlog.md's `2024-01-20 10:00` (taken as UTC). None for anything else."""
    if not isinstance(value, str) or not value.strip():
        return None
    from datetime import datetime

    text = value.strip()
    compact = re.fullmatch(r"(\d{8})T(\d{6})Z", text)
    if compact:
        text = f"{compact[1][:4]}-{compact[1][4:6]}-{compact[1][6:]}T{compact[2][:2]}:{compact[2][2:4]}:{compact[2][4:]}Z"
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)  # nanoseconds: Python keeps microseconds
    text = text.replace("Z", "+00:00").replace(" ", "T", 1)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def slug(value: str) -> str:
    """A label value or identifier without whitespace (`In Review` -> `In-Review`); case is kept."""
    return _SPACE.sub("-", str(value).strip()).strip("-")


def label(namespace: str, value: str) -> str | None:
    value = slug(value)
    return f"{namespace}:{value}" if value else None


def free_label(name: str, namespace: str = "tag") -> str | None:
    """A source label as a jit label: `area: ui` -> `area:ui`, `needs review` -> `tag:needs-review`."""
    ns, sep, value = str(name).partition(":")
    if sep and slug(ns) and slug(value):
        return f"{slug(ns).lower()}:{slug(value)}"
    return label(namespace, name)


def assignee(name) -> str | None:
    """`human:name` for a bare name (`@ana`, `ana`); `agent:x` style values stay as they are."""
    if not isinstance(name, str) or not name.strip():
        return None
    text = _SPACE.sub("-", name.strip().lstrip("@"))
    kind, sep, ident = text.partition(":")
    if sep and kind and ident:
        return text
    return f"human:{text}" if text else None


def comment(by, at, text, fallback_at) -> dict | None:
    if not isinstance(text, str) or not text.strip():
        return None
    return {"by": assignee(by) or "human:unknown", "at": timestamp(at) or fallback_at, "text": text}


def unique(values) -> list:
    return list(dict.fromkeys(v for v in values if v))


def as_text(value) -> str:
    """A source field that should be text; anything else (a number, a list) counts as absent."""
    return value if isinstance(value, str) else ""


def as_list(value) -> list:
    """A source field that should be a list; anything else counts as empty."""
    return value if isinstance(value, list) else []


def guarded(build, origin: str, items: list, skipped: list, *args):
    """Append build(*args) to items (unless it is None) and return it; a record whose fields have
    types its format never writes (a hand-edited file) is skipped with the reason instead: one
    odd record is reported, not an internal error."""
    try:
        item = build(*args)
    except (TypeError, AttributeError, ValueError, KeyError) as exc:
        skipped.append({"origin": origin, "reason": f"a field of an unexpected type ({type(exc).__name__}: {exc})"})
        return None
    if item is not None:
        items.append(item)
    return item
