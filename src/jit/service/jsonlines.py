"""Reading JSON Lines that a person hands in (an export, a tracker's dump), one error message for all.

Blank lines are skipped; the first line that is not JSON stops the read with a usage
error naming it, before any caller has written anything.
"""

import json

from jit.errors import UsageError


def line_error(n: int, message: str) -> UsageError:
    return UsageError(f"line {n}: {message}; nothing was imported", {"line": n})


def loads(text: str):
    """json.loads refusing what jit cannot store (NaN, Infinity, 1e999) with ValueError."""
    return json.loads(text, parse_constant=_not_json, parse_float=_finite)


def records(lines, hint: str = ""):
    """Yield (line number, parsed value) for each non-blank line. Raises UsageError naming a line that is not JSON."""
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield n, loads(line)
        except (ValueError, RecursionError) as exc:  # RecursionError: nesting deeper than Python's stack
            raise line_error(n, f"not valid JSON ({str(exc)[:200]}){hint}") from None


def _not_json(word: str):
    raise ValueError(f"{word} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"{text} is too large for a JSON number jit can store")
    return value
