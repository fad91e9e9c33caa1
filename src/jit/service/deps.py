"""Dependencies and the graph views (SPEC section 4).

Cycle refusal runs under the repository lock against a freshly checked
index, so two concurrent `dep add` calls cannot together close a cycle.
"""

from jit.domain import graph
from jit.domain.model import DONE, READY, TERMINAL
from jit.errors import Refused
from jit.service.flow import settle


def add_dependency(ctx, from_ref, to_ref):
    """FROM depends on TO. Raises Refused for self-edges and cycles (with the cycle in details)."""
    src, dst = ctx.resolve(from_ref), ctx.resolve(to_ref)
    with ctx.transaction() as tx:
        if src == dst:
            graph.check_new_edge({}, src, dst)
        issue = tx.load(src)
        target = tx.load(dst)
        if dst in issue.dependencies:
            return issue
        graph.check_new_edge(ctx.index().deps_map(), src, dst)
        if issue.state in TERMINAL:
            raise Refused(f"{issue.short_id} is {issue.state}; its dependencies are closed", {"id": src})
        after = issue.replace(dependencies=issue.dependencies + [dst], updated_at=ctx.now())
        tx.save(after)
        tx.event(ctx.event("dependency_added", src, {"on": dst}))
        if after.state == READY and target.state != DONE:
            after = settle(ctx, tx, after)
        return after


def remove_dependency(ctx, from_ref, to_ref):
    """Drop the edge; a backlog issue whose remaining dependencies are done becomes ready."""
    src, dst = ctx.resolve(from_ref), ctx.resolve(to_ref)
    with ctx.transaction() as tx:
        issue = tx.load(src)
        if dst not in issue.dependencies:
            raise Refused(f"{issue.short_id} does not depend on {dst[:8]}", {"from": src, "to": dst})
        after = issue.replace(dependencies=[d for d in issue.dependencies if d != dst], updated_at=ctx.now())
        tx.save(after)
        tx.event(ctx.event("dependency_removed", src, {"on": dst}))
        return settle(ctx, tx, after)


def graph_show(ctx, ref) -> dict:
    """The issue with everything upstream (what it waits for) and downstream (what waits for it)."""
    from jit.service.queries import issues_by_id

    issue_id = ctx.resolve(ref)
    # The index skips unreadable files; reading this one first names the file and the fix.
    issue = ctx.files.load(issue_id)
    by_id = issues_by_id(ctx)
    by_id.setdefault(issue_id, issue)
    deps = {i: x.dependencies for i, x in by_id.items()}
    up = graph.reachable(deps, issue_id)
    down = graph.reachable(graph.reverse(deps), issue_id)
    return {
        "issue": by_id[issue_id],
        "upstream": [by_id[i] for i in up if i in by_id],
        "downstream": [by_id[i] for i in down if i in by_id],
        # [prerequisite, dependent]: the same direction as every other edge jit prints (see graph_export).
        "edges": [[d, s] for s in [issue_id, *up, *down] for d in deps.get(s, ()) if d in by_id],
    }


def graph_export(ctx, fmt="json") -> object:
    """The whole graph as dot, mermaid text, or {"nodes", "edges"} data.

    Served from the index's columns (no issue is parsed), so time and memory grow linearly
    with the store and stay a few small tuples per issue (issue 14)."""
    from jit.service.queries import graph_rows

    by_id, deps = graph_rows(ctx)
    order = graph.topological_order(deps)
    nodes = [by_id[i] for i in order]
    edges = [[i.id, d] for i in nodes for d in deps[i.id]]
    if fmt == "json":
        return {"nodes": [{"id": n.id, "title": n.title, "state": n.state, "priority": n.priority,
                           "assignee": n.assignee, "labels": n.labels} for n in nodes],
                # From the prerequisite to the issue waiting for it, like the dot and mermaid arrows.
                "edges": [{"from": d, "to": s} for s, d in edges]}
    if fmt == "dot":
        return _dot(nodes, edges)
    if fmt == "mermaid":
        return _mermaid(nodes, edges)
    from jit.errors import UsageError

    raise UsageError(f"unknown format {fmt!r}; use dot, mermaid or json", {"format": fmt})


STATE_COLOURS = {"backlog": "#d0d7de", "ready": "#9be9a8", "in_progress": "#79c0ff", "gated": "#f2cc60",
                 "done": "#8b949e", "rejected": "#ff7b72"}


def _label(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _dot(nodes, edges) -> str:
    lines = ["digraph jit {", "  rankdir=LR;", '  node [shape=box, style="rounded,filled", fontname="Helvetica"];']
    for n in nodes:
        lines.append(f'  "{n.id}" [label="{n.id[:8]}\\n{_label(n.title)}\\n[{n.state}]", '
                     f'fillcolor="{STATE_COLOURS.get(n.state, "#ffffff")}"];')
    # Arrows point from prerequisite to dependent: the direction work flows.
    lines += [f'  "{d}" -> "{s}";' for s, d in edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid(nodes, edges) -> str:
    lines = ["graph LR"]
    for n in nodes:
        title = n.title.replace('"', "#quot;")
        lines.append(f'  n{n.id[:8]}["{n.id[:8]} {title} ({n.state})"]:::{n.state}')
    lines += [f"  n{d[:8]} --> n{s[:8]}" for s, d in edges]
    lines += [f"  classDef {s} fill:{c}" for s, c in STATE_COLOURS.items()]
    return "\n".join(lines) + "\n"
