"""`jit graph ...`: the dependency graph around one issue, or all of it."""

from jit.cli.parser import command, group
from jit.service import deps


def show(ns, out, ctx):
    view = deps.graph_show(ctx, ns.id)

    def human():
        issue = view["issue"]
        # Direct: an edge touches this issue; indirect: reached through another issue.
        direct_up = set(issue.dependencies)
        direct_down = {i.id for i in view["downstream"] if issue.id in i.dependencies}

        def row(i, direct):
            return f"  {'direct  ' if i.id in direct else 'indirect'} {i.id[:8]} {out.state(i.state)} {i.title}"

        lines = [f"{issue.id[:8]} {issue.title} [{issue.state}]"]
        lines.append("upstream (must be done first):")
        lines += [row(i, direct_up) for i in view["upstream"]] or ["  (none)"]
        lines.append("downstream (waiting for it):")
        lines += [row(i, direct_down) for i in view["downstream"]] or ["  (none)"]
        return "\n".join(lines)

    out.emit(view, human=human, quiet=[i.id for i in view["upstream"] + view["downstream"]])


def export(ns, out, ctx):
    if ns.format == "json":  # the same text in every mode, written as it is made
        for piece in deps.graph_export_json(ctx):
            out.stdout.write(piece)
        out.stdout.write("\n")
        return
    data = deps.graph_export(ctx, ns.format)
    out.emit({"format": ns.format, "text": data}, human=data, quiet=data.rstrip("\n"))


def tree(ns, out, ctx):
    from jit.service.hierarchy import tree as parent_tree

    roots = parent_tree(ctx, ns.id)

    def walk(node, depth=0):
        yield depth, node
        for kid in node["children"]:
            yield from walk(kid, depth + 1)

    rows = [pair for r in roots for pair in walk(r)]
    out.emit(roots, quiet=lambda: [n["id"] for _, n in rows], human=lambda: "\n".join(
        f"{'  ' * d}{out.state(n['state'])} {n['id'][:8]}  {n['title']}" for d, n in rows) or "(no parent links)")


def register(subs, name):
    g = group(subs, "graph", "show or export the dependency graph", "jit graph export --format dot | dot -Tsvg > g.svg")
    p = command(g, "show", "what an issue waits for (upstream) and what waits for it (downstream), each marked "
                "direct (an edge of its own) or indirect (through another issue)", "jit graph show 0a1b", show)
    p.add_argument("id", help="the issue (id or unique prefix)")
    p = command(g, "export", "the whole graph as Graphviz dot, Mermaid or JSON; every edge points from the "
                "prerequisite to the issue waiting for it (JSON: {\"from\": prerequisite, \"to\": dependent})",
                "jit graph export --format mermaid", export)
    p.add_argument("--format", "-f", choices=("dot", "mermaid", "json"), default="dot",
                   help="output format (default dot)")
    p = command(g, "tree", "parent links as a tree (state, short id, title); without ID every top-level parent",
                "jit graph tree 0a1b", tree)
    p.add_argument("id", nargs="?", help="the issue whose subtree to show (default: every top-level issue)")
