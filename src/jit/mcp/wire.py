"""The stdin side of `jit mcp`: every malformed request that carries an id gets a JSON-RPC error.

The SDK's stdio transport drops a line it cannot validate as a JSON-RPC
message (params that are not an object, a missing "jsonrpc", a method that is
not a string): the client that sent it waits forever. So jit reads stdin
itself, lets every valid line through to the SDK unchanged, and answers an
invalid one through the SDK's own write stream (so replies never tear frames):
-32700 for a line that is not JSON, -32600 for JSON that is not a valid
request; the id is echoed when it is a valid id, else null, as JSON-RPC 2.0
says. Notifications and responses (no id to answer) are dropped, as before.
"""

import json
import os

PARSE_ERROR = -32700
INVALID_REQUEST = -32600


def verdict(line: str):
    """None for a line the SDK accepts (or that needs no answer), else (id, code, message) to answer."""
    import mcp.types as types

    if not line.strip():
        return None
    try:
        data = json.loads(line)
    except ValueError:
        return None, PARSE_ERROR, "Parse error: the line is not JSON"
    if not isinstance(data, dict):
        return None, INVALID_REQUEST, "Invalid Request: a message must be a JSON object (batches are not supported)"
    if "id" not in data or "result" in data or "error" in data:
        return None  # a notification or a response: the SDK decides, nobody waits for an answer
    rid = data["id"]
    valid_id = isinstance(rid, str) or (isinstance(rid, int) and not isinstance(rid, bool))
    if valid_id:
        try:
            _validate(types, line)
            return None
        except Exception:  # noqa: BLE001 - pydantic's ValidationError, or ValueError from an old SDK
            pass
    # An invalid id would otherwise pass as a notification (the SDK ignores the unknown key): no answer ever.
    return (rid if valid_id else None), INVALID_REQUEST, f"Invalid Request: {_what_is_wrong(data)}"


def _validate(types, line):
    adapter = getattr(types, "jsonrpc_message_adapter", None)
    if adapter is not None:
        adapter.validate_json(line, by_name=False)
    else:
        types.JSONRPCMessage.model_validate_json(line)


def _what_is_wrong(data: dict) -> str:
    if data.get("jsonrpc") != "2.0":
        return '"jsonrpc" must be "2.0"'
    if not isinstance(data.get("method"), str):
        return '"method" must be a string'
    if "params" in data and not isinstance(data["params"], dict):
        return '"params" must be an object'
    rid = data["id"]
    if not isinstance(rid, (str, int)) or isinstance(rid, bool):
        return '"id" must be a string or an integer'
    return "not a valid JSON-RPC 2.0 request"


def error_message(types, rid, code: int, message: str):
    error = types.ErrorData(code=code, message=message)
    if rid is None:
        # Some SDK releases type the id as non-null; JSON-RPC 2.0 wants null when it cannot be read.
        reply = types.JSONRPCError.model_construct(jsonrpc="2.0", id=None, error=error)
    else:
        reply = types.JSONRPCError(jsonrpc="2.0", id=rid, error=error)
    try:
        from mcp.shared.message import SessionMessage
    except ImportError:  # SDKs before SessionMessage carried bare messages
        return types.JSONRPCMessage(reply)
    return SessionMessage(reply)


class CheckedStdin:
    """An async line source for `stdio_server(stdin=...)` that answers malformed requests itself.

    The protocol descriptor is moved off fd 0 (which then reads /dev/null), as the SDK's own
    transport does, so no child process can swallow protocol bytes."""

    def __init__(self):
        import anyio

        self.replies = None  # the SDK's write stream, set once the transport is up
        self.ready = anyio.Event()
        private = os.dup(0)
        os.set_inheritable(private, False)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        import io

        self._file = anyio.wrap_file(io.TextIOWrapper(os.fdopen(private, "rb"), encoding="utf-8", errors="replace"))

    def attach(self, write_stream) -> None:
        self.replies = write_stream
        self.ready.set()

    async def __aiter__(self):
        import anyio
        import mcp.types as types

        async for line in self._file:
            answer = verdict(line)
            if answer is None:
                yield line
                continue
            await self.ready.wait()
            try:
                await self.replies.send(error_message(types, *answer))
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                return
