"""The how-to guides (docs/howto/) run as written, in an empty folder, and end where they say."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs" / "howto"
GIT_IDENTITY = {"GIT_AUTHOR_NAME": "guide", "GIT_AUTHOR_EMAIL": "guide@jit.invalid",
                "GIT_COMMITTER_NAME": "guide", "GIT_COMMITTER_EMAIL": "guide@jit.invalid",
                "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}

# The counts each guide's last comments promise (`jit status`).
ENDS = {
    "research": {"done": 3},
    "knowledge": {"done": 1, "rejected": 1, "ready": 2},
    "software": {"done": 2},
}


def block(name: str) -> str:
    text = (DOCS / f"{name}.md").read_text(encoding="utf-8")
    return re.search(r"```bash\n(.*?)```", text, re.S).group(1)


@pytest.mark.parametrize("name", sorted(ENDS))
def test_the_guide_runs_as_written_and_ends_where_it_says(tmp_path, name):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIT_", "GIT_"))}
    env.update(GIT_IDENTITY, USER="reader", PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", block(name)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, (proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    status = json.loads(subprocess.run([str(Path(sys.executable).parent / "jit"), "status", "--json"], cwd=tmp_path,
                                       env=env, capture_output=True, text=True, check=True).stdout)
    counts = status.get("counts", status)
    for state, expected in ENDS[name].items():
        assert counts[state] == expected, (name, state, counts)
    states = ("backlog", "ready", "in_progress", "gated", "done", "rejected")
    assert sum(counts[s] for s in states) == sum(ENDS[name].values()), counts  # nothing else is left
