"""Ids are full UUIDs; any unique prefix of at least 4 hex characters names one.

Hyphens are optional in prefixes (`0a1b2c3d4e` matches `0a1b2c3d-4e...`).
"""

from jit.errors import NotFound, UsageError

MIN_PREFIX = 4
_HEX = frozenset("0123456789abcdef")


def format_uuid4(raw: bytes) -> str:
    """Render 16 random bytes as a version-4 UUID without importing `uuid` (5 ms)."""
    b = bytearray(raw)
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def normalise_prefix(ref: str) -> str:
    """Lower-case, hyphen-free form of a user's id or prefix.

    Raises UsageError when it is too short to be a prefix, NotFound when no id could
    ever look like it (not hexadecimal, or longer than an id): no issue has that id.
    """
    compact = ref.strip().lower().replace("-", "")
    if len(compact) < MIN_PREFIX:
        raise UsageError(
            f"{ref!r} is too short: give at least {MIN_PREFIX} hex characters of an issue id "
            "(see `jit issue list`)",
            {"id": ref},
        )
    if not set(compact) <= _HEX or len(compact) > 32:
        raise NotFound(
            f"no issue matches {ref!r}: issue ids are hexadecimal UUIDs (see `jit issue list`)",
            {"id": ref},
        )
    return compact


def is_full_id(ref: str) -> bool:
    return len(ref) == 36 and ref.count("-") == 4 and len(normalise_prefix(ref)) == 32


def resolve(ref: str, ids) -> str:
    """The one id in `ids` that `ref` names.

    Raises NotFound when none match, UsageError listing candidates when several do.
    """
    prefix = normalise_prefix(ref)
    matches = [i for i in ids if i.replace("-", "").startswith(prefix)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(f"no issue matches {ref!r}; see `jit issue list`", {"id": ref})
    matches.sort()
    raise UsageError(
        f"{ref!r} is ambiguous: it matches {', '.join(m[:8] for m in matches[:10])}"
        f"{' ...' if len(matches) > 10 else ''}; give more characters",
        {"id": ref, "candidates": matches},
    )


def short(issue_id: str) -> str:
    return issue_id[:8]
