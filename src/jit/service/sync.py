"""Several machines, one truth: `.jit/` travels through a git remote (SPEC section 11).

`jit sync` commits only `.jit/`, fetches, merges (issue files through jit's merge driver, the
event log as a union by event id), settles what the merge made stale, validates and pushes,
retrying when another machine pushed first. Only the local commit and merge hold the repository
lock; fetches and pushes run outside it, so no local command waits on the network.

Claims through the remote are a compare-and-swap on a per-issue ref (`jit.service.claim_plane`).
Where a remote refuses custom refs, the branch itself is the arbiter: a claim is granted only
once the commit recording it is pushed, and a rejected push means another machine moved first,
so the attempt is undone (branch, index and `.jit/` back to where they were) and retried on top
of the remote's state. That fallback holds the lock across its push, so no local writer can
slip a change between a claim and its undo.
"""

from contextlib import contextmanager

from jit.errors import Conflict, UsageError
from jit.service.context import Context
from jit.storage.unit import UnitOfWork

PATIENCE = 60.0  # seconds of lost push races before giving up (the remote is busy, not broken)
SYNC_ACTOR = "system:sync"


def setup_git_files(ctx) -> str:
    """`jit init` calls this (see jit.service.gitfiles.setup_git_files); git code loads only when used."""
    from jit.service.gitfiles import setup_git_files as write_and_register

    return write_and_register(ctx)


# -- the repository lock, held across a whole exchange ---------------------------------------

class _HeldLock:
    """Stands in for the repository lock inside an exchange that already holds it."""

    def acquire(self):
        pass

    def release(self):
        pass


class _LockedContext(Context):
    """A Context whose transactions run under the lock the exchange holds (the lock is not re-entrant)."""

    def transaction(self) -> UnitOfWork:
        unit = UnitOfWork(self.layout, before_commit=self._resolve_actors, warn=self.warn)
        unit.lock = _HeldLock()
        return unit


@contextmanager
def _locked(ctx):
    from jit.storage.lock import RepoLock

    lock = RepoLock(ctx.layout.lock_file)
    lock.acquire()
    held = _LockedContext(ctx.layout, env=ctx.env, clock=ctx.clock, new_id=ctx.new_id,
                          actor=ctx.explicit_actor, warn=ctx.warn)
    try:
        held.settle_crash_leftovers()
        yield held
    finally:
        held.close()
        lock.release()


# -- the clone and where it syncs to ---------------------------------------------------------

