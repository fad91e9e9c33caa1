"""The gate registry `gates.json` and the per-issue gate-run records under `gate-runs/`."""

import json
import os

from jit.storage.issues import CorruptFile


def dump_json(data) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class GateFiles:
    def __init__(self, layout):
        self.layout = layout

    def load_registry(self) -> dict:
        try:
            with open(self.layout.gates_file, encoding="utf-8") as fh:
                text = fh.read()
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise CorruptFile(
                f".jit/gates.json is corrupt ({exc}); fix it by hand or restore it with git",
                {"file": ".jit/gates.json"},
            ) from None
        if not isinstance(data, dict):
            raise CorruptFile(".jit/gates.json must hold a JSON object of gate definitions", {"file": ".jit/gates.json"})
        return data

    def run_path(self, issue_id: str, run_id: str):
        return os.path.join(self.layout.runs_dir(issue_id), f"{run_id}.json")

    def list_runs(self, issue_id: str, gate_key: str | None = None) -> list:
        folder = self.layout.runs_dir(issue_id)
        try:
            names = sorted(n for n in os.listdir(folder) if n.endswith(".json") and not n.startswith("."))
        except FileNotFoundError:
            return []
        runs = []
        for name in names:
            try:
                with open(os.path.join(folder, name), encoding="utf-8") as fh:
                    run = json.loads(fh.read())
            except ValueError:
                continue
            if gate_key is None or run.get("gate") == gate_key:
                runs.append(run)
        return runs
