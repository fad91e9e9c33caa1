"""One tool call, start to finish: check the arguments, open the repository, run, render.

`call` never raises. Every failure becomes the CLI's error envelope
(`{"error": {code, message, details}}`) flagged as a tool error, so a bad
argument from a model is something it can read and correct, and the server
keeps serving. A fresh Context per call means each call re-discovers the
repository and re-checks the index against the files, so writes by other
processes (CLI, other agents, a `git pull`) are always seen.
"""

import difflib
import json
import sys
import traceback

from jit.service.serialize import dumps, jsonable
from jit.domain.model import ISSUE_FIELDS
from jit.errors import JitError, UsageError
from jit.mcp.tools import BY_NAME

JSON_TYPES = {"string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
              "array": (list,), "object": (dict,)}


def _json_type(value) -> str:
    for name, kinds in (("boolean", (bool,)), ("null", (type(None),)), ("number", (int, float)),
                        ("string", (str,)), ("array", (list,)), ("object", (dict,))):
        if isinstance(value, kinds):
            return name
    return type(value).__name__


def _check_value(where: str, value, schema: dict):
    kind = schema["type"]
    ok = isinstance(value, JSON_TYPES[kind]) and (kind == "boolean" or not isinstance(value, bool))
    if kind == "integer" and isinstance(value, float) and value.is_integer():
        value, ok = int(value), True
    if not ok:
        raise UsageError(f"{where} must be {'an' if kind[0] in 'aeiou' else 'a'} {kind}, got {_json_type(value)}",
                         {"argument": where, "expected": kind})
    if "enum" in schema and value not in schema["enum"]:
        raise UsageError(f"{where} must be one of: {', '.join(schema['enum'])}; got {value!r}",
                         {"argument": where, "allowed": schema["enum"]})
    if "minimum" in schema and value < schema["minimum"]:
        raise UsageError(f"{where} must be at least {schema['minimum']}, got {value}", {"argument": where})
    if kind == "array":
        value = [_check_value(f"{where}[{i}]", item, schema["items"]) for i, item in enumerate(value)]
    return value


def check_args(tool, arguments) -> dict:
    """The arguments as the handler may trust them. Raises UsageError naming the offending argument."""
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, dict):
        raise UsageError(f"{tool.name}: arguments must be a JSON object", {"tool": tool.name})
    props = tool.schema()["properties"]
    unknown = sorted(set(arguments) - set(props))
    if unknown:
        near = difflib.get_close_matches(unknown[0], props, n=1)
        hint = f"; did you mean {near[0]!r}?" if near else f"; expected: {', '.join(props) or 'no arguments'}"
        raise UsageError(f"{tool.name}: unknown argument {unknown[0]!r}{hint}",
                         {"tool": tool.name, "unknown": unknown, "expected": list(props)})
    # null is how many clients say "not given"; treat it so rather than as a type error.
    args = {k: v for k, v in arguments.items() if v is not None}
    missing = [k for k in tool.required if k not in args]
    if missing:
        raise UsageError(f"{tool.name}: missing required argument {missing[0]!r}",
                         {"tool": tool.name, "missing": missing})
    args = {k: _check_value(k, v, props[k]) for k, v in args.items()}
    bad = [f for f in args.get("fields", ()) if f not in ISSUE_FIELDS]
    if bad:
        raise UsageError(f"unknown issue field {bad[0]!r}; use: {', '.join(ISSUE_FIELDS)}",
                         {"argument": "fields", "allowed": list(ISSUE_FIELDS)})
    return args


def shape(tool, value, args):
    """Apply `fields` (keep some issue keys, id always) and `limit` (wrap as {total, items})."""
    fields, limit = args.get("fields"), args.get("limit")
    if not tool.lists or (fields is None and limit is None):
        return value
    items = jsonable(value)
    if fields is not None:
        keep = ["id", *(f for f in fields if f != "id")]
        if tool.lists == "blocked":
            items = [{**e, "issue": {k: e["issue"][k] for k in keep if k in e["issue"]}} for e in items]
        else:
            items = [{k: i[k] for k in keep if k in i} for i in items]
    if limit is not None:
        return {"total": len(items), "items": items[:limit]}
    return items


def _envelope(exc: JitError) -> str:
    return json.dumps(exc.to_dict(), sort_keys=True, ensure_ascii=False)


def call(name: str, arguments, open_ctx) -> tuple:
    """(JSON text, is_error) for one tool call. `open_ctx()` gives a fresh service Context."""
    try:
        tool = BY_NAME.get(name)
        if tool is None:
            near = difflib.get_close_matches(name or "", BY_NAME, n=1)
            raise UsageError(f"unknown tool {name!r}" + (f"; did you mean {near[0]!r}?" if near else ""),
                             {"tool": name})
        args = check_args(tool, arguments)
        ctx = open_ctx()
        try:
            value = tool.run(ctx, args)
        finally:
            ctx.close()
        return dumps(shape(tool, value, args)), False
    except JitError as exc:
        return _envelope(exc), True
    except Exception as exc:  # noqa: BLE001 - one bad call must never take the server down
        traceback.print_exc(file=sys.stderr)
        err = JitError(f"internal error: {type(exc).__name__}: {exc}")
        err.code = "internal"
        return _envelope(err), True
