"""`config.toml`: schema version and defaults. Read lazily: tomllib costs ~3 ms.

The file comes with the repository, so its shape is checked when it is read:
a value of the wrong type is a CorruptFile naming the key and the fix, never a
crash in the command that happens to use it.
"""

from jit.errors import UsageError
from jit.storage.issues import CorruptFile, corrupt, read_regular

SCHEMA_VERSION = 1
DEFAULTS = {"priority": "normal", "lease_ttl": 0, "gate_timeout": 300}
WHERE = ".jit/config.toml"
PRIORITIES = ("critical", "high", "normal", "low")

TEMPLATE = """# jit repository configuration
schema_version = {version}

[defaults]
# Priority of new issues: critical, high, normal or low.
priority = "normal"
# Lease in seconds given to claims without --ttl; 0 means held until released.
lease_ttl = 0
# Seconds before an automated gate's checker is killed, when the gate sets none.
gate_timeout = 300
"""


def default_text() -> str:
    return TEMPLATE.format(version=SCHEMA_VERSION)


def load_config(layout) -> dict:
    """Merged defaults. Raises CorruptFile naming config.toml when it is unreadable, of the wrong
    shape or too new."""
    try:
        data = read_regular(layout.config_file, WHERE)
    except FileNotFoundError:
        return {"schema_version": SCHEMA_VERSION, "defaults": dict(DEFAULTS)}
    if data == default_text().encode():
        # The untouched file `jit init` wrote: skip tomllib, which costs ~6 ms of imports per call.
        return {"schema_version": SCHEMA_VERSION, "defaults": dict(DEFAULTS)}
    import tomllib

    try:
        data = tomllib.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # TOMLDecodeError and UnicodeDecodeError are ValueErrors
        raise corrupt(WHERE, exc, "fix it by hand (see `jit init` in a new folder for the template)") from None
    version = data.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _bad(f"schema_version must be a whole number, got {version!r}")
    if version > SCHEMA_VERSION:
        raise CorruptFile(
            f"{WHERE} has schema_version {version}, newer than this jit understands "
            f"({SCHEMA_VERSION}); upgrade jit",
            {"file": WHERE, "schema_version": version},
        )
    data["defaults"] = _defaults(data.get("defaults", {}))
    _check_sync(data.get("sync", {}))
    _check_index(data.get("index", {}))
    return data


def _bad(problem: str) -> CorruptFile:
    return CorruptFile(f"{WHERE} is corrupt ({problem}); fix it by hand, then run `jit validate`",
                       {"file": WHERE, "problem": problem})


def _defaults(given) -> dict:
    from jit.domain.durations import check_seconds

    if not isinstance(given, dict):
        raise _bad("[defaults] must be a table")
    defaults = {**DEFAULTS, **given}
    if defaults["priority"] not in PRIORITIES:
        raise _bad(f"[defaults] priority must be one of {', '.join(PRIORITIES)}, got {defaults['priority']!r}")
    for key, zero_ok in (("lease_ttl", True), ("gate_timeout", False)):
        try:
            defaults[key] = check_seconds(defaults[key], f"[defaults] {key}", zero_ok=zero_ok)
        except UsageError as exc:
            raise _bad(exc.message) from None
    return defaults


def _check_index(index) -> None:
    if not isinstance(index, dict):
        raise _bad("[index] must be a table")
    if "monitor" in index and not isinstance(index["monitor"], bool):
        raise _bad(f"[index] monitor must be true or false, got {index['monitor']!r}")


def _check_sync(sync) -> None:
    if not isinstance(sync, dict):
        raise _bad("[sync] must be a table")
    for key in ("remote", "branch"):
        if sync.get(key) is not None and not isinstance(sync[key], str):
            raise _bad(f"[sync] {key} must be a string, got {sync[key]!r}")
    if "claims" in sync and not isinstance(sync["claims"], bool):
        raise _bad(f"[sync] claims must be true or false, got {sync['claims']!r}")
    if "patience" in sync:
        from jit.domain.durations import check_seconds

        try:
            check_seconds(sync["patience"], "[sync] patience", zero_ok=True)
        except UsageError as exc:
            raise _bad(exc.message) from None
