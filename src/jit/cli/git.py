"""`jit git setup`, `jit git merge-driver` and `jit sync`: working through a git remote."""

from jit.cli.parser import command, group


def setup(ns, out, ctx):
    from jit.service.gitfiles import setup as run

    result = run(ctx)
    written = ", ".join(result["written"])
    out.emit(result, quiet=result["driver"], human=lambda: (
        f"registered jit's merge driver in {result['work_tree']}/.git/config"
        + (f"\nwrote {written} (commit it)" if written else "")))


def merge_driver(ns, out, ctx):
    import os

    from jit.service.gitfiles import merge_file

    result = merge_file(ns.base, ns.ours, ns.theirs, ns.path, env=os.environ)
    # git shows the driver's output during the merge: one line per settled conflict, on stderr.
    for c in result["conflicts"]:
        what = f"issue {c['issue_id'][:8]}" if c.get("issue_id") else c["file"]
        out.stderr.write(f"jit merge: {what} {c['field']}: kept {c['kept']!r} over {c['dropped']!r} "
                         f"({c['rule']})\n")
    if out.json:
        out.emit(result)


def _brief(item):
    return f"{item['id'][:8]}  {item.get('title') or ''}"


def sync(ns, out, ctx):
    from jit.service.sync import sync as run

    report = run(ctx, remote=ns.remote, branch=ns.branch)

    def human():
        incoming = report["incoming"]
        head = (report["head"] or "")[:8]
        lines = [f"synced with {report['remote']}/{report['branch']} at {head}"
                 + (" (pushed)" if report["pushed"] else " (nothing to push)")]
        counts = [f"{len(incoming[k])} {k}" for k in ("new", "changed", "deleted", "claimed") if incoming[k]]
        if incoming["events"]:
            counts.append(f"{incoming['events']} event(s)")
        lines.append("incoming: " + (", ".join(counts) or "nothing"))
        lines += [f"  new      {_brief(i)}" for i in incoming["new"]]
        lines += [f"  claimed  {_brief(i)}  by {i['assignee']}" for i in incoming["claimed"]]
        lines += [f"  lost     {_brief(i)}  (you had it as {i['was']}; now {i['assignee']})" for i in incoming["lost"]]
        lines += [f"  deleted  {i[:8]}" for i in incoming["deleted"]]
        for c in report["conflicts"]:
            where = c["issue_id"][:8] if c.get("issue_id") else c.get("file") or ""
            lines.append(f"conflict {where} {c['field']}: kept {c['kept']!r} ({c['rule']})")
        for p in report["problems"]:
            lines.append(f"{p['kind']}: {p['message']}" + (f"\n    fix: {p['fix']}" if p.get("fix") else ""))
        if report["problems"]:
            lines.append(f"{len(report['problems'])} problem(s) after the merge; see `jit validate`")
        return "\n".join(lines)

    out.emit(report, human=human, quiet=report["head"])


def register(subs, name):
    if name == "git":
        g = group(subs, "git", "git integration: register jit's merge driver in this clone", "jit git setup")
        command(g, "setup", "write .jit/.gitattributes and register jit's merge driver in this clone's git "
                "config (git does not copy it through a clone: run once per clone)", "jit git setup", setup)
        p = command(g, "merge-driver", "merge one jit file three ways (git runs this; see `jit git setup`)",
                    "jit git merge-driver %O %A %B %P", merge_driver, needs_repo=False)
        p.add_argument("base", help="the common ancestor (%%O)")
        p.add_argument("ours", help="our version; the result is written here (%%A)")
        p.add_argument("theirs", help="their version (%%B)")
        p.add_argument("path", nargs="?", help="the file's path in the repository (%%P)")
    elif name == "sync":
        p = command(subs, "sync", "commit .jit/, fetch, merge, validate and push through a git remote "
                    "(retries when another machine pushed first)", "jit sync --remote origin --branch main --json",
                    sync)
        p.add_argument("--remote", help="git remote (default: [sync] remote in config.toml, the branch's "
                       "upstream, or origin)")
        p.add_argument("--branch", help="remote branch (default: [sync] branch in config.toml, or the current "
                       "branch)")
