"""The gate registry `gates.json` and the per-issue gate-run records under `gate-runs/`."""

import json
import os

from jit.errors import storage_fault
from jit.storage.issues import CorruptFile, load_json, read_regular

GATES_WHERE = ".jit/gates.json"
# Types a definition's fields must have for any command to use it; whether the values make a gate
# that can run (a known mode, an auto gate with a checker, a positive timeout) is `jit validate`'s.
FIELD_TYPES = {"title": (str,), "description": (str, type(None)), "mode": (str, type(None)), "stage": (str, type(None)),
               "checker": (str, type(None)), "timeout": (int, float, type(None))}
_INF = float("inf")  # compared directly: `math.isfinite` would be one more import on every call


def dump_json(data) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class GateFiles:
    def __init__(self, layout):
        self.layout = layout

    def load_registry(self) -> dict:
        """The gate definitions. Raises CorruptFile naming gates.json when it is not an object of
        definitions whose fields have the right JSON types."""
        try:
            data = load_json(read_regular(self.layout.gates_file, GATES_WHERE), GATES_WHERE)
        except FileNotFoundError:
            return {}
        if not isinstance(data, dict):
            raise _bad_registry("it must hold a JSON object of gate definitions")
        for key, gate in data.items():
            if not isinstance(gate, dict):
                raise _bad_registry(f"gate {key!r} must be a JSON object")
            for field, types in FIELD_TYPES.items():
                value = gate.get(field)
                if field == "title" and field not in gate:
                    raise _bad_registry(f"gate {key!r} has no title")
                if not isinstance(value, types) or isinstance(value, bool) or (
                        isinstance(value, float) and (value != value or value in (_INF, -_INF))):
                    raise _bad_registry(f"gate {key!r}: field {field!r} has the wrong type ({type(value).__name__})")
            # A hand-written entry: its name in the registry is its key; missing choices take their defaults.
            filled = {**gate, "key": key, "mode": gate.get("mode") or "manual",
                      "stage": gate.get("stage") or "postcheck", "description": gate.get("description") or ""}
            if filled != gate:
                data[key] = filled
        return data

    def run_path(self, issue_id: str, run_id: str):
        return os.path.join(self.layout.runs_dir(issue_id), f"{run_id}.json")

    def list_runs(self, issue_id: str, gate_key: str | None = None) -> list:
        """The issue's run records, oldest first; a record jit cannot read is skipped (validate names it)."""
        folder = self.layout.runs_dir(issue_id)
        try:
            names = sorted(n for n in os.listdir(folder) if n.endswith(".json") and not n.startswith("."))
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as exc:
            raise storage_fault(exc, f".jit/gate-runs/{issue_id}", "listing") from None
        runs = []
        for name in names:
            where = f".jit/gate-runs/{issue_id}/{name}"
            try:
                run = load_json(read_regular(os.path.join(folder, name), where), where)
            except (FileNotFoundError, CorruptFile):
                continue
            if run_shape_ok(run) and (gate_key is None or run.get("gate") == gate_key):
                runs.append(run)
        return runs


# The fields every reader of a run record relies on, with their JSON types.
RUN_FIELDS = {"id": (str,), "gate": (str,), "status": (str,), "started_at": (str,), "duration": (int, float),
              "exit_code": (int, type(None)), "output_tail": (str,)}


def run_shape_ok(run) -> bool:
    return isinstance(run, dict) and all(
        isinstance(run.get(f), types) and not isinstance(run.get(f), bool) for f, types in RUN_FIELDS.items())


def _bad_registry(problem: str) -> CorruptFile:
    return CorruptFile(f"{GATES_WHERE} is corrupt ({problem}); fix it by hand or restore it with git "
                       "(`git checkout .jit/gates.json`), then run `jit validate`", {"file": GATES_WHERE, "problem": problem})
