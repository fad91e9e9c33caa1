"""examples/ai-review/review.py, run as a real --pass-context gate with a fake reviewer command."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from gate_helpers import assert_one_line_error

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ai-review"
FAKE = """#!/bin/sh
# A stand-in for an LLM CLI: keeps the request, approves unless the diff adds a TODO.
cat > "$REQUEST_COPY"
echo "Read the change."
if grep -q '^+.*TODO' "$REQUEST_COPY"; then echo "A TODO is left in the code."; echo "VERDICT: FAIL"
else echo "VERDICT: PASS"; fi
"""


@pytest.fixture
def reviewed(repo):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@x"}
    for args in (["init", "-q"], ["commit", "-q", "--allow-empty", "-m", "start"]):
        subprocess.run(["git", *args], cwd=repo.root, check=True, capture_output=True, env=env)
    fake = repo.root / "fake-llm"
    fake.write_text(FAKE)
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    repo.ok("gate", "define", "ai-review", "--title", "AI review", "--mode", "auto", "--timeout", "60",
            "--checker", f"{sys.executable} {EXAMPLE / 'review.py'}", "--pass-context",
            "--prompt-file", str(EXAMPLE / "prompt.md"), "--env", f"JIT_REVIEW_CMD={fake}",
            "--env", f"REQUEST_COPY={repo.root / 'request.txt'}")
    issue = repo.create("Slugify titles", "--gate", "ai-review", "--description", "Lowercase, dashes.")
    repo.ok("issue", "claim", issue, "agent:w1")
    return repo, issue


def test_the_reviewer_sees_prompt_issue_and_diff_and_its_verdict_counts(reviewed):
    repo, issue = reviewed
    (repo.root / "slug.py").write_text("def slug(t):\n    return t  # TODO lowercase\n")
    subprocess.run(["git", "add", "-N", "slug.py"], cwd=repo.root, check=True)
    r = repo.jit("gate", "check", issue, "ai-review", "--json")
    assert_one_line_error(r, "gate_failed", 6)
    [run] = r.json["error"]["details"]["runs"]
    assert run["exit_code"] == 1 and "VERDICT: FAIL" in run["output_tail"]
    request = (repo.root / "request.txt").read_text()
    assert "Check that the change does what the issue asks" in request  # the prompt file
    assert "Slugify titles" in request and "Lowercase, dashes." in request
    assert "slug.py" in request and "TODO lowercase" in request  # changed files and the diff
    (repo.root / "slug.py").write_text("def slug(t):\n    return t.lower()\n")
    passed = repo.ok("gate", "check", issue, "ai-review")["run"]
    assert passed["exit_code"] == 0 and "VERDICT: PASS" in passed["output_tail"]
    # The second request carried the first review's complaint.
    assert "The previous review failed" in (repo.root / "request.txt").read_text()


def test_no_reviewer_command_or_no_verdict_is_exit_2_not_a_pass(reviewed):
    repo, issue = reviewed
    repo.ok("gate", "update", "ai-review", "--env", "JIT_REVIEW_CMD=echo looks fine to me")
    run = repo.jit("gate", "check", issue, "ai-review", "--json").json["error"]["details"]["runs"][0]
    assert run["exit_code"] == 2 and "no `VERDICT" in run["output_tail"]
    repo.ok("gate", "update", "ai-review", "--no-env")
    run = repo.jit("gate", "check", issue, "ai-review", "--json").json["error"]["details"]["runs"][0]
    assert run["exit_code"] == 2 and "JIT_REVIEW_CMD is not set" in run["output_tail"]
