"""`jit export` and `jit snapshot`: the whole store out, as a stream or a checked archive."""

from jit.cli.parser import command


def _output(path: str, what: str) -> str:
    """A file to write: not empty, not a folder. Raises UsageError."""
    import os

    from jit.errors import UsageError

    if not path.strip() or os.path.isdir(path):
        raise UsageError(f"-o needs a file name for the {what}, e.g. -o backup.{'tar.gz' if what == 'snapshot' else 'jsonl'}"
                         + (f"; {path!r} is a folder" if path.strip() else ""), {"output": path})
    return path


def export(ns, out, ctx):
    import sys

    from jit.service.export import export_to_path, write_export

    shown = []

    def progress(done, total):
        if total >= 5000 and sys.stderr.isatty():
            out.stderr.write(f"\rexported {done:,} of {total:,} issues")
            out.stderr.flush()
            shown.append(done)

    if ns.output in (None, "-"):
        write_export(ctx, out.stdout, events=ns.events, progress=progress)
        out.stdout.flush()
    else:
        counts = export_to_path(ctx, _output(ns.output, "export"), events=ns.events, progress=progress)
    if shown:
        out.stderr.write("\n")
    if ns.output in (None, "-"):
        return 0
    data = {"path": ns.output, **counts}
    events = f", {counts['events']} event(s)" if counts["events"] is not None else ""
    out.emit(data, human=f"exported {counts['issues']} issue(s), {counts['gate_runs']} gate run(s){events} "
                         f"to {ns.output}", quiet=ns.output)


def snapshot(ns, out, ctx):
    from jit.errors import REFUSED, UsageError

    words = list(ns.words)
    if words and words[0] == "verify":
        if len(words) != 2 or ns.output or not words[1].strip():
            raise UsageError("usage: jit snapshot verify FILE.tar.gz (see `jit snapshot --help`)")
        from jit.service.snapshot import verify_snapshot

        report = verify_snapshot(words[1])
        human = "\n".join(report["problems"] + [
            f"ok: {report['files']} file(s) match the manifest" if report["ok"]
            else f"{len(report['problems'])} problem(s) found"])
        out.emit(report, human=human, quiet=report["problems"])
        return 0 if report["ok"] else REFUSED
    if words:
        raise UsageError(f"unknown snapshot action {words[0]!r}; use `jit snapshot [-o FILE]` or "
                         "`jit snapshot verify FILE`", {"action": words[0]})
    from jit.service.context import open_repo
    from jit.service.snapshot import take_snapshot

    if ns.output is not None:
        _output(ns.output, "snapshot")
    ctx = open_repo(actor=ns.actor, warn=out.warn)
    try:
        path = ns.output or "jit-snapshot-" + ctx.now()[:19].replace(":", "-") + "Z.tar.gz"
        result = take_snapshot(ctx, path)
    finally:
        ctx.close()
    out.emit(result, human=f"snapshot of {result['files']} file(s) written to {result['path']}",
             quiet=result["path"])


def register(subs, name):
    if name == "export":
        p = command(subs, "export", "write the whole store as JSON Lines (header, issues, gate runs, "
                    "optionally events): a full-fidelity backup that `jit import` restores",
                    "jit export --events -o backup.jsonl", export)
        p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
        p.add_argument("--events", action="store_true", help="include the event log")
    elif name == "snapshot":
        p = command(subs, "snapshot", "archive .jit/ as a .tar.gz with a SHA-256 manifest (runtime files "
                    "left out), or check one with `jit snapshot verify FILE`",
                    "jit snapshot -o backup.tar.gz && jit snapshot verify backup.tar.gz", snapshot,
                    needs_repo=False)
        p.add_argument("words", nargs="*", metavar="verify FILE", help="check an archive against its manifest")
        p.add_argument("-o", "--output", metavar="FILE.tar.gz",
                       help="where to write (default: jit-snapshot-<time>.tar.gz here)")
