"""Where a repository lives and every path under `.jit/`, named once.

Discovery works like git: walk up from the working directory for `.jit/`;
`JIT_DATA_DIR` names the data folder itself and wins over the search.
Paths are plain strings (os.path): pathlib costs 2.4 ms of imports on every call.
"""

import os

from jit.errors import NotFound

DATA_DIR_NAME = ".jit"


class Layout:
    def __init__(self, data_dir: str):
        self.data_dir = os.path.abspath(os.fspath(data_dir))
        # The repository root is where checkers run; for JIT_DATA_DIR it is the folder's parent.
        self.root = os.path.dirname(self.data_dir)
        self.issues_dir = self.path("issues")
        self.gate_runs_dir = self.path("gate-runs")
        self.config_file = self.path("config.toml")
        self.gates_file = self.path("gates.json")
        self.events_file = self.path("events.jsonl")
        self.lock_file = self.path(".lock")
        self.journal_file = self.path(".journal.json")
        self.index_file = self.path("index.sqlite")
        self.gitignore_file = self.path(".gitignore")

    def path(self, *relative: str) -> str:
        """A path under the data folder, e.g. path("issues", "<id>.json")."""
        return os.path.join(self.data_dir, *relative)

    def issue_file(self, issue_id: str) -> str:
        return os.path.join(self.issues_dir, f"{issue_id}.json")

    def runs_dir(self, issue_id: str) -> str:
        return os.path.join(self.gate_runs_dir, issue_id)

    def relative(self, path: str) -> str:
        return os.path.relpath(path, self.data_dir)

    def exists(self) -> bool:
        return os.path.isdir(self.issues_dir)


def discover(cwd: str | None = None, env: dict | None = None) -> Layout:
    """Find the repository for this process.

    Raises NotFound (exit 3) with a hint to run `jit init`.
    """
    env = os.environ if env is None else env
    explicit = env.get("JIT_DATA_DIR")
    if explicit:
        layout = Layout(os.path.expanduser(explicit))
        if not layout.exists():
            raise NotFound(
                f"JIT_DATA_DIR={explicit} holds no jit repository; run `jit init` to create one",
                {"path": str(layout.data_dir)},
            )
        return layout
    here = os.path.abspath(os.fspath(cwd) if cwd else os.getcwd())
    folder = here
    while True:
        candidate = os.path.join(folder, DATA_DIR_NAME)
        if os.path.isdir(os.path.join(candidate, "issues")):
            return Layout(candidate)
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    raise NotFound(
        f"no jit repository in {here} or any parent; run `jit init` to create one",
        {"cwd": str(here)},
    )


def for_init(cwd: str | None = None, env: dict | None = None) -> Layout:
    """The layout `jit init` should create: JIT_DATA_DIR, else ./.jit."""
    env = os.environ if env is None else env
    explicit = env.get("JIT_DATA_DIR")
    if explicit:
        return Layout(os.path.expanduser(explicit))
    return Layout(os.path.join(os.path.abspath(os.fspath(cwd) if cwd else os.getcwd()), DATA_DIR_NAME))
