"""What git needs to know to carry `.jit/` between clones: attributes, ignores, the merge driver.

`.jit/.gitattributes` sends `events.jsonl`, the issue files and the gate registry through
`jit git merge-driver`: the log as a union by event id (git's own `union` driver can copy a
line twice), the others field by field with the pure rules of `jit.domain.merge`; the
result is always valid. Git does not copy config
through a clone, so every clone registers the driver itself (`jit git setup`).
"""

import json
import os
import shlex
import sys
from pathlib import Path

from jit.domain.merge import merge_issue, merge_registry
from jit.domain.model import Issue
from jit.errors import UsageError
from jit.storage.atomic import write_atomic
from jit.storage.git import Git, GitError

DRIVER_NAME = "jit"
DRIVER_LABEL = "jit: three-way merge of issue files, field by field"
MERGE_LOG = "jit-merge.log"  # under the git dir: conflicts the driver settled, read back by `jit sync`
REMOTE_SIDE_VAR = "JIT_MERGE_REMOTE_SIDE"  # set by `jit sync` for its merges: "theirs" is the remote

ATTRIBUTES = """# Written by jit (`jit init`, `jit git setup`): how git merges jit's files. See docs/multi-machine.md.
# The audit log is append-only and every line has a unique id: keep both sides' events, each once.
events.jsonl merge=jit
# Issues and the gate registry merge field by field through `jit git merge-driver`
# (register it in each clone with `jit git setup`).
issues/*.json merge=jit
gates.json merge=jit
"""


def driver_command() -> str:
    """The command git runs for `merge=jit`: this very interpreter, so no PATH lookup can pick another jit."""
    return f"{shlex.quote(sys.executable)} -m jit git merge-driver %O %A %B %P"


def driver_config() -> list:
    """`-c` pairs that make one git call use the driver even where the clone never registered it."""
    return [(f"merge.{DRIVER_NAME}.name", DRIVER_LABEL), (f"merge.{DRIVER_NAME}.driver", driver_command())]


# Rules written by earlier versions of jit, replaced when `jit init`, `jit git setup` or `jit sync` runs.
SUPERSEDED = {"events.jsonl merge=union"}


def _ensure_lines(path: Path, text: str) -> bool:
    """Append the rule lines of text missing from path (creating it); True when it changed."""
    try:
        current = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        write_atomic(path, text)
        return True
    if any(line.strip() in SUPERSEDED for line in current.splitlines()):
        current = "".join(line for line in current.splitlines(keepends=True) if line.strip() not in SUPERSEDED)
    present = {line.strip() for line in current.splitlines()}
    missing = [line for line in text.splitlines() if line.strip() and not line.startswith("#")
               and line.strip() not in present]
    if not missing:
        if current != path.read_text(encoding="utf-8"):
            write_atomic(path, current)
            return True
        return False
    joiner = "" if current.endswith("\n") or not current else "\n"
    write_atomic(path, current + joiner + "\n".join(missing) + "\n")
    return True


def ensure_ignores(layout) -> bool:
    """`.jit/.gitignore` holds every runtime file's rule (a store older than one of them lacks it)."""
    from jit.service.context import DERIVED_IGNORES

    return _ensure_lines(Path(layout.gitignore_file), DERIVED_IGNORES)


def write_git_files(layout) -> list:
    """Make sure `.jit/.gitattributes` and `.jit/.gitignore` hold jit's rules; the files changed."""
    from jit.service.context import DERIVED_IGNORES

    changed = []
    for name, text in ((".gitattributes", ATTRIBUTES), (".gitignore", DERIVED_IGNORES)):
        if _ensure_lines(Path(layout.path(name)), text):
            changed.append(f".jit/{name}")
    # git keeps no empty folders, and a clone without .jit/issues/ would not be found as a repository.
    keep = Path(layout.issues_dir) / ".gitkeep"
    if not keep.exists():
        write_atomic(keep, b"")
        changed.append(".jit/issues/.gitkeep")
    return changed


def work_tree(ctx) -> Git | None:
    """A Git rooted at the work tree holding `.jit/`, or None when there is none (or no git)."""
    top = Git(ctx.layout.data_dir, ctx.env).toplevel()
    return Git(top, ctx.env) if top else None


def register_driver(git: Git) -> None:
    for key, value in driver_config():
        git.config_set(key, value)


def driver_registered(git: Git) -> bool:
    return bool(git.config_get(f"merge.{DRIVER_NAME}.driver"))


