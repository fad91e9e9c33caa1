"""Where a repository lives and every path under `.jit/`, named once.

Discovery works like git: walk up from the working directory for `.jit/`;
`JIT_DATA_DIR` names the data folder itself and wins over the search.
Paths are plain strings (os.path): pathlib costs 2.4 ms of imports on every call.
"""

import os

from jit.errors import NotFound
from jit.storage.worktrees import shared_data_dir, store_for_checkout

DATA_DIR_NAME = ".jit"


class Layout:
    def __init__(self, data_dir: str, root: str | None = None):
        self.data_dir = os.path.abspath(os.fspath(data_dir))
        # The root is the checkout where checkers run: the data folder's parent, except in a
        # linked git worktree, whose commands use the main worktree's store (storage/worktrees.py).
        self.root = os.path.abspath(root) if root else os.path.dirname(self.data_dir)
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
        layout = _shared_by_worktrees(Layout(os.path.expanduser(explicit)))
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
            return _shared_by_worktrees(Layout(candidate))
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    shared = store_for_checkout(here, DATA_DIR_NAME)
    if shared is not None:
        return Layout(shared[0], root=shared[1])
    raise NotFound(
        f"no jit repository in {here} or any parent; run `jit init` to create one",
        {"cwd": str(here)},
    )


def _shared_by_worktrees(layout: Layout, creating: bool = False) -> Layout:
    """In a linked git worktree, the main worktree's store, so that claims are one plane.
    `jit init` there creates (or finds) the store in the main worktree."""
    shared = shared_data_dir(layout.data_dir, must_exist=not creating)
    return Layout(shared, root=layout.root) if shared else layout


def for_init(cwd: str | None = None, env: dict | None = None) -> Layout:
    """The layout `jit init` should create: JIT_DATA_DIR, else ./.jit.

    Raises UsageError when something of the wrong kind stands where jit keeps a folder or a file
    (`.jit` or `.jit/issues` being a file, `config.toml` a folder or a link), before anything is created.
    """
    env = os.environ if env is None else env
    explicit = env.get("JIT_DATA_DIR")
    if explicit:
        layout = _shared_by_worktrees(Layout(os.path.expanduser(explicit)), creating=True)
    else:
        here = os.path.abspath(os.fspath(cwd) if cwd else os.getcwd())
        layout = _shared_by_worktrees(Layout(os.path.join(here, DATA_DIR_NAME)), creating=True)
    import stat

    from jit.errors import UsageError

    for path, wanted in ((layout.data_dir, stat.S_ISDIR), (layout.issues_dir, stat.S_ISDIR),
                         (layout.gate_runs_dir, stat.S_ISDIR), (layout.config_file, stat.S_ISREG),
                         (layout.gates_file, stat.S_ISREG), (layout.events_file, stat.S_ISREG)):
        try:
            mode = os.stat(path).st_mode if wanted is stat.S_ISDIR else os.lstat(path).st_mode
        except FileNotFoundError:
            continue
        except NotADirectoryError:
            mode = 0  # a parent on the way is a file: reported for that parent first
        if not wanted(mode):
            kind = "a folder" if wanted is stat.S_ISDIR else "a regular file"
            raise UsageError(f"cannot create a jit repository: {path} exists and is not {kind}; move it "
                             "away (or set JIT_DATA_DIR to another folder), then run `jit init` again",
                             {"path": path})
    return layout
