"""Seconds given by a person, an agent or a file: lease TTLs, checker timeouts, patience.

One rule for every source (a flag, config.toml, MCP, the web API): a finite number
of seconds, at most ten years. Without the cap, `--ttl 1e308` overflows the
clock arithmetic and `inf` or `nan` cannot be written as a time at all.
"""

import math

from jit.errors import UsageError

MAX_SECONDS = 10 * 365 * 24 * 3600  # ten years: longer than any lease or checker a person means


def check_seconds(value, what: str = "seconds", *, zero_ok: bool = False):
    """`value` as an int when whole, else a float. Raises UsageError naming `what`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UsageError(f"{what} must be a number of seconds, got {value!r}", {"value": repr(value)})
    if not math.isfinite(value):
        raise UsageError(f"{what} must be a finite number of seconds, got {value!r}", {"value": repr(value)})
    if value < 0 or (value == 0 and not zero_ok):
        raise UsageError(f"{what} must be a positive number of seconds, got {value:g}", {"value": value})
    if value > MAX_SECONDS:
        raise UsageError(f"{what} must be at most {MAX_SECONDS} seconds (ten years), got {value:g}",
                         {"value": value, "max": MAX_SECONDS})
    return int(value) if float(value).is_integer() else float(value)
