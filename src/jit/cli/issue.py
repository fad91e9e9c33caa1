"""`jit issue ...`: the life of one issue, from create to done."""

from jit.cli.holders import holder_flags
from jit.cli.listing import emit_list, filter_flag, page_flags
from jit.cli.parser import command, group, positive_number
from jit.service import claims, issues


def _show(out, issue, quiet=None):
    out.emit(issue, human=lambda: out.issue_detail(issue), quiet=quiet if quiet is not None else issue.id)


def _list(out, found):
    out.emit(found, human=lambda: out.issue_rows(found), quiet=lambda: [i.id for i in found])


def _context(pairs):
    """--context KEY=VALUE pairs; a VALUE that parses as JSON (a number, true, a list) keeps its type."""
    if not pairs:
        return None
    import json

    from jit.errors import UsageError

    found = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--context {pair!r} must look like KEY=VALUE, e.g. --context branch=feat/login",
                             {"context": pair})
        try:
            found[key.strip()] = json.loads(raw)
        except ValueError:
            found[key.strip()] = raw
    return found


def create(ns, out, ctx):
    from jit.cli.texts import description, title

    issue = issues.create_issue(ctx, title(ns), description=description(ns) or "", priority=ns.priority,
                                labels=ns.label, gates=ns.gate, deps=ns.dep, assignee=ns.assignee,
                                context=_context(ns.context), parent=ns.parent)
    out.emit(issue, human=lambda: f"created {issue.id[:8]} ({issue.state}): {issue.title}", quiet=issue.id)


def show(ns, out, ctx):
    from jit.cli.texts import detail

    found = issues.show_issues(ctx, ns.id)
    data = found[0] if len(ns.id) == 1 else found
    out.emit(data, human=lambda: "\n\n".join(detail(out, ctx, i) for i in found), quiet=[i.id for i in found])


def list_(ns, out, ctx):
    from jit.service import queries

    emit_list(out, queries.list_issues(ctx, state=ns.state, labels=ns.label, assignee=ns.assignee,
                                       priority=ns.priority, parent=ns.parent, filter=ns.filter,
                                       limit=ns.limit, offset=ns.offset))


def search(ns, out, ctx):
    from jit.service import queries

    emit_list(out, queries.search(ctx, ns.text, regex=ns.regex, filter=ns.filter, limit=ns.limit,
                                  offset=ns.offset))


def update(ns, out, ctx):
    from jit.cli.texts import description

    if ns.filter is not None or ns.id is None:
        return _bulk_update(ns, out, ctx)
    issue = issues.update_issue(ctx, ns.id, title=ns.title, description=description(ns), priority=ns.priority,
                                state=ns.state, add_labels=ns.add_label, remove_labels=ns.remove_label,
                                context=_context(ns.context), parent=ns.parent, no_parent=ns.no_parent)
    out.emit(issue, human=lambda: f"updated {issue.id[:8]} ({issue.state}): {issue.title}", quiet=issue.id)


def _bulk_update(ns, out, ctx):
    from jit.errors import UsageError
    from jit.service.bulk import bulk_update

    if ns.id is not None or ns.filter is None:
        raise UsageError("give an issue id or --filter EXPR, not both (or neither)", {"id": ns.id})
    single = [f for f in ("title", "description", "description_file", "parent") if getattr(ns, f, None)]
    if single or ns.context or ns.no_parent:
        raise UsageError("with --filter only --add-label, --remove-label, --priority and --state apply",
                         {"flags": single})
    report = bulk_update(ctx, ns.filter, add_labels=ns.add_label, remove_labels=ns.remove_label,
                         priority=ns.priority, state=ns.state, dry_run=ns.dry_run)

    def human():
        if report["dry_run"]:
            lines = [f"{w['id'][:8]}  {w['title']}: " + (", ".join(
                f"{k} {v['from']} -> {v['to']}" for k, v in w["changes"].items()) or "nothing to change")
                for w in report["would"]]
            return "\n".join([*lines, f"{report['matched']:,} matched (dry run: nothing changed)"])
        lines = [f"skipped {s['id'][:8]}: {s['reason']}" for s in report["skipped"]]
        counts = f"{len(report['changed']):,} changed, {len(report['skipped']):,} skipped of {report['matched']:,} matched"
        return "\n".join([*lines, counts])

    out.emit(report, human=human, quiet=lambda: report["changed"])


