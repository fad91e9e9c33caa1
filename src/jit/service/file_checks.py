"""The file-shape half of `jit validate`: files that read fine but that a command would trip on.

A config.toml of the wrong shape, gate definitions that cannot run (an auto gate
without a checker, a bad timeout, an unknown mode or stage), leases that mean
nothing (on an issue nobody holds), entries in `issues/` that are not issue files
(a folder named x.json, a link, an odd name) and gate-run records jit cannot read.
Each problem names the file and the command that clears it.
"""

import os

from jit.domain.model import IN_PROGRESS, make_gate
from jit.errors import UsageError
from jit.storage.issues import CorruptFile, load_json, read_regular


def _problem(kind, message, fix, file, issue_id=None, **extra):
    return {"kind": kind, "id": issue_id, "message": message, "fix": fix, "fixable": False, "file": file, **extra}


def check(ctx, issues: dict, registry: dict) -> list:
    return (_config(ctx) + _gate_definitions(registry) + _leases(issues) + _strays(ctx)
            + _runs(ctx, issues))


def _config(ctx) -> list:
    from jit.storage.config import load_config

    try:
        load_config(ctx.layout)
    except CorruptFile as exc:
        return [_problem("bad_config", exc.message, "fix .jit/config.toml by hand (`jit init` in an empty "
                         "folder writes the template)", ".jit/config.toml")]
    return []


def _gate_definitions(registry: dict) -> list:
    found = []
    for key, gate in sorted(registry.items()):
        fields = {f: gate.get(f) for f in ("description", "checker", "timeout")}
        try:
            make_gate(key, gate.get("title") or "", mode=gate.get("mode") or "manual",
                      stage=gate.get("stage") or "postcheck", **fields)
        except UsageError as exc:
            found.append(_problem("bad_gate", f"gate {key!r} cannot be used: {exc.message}",
                                  f"`jit gate update {key} ...` (see `jit gate update --help`) or fix "
                                  ".jit/gates.json by hand", ".jit/gates.json", gate=key))
    return found


def _leases(issues: dict) -> list:
    found = []
    for issue in issues.values():
        if issue.lease is not None and (issue.state != IN_PROGRESS or not issue.assignee):
            found.append(_problem(
                "bad_lease", f"{issue.short_id} carries a lease but is {issue.state}"
                + ("" if issue.assignee else " with no assignee") + ": nobody holds it",
                f"`jit issue release {issue.short_id}` or remove the lease from the file by hand",
                f".jit/issues/{issue.id}.json", issue.id))
    return found


def _strays(ctx) -> list:
    return [_problem("stray_file", f".jit/issues/{name} is not an issue file (commands ignore it)",
                     f"move it out of .jit/issues/ (`mv .jit/issues/{name} ...`)", f".jit/issues/{name}")
            for name in ctx.files.strays()]


def _runs(ctx, issues: dict) -> list:
    from jit.storage.gates import run_shape_ok

    found = []
    for issue_id in sorted(issues):
        folder = ctx.layout.runs_dir(issue_id)
        try:
            names = sorted(n for n in os.listdir(folder) if not n.startswith("."))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in names:
            where = f".jit/gate-runs/{issue_id}/{name}"
            try:
                ok = run_shape_ok(load_json(read_regular(os.path.join(folder, name), where), where))
            except (CorruptFile, FileNotFoundError):
                ok = False
            if not ok:
                found.append(_problem("bad_run_record", f"{where} is not a gate-run record jit can read "
                                      "(`jit gate runs` skips it)", f"move it out of .jit/ (`mv {where} ...`)",
                                      where, issue_id))
    return found
