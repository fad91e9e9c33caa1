#!/usr/bin/env python3
"""An AI-review checker for a jit gate (optional; an example, not part of jit).

jit runs it as the checker of a gate defined with --pass-context. It reads the context
file jit hands over (JIT_CONTEXT_FILE: the issue, the gate's prompt, earlier runs, the
changed files), adds the diff since the issue was claimed, and pipes the whole request to
the command named in JIT_REVIEW_CMD (any CLI that reads a prompt on stdin and answers on
stdout: `llm -m gpt-4o-mini`, `claude -p`, `ollama run llama3`, ...). The reviewer must end
its answer with `VERDICT: PASS` or `VERDICT: FAIL`.

Exit codes (what jit records): 0 pass, 1 fail, 2 the review could not be done (no context
file, no JIT_REVIEW_CMD, the command failed, no verdict). Standard library only.

    jit gate define ai-review --title "AI review" --mode auto --timeout 600 \
        --checker "python3 examples/ai-review/review.py" \
        --pass-context --prompt-file examples/ai-review/prompt.md \
        --env JIT_REVIEW_CMD="llm -m gpt-4o-mini"
"""

import json
import os
import re
import shlex
import subprocess
import sys

DIFF_LIMIT = 60_000  # characters of diff sent to the reviewer
VERDICT = re.compile(r"^\s*VERDICT:\s*(PASS|FAIL)\b", re.IGNORECASE | re.MULTILINE)


def fail(message: str) -> None:
    print(f"ai-review: {message}")
    sys.exit(2)


def load_context() -> dict:
    path = os.environ.get("JIT_CONTEXT_FILE")
    if not path:
        fail("JIT_CONTEXT_FILE is not set; define the gate with --pass-context")
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def diff_since_claim(ctx: dict) -> str:
    git = ctx.get("git") or {}
    base = git.get("base") or "HEAD"
    try:
        proc = subprocess.run(["git", "diff", base, "--", ".", ":(exclude).jit"], capture_output=True, text=True,
                              check=False, timeout=60, cwd=os.environ.get("JIT_REPO_ROOT") or None)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    text = proc.stdout if proc.returncode == 0 else ""
    return text[:DIFF_LIMIT] + ("\n[diff cut]" if len(text) > DIFF_LIMIT else "")


def build_request(ctx: dict) -> str:
    issue = ctx["issue"]
    parts = [ctx.get("prompt") or "Review this change for correctness and completeness.",
             "", f"## Issue {issue['id'][:8]}: {issue['title']}", issue.get("description") or "(no description)"]
    for comment in issue.get("comments") or []:
        parts.append(f"- comment by {comment.get('by')}: {comment.get('text')}")
    earlier = [r for r in ctx.get("runs") or [] if r.get("status") == "failed"]
    if earlier:
        last = earlier[-1]
        parts += ["", "## The previous review failed with", (last.get("output_tail") or "").strip()]
    git = ctx.get("git")
    if git:
        parts += ["", f"## Changed files ({git.get('changed_files_total', 0)})", *git.get("changed_files", [])]
        diff = diff_since_claim(ctx)
        if diff:
            parts += ["", "## Diff", diff]
    parts += ["", "End your answer with one line: `VERDICT: PASS` or `VERDICT: FAIL`."]
    return "\n".join(parts)


def main() -> int:
    ctx = load_context()
    command = os.environ.get("JIT_REVIEW_CMD")
    if not command:
        fail("JIT_REVIEW_CMD is not set; name the reviewer command, e.g. --env JIT_REVIEW_CMD='llm -m gpt-4o-mini'")
    try:
        proc = subprocess.run(shlex.split(command), input=build_request(ctx), capture_output=True, text=True,
                              check=False)
    except OSError as exc:
        fail(f"cannot run {command!r}: {exc.strerror or exc}")
    answer = proc.stdout.strip()
    print(answer)
    if proc.returncode != 0:
        fail(f"{command!r} exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    verdicts = VERDICT.findall(answer)
    if not verdicts:
        fail("the reviewer gave no `VERDICT: PASS` or `VERDICT: FAIL` line")
    return 0 if verdicts[-1].upper() == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
