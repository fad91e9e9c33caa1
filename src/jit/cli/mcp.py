"""`jit mcp`: serve jit's operations as MCP tools over stdio.

The SDK is imported inside the handler so no other command pays for it. The
repository is looked up once here only to report it (or a wrong --repo) at
start-up; the server finds it again on every call, so it can start before
`jit init` and follows the files as other processes change them.
"""

from jit.cli.parser import command


def mcp(ns, out, ctx):
    import os
    import sys

    from jit.errors import JitError

    try:
        import mcp  # noqa: F401 - only checking that the SDK is importable before serving
    except ImportError as exc:
        from jit.cli.install import missing_library

        raise missing_library(exc, "jit mcp") from None
    from jit.service.context import open_repo

    env = dict(os.environ)
    if ns.repo:
        env.pop("JIT_DATA_DIR", None)
    try:
        probe = open_repo(ns.repo, env=env)
        probe.close()
        sys.stderr.write(f"jit mcp: serving {probe.layout.data_dir} over stdio\n")
    except JitError as exc:
        if ns.repo:
            raise  # a wrong --repo fails now (exit 3), not on every call
        # Clients often start servers before the folder is set up; say so in their log and keep going.
        sys.stderr.write(f"jit mcp: warning: {exc.message}\n")
    if sys.stdin.isatty():
        sys.stderr.write("jit mcp: waiting for an MCP client on stdin (see docs/mcp.md); Ctrl-C stops\n")
    from jit.mcp.server import serve

    serve(repo=ns.repo, actor=getattr(ns, "actor", None), env=env)


def register(subs, name):
    p = command(subs, "mcp", "serve jit's operations as MCP tools over stdio (for Claude Code, Claude Desktop, "
                "VS Code, Cursor, ...); see docs/mcp.md", "claude mcp add jit -- jit mcp --repo /path/to/project",
                mcp, needs_repo=False)
    p.add_argument("--repo", metavar="PATH",
                   help="project folder (or its .jit/) to serve; default: found from the working directory "
                        "or $JIT_DATA_DIR, once per call")
