"""What a checker may know about its work: the git state of the checkout and the context file.

`git_state` decides whether a check can stand on an earlier run (same commit, clean tree
outside `.jit/`). `build_context` is the JSON handed to a `--pass-context` gate through
`JIT_CONTEXT_FILE` (an AI reviewer reads it): the issue, the gate and its prompt, earlier
runs, and the commit and changed files since the issue was claimed. It is cut down in
fixed steps until it fits CONTEXT_LIMIT, and says what it left out.
"""

import json
import os

CONTEXT_LIMIT = 1 << 20  # bytes of JSON; docs/gates.md states it
RUNS_KEPT = 10
FILES_KEPT = 1000


def _git(ctx):
    from jit.storage.git import Git

    return Git(ctx.layout.root, env=ctx.env)


def git_state(ctx) -> dict | None:
    """{"commit", "clean", "toplevel"} for the checkout, or None outside a git work tree
    (or without git, or before the first commit). Changes under `.jit/` do not count."""
    from jit.storage.git import GitError

    try:
        git = _git(ctx)
        top = git.run("rev-parse", "--show-toplevel", check=False)
        if top.returncode != 0:
            return None
        head = git.run("rev-parse", "--verify", "-q", "HEAD^{commit}", check=False)
        if head.returncode != 0:
            return None
        status = git.run("status", "--porcelain=v1", "-z", "--untracked-files=normal", check=False)
        if status.returncode != 0:
            return None
    except GitError:
        return None
    toplevel = top.stdout.strip()
    dirty = [p for p in _porcelain_paths(status.stdout) if not _is_jit_path(ctx, toplevel, p)]
    return {"commit": head.stdout.strip(), "clean": not dirty, "toplevel": toplevel, "changed": dirty}


def _porcelain_paths(text: str) -> list:
    """Paths from `git status --porcelain=v1 -z`; a rename's second (origin) path is skipped."""
    paths, fields, i = [], text.split("\0"), 0
    while i < len(fields):
        entry = fields[i]
        i += 1
        if len(entry) < 4:
            continue
        paths.append(entry[3:])
        if entry[0] in "RC":
            i += 1
    return paths


def _is_jit_path(ctx, toplevel: str, path: str) -> bool:
    """Under the data folder, or under a `.jit/` at the checkout's root (a linked worktree's copy)."""
    full = os.path.join(toplevel, path).rstrip("/")
    for folder in (ctx.layout.data_dir, os.path.join(ctx.layout.root, ".jit")):
        folder = os.path.realpath(folder)  # git reports the real path (/tmp may be a symlink)
        if full == folder or full.startswith(folder + "/"):
            return True
    return False


def _changes_since_claim(ctx, issue, state) -> dict:
    claimed = ctx.events.tail(1, issue_id=issue.id, types=("issue_claimed", "issue_assigned"))
    claimed_at = claimed[-1]["ts"] if claimed else None
    git = _git(ctx)
    base = None
    if claimed_at:
        found = git.run("rev-list", "-1", f"--before={claimed_at}", "HEAD", check=False)
        if found.returncode == 0 and found.stdout.strip():
            base = found.stdout.strip()
    diff = git.run("diff", "--name-only", "-z", base or "HEAD", check=False)
    files = [f for f in diff.stdout.split("\0") if f] if diff.returncode == 0 else []
    files += [p for p in state["changed"] if p not in files]
    files = [f for f in files if not _is_jit_path(ctx, state["toplevel"], f)]
    return {"commit": state["commit"], "dirty": not state["clean"], "claimed_at": claimed_at,
            "base": base, "changed_files": files[:FILES_KEPT], "changed_files_total": len(files)}


def _run_summary(run: dict) -> dict:
    keep = ("id", "started_at", "status", "exit_code", "duration", "timed_out", "error", "commit", "by",
            "output_tail")
    return {k: run.get(k) for k in keep}


def _cut(text, limit: int):
    if isinstance(text, str) and len(text) > limit:
        return text[:limit] + f"\n[... {len(text) - limit} characters cut by jit]"
    return text


def _shrink_steps(doc: dict):
    """Ways to make the document smaller, mildest first; each returns what it left out."""
    def fewer_runs():
        doc["runs"] = doc["runs"][-2:]
        return "older runs"

    def fewer_files():
        if doc.get("git"):
            doc["git"]["changed_files"] = doc["git"]["changed_files"][:100]
        return "changed files past the first 100"

    def shorter_issue():
        issue = doc["issue"]
        issue["description"] = _cut(issue.get("description"), 32_000)
        comments = issue.get("comments") or []
        issue["comments"] = [{**c, "text": _cut(c.get("text"), 2_000)} if isinstance(c, dict) else c
                             for c in comments[-20:]]
        return "long description and older comments"

    def no_free_context():
        doc["issue"]["context"] = {}
        return "the issue's context field"

    def shorter_prompt():
        doc["prompt"] = _cut(doc.get("prompt"), 16_000)
        doc["gate"]["prompt"] = None
        return "the end of the prompt"

    def no_runs_output():
        for run in doc["runs"]:
            run["output_tail"] = ""
        return "output of earlier runs"

    return (fewer_runs, fewer_files, shorter_issue, no_free_context, shorter_prompt, no_runs_output)


def build_context(ctx, issue, gate: dict, runs: list, state: dict | None) -> bytes:
    """The JSON document for JIT_CONTEXT_FILE, at most CONTEXT_LIMIT bytes."""
    doc = {
        "version": 1,
        "issue": issue.to_dict(),
        "gate": dict(gate),
        "stage": gate.get("stage"),
        "prompt": gate.get("prompt"),
        "runs": [_run_summary(r) for r in runs[-RUNS_KEPT:]],
        "git": _changes_since_claim(ctx, issue, state) if state else None,
        "omitted": [],
    }
    data = json.dumps(doc, ensure_ascii=False, indent=1).encode()
    for step in _shrink_steps(doc):
        if len(data) <= CONTEXT_LIMIT:
            break
        doc["omitted"].append(step())
        data = json.dumps(doc, ensure_ascii=False, indent=1).encode()
    if len(data) > CONTEXT_LIMIT:  # only a pathological gate definition or title gets here
        doc = {"version": 1, "issue": {"id": issue.id, "title": _cut(issue.title, 1000)},
               "gate": {"key": gate["key"]}, "stage": gate.get("stage"), "prompt": _cut(gate.get("prompt"), 16_000),
               "runs": [], "git": None, "omitted": ["nearly everything: the context was too large"]}
        data = json.dumps(doc, ensure_ascii=False, indent=1).encode()
    return data
