"""Helpers for the claim tests: the barrier race from bench/stress_claims.py and event reading."""

import importlib.util
import json
from pathlib import Path

from jit_testing import JIT_BIN, events  # noqa: F401 - re-exported for the tests of this package

_BENCH = Path(__file__).resolve().parents[2] / "bench" / "stress_claims.py"
_spec = importlib.util.spec_from_file_location("stress_claims", _BENCH)
stress_claims = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(stress_claims)

race = stress_claims.race
STRESS_SCRIPT = _BENCH


def stored(repo, issue_id) -> dict:
    return json.loads((repo.data / "issues" / f"{issue_id}.json").read_text())


def import_issues(repo, rows) -> list:
    """Create many issues in one `jit issue import`; returns their ids in order."""
    text = "".join(json.dumps(r) + "\n" for r in rows)
    r = repo.jit("issue", "import", "-", "--json", input=text)
    assert r.code == 0, r
    return [i["id"] for i in r.json]
