"""CI runs a short version of the benchmark: the script works end to end and finds no double claim.
(Numbers are not asserted: speed is checked by benchmarks, not by timed tests.)"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_script_runs_short(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "200", "--runs", "1", "--agents", "2",
         "--claim-pool", "30", "--json", str(out)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "| jit query available --json" in proc.stdout
    results = json.loads(out.read_text())
    assert results["claims"][0]["claims"] == 30
    assert results["claims"][0]["double_claims"] == 0 and results["claims"][0]["lost"] == 0
    assert "| jit prime" in proc.stdout
    assert all(0 < size["prime_bytes"] < 6000 for size in results["sizes"].values())


def test_hot_command_benchmark_runs_short(tmp_path):
    """bench/hot.py end to end on a tiny dense store: every hot command row and a drained pool."""
    out = tmp_path / "hot.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "hot.py"), "--sizes", "120", "--runs", "1", "--agents", "2",
         "--pool", "6", "--drain-store", "20", "--json", str(out)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads(out.read_text())
    commands = results["sizes"]["120"]["commands"]
    assert {"issue claim-next", "issue done", "gate pass (last gate)", "issue show PREFIX8 --json"} <= set(commands)
    assert set(results["sizes"]["120"]["monitored"]) == set(commands)  # the same rows with `jit watch`
    assert [(t["monitor"], t["issues"]) for t in results["throughput"]] == [(False, 6), (True, 6)]
