"""`jit prime`: everything an agent starting a fresh session needs, in one short answer.

Agents lose their context between sessions; this briefing restores it: how the
workflow goes (with the exact commands), what the caller already holds (lease
and latest comment), the best ready work and how much is blocked or gated.
It must stay small whatever the store's size (it is pasted into a model's
context: under 6,000 bytes as text and as JSON), and fast at 100,000 issues,
so it reads only index answers: counts, the first N available, held issues
by state. Titles and comments are clipped by UTF-8 bytes, lists are capped,
and a last pass drops items until both forms fit.
"""

BUDGET = 6000
TOP = 10
MAX_CLAIMS = 5
TITLE_BYTES = 90
COMMENT_BYTES = 200
MAX_ACTOR = 200


def clip(text: str, limit: int) -> str:
    """At most `limit` UTF-8 bytes, cut at a character boundary, one line, "…" when cut."""
    text = " ".join((text or "").split())
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    return raw[: limit - 3].decode("utf-8", "ignore") + "…"


def workflow(actor: str | None) -> list:
    who = actor or "agent:NAME"
    return [
        f"find:    jit issue claim-next {who} --ttl 1800 --json   (or look first: jit query available)",
        "claim:   jit issue claim ID " + who + " --ttl 1800   (renew while working: jit issue heartbeat ID)",
        "context: jit issue show ID   (description, comments, gates, children)",
        "gates:   jit gate check-all ID; jit gate pass ID KEY   (done stays gated until every gate passes)",
        'done:    jit issue done ID --summary "what changed and how it was checked"',
        'note:    jit issue comment ID "what the next agent must know"   (hand-offs, dead ends)',
        'stuck:   jit issue release ID, or jit issue reject ID --reason "why"',
    ]


def seconds_until(stamp: str, now_ns: int) -> float:
    """Seconds from now to an RFC 3339 UTC stamp of jit's fixed-width form."""
    import calendar
    import time

    whole = calendar.timegm(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S"))
    fraction = float("0" + stamp[19:].rstrip("Z")) if stamp[19:20] == "." else 0.0
    return whole + fraction - now_ns / 1e9


def _lease_state(issue, now_ns: int) -> str:
    lease = issue.lease if isinstance(issue.lease, dict) else None
    if not lease or not lease.get("expires_at"):
        return "no lease"
    try:
        left = seconds_until(lease["expires_at"], now_ns)
    except ValueError:
        return "lease unreadable"
    if left <= 0:
        return "lease expired"
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if left >= size:
            return f"lease {int(left // size)}{unit} left"
    return f"lease {int(left)}s left"


def _claim(issue, now_ns: int) -> dict:
    latest = issue.comments[-1] if issue.comments else None
    return {
        "id": issue.id, "title": clip(issue.title, TITLE_BYTES), "state": issue.state,
        "lease": _lease_state(issue, now_ns),
        "latest_comment": {"by": latest["by"], "at": latest["at"], "text": clip(latest["text"], COMMENT_BYTES)}
        if latest else None,
    }


def briefing(ctx, actor: str | None = None) -> dict:
    """The briefing as data (`jit prime --json`) for `actor` (default: --actor / JIT_ACTOR);
    `render` gives the text form of the same data. Raises UsageError for a malformed actor."""
    from jit.domain.model import check_assignee
    from jit.service.held import held_issues
    from jit.service.queries import available, status

    actor = actor or ctx.explicit_actor
    if actor:
        check_assignee(actor)
        if len(actor.encode("utf-8")) > MAX_ACTOR:  # it is repeated in the commands; the budget must hold
            from jit.errors import UsageError

            raise UsageError(f"actor is {len(actor.encode('utf-8'))} bytes; jit prime takes at most {MAX_ACTOR}",
                             {"actor": actor[:40]})
    ctx.one_view()  # four queries, one check of the files
    try:
        counts = status(ctx)
        top = available(ctx, limit=TOP)
        mine = held_issues(ctx, actor) if actor else []
    finally:
        ctx.one_view(False)
    now_ns = ctx.clock.now_ns()
    mine.sort(key=lambda i: i.updated_at or "", reverse=True)
    data = {
        "actor": actor,
        "workflow": workflow(actor),
        "claims": [_claim(i, now_ns) for i in mine[:MAX_CLAIMS]],
        "claims_total": len(mine),
        "ready": [{"id": i.id, "priority": i.priority, "title": clip(i.title, TITLE_BYTES)} for i in top],
        "ready_total": counts["available"],
        "counts": {"blocked": counts["backlog"], "gated": counts["gated"], "in_progress": counts["in_progress"],
                   "done": counts["done"], "total": counts["total"]},
    }
    return fit(data)


def fit(data: dict) -> dict:
    """Drop the last listed items until text and JSON are both under the budget."""
    from jit.service.serialize import dumps

    while len(dumps(data).encode("utf-8")) >= BUDGET or len(render(data).encode("utf-8")) >= BUDGET:
        longer = "ready" if len(data["ready"]) >= len(data["claims"]) else "claims"
        if not data[longer]:
            break
        data[longer].pop()
    return data


def render(data: dict) -> str:
    """The briefing as text for people and for an MCP prompt."""
    actor = data["actor"]
    lines = ["# jit briefing" + (f" for {actor}" if actor else ""), "", "Workflow:"]
    lines += [f"  {line}" for line in data["workflow"]]
    lines.append("")
    if not actor:
        lines.append("Your claims: unknown; set JIT_ACTOR=agent:NAME (or pass --actor) to see them.")
    elif not data["claims"]:
        lines.append("Your claims: none.")
    else:
        shown = len(data["claims"])
        total = data["claims_total"]
        lines.append(f"Your claims ({shown} of {total} shown):" if total > shown else f"Your claims ({total}):")
        for c in data["claims"]:
            lines.append(f"  {c['id'][:8]}  {c['state']:<11} {c['lease']:<15} {c['title']}")
            if c["latest_comment"]:
                lc = c["latest_comment"]
                lines.append(f"      last note by {lc['by']}: {lc['text']}")
    lines.append("")
    total = data["ready_total"]
    if data["ready"]:
        shown = len(data["ready"])
        lines.append(f"Ready to claim ({shown} of {total:,} shown):" if total > shown else f"Ready to claim ({total}):")
        lines += [f"  {r['id'][:8]}  {r['priority']:<8} {r['title']}" for r in data["ready"]]
    else:
        lines.append("Ready to claim: nothing" + (f" shown ({total:,} available)" if total else "."))
    c = data["counts"]
    lines += ["", (f"Blocked by dependencies: {c['blocked']:,}; gated (waiting for gates): {c['gated']:,}; "
                   f"in progress: {c['in_progress']:,}; done: {c['done']:,} of {c['total']:,}.")]
    return "\n".join(lines) + "\n"
