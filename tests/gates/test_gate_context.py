"""The context a `--pass-context` checker gets, and the variables every checker gets (issue 13)."""

import json
import os
import subprocess

from gate_helpers import define_auto

COPY = 'cp "$JIT_CONTEXT_FILE" "ctx-$JIT_GATE_KEY.json"; echo "file=$JIT_CONTEXT_FILE stage=$JIT_STAGE"'


def _git(root, *args):
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@x"})


def test_context_file_holds_issue_gate_prompt_runs_and_git_changes(repo):
    _git(repo.root, "init", "-q")
    (repo.root / "old.py").write_text("x = 1\n")
    _git(repo.root, "add", "-A")
    _git(repo.root, "commit", "-qm", "start")
    prompt = repo.root / "prompt.md"
    prompt.write_text("Review the change.\nEnd with VERDICT.\n")
    repo.ok("gate", "define", "ai", "--title", "AI review", "--mode", "auto", "--checker",
            COPY + '; test -f again || { touch again; echo "first try fails"; exit 3; }',
            "--pass-context", "--prompt-file", str(prompt))
    issue = repo.create("Parser", "--gate", "ai", "--description", "Parse the config.")
    repo.ok("issue", "claim", issue, "agent:w1")
    (repo.root / "new.py").write_text("y = 2\n")  # a change after the claim
    (repo.root / "old.py").write_text("x = 3\n")
    first = repo.jit("gate", "check", issue, "ai", "--json")
    assert first.code == 6
    second = repo.ok("gate", "check", issue, "ai")["run"]
    doc = json.loads((repo.root / "ctx-ai.json").read_text())
    assert doc["issue"]["id"] == issue and doc["issue"]["description"] == "Parse the config."
    assert doc["issue"]["assignee"] == "agent:w1"
    assert doc["gate"]["key"] == "ai" and doc["gate"]["pass_context"] is True
    assert doc["prompt"] == "Review the change.\nEnd with VERDICT.\n" and doc["stage"] == "postcheck"
    [earlier] = doc["runs"]  # the failed first run, as it was when the second one started
    assert earlier["exit_code"] == 3 and earlier["status"] == "failed" and "first try fails" in earlier["output_tail"]
    assert earlier["id"] == first.json["error"]["details"]["runs"][0]["id"]
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo.root, capture_output=True, text=True,
                          check=True).stdout.strip()
    git = doc["git"]
    assert git["commit"] == head and git["dirty"] is True and git["base"] == head
    assert {"new.py", "old.py"} <= set(git["changed_files"])
    assert not any(f.startswith(".jit") for f in git["changed_files"])
    assert doc["omitted"] == []
    # The file is gone after the run, and the run itself says where it was.
    path = second["output_tail"].split("file=")[1].split()[0]
    assert not os.path.exists(path)


def test_every_checker_gets_stage_and_no_context_file_unless_asked(repo):
    define_auto(repo, "pre", 'echo "stage=$JIT_STAGE ctx=${JIT_CONTEXT_FILE:-none}"', stage="precheck")
    define_auto(repo, "post", 'echo "stage=$JIT_STAGE ctx=${JIT_CONTEXT_FILE:-none}"')
    issue = repo.create("Parser", "--gate", "pre", "--gate", "post")
    # A stray JIT_CONTEXT_FILE in the caller's environment does not reach a gate without --pass-context.
    runs = repo.ok("gate", "check-all", issue, env={"JIT_CONTEXT_FILE": "/etc/passwd"})["runs"]
    assert [r["output_tail"] for r in runs] == ["stage=precheck ctx=none\n", "stage=postcheck ctx=none\n"]


def test_prompt_without_pass_context_and_reserved_env_are_refused(repo):
    before = repo.snapshot()
    r = repo.jit("gate", "define", "ai", "--title", "AI", "--prompt", "review", "--json")
    assert r.code == 2 and "--pass-context" in r.json["error"]["message"]
    r = repo.jit("gate", "define", "ai", "--title", "AI", "--env", "JIT_ISSUE_ID=x", "--json")
    assert r.code == 2 and "JIT_ISSUE_ID" in r.json["error"]["message"]
    r = repo.jit("gate", "define", "ai", "--title", "AI", "--env", "NOEQUALS", "--json")
    assert r.code == 2 and "KEY=VALUE" in r.json["error"]["message"]
    r = repo.jit("gate", "define", "ai", "--title", "AI", "--pass-context", "--prompt-file", "missing.md")
    assert r.code == 2 and "missing.md" in r.err and len(r.err.strip().splitlines()) == 1
    assert repo.snapshot() == before


def test_a_huge_issue_gives_a_bounded_context_that_says_what_it_left_out(repo):
    from jit.domain.model import Issue
    from jit.service.gate_context import CONTEXT_LIMIT, build_context

    ctx = repo.ctx()
    issue = Issue.new("0" * 8 + "-0000-4000-8000-" + "0" * 12, "Big", "2026-01-01T00:00:00Z",
                      description="d" * (3 * CONTEXT_LIMIT))
    issue = issue.replace(comments=[{"by": "human:a", "at": "t", "text": "c" * 50_000} for _ in range(40)])
    runs = [{"id": f"r{i}", "status": "failed", "exit_code": 1, "output_tail": "o" * 4000} for i in range(30)]
    gate = {"key": "ai", "title": "AI", "mode": "auto", "checker": "true", "stage": "postcheck",
            "pass_context": True, "prompt": "p" * 60_000}
    data = build_context(ctx, issue, gate, runs, None)
    assert len(data) <= CONTEXT_LIMIT
    doc = json.loads(data)
    assert doc["issue"]["id"] == issue.id and doc["omitted"] and doc["prompt"].startswith("p" * 1000)
    assert len(doc["runs"]) <= 10
