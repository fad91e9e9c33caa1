"""README's "A short tour", run verbatim in an empty folder, reaches the state each comment promises.

The block is taken from README.md itself, so an edit there is tested as written.
Each line runs in one bash session (variables carry over), with its exit code,
output and the issues' state recorded after it; the assertions then read like
the comments they check.
"""

import json
import os
import re
import subprocess
from pathlib import Path

from jit_testing import JIT_BIN, clean_env

README = Path(__file__).resolve().parents[2] / "README.md"
TITLES = {"A": "Parse config", "B": "Use config in CLI", "C": "Document config"}


def tour_lines() -> list:
    text = README.read_text()
    section = text.split("## A short tour", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S)[1]
    return [line for line in block.splitlines() if line.strip()]


def run_tour(folder: Path, lines: list) -> list:
    """[(line, exit code, stdout, {name: issue})] after every line."""
    parts = ["set -u"]
    for i, line in enumerate(lines):
        parts.append(f"{{ {line}\n}} >out.{i} 2>err.{i}; echo $? >rc.{i}")
        parts.append(f"jit issue list --json >state.{i} 2>/dev/null || echo null >state.{i}")
    env = clean_env(PATH=os.path.dirname(JIT_BIN) + os.pathsep + os.environ["PATH"])
    proc = subprocess.run(["bash", "-c", "\n".join(parts)], cwd=folder, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    steps = []
    for i, line in enumerate(lines):
        listed = json.loads((folder / f"state.{i}").read_text()) or []
        by_title = {i["title"]: i for i in listed}
        state = {name: by_title.get(title) for name, title in TITLES.items()}
        steps.append((line, int((folder / f"rc.{i}").read_text()), (folder / f"out.{i}").read_text(), state,
                      (folder / f"err.{i}").read_text()))
    return steps


def step(steps, starts: str):
    found = [s for s in steps if s[0].startswith(starts)]
    assert len(found) == 1, (starts, [s[0] for s in steps])
    return found[0]


def test_the_readme_tour_works_verbatim_in_an_empty_folder(tmp_path):
    folder = tmp_path / "tour"
    folder.mkdir()
    steps = run_tour(folder, tour_lines())
    for line, code, _, _, err in steps:
        assert code == 0, (line, err)

    assert (folder / ".jit").is_dir()                                              # creates .jit/ here
    _, _, _, state, _ = step(steps, "C=$(")
    assert state["A"]["state"] == "ready" and state["B"]["state"] == "backlog"
    _, _, _, state, _ = step(steps, "jit dep add $C $B")                           # C now waits for B
    assert state["C"]["state"] == "backlog" and state["C"]["dependencies"] == [state["B"]["id"]]
    _, _, out, _, _ = step(steps, "jit query available")                           # A is ready; B waits
    assert TITLES["A"] in out and TITLES["B"] not in out
    _, _, out, state, _ = step(steps, "jit issue claim-next")                      # claims A
    assert json.loads(out)["id"] == state["A"]["id"]
    assert state["A"]["state"] == "in_progress" and state["A"]["assignee"] == "agent:worker-1"
    _, _, _, state, _ = step(steps, "jit gate check $A tests")                     # runs the checker: passed
    assert state["A"]["gates_status"]["tests"]["status"] == "passed"
    _, _, _, state, _ = step(steps, "jit issue done $A")                           # done -> B becomes ready
    assert state["A"]["state"] == "done" and state["B"]["state"] == "ready"
    _, _, out, _, _ = step(steps, "jit query blocked")                             # what is stuck, and why
    assert out.splitlines()[0].endswith(TITLES["C"]) and f"(ready): {TITLES['B']}" in out  # C waits for B
    _, _, out, _, _ = step(steps, "jit graph export --format mermaid")
    assert out.startswith("graph LR")
    _, _, out, _, _ = step(steps, "jit events tail")
    assert "gate_passed" in out and "tests passed" in out
    _, _, out, _, _ = step(steps, "jit status")                                    # counts per state
    assert re.search(r"done\s+1", out) and re.search(r"ready\s+1", out)
    step(steps, "jit validate")                                                    # integrity check: exit 0

    # "a cycle would be refused (exit 5)": B -> C would close the loop C -> B.
    ids = {name: issue["id"] for name, issue in steps[-1][3].items()}
    cycle = subprocess.run([JIT_BIN, "dep", "add", ids["B"], ids["C"]], cwd=folder, env=clean_env(),
                           capture_output=True, text=True, timeout=60)
    assert cycle.returncode == 5, cycle.stderr
