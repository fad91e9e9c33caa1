"""Dependencies and the graph views (SPEC section 4).

Cycle refusal runs under the repository lock against a freshly checked
index, so two concurrent `dep add` calls cannot together close a cycle.
"""

import json

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
    nodes, edges = _graph(ctx, fmt)
    if fmt == "json":
        return {"nodes": [_node(n) for n in nodes],
                # From the prerequisite to the issue waiting for it, like the dot and mermaid arrows.
                "edges": [{"from": d, "to": s} for s, d in edges]}
    return _dot(nodes, edges) if fmt == "dot" else _mermaid(nodes, edges)


def graph_export_json(ctx):
    """The text of graph_export(ctx, "json") (sorted keys, as `--json` prints it), a piece at a time:
    the CLI writes it as it is made instead of holding every node's dict and the whole text
    (300 MB at 100,000 issues). Errors are raised before the first piece."""
    nodes, edges = _graph(ctx, "json")
    return _json_pieces(nodes, edges)


def _json_pieces(nodes, edges):
    dump = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode
    yield '{"edges": ['
    for k, (s, d) in enumerate(edges):
        yield (", " if k else "") + dump({"from": d, "to": s})
    yield '], "nodes": ['
    for k, n in enumerate(nodes):
        yield (", " if k else "") + dump(_node(n))
    yield "]}"


def _node(n) -> dict:
    return {"id": n.id, "title": n.title, "state": n.state, "priority": n.priority, "assignee": n.assignee,
            "labels": n.labels}


def _graph(ctx, fmt) -> tuple:
    """(nodes in topological order, [dependent, prerequisite] edges). Raises UsageError for a bad format."""
    from jit.service.queries import graph_rows

    if fmt not in ("json", "dot", "mermaid"):
        from jit.errors import UsageError

        raise UsageError(f"unknown format {fmt!r}; use dot, mermaid or json", {"format": fmt})
    by_id, deps = graph_rows(ctx)
    nodes = [by_id[i] for i in graph.topological_order(deps)]
    return nodes, [(i.id, d) for i in nodes for d in deps[i.id]]


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
