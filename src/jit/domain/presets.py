"""Presets: a named workflow's gates, put on many issues at once (SPEC section 5).

A preset is {name, family, description, gates: [definition, ...]}; each gate is an ordinary
registry definition (key, title, mode, checker, stage, order, ...). The built-in ones live in
`jit.domain.preset_data`; a repository's own are JSON files under `.jit/presets/` and are
checked here on load, so a bad one is a named one-line error, never a half-applied workflow.
Keys are namespaced per tool (`py-tests`, `js-tests`) so that presets combine without
clashing; the shared `review` gate is defined identically everywhere.
"""

from jit.domain.checks import EXTRA_FIELDS, gate_extras
from jit.domain.model import GATE_FIELDS, make_gate
from jit.errors import UsageError

FAMILIES = ("software", "research", "knowledge", "custom")
NAME_LIMIT = 64


def check_name(name) -> str:
    """A preset name is also a file name: lowercase letters, digits, '-', '_'. Raises UsageError."""
    if not isinstance(name, str) or not name or len(name) > NAME_LIMIT or not name[0].isalnum() \
            or not all((c.isalnum() and c.isascii() and not c.isupper()) or c in "-_" for c in name):
        raise UsageError(f"preset name {name!r} may hold only lowercase letters, digits, '-' and '_'",
                         {"preset": name})
    return name


def _gate(raw, where: str) -> dict:
    if not isinstance(raw, dict):
        raise UsageError(f"{where} must be an object", {})
    unknown = sorted(set(raw) - set(GATE_FIELDS) - set(EXTRA_FIELDS))
    if unknown:
        raise UsageError(f"{where} has unknown field {unknown[0]!r}", {"field": unknown[0]})
    base = {f: raw[f] for f in GATE_FIELDS if f in raw and f not in ("key", "title")}
    extras = {f: raw[f] for f in EXTRA_FIELDS if f in raw}
    try:
        gate = make_gate(raw.get("key"), raw.get("title"), **base)
        gate.update(gate_extras(**extras))
    except UsageError as exc:
        raise UsageError(f"{where}: {exc.message}", exc.details) from None
    except TypeError:
        raise UsageError(f"{where} has a field of the wrong type", {}) from None
    return gate


def check_preset(data, name: str, source: str) -> dict:
    """A preset as loaded from `source` (a file or "built-in"), fully validated. Raises UsageError."""
    where = f"preset {name!r} ({source})"
    if not isinstance(data, dict):
        raise UsageError(f"{where} must be a JSON object", {"preset": name, "source": source})
    if data.get("name", name) != name:
        raise UsageError(f"{where} names itself {data.get('name')!r}; the file name and 'name' must agree",
                         {"preset": name, "source": source})
    unknown = sorted(set(data) - {"name", "family", "description", "gates"})
    if unknown:
        raise UsageError(f"{where} has unknown field {unknown[0]!r}", {"preset": name, "source": source})
    family = data.get("family", "custom")
    if family not in FAMILIES:
        raise UsageError(f"{where}: family must be one of {', '.join(FAMILIES)}", {"preset": name, "source": source})
    if not isinstance(data.get("description", ""), str):
        raise UsageError(f"{where}: description must be text", {"preset": name, "source": source})
    gates = data.get("gates")
    if not isinstance(gates, list) or not gates:
        raise UsageError(f"{where} needs a non-empty list 'gates'", {"preset": name, "source": source})
    checked = [_gate(g, f"{where} gate {i + 1}") for i, g in enumerate(gates)]
    keys = [g["key"] for g in checked]
    dup = next((k for k in keys if keys.count(k) > 1), None)
    if dup:
        raise UsageError(f"{where} defines gate {dup!r} twice", {"preset": name, "gate": dup})
    return {"name": name, "family": family, "description": data.get("description", ""), "gates": checked}


def plan_apply(registry: dict, preset: dict, *, replace=False, leave_out=()) -> dict:
    """What applying a preset changes in the registry: {"registry", "keys", "defined", "replaced",
    "conflicts"}. A key defined differently is a conflict unless `replace`."""
    leave_out = set(leave_out)
    unknown = sorted(leave_out - {g["key"] for g in preset["gates"]})
    if unknown:
        raise UsageError(f"--except {unknown[0]!r}: preset {preset['name']!r} has no such gate",
                         {"preset": preset["name"], "gate": unknown[0]})
    merged = dict(registry)
    plan = {"keys": [], "defined": [], "replaced": [], "conflicts": []}
    for gate in preset["gates"]:
        key = gate["key"]
        if key in leave_out:
            continue
        plan["keys"].append(key)
        if key not in registry:
            plan["defined"].append(key)
        elif registry[key] != gate:
            plan["conflicts" if not replace else "replaced"].append(key)
            if not replace:
                continue
        merged[key] = gate
    plan["registry"] = merged
    return plan


def from_gates(name: str, gates: list, description: str) -> dict:
    """A custom preset holding these registry definitions, as `preset create` writes it."""
    return check_preset({"name": name, "family": "custom", "description": description, "gates": gates},
                        name, "new")
