"""`jit events tail`: the audit log, newest last."""

from jit.cli.parser import command, group
from jit.service import queries


def tail(ns, out, ctx):
    events = queries.events_tail(ctx, ns.n, issue_ref=ns.issue, types=ns.type)

    def human():
        if not events:
            return "(no events)"
        rows = [[e.get("ts", "")[:19].replace("T", " "), e.get("type", ""), (e.get("issue_id") or "-")[:8],
                 e.get("actor", ""), _summary(e.get("data") or {})] for e in events]
        return out.table(["time", "type", "issue", "actor", "data"], rows)

    out.emit(events, human=human, quiet=[e["id"] for e in events])


def _summary(data: dict) -> str:
    if "from" in data and "to" in data:
        return f"{data['from']} -> {data['to']}"
    text = ", ".join(f"{k}={v}" for k, v in data.items() if not isinstance(v, (dict, list)))
    return text[:60]


def register(subs, name):
    g = group(subs, "events", "read the audit log", "jit events tail -n 50 --type issue_claimed")
    p = command(g, "tail", "the latest events (oldest first)", "jit events tail -n 20 --issue 0a1b", tail)
    p.add_argument("-n", type=int, default=20, help="how many (0 for all)")
    p.add_argument("--issue")
    p.add_argument("--type", action="append", default=[], help="event type (repeatable)")
