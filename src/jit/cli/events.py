"""`jit events tail`: the audit log, newest last, one readable line per event (`--json` for all data)."""

from jit.cli.parser import command, group
from jit.service import queries
from jit.service.summaries import event_summary


def tail(ns, out, ctx):
    from jit.cli.listing import emit_list

    found = queries.events_tail(ctx, ns.n, issue_ref=ns.issue, types=ns.type, filter=ns.filter,
                                limit=ns.limit, offset=ns.offset)

    def human(events):
        if not events:
            return "(no events)"
        rows = [[e.get("ts", "")[:19].replace("T", " "), e.get("type", ""), (e.get("issue_id") or "-")[:8],
                 e.get("actor", ""), event_summary(e)] for e in events]
        return out.table(["time", "type", "issue", "actor", "what happened"], rows)

    emit_list(out, found, human)


def register(subs, name):
    g = group(subs, "events", "read the audit log", "jit events tail -n 50 --type issue_claimed")
    p = command(g, "tail", "the latest events (oldest first), one line each; --json gives every field",
                "jit events tail -n 20 --issue 0a1b", tail)
    p.add_argument("-n", type=int, default=20, help="how many (0 for all; default 20)")
    p.add_argument("--issue", metavar="ID", help="only this issue's events (a deleted issue's id works too)")
    p.add_argument("--type", action="append", default=[], help="event type, e.g. gate_passed (repeatable)")
    p.add_argument("--filter", "-f", metavar="EXPR", help="only events of issues matching it, e.g. 'label:epic:*'")
    p.add_argument("--limit", type=int, help="at most N of the latest (says how many matched)")
    p.add_argument("--offset", type=int, default=0, help="skip the N latest (with --limit: an older page)")
