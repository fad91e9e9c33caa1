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

    return json.dumps(jsonable(value), sort_keys=True, ensure_ascii=False)
