"""docs/agents.md's session, run verbatim: every command works and the issue ends done with its notes.

The block is read from the doc itself, so an edit there is tested as written.
"""

import os
import re
import subprocess
from pathlib import Path

from jit_testing import JIT_BIN, Repo, clean_env

DOC = Path(__file__).resolve().parents[2] / "docs" / "agents.md"


def _block(heading: str, n: int = 0) -> str:
    section = DOC.read_text(encoding="utf-8").split(heading, 1)[1]
    return re.findall(r"```bash\n(.*?)```", section, re.DOTALL)[n]


def test_the_documented_session_runs_from_prime_to_done(tmp_path):
    env = clean_env(PATH=os.path.dirname(JIT_BIN) + os.pathsep + os.environ["PATH"],
                    GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t.invalid", GIT_COMMITTER_NAME="t",
                    GIT_COMMITTER_EMAIL="t@t.invalid", GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, env=env, check=True)
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "parser: nested lists"], cwd=tmp_path, env=env,
                   check=True)
    repo = Repo(tmp_path)
    repo.env = env
    assert repo.jit("init").code == 0
    issue = repo.create("Parse nested lists")
    script = "set -euo pipefail\n" + _block("## One session")
    proc = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert proc.returncode == 0, (proc.stdout[-2000:], proc.stderr[-2000:])
    assert "# jit briefing for agent:worker-1" in proc.stdout
    done = repo.ok("issue", "show", issue)
    assert done["state"] == "done" and done["resolution"]["text"].startswith("nested lists parse")
    assert [c["text"] for c in done["comments"]] == [
        "parser rewritten; the old fallback for tabs is gone on purpose", "parser: nested lists"]
    assert {c["by"] for c in done["comments"]} == {"agent:worker-1"}


def test_the_documented_plan_imports_an_epic_with_its_parts(repo):
    script = _block("A whole plan lands in one import")
    env = {**repo.env, "PATH": os.path.dirname(JIT_BIN) + os.pathsep + os.environ["PATH"]}
    proc = subprocess.run(["bash", "-c", "set -euo pipefail\n" + script], cwd=repo.root, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    [epic] = [n for n in repo.ok("graph", "tree")]
    assert epic["title"] == "Auth" and [c["title"] for c in epic["children"]] == ["Login form", "Session tokens"]
