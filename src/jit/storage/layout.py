"""Where a repository lives and every path under `.jit/`, named once.

Discovery works like git: walk up from the working directory for `.jit/`;
`JIT_DATA_DIR` names the data folder itself and wins over the search.
"""

import os
from pathlib import Path

from jit.errors import NotFound

DATA_DIR_NAME = ".jit"


class Layout:
    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        # The repository root is where checkers run; for JIT_DATA_DIR it is the folder's parent.
        self.root = self.data_dir.parent
        self.issues_dir = self.data_dir / "issues"
        self.gate_runs_dir = self.data_dir / "gate-runs"
        self.config_file = self.data_dir / "config.toml"
        self.gates_file = self.data_dir / "gates.json"
        self.events_file = self.data_dir / "events.jsonl"
        self.lock_file = self.data_dir / ".lock"
        self.journal_file = self.data_dir / ".journal.json"
        self.index_file = self.data_dir / "index.sqlite"
        self.gitignore_file = self.data_dir / ".gitignore"

    def issue_file(self, issue_id: str) -> Path:
        return self.issues_dir / f"{issue_id}.json"

    def runs_dir(self, issue_id: str) -> Path:
        return self.gate_runs_dir / issue_id

    def relative(self, path: Path) -> str:
        return str(path.relative_to(self.data_dir))

    def exists(self) -> bool:
        return self.issues_dir.is_dir()


def discover(cwd: str | None = None, env: dict | None = None) -> Layout:
    """Find the repository for this process.

    Raises NotFound (exit 3) with a hint to run `jit init`.
    """
    env = os.environ if env is None else env
    explicit = env.get("JIT_DATA_DIR")
    if explicit:
        layout = Layout(Path(explicit).expanduser().absolute())
        if not layout.exists():
            raise NotFound(
                f"JIT_DATA_DIR={explicit} holds no jit repository; run `jit init` to create one",
                {"path": str(layout.data_dir)},
            )
        return layout
    here = Path(cwd or os.getcwd()).absolute()
    for folder in (here, *here.parents):
        candidate = folder / DATA_DIR_NAME
        if (candidate / "issues").is_dir():
            return Layout(candidate)
    raise NotFound(
        f"no jit repository in {here} or any parent; run `jit init` to create one",
        {"cwd": str(here)},
    )


def for_init(cwd: str | None = None, env: dict | None = None) -> Layout:
    """The layout `jit init` should create: JIT_DATA_DIR, else ./.jit."""
    env = os.environ if env is None else env
    explicit = env.get("JIT_DATA_DIR")
    if explicit:
        return Layout(Path(explicit).expanduser().absolute())
    return Layout(Path(cwd or os.getcwd()).absolute() / DATA_DIR_NAME)
