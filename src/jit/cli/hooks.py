"""`jit hooks install|uninstall`: the optional git pre-push hook that runs gates before a push."""

from jit.cli.parser import command, group


def install(ns, out, ctx):
    from jit.service.hooks import install_hooks

    r = install_hooks(ctx, force=ns.force)
    extra = f" (the previous hook is kept as {r['backup']})" if r["backup"] else ""
    out.emit(r, human=f"pre-push hook {r['action']}: {r['path']}{extra}", quiet=r["path"])


def uninstall(ns, out, ctx):
    from jit.service.hooks import uninstall_hooks

    r = uninstall_hooks(ctx)
    extra = " (the previous hook is back)" if r["backup"] else ""
    out.emit(r, human=f"pre-push hook {r['action']}: {r['path']}{extra}", quiet=r["path"])


def register(subs, name):
    g = group(subs, "hooks", "optional git hooks: run the gates of issues in progress before a push",
              "jit hooks install")
    p = command(g, "install", "add a git pre-push hook running `jit gate check-all` on every issue in progress",
                "jit hooks install", install)
    p.add_argument("--force", action="store_true", help="replace a pre-push hook that is not jit's (kept as a backup)")
    command(g, "uninstall", "remove jit's pre-push hook (restoring a backed-up one)", "jit hooks uninstall", uninstall)
