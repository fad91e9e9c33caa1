"""`jit import`: restore a `jit export`, or migrate from another tracker with `--from KIND`."""

from jit.cli.parser import command

SOURCES = ("taskwarrior", "beads", "github", "backlog")


def _read(name: str) -> str:
    return "".join(_lines(name))


def _lines(name: str):
    """The file's lines, read as they are needed: a restore of 100,000 issues never holds the text twice."""
    import sys

    from jit.errors import NotFound, UsageError

    try:
        if name == "-":
            for raw in sys.stdin.buffer:
                yield raw.decode("utf-8")
            return
        with open(name, encoding="utf-8") as fh:
            yield from fh
    except IsADirectoryError:
        raise UsageError(f"{name!r} is a folder; only `--from backlog` reads a folder", {"file": name}) from None
    except OSError as exc:
        raise NotFound(f"cannot read {name!r}: {exc.strerror}", {"file": name}) from None
    except ValueError as exc:  # a NUL in the name, or bytes that are not UTF-8
        raise UsageError(f"cannot read {name!r}: {exc}; give a UTF-8 file, or - for stdin", {"file": name}) from None


def import_(ns, out, ctx):
    from jit.errors import UsageError

    if ns.source:
        if ns.merge:
            raise UsageError("--merge applies to restoring a jit export, not to --from; a migration "
                             "updates the issues it created before (matched by context.origin)")
        return _migrate(ns, out, ctx)
    from jit.service.restore import restore

    summary = restore(ctx, _lines(ns.file), merge=ns.merge, dry_run=ns.dry_run)

    def human():
        verb = "would restore" if ns.dry_run else "restored"
        lines = [(f"{verb} {summary['created']} new issue(s), replaced {summary['replaced']}, skipped "
                 f"{summary['skipped']}; {summary['gate_runs']} gate run(s), {summary['events']} event(s); "
                 f"config {summary['config']}")]
        lines += [f"repaired: {r}" for r in summary.get("repaired", [])]
        lines += [f"warning: {p} (see `jit validate`)" for p in summary.get("problems", [])]
        return "\n".join(lines)

    out.emit(summary, human=human, quiet=str(summary["created"] + summary["replaced"]))


def _migrate(ns, out, ctx):
    from jit.service.migrate import migrate

    source = ns.file if ns.source == "backlog" else _read(ns.file)
    summary = migrate(ctx, ns.source, source, dry_run=ns.dry_run)

    def human():
        prefix = "dry run: would have " if ns.dry_run else ""
        lines = [(f"{prefix}created {len(summary['created'])}, updated {len(summary['updated'])}, "
                 f"skipped {len(summary['skipped'])} (from {ns.source})")]
        by_reason: dict = {}
        for item in summary["skipped"]:
            by_reason.setdefault(item["reason"], []).append(item["origin"])
        for reason, origins in by_reason.items():
            shown = ", ".join(origins[:5]) + (f" and {len(origins) - 5} more" if len(origins) > 5 else "")
            lines.append(f"skipped {len(origins)}, {reason}: {shown}")
        for item in summary["cycles"]:
            lines.append(f"cycle broken: {item['message']}")
        for warning in summary["warnings"]:
            lines.append(f"warning: {warning}")
        if ns.dry_run:
            lines += [f"would create {c['origin']} -> {c['state']}: {c['title']}" for c in summary["created"]]
        return "\n".join(lines)

    out.emit(summary, human=human, quiet=[c["id"] for c in summary["created"] + summary["updated"]])


def register(subs, name):
    p = command(subs, "import", "restore a `jit export` (all or nothing; existing ids refused unless --merge), "
                "or migrate from taskwarrior, beads, github or backlog with --from (idempotent)",
                "jit import backup.jsonl\n  task export > tasks.json && jit import --from taskwarrior tasks.json --dry-run",
                import_)
    p.add_argument("file", metavar="FILE", help="the export (- for stdin); for --from backlog, the backlog/ folder")
    p.add_argument("--merge", choices=("skip", "replace"),
                   help="when ids already exist here: keep ours (skip) or take the file's (replace)")
    p.add_argument("--from", dest="source", choices=SOURCES, help="migrate from another tracker's export")
    p.add_argument("--dry-run", action="store_true", help="check everything and report, write nothing")
