"""What `jit mcp` and `jit serve` say when a library they import lazily is missing.

Every install carries these libraries (they are ordinary dependencies), so a
missing one means a broken or hand-made environment. Both commands answer the
same way: exit 1 with one line naming the package and a pip command for the
very interpreter that runs jit, which works from a clone or anywhere else.
"""

import sys

from jit.errors import JitError

PACKAGES = {"mcp": "mcp", "starlette": "starlette", "uvicorn": "uvicorn", "markdown_it": "markdown-it-py"}


class MissingLibrary(JitError):
    """A library that every jit install carries is not importable (exit 1)."""

    code = "missing_library"


def missing_library(exc: ImportError, feature: str) -> MissingLibrary:
    module = (exc.name or "").split(".")[0] or "?"
    package = PACKAGES.get(module, module)
    return MissingLibrary(f"{feature} needs the Python package {package!r}, which this environment lacks; install it "
                          f"with `{sys.executable} -m pip install '{package}'`, or reinstall jit from its clone "
                          "with `pip install -e .`", {"missing": package})