class _Clone:
    """The work tree holding `.jit/`, the remote branch it exchanges with, and what came in."""

    def __init__(self, ctx, remote=None, branch=None):
        from pathlib import Path

        from jit.service.gitfiles import driver_config, driver_registered, work_tree, write_git_files
        from jit.storage.git import Git

        plain = work_tree(ctx)
        if plain is None:
            raise UsageError(f"{ctx.layout.data_dir} is not inside a git work tree; `jit sync` needs one "
                             "(git init, or clone the team's repository)", {"path": str(ctx.layout.data_dir)})
        top = Path(plain.cwd).resolve()
        data = Path(ctx.layout.data_dir).resolve()
        if top != data and top not in data.parents:
            raise UsageError(f"{data} is outside the git work tree {top}", {"path": str(data)})
        self.pathspec = data.relative_to(top).as_posix()
        self.git = Git(top, ctx.env, driver_config())
        self.warnings = []
        if not driver_registered(plain):
            self._warn(ctx, "this clone has no jit merge driver registered, so a plain `git pull` would merge "
                       "issue files as text; run `jit git setup` (jit sync uses the driver anyway)")
        added = write_git_files(ctx.layout)
        if added:
            self._warn(ctx, f"added jit's git rules: {', '.join(added)} (committed with this sync)")
        conf = ctx.config.get("sync") or {}
        self.branch = branch or conf.get("branch") or self.git.current_branch()
        if not self.branch:
            raise UsageError("HEAD is detached; check out a branch or pass --branch", {})
        names = self.git.remotes()
        self.remote = (remote or conf.get("remote") or self.git.config_get(f"branch.{self.branch}.remote")
                       or ("origin" if "origin" in names else (names[0] if len(names) == 1 else None)))
        if not self.remote:
            raise UsageError("no git remote to sync with; add one (`git remote add origin URL`), pass --remote, "
                             "or set `[sync] remote` in .jit/config.toml", {"remotes": names})
        self.tracking = (f"refs/remotes/{self.remote}/{self.branch}" if self.remote in names
                         else f"refs/jit/sync/{self.branch}")
        self.incoming = {"new": {}, "changed": {}, "deleted": [], "claimed": {}, "lost": {}, "events": 0}
        self.conflicts = []
        self._kept_edits = []

    def _warn(self, ctx, message):
        self.warnings.append(message)
        ctx.warn(f"warning: {message}")

    def commit(self, message) -> str | None:
        return self.git.commit_paths(self.pathspec, message)

    # -- one round: commit, fetch, merge, settle ------------------------------------------
    def catch_up(self, lctx) -> str | None:
        """Bring HEAD up to date with the remote (lock held). Returns the remote's commit, or None."""
        remote_head = self.git.fetch(self.remote, self.branch, self.tracking)
        return self.merge_in(lctx, remote_head)

    def merge_in(self, lctx, remote_head) -> str | None:
        """Merge the fetched remote commit into HEAD (lock held; no network)."""
        from jit.service.gitfiles import REMOTE_SIDE_VAR, merge_log_size, read_merge_log

        self.commit("jit: local changes")
        head = self.git.head()
        if remote_head is None or (head and self.git.is_ancestor(remote_head, head)):
            return remote_head
        offset = merge_log_size(self.git)
        self._kept_edits = []
        unmerged = self.git.merge(self.tracking, f"jit sync: merge {self.remote}/{self.branch}",
                                  env={REMOTE_SIDE_VAR: "theirs"})
        if unmerged:
            self._resolve(unmerged)
        merged = self.git.head()
        conflicts = read_merge_log(self.git, offset) + self._kept_edits
        self.conflicts += conflicts
        touched = self._note_incoming(head, merged)
        settle(lctx, conflicts, touched)
        self.commit("jit sync: settle states after merge")
        return remote_head

    def _resolve(self, unmerged) -> None:
        """Settle what the merge driver cannot see: an issue edited on one side and deleted on the other
        keeps the edit. Anything else (a conflict outside .jit/, a file no side can read) stops the sync."""
        issues_dir = f"{self.pathspec}/issues/"
        stuck = [p for p, stages in unmerged
                 if not (p.startswith(issues_dir) and 1 in stages and len(stages) == 2)]
        if stuck:
            self.git.run("merge", "--abort", check=False)
            raise Conflict(f"git could not merge {', '.join(stuck[:5])}; merge by hand (`git pull`), "
                           "then run `jit validate` and `jit sync`", {"paths": stuck})
        for path, _stages in unmerged:
            self.git.run("add", "--", path)
            issue_id = path.rsplit("/", 1)[-1].removesuffix(".json")
            self._kept_edits.append({"file": path, "issue_id": issue_id, "field": "(file)", "kept": "edited",
                                     "dropped": "deleted", "rule": "an edited issue beats its deletion"})
        self.git.run("commit", "--quiet", "--no-edit", "--no-verify")

    def _note_incoming(self, before, after) -> set:
        """Record what the merge brought in; returns the ids of the issue files it changed."""
        import json

        changes = self.git.changed_files(before, after, f"{self.pathspec}/issues")
        wanted = [(rev, path) for status, path in changes for rev in (before, after) if rev]
        blobs = self.git.read_blobs(wanted)

        def load(rev, path):
            try:
                return json.loads(blobs.get((rev, path), "null")) or {}
            except ValueError:
                return {}

        for status, path in changes:
            issue_id = path.rsplit("/", 1)[-1].removesuffix(".json")
            old, new = load(before, path) if before else {}, load(after, path)
            brief = {"id": issue_id, "title": new.get("title") or old.get("title"), "state": new.get("state"),
                     "assignee": new.get("assignee")}
            if status.startswith("D"):
                self.incoming["deleted"].append(issue_id)
                continue
            (self.incoming["new"] if status.startswith("A") else self.incoming["changed"])[issue_id] = brief
            if new.get("assignee") and new.get("assignee") != old.get("assignee") \
                    and new.get("state") in ("in_progress", "gated"):
                self.incoming["claimed"][issue_id] = brief
                if old.get("assignee") and old.get("state") == "in_progress":
                    self.incoming["lost"][issue_id] = {**brief, "was": old.get("assignee")}
        self.incoming["events"] += self.git.added_lines(before, after, f"{self.pathspec}/events.jsonl")
        return {path.rsplit("/", 1)[-1].removesuffix(".json") for _status, path in changes}

    def issue_docs(self, rev: str | None, ids) -> dict:
        """{id: the issue's JSON as it is in commit rev} for the ids rev has, in one git call."""
        import json

        if not rev:
            return {}
        found = {}
        for (_rev, path), text in self.git.read_blobs((rev, f"{self.pathspec}/issues/{i}.json") for i in ids).items():
            try:
                doc = json.loads(text)
            except ValueError:
                continue
            if isinstance(doc, dict):
                found[path.rsplit("/", 1)[-1].removesuffix(".json")] = doc
        return found

    def undo(self, base: str) -> None:
        """Put branch, index and `.jit/` back at base: a claim that was not granted leaves nothing behind."""
        self.git.restore(base, self.pathspec)

    def push(self, rev: str = "HEAD") -> str:
        return self.git.push(self.remote, self.branch, rev)

    def summary(self) -> dict:
        return {
            "remote": self.remote, "branch": self.branch, "head": self.git.head(),
            "incoming": {"new": list(self.incoming["new"].values()),
                         "changed": list(self.incoming["changed"].values()),
                         "deleted": self.incoming["deleted"],
                         "claimed": list(self.incoming["claimed"].values()),
                         "lost": list(self.incoming["lost"].values()),
                         "events": self.incoming["events"]},
            "conflicts": self.conflicts, "warnings": self.warnings,
        }


