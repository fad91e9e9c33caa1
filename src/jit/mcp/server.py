"""`jit mcp`: the tool table served over stdio with the official `mcp` SDK's low-level Server.

The low-level Server (not the decorator-driven MCPServer/FastMCP) is used so the
schemas sent to clients are exactly the small hand-written ones in `tools`, not
ones generated from Python signatures. Calls run in a worker thread, so a gate
checker that takes minutes does not stall pings or other calls; each call opens
its own Context (see `calls`). Works with mcp 2.x (handlers passed to the
constructor) and 1.x (decorators).
"""

import inspect
import os
import sys
from functools import partial

from jit import __version__
from jit.mcp.calls import call
from jit.mcp.tools import TOOLS

INSTRUCTIONS = (
    "jit: the repository's issue tracker. Start a session with the prime tool. "
    "Work loop: issue_claim_next (null = nothing to do) -> do the work "
    "-> gate_check / gate_pass the issue's gates -> issue_done -> repeat. Ids accept unique prefixes. "
    "Results are the JSON of `jit ... --json`; errors are {\"error\": {code, message, details}}."
)


def tool_dicts() -> list:
    """Each tool as it appears in tools/list."""
    out = []
    for t in TOOLS:
        entry = {"name": t.name, "description": t.description, "inputSchema": t.schema()}
        if t.read_only:
            entry["annotations"] = {"readOnlyHint": True}
        out.append(entry)
    return out


def opener(repo: str | None, env: dict, actor: str | None):
    """A function giving a fresh Context for every call: the repository is found again each time,
    so `jit init` after start-up, or a moved JIT_DATA_DIR folder, is picked up without a restart."""
    from jit.service.context import open_repo

    env = dict(env)
    if repo:
        env.pop("JIT_DATA_DIR", None)  # an explicit --repo wins, like a command-line flag over the environment

    def warn(message):
        sys.stderr.write(f"jit mcp: {message}\n")

    return partial(open_repo, repo, env=env, actor=actor, warn=warn)


def _sdk_tools(types):
    return [types.Tool.model_validate(d) for d in tool_dicts()]


def _build_v2(open_ctx):
    import anyio
    import mcp.types as types
    from mcp.server.lowlevel import Server

    tools = _sdk_tools(types)

    async def list_tools(ctx, params):
        return types.ListToolsResult(tools=tools)

    async def call_tool(ctx, params):
        text, is_error = await anyio.to_thread.run_sync(call, params.name, params.arguments, open_ctx)
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=is_error)

    from jit.mcp.prompts import handlers_v2

    return Server("jit", version=__version__, instructions=INSTRUCTIONS, on_list_tools=list_tools,
                  on_call_tool=call_tool, **handlers_v2(types, open_ctx))


def _build_v1(open_ctx):
    import anyio
    import mcp.types as types
    from mcp.server.lowlevel import Server

    try:
        server = Server("jit", version=__version__, instructions=INSTRUCTIONS)
    except TypeError:  # before instructions were supported
        server = Server("jit", version=__version__)
    tools = _sdk_tools(types)

    @server.list_tools()
    async def list_tools():
        return tools

    async def call_tool(name, arguments):
        text, is_error = await anyio.to_thread.run_sync(call, name, arguments, open_ctx)
        if is_error:
            # Older 1.x releases turn a raised exception into an isError result carrying its text.
            raise _ToolError(text)
        return [types.TextContent(type="text", text=text)]

    decorator = server.call_tool
    if "validate_input" in inspect.signature(decorator).parameters:
        server.call_tool(validate_input=False)(call_tool)  # our own checks give the CLI's error envelope
    else:
        decorator()(call_tool)
    from jit.mcp.prompts import register_v1

    register_v1(server, types, open_ctx)
    return server


class _ToolError(Exception):
    pass


def build_server(open_ctx):
    from mcp.server.lowlevel import Server

    if "on_call_tool" in inspect.signature(Server.__init__).parameters:
        return _build_v2(open_ctx)
    return _build_v1(open_ctx)


def serve(repo: str | None = None, actor: str | None = None, env: dict | None = None) -> None:
    """Serve until the client closes stdin."""
    import anyio
    from mcp.server.stdio import stdio_server

    from jit.mcp.wire import CheckedStdin

    server = build_server(opener(repo, dict(os.environ if env is None else env), actor))

    async def main():
        stdin = CheckedStdin()  # answers malformed requests the SDK would drop (see wire.py)
        async with stdio_server(stdin=stdin) as (read, write):
            stdin.attach(write)
            await server.run(read, write, server.create_initialization_options())

    anyio.run(main)
