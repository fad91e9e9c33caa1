"""`jit events tail`: the audit log, newest last, one readable line per event (`--json` for all data)."""

from jit.cli.parser import command, group
from jit.service import queries
from jit.service.summaries import event_summary


def tail(ns, out, ctx):
    events = queries.events_tail(ctx, ns.n, issue_ref=ns.issue, types=ns.type)

    def human():
        if not events:
            return "(no events)"
        rows = [[e.get("ts", "")[:19].replace("T", " "), e.get("type", ""), (e.get("issue_id") or "-")[:8],
                 e.get("actor", ""), event_summary(e)] for e in events]
        return out.table(["time", "type", "issue", "actor", "what happened"], rows)

    out.emit(events, human=human, quiet=[e["id"] for e in events])


def register(subs, name):
    g = group(subs, "events", "read the audit log", "jit events tail -n 50 --type issue_claimed")
    p = command(g, "tail", "the latest events (oldest first), one line each; --json gives every field",
                "jit events tail -n 20 --issue 0a1b", tail)
    p.add_argument("-n", type=int, default=20, help="how many (0 for all; default 20)")
    p.add_argument("--issue", metavar="ID", help="only this issue's events (a deleted issue's id works too)")
    p.add_argument("--type", action="append", default=[], help="event type, e.g. gate_passed (repeatable)")
