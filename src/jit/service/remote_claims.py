"""Claims through the remote: `jit issue claim/claim-next --sync` (or `[sync] remote` in config.toml).

The claim plane (`jit.service.claim_plane`, a compare-and-swap on a per-issue ref) is the
default; remotes that refuse custom refs, or `[sync] claim_refs = false`, use the branch push
as arbiter (`_through_remote`). See docs/multi-machine.md.
"""

from jit.domain.model import check_assignee
from jit.errors import Conflict
from jit.service import claims

LOCKED_PATIENCE = 20.0  # seconds


def _sync():
    """The sync module, imported only on the remote path: a local claim does not pay for it."""
    from jit.service import sync

    return sync


def claims_through_remote(ctx, wanted=None) -> bool:
    """--sync / --no-sync when given, else whether config.toml names a remote under [sync]."""
    if wanted is not None:
        return bool(wanted)
    conf = ctx.config.get("sync") or {}
    return bool(conf.get("remote")) and conf.get("claims", True) is not False


def claim(ctx, ref, assignee, ttl=None, *, sync=None, remote=None, branch=None):
    """`jit issue claim`, granted through the remote when one is configured (see claims.claim).

    Raises Conflict (exit 4) when another machine holds the issue, as claims.claim does locally.
    """
    if not claims_through_remote(ctx, sync):
        return claims.claim(ctx, ref, assignee, ttl=ttl)
    plane = _claim_plane(ctx, remote, branch)
    if plane is not None:
        from jit.service import claim_plane

        check_assignee(assignee)
        try:
            return claim_plane.claim(plane, ref, assignee, ttl)
        except claim_plane.Fallback:
            _fell_back(ctx, plane)
    return _through_remote(ctx, lambda lctx: claims.claim(lctx, ref, assignee, ttl=ttl), remote, branch)


def claim_next(ctx, assignee, labels=(), priority=None, ttl=None, *, sync=None, remote=None, branch=None,
               filter=None):
    """`jit issue claim-next` through the remote: a lost race moves on to the next available issue.

    Raises NothingAvailable (exit 3) when nothing is left.
    """
    if not claims_through_remote(ctx, sync):
        return claims.claim_next(ctx, assignee, labels=labels, priority=priority, ttl=ttl, filter=filter)
    plane = _claim_plane(ctx, remote, branch)
    if plane is not None:
        from jit.service import claim_plane

        check_assignee(assignee)
        try:
            return claim_plane.claim_next(plane, assignee, ttl,
                                          claim_plane.available_ids(ctx, labels, priority, filter))
        except claim_plane.Fallback:
            _fell_back(ctx, plane)
    return _through_remote(
        ctx, lambda lctx: claims.claim_next(lctx, assignee, labels=labels, priority=priority, ttl=ttl,
                                            filter=filter),
        remote, branch)


def _claim_plane(ctx, remote, branch):
    """The per-issue claim refs on the remote (docs/multi-machine.md), unless `[sync] claim_refs = false`
    or this remote was found to refuse custom refs; None means the branch-push protocol."""
    from jit.service.claim_plane import Fallback, Plane

    if (ctx.config.get("sync") or {}).get("claim_refs", True) is False:
        return None
    clone = _sync()._Clone(ctx, remote, branch)
    try:
        # One fetch brings the claims and the branch; the branch is read, and merged only when needed.
        return Plane(ctx, clone.git, clone.remote, also_fetch=[f"+refs/heads/{clone.branch}:{clone.tracking}"],
                     branch=_FetchedBranch(ctx, clone))
    except Fallback:
        return None


class _FetchedBranch:
    """The remote branch as the last fetch left it: issue states read straight from git, and a merge
    into this clone (local work under the lock) for when the local view must catch up."""

    def __init__(self, ctx, clone):
        self.ctx = ctx
        self.clone = clone

    def states(self, ids) -> dict:
        return self.clone.issue_docs(self.clone.git.rev(self.clone.tracking), list(ids))

    def merge(self) -> None:
        clone = self.clone
        proc = clone.git.run("rev-parse", f"{clone.tracking}^{{commit}}", "HEAD^{commit}", check=False)
        found = proc.stdout.split()
        if proc.returncode == 0 and len(found) == 2:
            remote_head, head = found
        else:  # no remote branch yet, or no commit here
            remote_head, head = clone.git.rev(clone.tracking), clone.git.head()
        if remote_head is None or (head and (remote_head == head or clone.git.is_ancestor(remote_head, head))):
            return
        with _sync()._locked(self.ctx) as lctx:
            clone.merge_in(lctx, remote_head)


def _fell_back(ctx, plane) -> None:
    ctx.warn(f"warning: {plane.remote} refuses jit's claim refs (refs/jit/claims/*); claims go through the "
             "branch instead (slower: every claim pushes the branch). See docs/multi-machine.md.")


def _through_remote(ctx, attempt_claim, remote, branch):
    from jit.storage.git import PUSHED

    clone = _sync()._Clone(ctx, remote, branch)
    with _sync()._locked(ctx) as lctx:
        # This fallback holds the lock across its pushes: keep that shorter than local commands wait
        # for the lock (JIT_LOCK_TIMEOUT, 30 s), so a `done` never fails behind a claim's retries.
        for attempt in _sync()._attempts(min(_sync()._patience(ctx), LOCKED_PATIENCE)):
            clone.catch_up(lctx)
            base = clone.git.head()
            issue = attempt_claim(lctx)  # the claim rules decide; a refusal has nothing to undo
            try:
                clone.commit(f"jit: claim {issue.short_id} for {issue.assignee}")
                granted = clone.push() == PUSHED
            except BaseException:
                clone.undo(base)
                raise
            if granted:
                return issue
            clone.undo(base)
    raise Conflict(f"could not record the claim on {clone.remote}: {attempt} pushes lost races with other "
                   "machines; try again", {"remote": clone.remote, "branch": clone.branch})


def tidy_claim_refs(ctx, clone, branch_head) -> list:
    """After the branch is pushed: give back this clone's claim refs whose claims ended here, and delete
    the refs of issues the branch now shows finished (lock not held: all of it is network work)."""
    from jit.service.claim_plane import Fallback, Plane

    if (ctx.config.get("sync") or {}).get("claim_refs", True) is False:
        return []
    try:
        plane = Plane(ctx, clone.git, clone.remote)
    except Fallback:
        return []
    def states_on_branch(ids):
        return {i: doc.get("state") for i, doc in clone.issue_docs(branch_head, ids).items()}

    return sorted(set(plane.recover()) | set(plane.collect(states_on_branch)))


def heartbeat(ctx, ref, ttl=None, force=False, reason=None):
    """`jit issue heartbeat`: the local rules (claims.heartbeat), then, for a claim made through the
    claim refs, a renewal pushed to the remote so other machines do not see the lease run out.

    Raises Conflict when another machine took the claim over after its lease ran out there."""
    issue = claims.heartbeat(ctx, ref, ttl=ttl, force=force, reason=reason)
    if claims_through_remote(ctx):
        plane = _claim_plane(ctx, None, None)
        if plane is not None:
            plane.renew(issue.id, (issue.lease or {}).get("ttl"))
    return issue