def setup_git_files(ctx) -> str:
    """For `jit init`: inside a git work tree, write the attribute and ignore rules and register
    the driver in this clone. Returns a line for people ("" outside a work tree)."""
    git = work_tree(ctx)
    if git is None:
        return ""
    write_git_files(ctx.layout)
    try:
        register_driver(git)
    except GitError:
        return "git: wrote .jit/.gitattributes; run `jit git setup` to register the merge driver"
    return ("git: .jit/.gitattributes merges events.jsonl (by event id) and issue files through jit's merge "
            "driver (registered in this clone; other clones run `jit git setup`)")


def setup(ctx) -> dict:
    """`jit git setup`: attributes, ignores and the driver registered in this clone's git config.

    Raises UsageError outside a git work tree.
    """
    git = work_tree(ctx)
    if git is None:
        raise UsageError(f"{ctx.layout.data_dir} is not inside a git work tree; run `git init` first",
                         {"path": str(ctx.layout.data_dir)})
    written = write_git_files(ctx.layout)
    register_driver(git)
    return {"work_tree": git.cwd, "driver": driver_command(), "written": written, "registered": True}


# -- the driver git runs ----------------------------------------------------------------------

def _read_json(path: str):
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _readable_issue(doc) -> bool:
    if doc is None:
        return False
    try:
        Issue.from_dict(doc)
    except (ValueError, TypeError):
        return False
    return True


def merge_file(base_path: str, ours_path: str, theirs_path: str, name: str | None = None, env=None) -> dict:
    """Merge one jit file three ways and write the result over ours_path (git's %A).

    Raises GitError when neither side is readable JSON (git then reports a conflict).
    """
    name = name or ours_path
    if os.path.basename(name) == "events.jsonl":
        return _merge_event_log(base_path, ours_path, theirs_path, name)
    registry = os.path.basename(name) == "gates.json"
    base, ours, theirs = (_read_json(p) for p in (base_path, ours_path, theirs_path))
    valid = (lambda d: d is not None) if registry else _readable_issue
    conflicts = []
    if not valid(ours) and not valid(theirs):
        raise GitError(f"{name}: neither side is a readable jit file; merge it by hand",
                       {"path": name})
    if not valid(ours) or not valid(theirs):
        merged = ours if valid(ours) else theirs
        conflicts.append({"field": "(file)", "kept": "the readable side", "dropped": "an unreadable side",
                          "rule": "a readable file beats a corrupt one"})
    elif registry:
        merged, conflicts = merge_registry(base, ours, theirs)
    else:
        remote = (env or {}).get(REMOTE_SIDE_VAR)
        merged, conflicts = merge_issue(base if _readable_issue(base) else None, ours, theirs, remote=remote)
    write_atomic(Path(ours_path), json.dumps(merged, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    issue_id = None if registry else merged.get("id")
    entries = [{"file": name, "issue_id": issue_id, **c} for c in conflicts]
    if entries:
        _log_conflicts(entries, env)
    return {"file": name, "issue_id": issue_id, "conflicts": entries}


def _merge_event_log(base_path: str, ours_path: str, theirs_path: str, name: str) -> dict:
    from jit.domain.event_merge import merge_events

    def read(path):
        try:
            return Path(path).read_bytes()
        except OSError:
            return b""

    write_atomic(Path(ours_path), merge_events(read(base_path), read(ours_path), read(theirs_path)))
    return {"file": name, "issue_id": None, "conflicts": []}


def _log_conflicts(entries, env) -> None:
    try:
        log = Path(Git(os.getcwd(), env).git_dir()) / MERGE_LOG
    except GitError:
        return
    with open(log, "a", encoding="utf-8") as fh:
        fh.write("".join(json.dumps(e, sort_keys=True, ensure_ascii=False) + "\n" for e in entries))


def merge_log_size(git: Git) -> int:
    try:
        return (Path(git.git_dir()) / MERGE_LOG).stat().st_size
    except FileNotFoundError:
        return 0


def read_merge_log(git: Git, offset: int) -> list:
    """Conflicts the driver logged since offset (a byte position from merge_log_size)."""
    try:
        with open(Path(git.git_dir()) / MERGE_LOG, "rb") as fh:
            fh.seek(offset)
            data = fh.read()
    except FileNotFoundError:
        return []
    found = []
    for line in data.splitlines():
        try:
            found.append(json.loads(line))
        except ValueError:
            continue
    return found
