"""`jit dep ...`: edges of the dependency graph."""

from jit.cli.parser import command, group
from jit.service import deps


def add(ns, out, ctx):
    issue = deps.add_dependency(ctx, ns.from_id, ns.to_id)
    out.emit(issue, quiet=issue.id,
             human=lambda: f"{issue.id[:8]} now depends on {ctx.resolve(ns.to_id)[:8]} ({issue.state})")


def rm(ns, out, ctx):
    issue = deps.remove_dependency(ctx, ns.from_id, ns.to_id)
    out.emit(issue, quiet=issue.id,
             human=lambda: f"{issue.id[:8]} no longer depends on {ctx.resolve(ns.to_id)[:8]} ({issue.state})")


def register(subs, name):
    g = group(subs, "dep", "add or remove dependencies (FROM depends on TO)", "jit dep add 0a1b 9f8e")
    for verb, fn, text in (("add", add, "make FROM depend on TO (self-edges and cycles are refused)"),
                           ("rm", rm, "remove the dependency of FROM on TO")):
        p = command(g, verb, text, f"jit dep {verb} 0a1b 9f8e", fn, aliases=("remove",) if verb == "rm" else ())
        p.add_argument("from_id", metavar="FROM", help="the issue that waits (id or prefix)")
        p.add_argument("to_id", metavar="TO", help="the issue it waits for (id or prefix)")