def done(ns, out, ctx):
    issue = issues.done_issue(ctx, ns.id, summary=ns.summary, force=ns.force, reason=ns.reason)
    waiting = ", ".join(issue.unpassed_gates())
    out.emit(issue, quiet=issue.id, human=lambda: f"{issue.id[:8]} is {issue.state}"
             + (f": waiting for gate(s) {waiting}" if issue.state == "gated" else ""))


def reject(ns, out, ctx):
    issue = issues.reject_issue(ctx, ns.id, ns.reason)
    out.emit(issue, human=lambda: f"rejected {issue.id[:8]}: {issue.title}", quiet=issue.id)


def reopen(ns, out, ctx):
    issue = issues.reopen_issue(ctx, ns.id, ns.reason)
    out.emit(issue, human=lambda: f"reopened {issue.id[:8]} ({issue.state}): {issue.title}", quiet=issue.id)


def comment(ns, out, ctx):
    from jit.cli.texts import read_stdin
    from jit.service.comments import comment_issue

    issue = comment_issue(ctx, ns.id, read_stdin() if ns.text == "-" else ns.text)
    out.emit(issue, human=lambda: f"commented on {issue.id[:8]} ({len(issue.comments)} comment(s))",
             quiet=issue.id)


def delete(ns, out, ctx):
    issue = issues.delete_issue(ctx, ns.id, force=ns.force)
    out.emit(issue, human=lambda: f"deleted {issue.id[:8]}: {issue.title}",
             quiet=issue.id)


def import_(ns, out, ctx):
    import sys

    from jit.service.importer import import_stream

    if ns.file == "-":
        stream = sys.stdin.buffer
    else:
        try:
            stream = open(ns.file, "rb")
        except OSError as exc:
            from jit.errors import NotFound

            raise NotFound(f"cannot read {ns.file!r}: {exc.strerror}", {"file": ns.file}) from None
        except ValueError as exc:  # a NUL in the name
            from jit.errors import UsageError

            raise UsageError(f"cannot read {ns.file!r}: {exc}; give a JSON Lines file, or - for stdin",
                             {"file": ns.file}) from None

    def checked(lines):
        if lines >= 1000 and out.stderr.isatty():
            out.note(f"checked {lines:,} lines; writing them all at once ...")

    keep = "issues" if out.json else "ids" if out.quiet else None
    try:
        with import_stream(ctx, stream, ns.file, on_checked=checked, keep=keep) as created:
            out.emit_each(created, human=lambda: f"imported {created.count} issue(s)", quiet=lambda i: i.id)
    finally:
        if ns.file != "-":
            stream.close()


def claim(ns, out, ctx):
    from jit.service import remote_claims

    issue = remote_claims.claim(ctx, ns.id, ns.assignee, ttl=ns.ttl, sync=ns.sync)
    out.emit(issue, human=lambda: f"claimed {issue.id[:8]} for {issue.assignee}: {issue.title}", quiet=issue.id)


def claim_next(ns, out, ctx):
    from jit.errors import NothingAvailable

    try:
        from jit.service import remote_claims

        issue = remote_claims.claim_next(ctx, ns.assignee, labels=ns.label, priority=ns.priority, ttl=ns.ttl, sync=ns.sync,
                                filter=ns.filter)
    except NothingAvailable as exc:
        # Agents loop until this: `null` on stdout, a line on stderr, exit 3.
        if out.json:
            out.stdout.write("null\n")
        out.stderr.write(f"{exc.message}\n")
        return exc.exit_code
    out.emit(issue, human=lambda: f"claimed {issue.id[:8]} for {issue.assignee}: {issue.title}", quiet=issue.id)


def release(ns, out, ctx):
    issue = claims.release(ctx, ns.id, force=ns.force, reason=ns.reason)
    out.emit(issue, human=lambda: f"released {issue.id[:8]} ({issue.state})", quiet=issue.id)


def assign(ns, out, ctx):
    issue = claims.assign(ctx, ns.id, ns.assignee)
    out.emit(issue, human=lambda: f"assigned {issue.id[:8]} to {issue.assignee} ({issue.state})", quiet=issue.id)


def unassign(ns, out, ctx):
    issue = claims.unassign(ctx, ns.id)
    out.emit(issue, human=lambda: f"unassigned {issue.id[:8]} ({issue.state})", quiet=issue.id)


