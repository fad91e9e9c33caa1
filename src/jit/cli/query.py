"""`jit query ...`: what agents ask most: what can I work on, and what is stuck."""

from jit.cli.listing import emit_list, filter_flag, page_flags
from jit.cli.parser import command, group
from jit.service import queries


def available(ns, out, ctx):
    emit_list(out, queries.available(ctx, labels=ns.label, priority=ns.priority, filter=ns.filter,
                                     limit=ns.limit, offset=ns.offset))


def blocked(ns, out, ctx):
    def rows(found):
        lines = []
        for entry in found:
            i = entry["issue"]
            lines.append(f"{i.id[:8]}  {out.state(i.state)} {i.title}")
            lines += [f"    {r['reason']}" for r in entry["blocked_by"]]
        return "\n".join(lines) if lines else "(nothing blocked)"

    if ns.limit is None and not ns.offset:  # the whole list: printed as it is built
        found = queries.each_blocked(ctx, filter=ns.filter)  # one check of the files, one pass over the rows
        out.emit_each(found, quiet=lambda entry: entry["issue"].id, human=lambda: rows(found))
        return
    emit_list(out, queries.blocked(ctx, filter=ns.filter, limit=ns.limit, offset=ns.offset), rows)


def state(ns, out, ctx):
    emit_list(out, queries.by_state(ctx, ns.state, limit=ns.limit, offset=ns.offset))


def label(ns, out, ctx):
    emit_list(out, queries.by_label(ctx, ns.pattern, limit=ns.limit, offset=ns.offset))


def claimed(ns, out, ctx):
    from jit.service.held import claimed as held

    found = held(ctx, stale=ns.stale)

    def human():
        if not found:
            return "(nothing held" + (f" longer than {ns.stale} without activity)" if ns.stale else ")")
        return out.table(["id", "state", "holder", "since", "lease until", "last activity", "title"], [
            [r["issue"].id[:8], r["issue"].state, r["holder"], (r["since"] or "-")[:19],
             (r["lease_expires_at"] or "-")[:19], r["last_activity"][:19], r["issue"].title] for r in found])

    out.emit(found, human=human, quiet=[r["issue"].id for r in found])


def register(subs, name):
    g = group(subs, "query", "available work, blocked issues, by state or label", "jit query available --json")
    p = command(g, "available", "ready, unassigned issues whose dependencies are done, best first",
                "jit query available --limit 10 --filter 'priority:high OR label:epic:auth' --json", available)
    p.add_argument("--label", "-l", action="append", default=[],
                   help="only issues with this label, globs allowed, e.g. epic:* (repeatable: all must match)")
    p.add_argument("--priority", "-p", help="critical, high, normal or low")
    filter_flag(p)
    page_flags(p)
    p = command(g, "blocked", "issues held back, with the dependencies or gates blocking them",
                "jit query blocked --limit 20 --json", blocked)
    filter_flag(p)
    page_flags(p, "only the first N")
    p = command(g, "state", "issues in one state", "jit query state in_progress --limit 50", state)
    p.add_argument("state", help="backlog, ready, in_progress, gated, done or rejected")
    page_flags(p, "only the first N")
    p = command(g, "label", "issues with a label (globs such as epic:* allowed)", "jit query label 'epic:*'", label)
    p.add_argument("pattern", help="namespace:value, globs allowed, e.g. epic:*")
    page_flags(p, "only the first N")
    p = command(g, "claimed", "held issues: holder, since when, lease expiry, last activity (least active first)",
                "jit query claimed --stale 2h", claimed)
    p.add_argument("--stale", metavar="DURATION", help="only those untouched for longer, e.g. 30m, 2h, 1d")
