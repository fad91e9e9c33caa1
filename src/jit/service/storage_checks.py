"""The storage half of `jit validate`: what could make jit write in the wrong place or lose events.

A journal jit did not write (left for a person: never replayed, never deleted here),
folders under `.jit/` that are symbolic links, unreadable lines in `events.jsonl`
(`--fix` moves them to `.jit/events.unreadable.log`, keeping every whole event), and
runtime files that git tracks (a clone would carry them to every other machine).
"""

from jit.storage import journal as journals
from jit.storage.events import SIDE_FILE, EventLog

_FOLDERS = ("issues", "gate-runs", "presets")


def _problem(kind, message, fix, fixable=False, **extra):
    return {"kind": kind, "id": None, "message": message, "fix": fix, "fixable": fixable, **extra}


def check(ctx) -> list:
    layout = ctx.layout
    problems = []
    try:
        journals.read(layout)
    except journals.UntrustedJournal as exc:
        problems.append(_problem("untrusted_journal", exc.message, f"inspect it, then `rm {layout.journal_file}`",
                                 file=exc.details["file"]))
    for folder in _FOLDERS:
        why = journals.folder_problem(layout, folder)
        if why:
            problems.append(_problem("unsafe_path", why, f"replace {layout.path(folder)} with a plain folder"))
    bad = EventLog(layout).unreadable()
    if bad:
        numbers = ", ".join(str(n) for n, _ in bad[:20]) + (" ..." if len(bad) > 20 else "")
        problems.append(_problem(
            "unreadable_events", f"events.jsonl line(s) {numbers} are not JSON events (readers skip them)",
            f"move them to .jit/{SIDE_FILE} (--fix; whole events glued to them are kept)", True,
            lines=[n for n, _ in bad]))
    for rel in journals.tracked_runtime_files(layout, ctx.env):
        problems.append(_problem("tracked_runtime_file", f"git tracks .jit/{rel}, a runtime file that "
                                 "must not travel with the repository",
                                 f"`git rm --cached .jit/{rel}` and commit", file=rel))
    return problems


def fix(ctx, problems) -> list:
    """Repair what check() found and is safe to repair, under the lock."""
    if not any(p["kind"] == "unreadable_events" for p in problems):
        return []
    with ctx.transaction():
        moved = EventLog(ctx.layout).fix_unreadable()
    return [f"moved {moved} unreadable line(s) of events.jsonl to .jit/{SIDE_FILE}"] if moved else []
