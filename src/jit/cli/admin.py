"""`jit init`, `jit status`, `jit validate`: the repository as a whole."""

from jit.cli.parser import command


def init(ns, out, ctx):
    from jit.service.context import init_repo

    if getattr(ns, "preset", None):
        from jit.service.presets import check_for_init

        check_for_init(ns.preset)  # an unknown preset must not leave a new repository behind
    ctx, created = init_repo()
    path = str(ctx.layout.data_dir)
    extra = ""
    try:
        from jit.service.sync import setup_git_files

        extra = setup_git_files(ctx)
    except ImportError:
        pass
    result = {"path": path, "created": created}
    if getattr(ns, "preset", None):
        from jit.service.presets import apply_preset

        result["preset"] = apply_preset(ctx, ns.preset)
        extra = (extra + "\n" if extra else "") + f"preset {ns.preset}: gates {', '.join(result['preset']['gates'])}"
    if getattr(ns, "agents", False):
        from jit.service.agents_md import install_agents_section

        result["agents_md"] = install_agents_section(ctx)
        extra = (extra + "\n" if extra else "") + f"AGENTS.md: {result['agents_md']['action']} the jit section " \
            f"({result['agents_md']['path']})"
    out.emit(result,
             human=lambda: (f"initialised jit repository in {path}" if created
                            else f"jit repository already exists in {path}") + (f"\n{extra}" if extra else ""),
             quiet=path)


def status(ns, out, ctx):
    from jit.service.queries import status as repo_status

    data = repo_status(ctx)

    def human():
        rows = [[s, n] for s, n in data["by_state"].items()]
        text = out.table(["state", "count"], rows) + f"\n\ntotal {data['total']}, available now {data['available']}"
        if data["corrupt"]:
            text += f"\nwarning: {len(data['corrupt'])} corrupt issue file(s); run `jit validate`"
        return text

    out.emit(data, human=human, quiet=[f"{s} {n}" for s, n in data["by_state"].items()])


def validate(ns, out, ctx):
    from jit.errors import REFUSED
    from jit.service.validate import validate as run

    report = run(ctx, fix=ns.fix)

    def human():
        lines = [f"fixed: {f}" for f in report["fixed"]]
        for p in report["problems"]:
            lines.append(f"{p['kind']}: {p['message']}" + (f"\n    fix: {p['fix']}" if p.get("fix") else ""))
        lines.append("ok: no problems found" if report["ok"] else f"{len(report['problems'])} problem(s) found")
        return "\n".join(lines)

    out.emit(report, human=human, quiet=[p["message"] for p in report["problems"]])
    return 0 if report["ok"] else REFUSED


def register(subs, name):
    if name == "init":
        p = command(subs, "init", "create a jit repository (.jit/) in this folder, or $JIT_DATA_DIR",
                    "jit init --preset python-tdd --agents", init, needs_repo=False)
        p.add_argument("--agents", action="store_true",
                       help="also write (or update) a short jit section in AGENTS.md telling agents to run `jit prime`")
        p.add_argument("--preset", metavar="NAME", help="define the gates of a preset (`jit gate preset list`), "
                       "e.g. --preset python-tdd")
    elif name == "status":
        command(subs, "status", "issue counts per state and how much is available", "jit status --json", status)
    elif name == "validate":
        p = command(subs, "validate", "check integrity: corrupt files, dangling dependencies, cycles, bad states "
                    "(exit 5 when problems are found)", "jit validate --fix", validate)
        p.add_argument("--fix", action="store_true", help="repair what is safe to repair")
