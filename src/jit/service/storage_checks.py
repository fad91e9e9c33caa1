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
    repeated = EventLog(layout).duplicates()
    if repeated:
        numbers = ", ".join(str(n) for n in repeated[:20]) + (" ..." if len(repeated) > 20 else "")
        problems.append(_problem(
            "duplicate_events", f"events.jsonl line(s) {numbers} repeat an event already in the log",
            "remove the repeats (--fix keeps the first of each id); `jit git setup` merges the log by id",
            True, lines=repeated))
    for rel in journals.tracked_runtime_files(layout, ctx.env):
        problems.append(_problem("tracked_runtime_file", f"git tracks .jit/{rel}, a runtime file that "
                                 "must not travel with the repository",
                                 f"`git rm --cached .jit/{rel}` and commit", file=rel))
    return problems


def fix(ctx, problems) -> list:
    """Repair what check() found and is safe to repair, under the lock."""
    kinds = {p["kind"] for p in problems}
    if not kinds & {"unreadable_events", "duplicate_events"}:
        return []
    fixed = []
    with ctx.transaction():
        log = EventLog(ctx.layout)
        moved = log.fix_unreadable() if "unreadable_events" in kinds else 0
        dropped = log.drop_duplicates() if "duplicate_events" in kinds else 0
    if moved:
        fixed.append(f"moved {moved} unreadable line(s) of events.jsonl to .jit/{SIDE_FILE}")
    if dropped:
        fixed.append(f"removed {dropped} repeated event line(s) from events.jsonl")
    return fixed
