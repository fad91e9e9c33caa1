"""One line of a `jit issue import` file, checked (SPEC section 8).

Pass one checks each line (check_line); pass two reads the very same bytes again (the input
proves it: service.import_files.Input) and only reads them (read_line), so the issue written is
the line that was checked. Lines are split at "\\n" only: JSON text may carry U+2028 and other
separators unescaped inside a string. Blank lines count for the line numbers errors name.
"""

import json

from jit.domain.labels import check_label
from jit.domain.model import PRIORITIES, check_assignee, check_choice, check_title
from jit.errors import UsageError

FIELDS = {"title", "description", "priority", "labels", "gates", "assignee", "key", "depends_on", "context", "parent"}


def line_error(n: int, message: str) -> UsageError:
    return UsageError(f"line {n}: {message}; nothing was imported", {"line": n})


class Line:
    """A checked line: the values an issue is built from, and the references the plan resolves."""

    __slots__ = ("assignee", "context", "depends_on", "description", "gates", "key", "labels", "n", "parent",
                 "priority", "title")


class _Unstorable(Exception):
    pass


def _no_constant(name):
    raise _Unstorable(name)


def _finite(text):
    value = float(text)
    if value in (_INF, -_INF):
        raise _Unstorable(text)
    return value


_INF = float("inf")
# NaN, Infinity and 1e999 parse, but an issue file cannot hold them: refused while parsing (the
# hooks run only for floats and those words, so a line without them pays nothing).
_decode = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite).decode


def check_line(n: int, raw: bytes, registry: dict, default_priority: str) -> Line:
    """Raises UsageError naming line n."""
    record = _parse(n, raw)
    if not isinstance(record, dict):
        raise line_error(n, "each line must be a JSON object")
    unknown = set(record) - FIELDS
    if unknown:
        raise line_error(n, f"unknown field(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(FIELDS))}")
    try:
        _check_strings(record)
        check_title(record.get("title") or "")
        check_choice("priority", record.get("priority") or default_priority, PRIORITIES)
        for label in _list_of_str(record, "labels"):
            check_label(label)
        _list_of_str(record, "gates")
        _list_of_str(record, "depends_on")
        if record.get("assignee") is not None:
            check_assignee(record["assignee"])
    except UsageError as exc:
        raise line_error(n, exc.message) from None
    for key in record.get("gates", []):
        if key not in registry:
            raise line_error(n, f"unknown gate {key!r} (define it with `jit gate define`)")
    if not isinstance(record.get("context", {}), dict):
        raise line_error(n, "'context' must be an object")
    key = record.get("key")
    if key is not None and (not isinstance(key, str) or not key):
        raise line_error(n, "'key' must be a non-empty string")
    if b"\\ud" in raw or b"\\uD" in raw:
        _check_surrogates(n, record)
    return _line(n, record, default_priority)


def read_line(n: int, raw: bytes, default_priority: str) -> Line:
    """A line check_line has already passed (the same bytes), read without checking it again."""
    return _line(n, _parse(n, raw), default_priority)


def _line(n: int, record: dict, default_priority: str) -> Line:
    line = Line()
    line.n = n
    line.title = record["title"].strip()
    line.priority = record.get("priority") or default_priority
    line.labels = record.get("labels", [])
    line.gates = record.get("gates", [])
    line.depends_on = record.get("depends_on", [])
    line.assignee = record.get("assignee")
    line.context = record.get("context", {})
    line.key = record.get("key")
    line.description = record.get("description", "")
    line.parent = record.get("parent")
    return line


def _parse(n: int, raw: bytes):
    try:
        return _decode(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise line_error(n, "not valid UTF-8") from None
    except _Unstorable as exc:
        raise line_error(n, f"{exc} is a number JSON cannot store (NaN or Infinity, e.g. 1e999); "
                         "give a finite number") from None
    except (ValueError, RecursionError) as exc:  # RecursionError: a line nested thousands deep
        raise line_error(n, f"not valid JSON ({exc})") from None


def _list_of_str(record, field):
    value = record.get(field, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{field!r} must be a list of strings")
    return value


def _check_strings(record):
    for field in ("title", "description", "priority", "assignee", "parent"):
        if record.get(field) is not None and not isinstance(record[field], str):
            raise UsageError(f"{field!r} must be a string")


def _check_surrogates(n, record: dict) -> None:
    """An escaped lone surrogate (\\ud800) parses, but UTF-8, and so an issue file, cannot hold it."""
    try:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise line_error(n, "a string holds a lone surrogate (an escape like \\ud800 without its pair), "
                         "which UTF-8 cannot store") from None
