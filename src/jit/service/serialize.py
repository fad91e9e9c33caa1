"""The one JSON encoding of service results, shared by every front end.

The CLI's `--json`, the MCP tools and the web API all print results through
`dumps`, so the three can never drift apart. Issues encode through
`Issue.to_dict`; rows the index cached as JSON text are joined, not re-encoded.
"""


def jsonable(value):
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def dumps(value) -> str:
    if hasattr(value, "raw_json"):
        return value.raw_json
    # A list of cached-JSON rows (query available) is joined, not re-encoded: thousands of issues stay cheap.
    if isinstance(value, list) and value and all(hasattr(v, "raw_json") for v in value):
        return "[" + ", ".join(v.raw_json for v in value) + "]"
    import json  # lazily: `jit --version` and `--help` need no JSON

    # json calls `default` only for objects it cannot encode (issues, pages): no Python walk over
    # every dict and list first (that walk was 40% of `graph export --json` at 10,000 issues).
    return json.dumps(jsonable(value) if hasattr(value, "to_dict") else value, sort_keys=True,
                      ensure_ascii=False, default=_to_dict)


def _to_dict(value):
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
