"""`jit demo`: the built-in multi-agent example (README's first command)."""

from jit.cli.parser import command


def demo(ns, out, ctx):
    import io

    from jit.demo.runner import run_demo

    summary = run_demo(agents=ns.agents, keep=ns.keep, out=io.StringIO() if out.json or out.quiet else out.stdout)
    if out.json or out.quiet:
        out.emit(summary, quiet="ok" if summary["ok"] else "failed")
    return 0 if summary["ok"] else 1


def register(subs, name):
    p = command(subs, "demo", "build a small project in a temporary repository and let several agent processes "
                "work it: claim-next, gates, done; prints a live trace and checks nothing was done twice. The "
                "repository is deleted at the end unless --keep is given",
                "jit demo --agents 4", demo, needs_repo=False)
    p.add_argument("--agents", type=int, default=3, help="how many agent processes (default 3)")
    p.add_argument("--keep", action="store_true",
                   help="keep the temporary repository afterwards (its path is printed) to look at with jit status "
                        "or jit serve")
