"""`jit gate preset ...`: list, show, apply and create presets (the gate group's fourth level)."""

from jit.cli.parser import Formatter, Parser, command


def _service():
    from jit.service import presets  # only `gate preset` commands pay for the preset data

    return presets


def list_(ns, out, ctx):
    found = _service().list_presets(ctx)
    out.emit(found, quiet=[p["name"] for p in found], human=lambda: out.table(
        ["name", "family", "source", "gates"],
        [[p["name"], p["family"], p["source"], " -> ".join(p["gates"])] for p in found]))


def show(ns, out, ctx):
    p = _service().show_preset(ctx, ns.name)

    def human():
        lines = [f"{p['name']} ({p['family']}, {p['source']}): {p['description']}"]
        for g in p["gates"]:
            run = f"  checker: {g['checker']}" if g.get("checker") else ""
            lines.append(f"  {g['key']:<20} {g['mode']:<6} {g['stage']:<9} {g['title']}{run}")
        return "\n".join(lines)

    out.emit(p, human=human, quiet=[g["key"] for g in p["gates"]])


def apply(ns, out, ctx):
    r = _service().apply_preset(ctx, ns.name, ns.ids, replace=ns.replace, leave_out=ns.leave_out or ())

    def human():
        text = f"preset {r['preset']}: gates {', '.join(r['gates'])}"
        if r["defined"]:
            text += f"\ndefined {', '.join(r['defined'])}"
        if r["replaced"]:
            text += f"\nreplaced {', '.join(r['replaced'])}"
        return text + f"\nrequired on {len(r['issues'])} issue(s)"

    out.emit(r, human=human, quiet=r["issues"])


def create(ns, out, ctx):
    p = _service().create_preset(ctx, ns.name, ns.from_issue, description=ns.description, replace=ns.replace)
    out.emit(p, human=lambda: f"saved preset {p['name']} ({', '.join(g['key'] for g in p['gates'])}) "
             f"in {p['source']}", quiet=p["name"])


def register_presets(g):
    p = command(g, "preset", "workflows of gates for software, research and knowledge work: list, show, apply, "
                "create", "jit gate preset apply python-tdd 0a1b 4c5d", None)
    if not isinstance(p, Parser):  # a subcommand this call does not build
        return
    subs = p.add_subparsers(dest="preset_command", parser_class=Parser, metavar="<action>", required=True)

    def action(name, text, example, handler):
        q = subs.add_parser(name, help=text, description=text, epilog=f"example:\n  {example}",
                            formatter_class=Formatter)
        q.set_defaults(handler=handler, needs_repo=True)
        return q

    action("list", "built-in presets and the repository's own (.jit/presets/)", "jit gate preset list", list_)
    q = action("show", "the gates of one preset", "jit gate preset show literature-review", show)
    q.add_argument("name")
    q = action("apply", "define the preset's missing gates and require them on issues, in one transaction",
               "jit gate preset apply python-tdd 0a1b 4c5d --except py-lint", apply)
    q.add_argument("name")
    q.add_argument("ids", nargs="*", metavar="ID")
    q.add_argument("--except", dest="leave_out", action="append", metavar="KEY", help="leave this gate out")
    q.add_argument("--replace", action="store_true", help="overwrite gates the registry defines differently")
    q = action("create", "save the gates an issue requires as .jit/presets/NAME.json",
               "jit gate preset create our-flow --from-issue 0a1b", create)
    q.add_argument("name")
    q.add_argument("--from-issue", required=True, metavar="ID")
    q.add_argument("--description")
    q.add_argument("--replace", action="store_true", help="overwrite a saved preset of that name")
