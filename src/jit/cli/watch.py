"""`jit watch`: the optional file-system monitor that makes every query's freshness check O(changes)."""

from jit.cli.parser import command, positive_number

EXAMPLES = """jit watch --detach        # watch in the background; `jit watch --stop` ends it
  jit watch                 # watch in this terminal until Ctrl-C
  jit watch --status --json
  # or let the first query start one: add to .jit/config.toml
  #   [index]
  #   monitor = true"""


def watch(ns, out, ctx):
    from jit.service import watching

    layout = ctx.layout
    if ns.status:
        report = watching.status(layout)
        out.emit(report, human=lambda: _describe(report), quiet="running" if report["running"] else "stopped")
    elif ns.stop:
        report = watching.stop(layout)
        out.emit(report, human=f"watcher {report['action']}", quiet=report["action"])
    elif ns.detach:
        report = watching.start_detached(layout, ns.idle_timeout or 0)
        out.emit(report, human=lambda: f"watcher {report['action']} (pid {report['pid']}): {report['folder']}",
                 quiet=str(report["pid"]))
    else:
        def ready():
            out.note(f"watching {layout.issues_dir}; queries now read only what changed (Ctrl-C stops)")

        watching.run_foreground(layout, ns.idle_timeout or 0, log=lambda message: None, ready=ready)
        out.emit({"running": False, "action": "stopped"}, human="watcher stopped", quiet="stopped")


def _describe(report) -> str:
    if not report["running"]:
        return "no watcher: every query checks each issue file (start one with `jit watch --detach`)"
    idle = f", stops after {report['idle_timeout']:g} s without questions" if report["idle_timeout"] else ""
    return (f"watching {report['folder']} since {report['started_at']} (pid {report['pid']}{idle}); "
            f"{report['remembered']} file(s) changed since it started")


def register(subs, name):
    p = command(subs, "watch", "optional: watch .jit/issues/ (inotify) so queries check only what changed",
                EXAMPLES, watch)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--detach", action="store_true", help="run in the background and return once it answers")
    mode.add_argument("--stop", action="store_true", help="stop the running watcher")
    mode.add_argument("--status", action="store_true", help="say whether a watcher runs, and since when")
    p.add_argument("--idle-timeout", type=positive_number, metavar="SECONDS",
                   help="stop after this long without a question (default: never)")
