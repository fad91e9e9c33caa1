"""`jit query ...`: what agents ask most: what can I work on, and what is stuck."""

from jit.cli.parser import command, group
from jit.service import queries


def _list(out, found):
    out.emit(found, human=lambda: out.issue_rows(found), quiet=lambda: [i.id for i in found])


def available(ns, out, ctx):
    _list(out, queries.available(ctx, labels=ns.label, priority=ns.priority, limit=ns.limit))


def blocked(ns, out, ctx):
    found = queries.blocked(ctx)

    def human():
        if not found:
            return "(nothing blocked)"
        lines = []
        for entry in found:
            i = entry["issue"]
            lines.append(f"{i.id[:8]}  {out.state(i.state)} {i.title}")
            lines += [f"    {r['reason']}" for r in entry["blocked_by"]]
        return "\n".join(lines)

    out.emit(found, human=human, quiet=[e["issue"].id for e in found])


def state(ns, out, ctx):
    _list(out, queries.by_state(ctx, ns.state))


def label(ns, out, ctx):
    _list(out, queries.by_label(ctx, ns.pattern))


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
                "jit query available --label epic:auth --priority high --json", available)
    p.add_argument("--label", "-l", action="append", default=[])
    p.add_argument("--priority", "-p")
    p.add_argument("--limit", "-n", type=int, help="only the first N (the best N to work on)")
    command(g, "blocked", "issues held back, with the dependencies or gates blocking them",
            "jit query blocked --json", blocked)
    p = command(g, "state", "issues in one state", "jit query state in_progress", state)
    p.add_argument("state")
    p = command(g, "label", "issues with a label (globs such as epic:* allowed)", "jit query label 'epic:*'", label)
    p.add_argument("pattern")
    p = command(g, "claimed", "held issues: holder, since when, lease expiry, last activity (least active first)",
                "jit query claimed --stale 2h", claimed)
    p.add_argument("--stale", metavar="DURATION", help="only those untouched for longer, e.g. 30m, 2h, 1d")
