"""All git worktrees of one clone are one repository for claims (SPEC section 1).

A linked worktree (`git worktree add`) checks out its own copy of `.jit/`, and with
one store per worktree every worktree would grant the same issue. So a linked
worktree uses the store of the clone's main worktree, found from git's own files
(`.git` is a file naming the worktree's git folder, whose `commondir` names the
shared one) without running git: discovery stays a handful of stat calls.
The checkout the command ran in stays the root where gate checkers run.

Every link is checked the way git checks it (the worktree's git folder points
back at this `.git` file), so a planted `.git` file cannot steer jit's writes
into some other folder. A bare repository has no main worktree: there the first
worktree that uses a store becomes the lead, named in the common git folder.
"""

import os

_MAX_POINTER = 4096  # a `.git` file or `commondir` is one short line
LEAD_FILE = "jit-lead-worktree"


def _read_line(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(_MAX_POINTER)
    except OSError:
        return None
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None
    return text.splitlines()[0].strip() if text else None


def _nearest_dotgit(folder: str) -> tuple | None:
    """(work tree root, its `.git` path) for the nearest `.git` at or above folder."""
    while True:
        candidate = os.path.join(folder, ".git")
        if os.path.lexists(candidate):
            return folder, candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _linked(worktree_root: str, dotgit: str) -> tuple | None:
    """(its git folder, the common git folder) when `dotgit` is a consistent linked worktree's."""
    if not os.path.isfile(dotgit):
        return None  # a folder: this is the main worktree (or a plain clone)
    line = _read_line(dotgit)
    if not line or not line.startswith("gitdir:"):
        return None
    gitdir = os.path.normpath(os.path.join(worktree_root, line[len("gitdir:"):].strip()))
    common_rel = _read_line(os.path.join(gitdir, "commondir"))
    if not common_rel:
        return None  # a submodule's `.git` file: not a worktree
    common = os.path.realpath(os.path.join(gitdir, common_rel))
    # git's own consistency check: <common>/worktrees/<name>/gitdir names this `.git` file.
    back = _read_line(os.path.join(gitdir, "gitdir"))
    if back is None or os.path.realpath(back) != os.path.realpath(dotgit):
        return None
    if os.path.realpath(os.path.dirname(os.path.dirname(gitdir))) != common:
        return None
    return gitdir, common


def main_worktree(worktree_root: str, dotgit: str, claim_lead: bool = False) -> str | None:
    """The root of the worktree whose store every worktree of this clone uses, when `dotgit` belongs
    to a linked worktree: the main worktree, or for a bare repository the lead worktree (below)."""
    linked = _linked(worktree_root, dotgit)
    if linked is None:
        return None
    common = linked[1]
    if os.path.basename(common) != ".git":
        return _lead_of_bare(common, worktree_root if claim_lead else None)
    main = os.path.dirname(common)
    if not os.path.isdir(os.path.join(main, ".git")):
        return None
    return main


def _lead_of_bare(common: str, candidate: str | None) -> str | None:
    """A bare repository has no main worktree, so the first worktree to use a store there becomes
    the lead: `<common>/jit-lead-worktree` names it (git's own folder, never part of the repository's
    content). A pointer to a worktree that is gone or belongs elsewhere is replaced."""
    pointer = os.path.join(common, LEAD_FILE)
    lead = _read_line(pointer)
    if lead and _belongs(lead, common):
        return lead
    if candidate is None:
        return None
    try:
        temp = f"{pointer}.{os.getpid()}.tmp"
        with open(temp, "w", encoding="utf-8") as fh:
            fh.write(os.path.abspath(candidate) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        if lead is None:
            try:
                os.link(temp, pointer)  # first come: fails if another worktree got there first
            except FileExistsError:
                pass
        else:
            os.replace(temp, pointer)  # the old lead is gone
        if os.path.exists(temp):
            os.unlink(temp)
    except OSError:
        return None
    lead = _read_line(pointer)
    return lead if lead and _belongs(lead, common) else None


def _belongs(root: str, common: str) -> bool:
    linked = _linked(root, os.path.join(root, ".git"))
    return linked is not None and linked[1] == common


def shared_data_dir(data_dir: str, must_exist: bool = True) -> str | None:
    """The main worktree's store that replaces `data_dir`, when `data_dir` sits in a linked worktree."""
    folder = os.path.dirname(data_dir)
    found = _nearest_dotgit(folder)
    if found is None:
        return None
    root, dotgit = found
    if not os.path.isfile(dotgit):
        return None  # the main worktree or a plain clone: its own store is the one
    has_store = os.path.isdir(os.path.join(data_dir, "issues"))
    main = main_worktree(root, dotgit, claim_lead=has_store or not must_exist)
    if main is None:
        return None
    shared = os.path.normpath(os.path.join(main, os.path.relpath(data_dir, root)))
    if must_exist and not os.path.isdir(os.path.join(shared, "issues")):
        return None
    return shared


def store_for_checkout(here: str, data_dir_name: str) -> tuple | None:
    """For a folder inside a linked worktree with no store of its own: (the main
    worktree's store, the folder it stands for here), or None."""
    found = _nearest_dotgit(here)
    if found is None:
        return None
    root, dotgit = found
    main = main_worktree(root, dotgit)
    if main is None:
        return None
    folder = here
    while True:
        shared = os.path.join(main, os.path.relpath(folder, root), data_dir_name)
        if os.path.isdir(os.path.join(shared, "issues")):
            return os.path.normpath(shared), folder
        if folder == root:
            return None
        folder = os.path.dirname(folder)
