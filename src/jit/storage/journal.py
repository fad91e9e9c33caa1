"""The commit journal `.jit/.journal.json`, and the one check of every name jit may write.

A journal can come with a clone (`git add -f`) or a hand edit, so replay trusts
nothing in it (SPEC section 1): it accepts only the file kinds jit itself writes
(KINDS), under `.jit/` and through no symbolic link, with text (or null, a
deletion) as content, and events that are objects with string ids and types.
A streaming import's journal names only its stage folder (STAGE), whose files
are checked the same way (staged_problem). Anything else is refused whole,
before a single byte is written, moved or deleted.
"""

import json
import os
import re
import stat

from jit.storage.issues import CorruptFile

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

# Every relative name a transaction may write (regular expressions, compiled on first use by `re`'s
# cache: a read that meets no journal never pays for them). add_kind() adds one.
KINDS = [
    rf"issues/{_UUID}\.json",
    r"gates\.json",
    rf"gate-runs/{_UUID}/[0-9A-Za-z][0-9A-Za-z._-]{{0,127}}\.json",
    r"presets/[a-z0-9][a-z0-9_-]{0,63}\.json",
    r"config\.toml",
    r"events\.jsonl",
]

# Files jit makes at run time that must never travel through git (`.jit/.gitignore`, `jit validate`).
RUNTIME = r"(.*/)?\..*\.tmp|\.journal\.json|\.lock|index\.sqlite.*|events\.unreadable\.log|monitor\.(sock|lock)"


def add_kind(pattern: str) -> None:
    """Let transactions write (and replay) one more kind of file, e.g. r"notes/[a-z]+\\.md"."""
    KINDS.append(pattern)


class UntrustedJournal(CorruptFile):
    """`.jit/.journal.json` is not one jit wrote: replaying it could write anywhere."""

    code = "untrusted_journal"


class UnsafePath(CorruptFile):
    """A folder under `.jit/` is a symbolic link (or not a folder): writing through it could leave `.jit/`."""

    code = "unsafe_path"


def display(layout) -> str:
    return os.path.join(os.path.basename(layout.data_dir), ".journal.json")


def path_problem(layout, rel, checked: set | None = None) -> str | None:
    """Why jit must not write or delete `rel` under the data folder; None when it may.
    `checked` caches folders already found safe within one commit."""
    if not isinstance(rel, str) or not any(re.fullmatch(kind, rel) for kind in KINDS):
        return f"{rel!r} is not a file jit writes"
    why = folder_problem(layout, rel.rpartition("/")[0], checked)
    if why:
        return why
    try:
        if stat.S_ISDIR(os.lstat(os.path.join(layout.data_dir, rel)).st_mode):
            return f"{rel} is a folder"
    except FileNotFoundError:
        pass
    return None


def folder_problem(layout, rel_folder: str, checked: set | None = None) -> str | None:
    """Why a folder under the data folder could lead outside it (a symbolic link, or not a folder)."""
    folder = layout.data_dir
    for part in rel_folder.split("/") if rel_folder else ():
        folder = os.path.join(folder, part)
        if checked is not None and folder in checked:
            continue
        try:
            mode = os.lstat(folder).st_mode
        except FileNotFoundError:
            return None  # made by the commit itself, as a plain folder
        if not stat.S_ISDIR(mode):
            kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a folder"
            return f"{layout.relative(folder)} is {kind}, so writing in it could leave {layout.data_dir}"
        if checked is not None:
            checked.add(folder)
    return None


def log_problem(layout) -> str | None:
    """Why appending to events.jsonl could write elsewhere (a link, a folder); None when it cannot."""
    try:
        mode = os.lstat(layout.events_file).st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISREG(mode):
        return None
    return f"{layout.relative(layout.events_file)} is {'a symbolic link' if stat.S_ISLNK(mode) else 'not a file'}"


def check_paths(layout, names, events: bool = False) -> None:
    """Before a commit writes anything. Raises UnsafePath naming the first unsafe name."""
    checked: set = set()
    for rel in [*names, *(["events.jsonl"] if events else [])]:
        problem = log_problem(layout) if rel == "events.jsonl" and events else path_problem(layout, rel, checked)
        if problem:
            raise UnsafePath(f"refusing to write under {layout.data_dir}: {problem}; "
                             "replace the link with a plain folder (see `jit validate`)", {"file": rel})