def _patience(ctx) -> float:
    value = (ctx.config.get("sync") or {}).get("patience", PATIENCE)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
        raise UsageError(f"[sync] patience in .jit/config.toml must be a number of seconds, got {value!r}",
                         {"patience": value})
    return float(value)


def _attempts(patience=None):
    """Attempt numbers 1, 2, ... for as long as patience lasts, with a short random pause between them.
    The pause does not grow with the attempt: a growing backoff hands the branch to whoever lost least
    recently, so one clone that fell behind kept falling further (bench/sync.py saw a clone of eight
    get 2 grants of a fair 15). Bounded by time rather than by count: a machine whose merge takes
    longer than its peers' pushes still gets through once they pause, however many rounds that takes."""
    import random
    import time

    patience = PATIENCE if patience is None else patience
    deadline = time.monotonic() + patience
    attempt = 1
    while True:
        yield attempt
        if time.monotonic() >= deadline:
            return
        time.sleep(random.uniform(0.01, 0.12))
        attempt += 1


# -- after a merge ---------------------------------------------------------------------------

def settle(lctx, conflicts=(), touched=None) -> None:
    """Apply what a one-machine command would have done in the same step (lock held): log the conflicts
    the merge settled, finish gated issues whose gates all passed, and move backlog/ready issues to
    match their dependencies. Cycles and dangling dependencies are left for `jit validate` to report.

    touched: ids of the issue files the merge changed (None: every issue). Both sides were settled
    before the merge, so only those and their dependents can be out of place."""
    from jit.domain import states
    from jit.domain.model import BACKLOG, GATED, READY
    from jit.service.flow import record_state
    from jit.service.flow import settle as settle_unstarted
    from jit.storage.issues import CorruptFile

    by_issue: dict = {}
    for c in conflicts:
        by_issue.setdefault(c.get("issue_id"), []).append(
            {k: c.get(k) for k in ("file", "field", "kept", "dropped", "rule")})
    with lctx.transaction() as tx:
        for issue_id, fields in by_issue.items():
            tx.event(lctx.event("merge_conflict_resolved", issue_id, {"fields": fields}, actor=SYNC_ACTOR))
        if touched is None:
            candidates = set(lctx.files.ids())
        else:
            index = lctx.index()
            candidates = {i for i in touched if tx.exists(i)}
            candidates |= {d for i in touched for d in index.dependents(i) if tx.exists(d)}
        loaded = []
        for issue_id in sorted(candidates):
            try:
                loaded.append(tx.load(issue_id))
            except CorruptFile:
                continue
        for issue in loaded:
            if issue.state == GATED:
                record_state(lctx, tx, issue, states.after_gate_verdict(issue, lctx.now()), reason="gates",
                             actor=SYNC_ACTOR)
        for issue in loaded:
            current = tx.load(issue.id)
            if current.state in (BACKLOG, READY):
                settle_unstarted(lctx, tx, current, actor=SYNC_ACTOR)


# -- jit sync --------------------------------------------------------------------------------

def sync(ctx, remote=None, branch=None) -> dict:
    """Commit `.jit/`, fetch, merge, settle, validate, push; retry while pushes lose races.

    Raises UsageError without a work tree or remote, Conflict when a merge needs a person
    (or every push lost), GitError when git itself fails (an unreachable remote).
    """
    from jit.service.validate import check
    from jit.storage.git import PUSHED

    clone = _Clone(ctx, remote, branch)
    pushed = False
    # The network (fetch, push) happens outside the repository lock; only the local commit and
    # merge hold it, so local commands never wait for a remote (docs/multi-machine.md).
    for attempt in _attempts(_patience(ctx)):
        remote_head = clone.git.fetch(clone.remote, clone.branch, clone.tracking)
        with _locked(ctx) as lctx:
            clone.merge_in(lctx, remote_head)
            pushed_head = clone.git.head()
        if remote_head is not None and remote_head == pushed_head:
            break
        if clone.push(pushed_head) == PUSHED:
            pushed = True
            break
    else:
        raise Conflict(f"gave up after {attempt} attempts: every push to {clone.remote} lost a race; "
                       "run `jit sync` again", {"remote": clone.remote, "branch": clone.branch})
    problems, _ = check(ctx)
    from jit.service.remote_claims import tidy_claim_refs

    from jit.storage.git import GitError

    try:
        released = tidy_claim_refs(ctx, clone, pushed_head if pushed else clone.git.rev(clone.tracking))
    except GitError as exc:  # the branch is synced; tidying claim refs waits for the next sync
        clone._warn(ctx, f"claim refs not tidied: {exc.message}")
        released = []
    return {**clone.summary(), "pushed": pushed, "attempts": attempt, "problems": problems,
            "ok": not problems, "claim_refs_removed": released}
