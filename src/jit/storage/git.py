"""The `git` command, run as a subprocess: jit's only way into a clone's history and remotes.

jit uses the git the user already has (any remote git can reach: a bare folder, SSH, HTTPS)
and never links a git library. Every call runs with prompts off and messages in English so
failures can be recognised; a failing command raises GitError naming the command and git's
own words. Nothing here knows about issues: the service layer decides what to commit and merge.
"""

import os
import subprocess

from jit.errors import JitError


class GitError(JitError):
    """git failed (not installed, not a work tree, unreachable remote, refused merge)."""

    code = "git"


PUSHED, REJECTED = "pushed", "rejected"

_REPO_LOCAL_VARS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
                    "GIT_PREFIX", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_IMPLICIT_WORK_TREE")

# Words git prints when a push lost a race with another machine's push.
_RACE_MARKERS = ("rejected", "fetch first", "non-fast-forward", "stale info", "cannot lock ref",
                 "failed to update ref", "incorrect old value", "but expected")


class Git:
    def __init__(self, cwd, env=None, config=()):
        self.cwd = str(cwd)
        base = dict(os.environ if env is None else env)
        base.update({"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "LANGUAGE": "C"})
        for name in _REPO_LOCAL_VARS:  # set when git runs jit (a hook, the merge driver): not ours to follow
            base.pop(name, None)
        self.env = base
        self.config = list(config)  # (key, value) pairs passed as -c to every call

    def run(self, *args, check=True, input=None, env=None) -> subprocess.CompletedProcess:
        argv = ["git"]
        for key, value in self.config:
            argv += ["-c", f"{key}={value}"]
        argv += list(args)
        try:
            proc = subprocess.run(argv, cwd=self.cwd, env={**self.env, **(env or {})}, input=input,
                                  capture_output=True, text=True, encoding="utf-8", errors="replace")
        except FileNotFoundError:
            raise GitError("git is not installed (or not on PATH); jit's git features need it",
                           {"command": "git"}) from None
        if check and proc.returncode != 0:
            message = (proc.stderr or proc.stdout).strip().splitlines()
            raise GitError(f"git {args[0]} failed: {message[-1] if message else f'exit {proc.returncode}'}",
                           {"command": " ".join(argv[1:]), "stderr": proc.stderr.strip(),
                            "exit_code": proc.returncode})
        return proc

    def out(self, *args) -> str:
        return self.run(*args).stdout.strip()

    def ok(self, *args) -> bool:
        return self.run(*args, check=False).returncode == 0

    # -- where we are ---------------------------------------------------------------------
    def toplevel(self) -> str | None:
        """The work tree's top folder, or None outside a work tree (or without git)."""
        try:
            proc = self.run("rev-parse", "--show-toplevel", check=False)
        except GitError:
            return None
        return proc.stdout.strip() or None if proc.returncode == 0 else None

    def git_dir(self) -> str:
        return self.out("rev-parse", "--absolute-git-dir")

    def head(self) -> str | None:
        proc = self.run("rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)
        return proc.stdout.strip() or None

    def rev(self, ref: str) -> str | None:
        proc = self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        return proc.stdout.strip() or None

    def current_branch(self) -> str | None:
        proc = self.run("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
        return proc.stdout.strip() or None

    def remotes(self) -> list:
        return self.out("remote").split()

    def config_get(self, key: str) -> str | None:
        proc = self.run("config", "--get", key, check=False)
        return proc.stdout.strip() if proc.returncode == 0 else None

    def config_set(self, key: str, value: str) -> None:
        self.run("config", "--local", key, value)

    def is_ancestor(self, older: str, newer: str) -> bool:
        return self.ok("merge-base", "--is-ancestor", older, newer)

    # -- recording ------------------------------------------------------------------------
    def commit_paths(self, pathspec: str, message: str) -> str | None:
        """Commit every change under pathspec (and nothing else); the new commit, or None if clean."""
        self.run("add", "--all", "--", pathspec)
        if self.ok("diff", "--cached", "--quiet", "--", pathspec):
            return None
        self.run("commit", "--quiet", "--no-verify", "-m", message, "--", pathspec)
        return self.head()

    def dirty(self, pathspec: str) -> bool:
        return bool(self.out("status", "--porcelain", "--untracked-files=all", "--", pathspec))

    def restore(self, commit: str, pathspec: str) -> None:
        """Make the branch, index and files under pathspec exactly those of commit (other paths untouched)."""
        self.run("reset", "--quiet", "--soft", commit)
        self.run("restore", "--source", commit, "--staged", "--worktree", "--", pathspec)

    # -- exchanging -----------------------------------------------------------------------
    def fetch(self, remote: str, branch: str, into: str) -> str | None:
        """Fetch remote's branch into the ref `into`; its commit, or None when the remote has no such branch."""
        proc = fetch_refspecs(self, remote, f"+refs/heads/{branch}:{into}", prune=False)
        if proc.returncode != 0:
            text = proc.stderr.lower()
            if "couldn't find remote ref" in text or "could not find remote ref" in text:
                return None
            message = proc.stderr.strip().splitlines()
            raise GitError(f"git fetch {remote} failed: {message[-1] if message else proc.returncode}",
                           {"remote": remote, "branch": branch, "stderr": proc.stderr.strip()})
        return self.rev(into)

    def merge(self, ref: str, message: str, env=None) -> list:
        """Merge ref into HEAD; the unmerged paths ([] when it merged). Rename detection is off: two
        issue files look alike enough that git could take a deletion plus a creation for a rename."""
        proc = self.run("merge", "--quiet", "--no-edit", "--no-verify", "--allow-unrelated-histories",
                        "-X", "no-renames", "-m", message, ref, check=False, env=env)
        if proc.returncode == 0:
            return []
        unmerged = self.unmerged()
        if not unmerged:
            message = (proc.stderr or proc.stdout).strip().splitlines()
            raise GitError(f"git merge failed: {message[-1] if message else proc.returncode}",
                           {"stderr": proc.stderr.strip(), "stdout": proc.stdout.strip()})
        return unmerged

    def unmerged(self) -> list:
        """[(path, stages)] of conflicted paths; stages is a set of 1 (base), 2 (ours), 3 (theirs)."""
        stages: dict = {}
        for line in self.run("ls-files", "--unmerged", "-z").stdout.split("\0"):
            if not line:
                continue
            meta, path = line.split("\t", 1)
            stages.setdefault(path, set()).add(int(meta.split()[2]))
        return sorted(stages.items())

    def push(self, remote: str, branch: str, rev: str = "HEAD") -> str:
        """Push rev (HEAD) to remote's branch: PUSHED, or REJECTED when another push got there first."""
        proc = self.run("push", "--porcelain", remote, f"{rev}:refs/heads/{branch}", check=False)
        if proc.returncode == 0:
            return PUSHED
        text = (proc.stdout + "\n" + proc.stderr).lower()
        if "hook declined" not in text and any(marker in text for marker in _RACE_MARKERS):
            return REJECTED
        message = proc.stderr.strip().splitlines()
        raise GitError(f"git push {remote} failed: {message[-1] if message else proc.returncode}",
                       {"remote": remote, "branch": branch, "stderr": proc.stderr.strip()})

    # -- reading history ------------------------------------------------------------------
    def changed_files(self, old: str | None, new: str, pathspec: str) -> list:
        """[(status letter, path)] between two commits (old None: everything in new is added)."""
        if old is None:
            return [("A", p) for p in self.out("ls-tree", "-r", "--name-only", new, "--", pathspec).splitlines()]
        lines = self.out("diff", "--no-renames", "--name-status", old, new, "--", pathspec).splitlines()
        return [tuple(line.split("\t", 1)) for line in lines if "\t" in line]

    def added_lines(self, old: str | None, new: str, path: str) -> int:
        if old is None:
            return len(self.read_blobs([(new, path)]).get((new, path), "").splitlines())
        stat = self.out("diff", "--numstat", old, new, "--", path).split()
        return int(stat[0]) if stat and stat[0].isdigit() else 0

    def read_blobs(self, wanted) -> dict:
        """{(commit, path): text} for many files in one `git cat-file --batch` call; missing ones are left out."""
        wanted = list(wanted)
        if not wanted:
            return {}
        request = "".join(f"{rev}:{path}\n" for rev, path in wanted).encode("utf-8")
        proc = subprocess.run(["git", "cat-file", "--batch"], cwd=self.cwd, env=self.env, input=request,
                              capture_output=True)
        if proc.returncode != 0:
            raise GitError("git cat-file failed", {"stderr": proc.stderr.decode("utf-8", "replace")})
        data, pos, found = proc.stdout, 0, {}
        for item in wanted:
            end = data.index(b"\n", pos)
            header = data[pos:end].split()
            pos = end + 1
            if len(header) < 3 or header[-1] == b"missing":
                continue
            size = int(header[2])
            found[item] = data[pos:pos + size].decode("utf-8", "replace")
            pos += size + 1
        return found


def fetch_refspecs(git: Git, remote: str, *refspecs: str, prune: bool = True) -> subprocess.CompletedProcess:
    """One `git fetch`, retried briefly when another process of this clone was updating the same local
    refs at that moment ("cannot lock ref"): that fetch brought the same remote state, so losing the
    local race is no failure, only a reason to look again."""
    import random
    import time

    args = ["fetch", "--quiet", "--no-tags", *(["--prune"] if prune else []), remote, *refspecs]
    for attempt in range(8):
        proc = git.run(*args, check=False)
        text = proc.stderr.lower()
        if proc.returncode == 0 or not ("cannot lock ref" in text or ".lock': file exists" in text):
            return proc
        time.sleep(random.uniform(0.01, 0.05 * (attempt + 1)))
    return proc