def problem(layout, journal) -> str | None:
    """What makes a parsed journal untrustworthy (None when jit could have written it)."""
    if isinstance(journal, dict) and "staged" in journal:
        return staged_problem(layout, journal)
    if not isinstance(journal, dict) or set(journal) != {"files", "events"}:
        return "it is not an object with exactly the keys 'files' and 'events'"
    files, events = journal["files"], journal["events"]
    if not isinstance(files, dict) or not isinstance(events, list):
        return "'files' must be an object and 'events' a list"
    checked: set = set()
    for rel, content in files.items():
        if content is not None and not isinstance(content, str):
            return f"the content for {rel!r} is neither text nor null"
        why = path_problem(layout, rel, checked)
        if why:
            return why
    if events and log_problem(layout):
        return log_problem(layout)
    for event in events:
        if not _event_ok(event):
            return "an event is not an object with a string id and type"
    return None


def _event_ok(event) -> bool:
    return isinstance(event, dict) and isinstance(event.get("id"), str) and bool(event["id"]) \
        and isinstance(event.get("type"), str)


# The folder `jit issue import` stages its files in before its commit (storage/staging.py), directly
# under `.jit/`. Named like a temp file, so the `.*.tmp` rule of every `.jit/.gitignore` covers it;
# what it holds is runtime data too (left out of snapshots, never to be tracked).
STAGE = r"\.import-[0-9a-f]{32}\.tmp"
RUNTIME += "|" + STAGE + "/.*"
_STAGED_ISSUE = rf"{_UUID}\.json"


def staged_problem(layout, journal: dict) -> str | None:
    """What makes a staged journal untrustworthy: it may name only a stage folder of jit's pattern
    directly under `.jit/`, reached through no link, holding only regular files named like issue
    files (each to be renamed into issues/, through no link) and a log of well-formed events."""
    stage = journal["staged"]
    if set(journal) != {"staged"} or not isinstance(stage, str) or not re.fullmatch(STAGE, stage):
        return "it does not name exactly one stage folder of jit's (.import-<32 hex digits>.tmp)"
    why = folder_problem(layout, stage) or folder_problem(layout, f"{stage}/issues")
    if why:
        return why
    checked: set = set()
    try:
        entries = os.scandir(layout.path(stage, "issues"))
    except FileNotFoundError:  # every file already moved by the interrupted commit
        entries = None
    if entries is not None:
        with entries:
            for entry in entries:
                if not re.fullmatch(_STAGED_ISSUE, entry.name):
                    return f"{stage}/issues/{entry.name!r} is not a file jit stages"
                if not entry.is_file(follow_symlinks=False):
                    return f"{stage}/issues/{entry.name} is not a regular file"
                why = path_problem(layout, f"issues/{entry.name}", checked)
                if why:
                    return why
    return _staged_events_problem(layout, f"{stage}/events.jsonl")


def _staged_events_problem(layout, rel: str) -> str | None:
    try:
        fd = os.open(layout.path(rel), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"{rel} cannot be opened ({exc.strerror})"
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            return f"{rel} is not a regular file"
        if log_problem(layout):
            return log_problem(layout)
        for line in fh:  # one event at a time: a stage can hold 100,000
            try:
                event = json.loads(line)
            except (ValueError, RecursionError):
                return f"a line of {rel} is not JSON"
            if not _event_ok(event):
                return "an event is not an object with a string id and type"
    return None


def read(layout):
    """The journal a crashed writer left, or None. Raises UntrustedJournal (and OSError)."""
    path = layout.journal_file
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    why = None
    if not stat.S_ISREG(mode):
        why = "it is not a regular file"
    else:
        with open(path, "rb") as fh:
            text = fh.read()
        try:
            journal = json.loads(text)
        except (ValueError, RecursionError):  # jit writes it atomically: never torn, never garbled
            why = "it is not valid JSON"
        else:
            why = problem(layout, journal)
    if why:
        raise UntrustedJournal(
            f"refusing to replay {display(layout)}: {why}, so jit did not write it; inspect it, then delete it "
            f"(rm {path}) to let jit write again", {"file": str(path), "problem": why})
    return journal


def tracked_runtime_files(layout, env=None) -> list:
    """Runtime files under the data folder that git tracks (one `git ls-files`; [] outside git)."""
    from jit.storage.git import Git, GitError

    try:
        proc = Git(layout.data_dir, env).run("ls-files", "-z", "--", ".", check=False)
    except GitError:
        return []
    if proc.returncode != 0:
        return []
    return sorted(rel for rel in proc.stdout.split("\0") if rel and re.fullmatch(RUNTIME, rel))
