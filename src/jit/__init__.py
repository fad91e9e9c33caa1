"""jit: a repository-local issue tracker built for AI agents.

The public surface is deliberately small: the version, the error base class,
and `open_repo`, which every front end (CLI, MCP, web) uses to reach the
service layer.
"""

__version__ = "0.1.0"
__all__ = ["__version__", "JitError", "open_repo"]


def __getattr__(name):
    # Lazy so that `jit --version` pays for nothing but this file.
    if name == "JitError":
        from jit.errors import JitError

        return JitError
    if name == "open_repo":
        from jit.service.context import open_repo

        return open_repo
    raise AttributeError(name)
