"""Presets as use-cases: list, show, apply to many issues in one transaction, create from an issue.

A repository's own preset (`.jit/presets/NAME.json`) wins over a built-in of the same name,
so a team can keep the name and change the commands. Applying never changes a gate the
registry already defines differently unless asked (`replace`), and refuses the whole
apply, naming the key, rather than half-applying a workflow.
"""

from jit.domain.model import TERMINAL
from jit.domain.preset_data import BUILT_IN
from jit.domain.presets import check_name, check_preset, from_gates, plan_apply
from jit.errors import Conflict, NotFound, Refused, UsageError


def _files(ctx):
    from jit.storage.presets import PresetFiles

    return PresetFiles(ctx.layout)


def _summary(preset: dict, source: str) -> dict:
    return {"name": preset["name"], "family": preset["family"], "description": preset["description"],
            "source": source, "gates": [g["key"] for g in preset["gates"]]}


def load_preset(ctx, name: str) -> tuple:
    """(preset, source) by name, the repository's own first. Raises NotFound, UsageError (a bad file)."""
    check_name(name)
    raw = _files(ctx).read(name) if ctx is not None else None
    if raw is not None:
        return check_preset(raw, name, f".jit/presets/{name}.json"), f".jit/presets/{name}.json"
    if name in BUILT_IN:
        return check_preset(BUILT_IN[name], name, "built-in"), "built-in"
    raise NotFound(f"no preset named {name!r}; see `jit gate preset list`", {"preset": name})


def list_presets(ctx) -> list:
    """Every preset this repository can apply, built-in and its own. Raises UsageError for a bad file."""
    names = sorted(set(BUILT_IN) | set(_files(ctx).names()))
    found = []
    for name in names:
        try:
            check_name(name)
        except UsageError:
            raise UsageError(f".jit/presets/{name}.json: {name!r} is not a valid preset name; rename the file",
                             {"preset": name}) from None
        preset, source = load_preset(ctx, name)
        found.append(_summary(preset, source))
    return found


def show_preset(ctx, name: str) -> dict:
    preset, source = load_preset(ctx, name)
    return {**preset, "source": source}


def apply_preset(ctx, name: str, refs=(), *, replace=False, leave_out=()) -> dict:
    """Define the preset's missing gates and require them on every named issue, in one transaction.

    Raises NotFound (preset, issue), Refused (a key defined differently without `replace`,
    or a done/rejected issue), UsageError (a bad --except key)."""
    preset, source = load_preset(ctx, name)
    issue_ids = list(dict.fromkeys(ctx.resolve(ref) for ref in refs))
    with ctx.transaction() as tx:
        plan = plan_apply(tx.gates(), preset, replace=replace, leave_out=leave_out)
        if plan["conflicts"]:
            key = plan["conflicts"][0]
            raise Refused(f"gate {key!r} is already defined differently from preset {name!r}; compare with "
                          f"`jit gate show {key}`, then pass --replace to overwrite it or --except {key} to keep yours",
                          {"preset": name, "gate": key, "conflicts": plan["conflicts"]})
        issues = [tx.load(i) for i in issue_ids]
        finished = next((i for i in issues if i.state in TERMINAL), None)
        if finished is not None:
            raise Refused(f"{finished.short_id} is {finished.state}; gates cannot be added (leave it out)",
                          {"id": finished.id, "preset": name})
        if plan["defined"] or plan["replaced"]:
            tx.save_gates(plan["registry"])
            for key in plan["defined"]:
                tx.event(ctx.event("gate_defined", None, {"gate": plan["registry"][key], "preset": name}))
            for key in plan["replaced"]:
                tx.event(ctx.event("gate_updated", None, {"gate": plan["registry"][key], "preset": name}))
        from jit.service.gates import attach_gates

        for issue in issues:
            attach_gates(ctx, tx, issue, plan["keys"])
    return {"preset": name, "source": source, "gates": plan["keys"], "defined": plan["defined"],
            "replaced": plan["replaced"], "issues": issue_ids}


def create_preset(ctx, name: str, ref: str, *, description=None, replace=False) -> dict:
    """Save the gates an issue requires (their registry definitions) as `.jit/presets/NAME.json`.
    Raises UsageError (bad name, no gates), NotFound, Conflict (the preset exists, without `replace`)."""
    check_name(name)
    issue_id = ctx.resolve(ref)
    with ctx.transaction() as tx:
        issue = tx.load(issue_id)
        registry = tx.gates()
        if not issue.gates_required:
            raise UsageError(f"{issue.short_id} requires no gates; add some with `jit gate add` first",
                             {"id": issue_id})
        missing = [k for k in issue.gates_required if k not in registry]
        if missing:
            raise NotFound(f"gate {missing[0]!r} of {issue.short_id} is not defined; see `jit validate`",
                           {"gate": missing[0]})
        exists = _files(ctx).read(name) is not None or name in BUILT_IN
        if exists and not replace:
            where = "a built-in preset" if name in BUILT_IN else f"already saved in .jit/presets/{name}.json"
            raise Conflict(f"preset {name!r} is {where}; choose another name or pass --replace", {"preset": name})
        preset = from_gates(name, [registry[k] for k in issue.gates_required],
                            description or f"the gates of {issue.short_id}: {issue.title}"[:200])
        tx.save_preset(name, preset)
        tx.event(ctx.event("preset_created", issue_id, {"preset": name, "gates": issue.gates_required}))
    return {**preset, "source": f".jit/presets/{name}.json"}


def check_for_init(name: str, cwd=None, env=None) -> None:
    """Refuse an unknown preset before `jit init` creates anything (a new repository has only the
    built-in ones). Raises NotFound, UsageError."""
    from jit.service.context import Context
    from jit.storage.layout import for_init

    layout = for_init(cwd, env)
    load_preset(Context(layout, env=env) if layout.exists() else None, name)