def heartbeat(ns, out, ctx):
    from jit.service import remote_claims

    issue = remote_claims.heartbeat(ctx, ns.id, ttl=ns.ttl, force=ns.force, reason=ns.reason)
    out.emit(issue, human=lambda: f"lease of {issue.id[:8]} renewed until {issue.lease['expires_at']}",
             quiet=issue.id)


def _description_flags(p, default=""):
    p.add_argument("--description", "-d", default=default, help="markdown text, or - to read it from stdin")
    p.add_argument("--description-file", metavar="FILE", help="read the description from FILE")


def _sync_flag(p):
    import argparse

    p.add_argument("--sync", action=argparse.BooleanOptionalAction, default=None,
                   help="grant the claim only once it is pushed to the git remote (default: on when "
                   "config.toml sets [sync] remote); see `jit sync`")


def register(subs, name):
    g = group(subs, "issue", "create, show, list, update, claim and finish issues",
              'jit issue create --title "Add login form" --label epic:auth')
    p = command(g, "create", "create an issue (ready, or backlog while a dependency is unfinished)",
                'jit issue create "Add login form" --priority high --label type:task --dep 0a1b --parent 9f8e',
                create)
    p.add_argument("title_arg", nargs="?", metavar="TITLE", help="the title (or --title)")
    p.add_argument("--title", help="the issue's title (one line)")
    _description_flags(p)
    p.add_argument("--parent", help="id of the issue this one belongs to (an epic)")
    p.add_argument("--priority", "-p", help="critical, high, normal (default) or low")
    p.add_argument("--label", "-l", action="append", default=[], help="namespace:value (repeatable)")
    p.add_argument("--gate", "-g", action="append", default=[], help="required gate key (repeatable)")
    p.add_argument("--dep", action="append", default=[], help="id this issue depends on (repeatable)")
    p.add_argument("--assignee", help="type:identifier, e.g. agent:worker-1")
    p.add_argument("--context", "-c", action="append", default=[], metavar="KEY=VALUE",
                   help="free metadata for agents (repeatable; JSON values keep their type)")

    p = command(g, "show", "show issues with comments, resolution and children (several ids: a JSON array)",
                "jit issue show 0a1b2c3d 9f8e --json", show)
    p.add_argument("id", nargs="+", help="one or more issues (ids or unique prefixes); several give a JSON array")
    p = command(g, "list", "list issues, filtered", "jit issue list --state ready --label epic:auth", list_)
    p.add_argument("--parent", help="only the children of this issue")
    p.add_argument("--state", help="backlog, ready, in_progress, gated, done or rejected")
    p.add_argument("--label", "-l", action="append", default=[], help="label or glob such as epic:*")
    p.add_argument("--assignee", help="type:identifier, e.g. agent:worker-1 (globs in filters)")
    p.add_argument("--priority", "-p", help="critical, high, normal or low")
    filter_flag(p)
    page_flags(p, "only the first N")
    p = command(g, "search", "find issues by words in titles, descriptions and comments (title hits first)",
                'jit issue search "login page" --limit 10', search)
    p.add_argument("text", help='words (all must match), "a phrase", a prefix* or an id prefix')
    p.add_argument("--regex", action="store_true", help="TEXT is a regular expression (scans every issue)")
    filter_flag(p)
    page_flags(p, "only the first N")

    p = command(g, "update", "change fields or ask for a state (done becomes gated until gates pass)",
                "jit issue update 0a1b --priority critical --add-label area:api --state done", update)
    p.add_argument("id", nargs="?", help="the issue (or --filter EXPR for every match)")
    p.add_argument("--filter", "-f", metavar="EXPR",
                   help="change every matching issue, e.g. --filter 'label:epic:auth state:backlog' --add-label x")
    p.add_argument("--dry-run", action="store_true", help="with --filter: list what would change")
    p.add_argument("--title", help="the issue's title (one line)")
    _description_flags(p, default=None)
    p.add_argument("--priority", "-p", help="critical, high, normal or low")
    p.add_argument("--state", help="backlog, ready, in_progress, gated, done or rejected")
    p.add_argument("--add-label", action="append", default=[], help="add a namespace:value label (repeatable)")
    p.add_argument("--remove-label", action="append", default=[], help="remove a label (repeatable)")
    p.add_argument("--context", "-c", action="append", default=[], metavar="KEY=VALUE",
                   help="merged into the issue's context (repeatable)")
    p.add_argument("--parent", help="make it a child of this issue (cycles are refused)")
    p.add_argument("--no-parent", action="store_true", help="clear its parent link")
    p = command(g, "done", "finish an issue: done if every gate passed, else gated",
                'jit issue done 0a1b --summary "parser handles nested lists; tests added"', done)
    p.add_argument("id", help="the issue: its id or a unique prefix (4+ hex characters)")
    p.add_argument("--summary", "-m", help="what was done, kept on the issue as its resolution")
    holder_flags(p, "finish it")
    p = command(g, "reject", "close an issue as rejected (bypasses gates)",
                'jit issue reject 0a1b --reason "duplicate of 9f8e"', reject)
    p.add_argument("id", help="the issue: its id or a unique prefix (4+ hex characters)")
    p.add_argument("--reason", "-m", help="why, kept on the issue as its resolution")
    p = command(g, "reopen", "bring a done or rejected issue back (ready, or backlog by its dependencies)",
                'jit issue reopen 0a1b --reason "fails on empty input"', reopen)
    p.add_argument("id", help="the issue: its id or a unique prefix (4+ hex characters)")
    p.add_argument("--reason", "-m", help="why, kept in the issue_reopened event")
    p = command(g, "comment", "leave a note on an issue for the next agent or person",
                'jit issue comment 0a1b "tried X, it breaks Y; next: Z"   # or: ... 0a1b - < notes.md', comment)
    p.add_argument("id", help="the issue: its id or a unique prefix (4+ hex characters)")
    p.add_argument("text", help="the comment, or - to read it from stdin")
    p = command(g, "delete", "delete an issue (refused while others depend on it)", "jit issue delete 0a1b --force",
                delete)
    p.add_argument("id", help="the issue: its id or a unique prefix (4+ hex characters)")
    p.add_argument("--force", action="store_true", help="also drop the dependencies others have on it")
    p = command(g, "import", "create many issues from JSON Lines, all or nothing",
                "jit issue import plan.jsonl --json   # or: cat plan.jsonl | jit issue import -", import_)
    p.add_argument("file", help="JSON Lines file, or - for stdin")

    p = command(g, "claim", "atomically claim a ready issue (exactly one racing claimer wins)",
                "jit issue claim 0a1b agent:worker-1 --ttl 600", claim)
    p.add_argument("id", help="the issue: its id or a unique prefix (4+ hex characters)")
    p.add_argument("assignee", help="type:identifier, e.g. agent:worker-1")
    p.add_argument("--ttl", type=positive_number, help="lease in seconds; renew with `jit issue heartbeat`")
    _sync_flag(p)
    p = command(g, "claim-next", "claim the best available issue (priority, then age); exit 3 when none",
                "jit issue claim-next agent:worker-1 --label epic:auth --json", claim_next)
    p.add_argument("assignee", help="who takes it: type:identifier, e.g. agent:worker-1 or human:ana")
    p.add_argument("--label", "-l", action="append", default=[],
                   help="only issues with this label, globs allowed, e.g. epic:* (repeatable: all must match)")
    p.add_argument("--priority", "-p", help="critical, high, normal or low")
    filter_flag(p)
    p.add_argument("--ttl", type=positive_number,
                   help="lease in seconds: the claim expires unless renewed by heartbeat (default: config lease_ttl)")
    _sync_flag(p)
    p = command(g, "release", "give a claimed issue back (ready, unassigned)", "jit issue release 0a1b", release)
    p.add_argument("id", help="the issue: its id or a unique prefix (4+ hex characters)")
    holder_flags(p, "release it")
    p = command(g, "assign", "assign an issue (a person's override; a ready issue starts)",
                "jit issue assign 0a1b human:ana", assign)
    p.add_argument("id", help="the issue: its id or a unique prefix (4+ hex characters)")
    p.add_argument("assignee", help="who takes it: type:identifier, e.g. agent:worker-1 or human:ana")
    p = command(g, "unassign", "clear the assignee (an in-progress issue goes back to ready)",
                "jit issue unassign 0a1b", unassign)
    p.add_argument("id", help="the issue: its id or a unique prefix (4+ hex characters)")
    p = command(g, "heartbeat", "renew the lease of a claimed issue", "jit issue heartbeat 0a1b --ttl 600",
                heartbeat)
    p.add_argument("id", help="the issue: its id or a unique prefix (4+ hex characters)")
    p.add_argument("--ttl", type=positive_number,
                   help="lease in seconds: the claim expires unless renewed by heartbeat (default: config lease_ttl)")
    holder_flags(p, "renew the lease")
