"""`config.toml`: schema version and defaults. Read lazily: tomllib costs ~3 ms."""

from jit.errors import JitError

SCHEMA_VERSION = 1
DEFAULTS = {"priority": "normal", "lease_ttl": 0, "gate_timeout": 300}

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
    """Merged defaults. Raises JitError naming config.toml when it is unreadable or too new."""
    try:
        with open(layout.config_file, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        return {"schema_version": SCHEMA_VERSION, "defaults": dict(DEFAULTS)}
    if text == default_text():
        # The untouched file `jit init` wrote: skip tomllib, which costs ~6 ms of imports per call.
        return {"schema_version": SCHEMA_VERSION, "defaults": dict(DEFAULTS)}
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise JitError(f".jit/config.toml is not valid TOML ({exc}); fix it by hand", {"file": "config.toml"}) from None
    version = data.get("schema_version", SCHEMA_VERSION)
    if isinstance(version, int) and version > SCHEMA_VERSION:
        raise JitError(
            f".jit/config.toml has schema_version {version}, newer than this jit understands "
            f"({SCHEMA_VERSION}); upgrade jit",
            {"schema_version": version},
        )
    defaults = dict(DEFAULTS)
    defaults.update(data.get("defaults") or {})
    data["defaults"] = defaults
    return data
