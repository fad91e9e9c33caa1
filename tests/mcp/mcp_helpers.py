"""A real MCP client (the SDK's ClientSession) talking to `jit mcp` spawned over stdio.

Each `connect()` starts the installed `jit` console script as the server, the
way Claude Code or VS Code would, and tears it down with the session.
"""

import inspect
import json
from contextlib import asynccontextmanager

import anyio
from mcp import ClientSession, StdioServerParameters, stdio_client

from jit_testing import JIT_BIN
CALL_TIMEOUT = 60


class Session:
    def __init__(self, session: ClientSession):
        self.session = session

    async def raw(self, name, args=None):
        """(is_error, text) exactly as the server sent them."""
        with anyio.fail_after(CALL_TIMEOUT):
            result = await self.session.call_tool(name, args)
        assert len(result.content) == 1 and result.content[0].type == "text", result
        return bool(getattr(result, "is_error", getattr(result, "isError", None))), result.content[0].text

    async def call(self, name, **args):
        """Parsed JSON of a call that must succeed."""
        is_error, text = await self.raw(name, args)
        assert not is_error, text
        return json.loads(text)

    async def fail(self, name, code, **args):
        """The error object of a call that must fail with `code`."""
        is_error, text = await self.raw(name, args)
        assert is_error, text
        error = json.loads(text)["error"]
        assert error["code"] == code, error
        assert set(error) == {"code", "message", "details"} and error["message"], error
        return error

    async def list_tools(self):
        with anyio.fail_after(CALL_TIMEOUT):
            return await self.session.list_tools()


@asynccontextmanager
async def connect(repo, *args, cwd=None, env=None):
    """A session with `jit mcp *args` run in the repository (or `cwd`), with the repo's test environment."""
    params = StdioServerParameters(command=JIT_BIN, args=["mcp", *args], cwd=str(cwd or repo.root),
                                   env={**repo.env, **(env or {})})
    with open(repo.root / "mcp-server.log", "a") as errlog:
        # The server's stderr goes to a file (mcp >= 1.3 takes errlog; older SDKs let it through).
        extra = {"errlog": errlog} if "errlog" in inspect.signature(stdio_client).parameters else {}
        async with stdio_client(params, **extra) as (read, write):
            async with ClientSession(read, write) as session:
                with anyio.fail_after(CALL_TIMEOUT):
                    await session.initialize()
                yield Session(session)
