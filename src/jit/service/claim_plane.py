"""Claims across machines as per-issue refs on the remote (docs/multi-machine.md, "The claim plane").

A grant is the creation of `refs/jit/claims/<id>` on the remote by a push that must find it
absent: claims on different issues never meet, and a claim costs one fetch of the claims
namespace plus one push, with no merge and no branch. Only after the grant does the clone
record the claim locally through the ordinary rules of `jit.service.claims` (under the
repository lock, a few milliseconds); the issue's new state then travels by ordinary sync.
No network round trip happens while the repository lock is held.

A ledger in the clone's git folder (`jit.storage.claim_ledger`: one file per claim, flocked
by its claimer while in flight) remembers what this clone pushed, so a claimer killed between
its push and its local record is undone by the next claim or sync: its ref is deleted, no
event was written, nothing was granted. Lease expiry across machines never compares two
clocks: a claim with a TTL is expired for an observer once the ref has kept the same value
for TTL seconds of that observer's own clock (a renewal pushes a new commit, restarting
every observer's count).
"""

import random
import time

from jit.domain.model import DONE, GATED, IN_PROGRESS, REJECTED
from jit.errors import Conflict, JitError, NotFound, NothingAvailable, Refused
from jit.service import claims, queries
from jit.storage.claim_ledger import ClaimLedger
from jit.storage.claim_refs import LOST, UNSUPPORTED, WON, ClaimRefs

CANDIDATES = 32  # how deep claim-next looks before fetching the claims again
SPREAD = 16  # equally good candidates tried in a random order (see _spread)


class Fallback(Exception):
    """The remote refuses custom refs: use the branch-push protocol instead."""


class Plane:
    def __init__(self, ctx, git, remote: str, also_fetch=(), branch=None):
        self.also_fetch = tuple(also_fetch)
        self.branch = branch or _NoBranch()  # the remote branch as fetched: its issue states, a merge
        self.ctx = ctx
        self.refs = ClaimRefs(git, remote)
        self.remote = remote
        self.ledger = ClaimLedger(git.git_dir(), remote)
        if self.ledger.refuses_custom_refs():
            raise Fallback()

    # -- what the remote holds -----------------------------------------------------------
    def held(self) -> dict:
        """{issue id: (commit, claim)} of live claims; expired ones are left out (see module doc)."""
        found = self.refs.held(self.also_fetch)
        now = time.time()
        current = self.ledger.first_seen([sha for sha, _claim in found.values()], now)
        live = {}
        for issue_id, (sha, claim) in found.items():
            ttl = claim.get("ttl")
            if isinstance(ttl, (int, float)) and ttl > 0 and now - current[sha] > ttl:
                continue
            live[issue_id] = (sha, claim)
        self.all = found
        return live

    # -- one attempt ---------------------------------------------------------------------
    def grab(self, issue_id: str, assignee: str, ttl):
        """Push a claim for issue_id; the local issue after a grant, or None when another machine won.
        Raises Fallback when the remote refuses custom refs, and the claim rules' errors when the
        local view refuses (the ref is then given back)."""
        expected = self.all.get(issue_id, (None,))[0]  # an expired claim is replaced against its value
        claim = {"issue": issue_id, "assignee": assignee, "ttl": ttl, "by": self.ctx.actor(assignee)}
        sha = self.refs.record(claim, parent=expected)
        with self.ledger.entry(issue_id) as entry:
            entry.write({"sha": sha, "assignee": assignee, "state": "pushing"})
            from jit.storage.faults import reached

            reached("claim.ledger-written")
            outcome = self.refs.swap(issue_id, sha, expected)
            if outcome == UNSUPPORTED:
                entry.remove()
                self.ledger.mark_refuses_custom_refs()
                raise Fallback()
            if outcome == LOST:
                entry.remove()
                return None
            reached("claim.ref-pushed")
            try:
                issue = claims.claim(self.ctx, issue_id, assignee, ttl=ttl)
            except JitError:
                self.refs.swap(issue_id, None, sha)
                entry.remove()
                raise
            entry.write({"sha": sha, "assignee": assignee, "state": "granted"})
            return issue

    def renew(self, issue_id: str, ttl) -> bool:
        """Push a renewal of this clone's claim (a new commit, so every observer's count restarts).
        False when the claim was not made through the refs. Raises Conflict when the ref changed:
        another machine took the claim over after its lease ran out there."""
        with self.ledger.entry(issue_id) as entry:
            data = entry.read()
            if data.get("state") != "granted" or not isinstance(data.get("sha"), str):
                return False
            claim = {"issue": issue_id, "assignee": data.get("assignee"), "ttl": ttl,
                     "by": self.ctx.actor(data.get("assignee"))}
            new = self.refs.record(claim, parent=data["sha"])
            outcome = self.refs.swap(issue_id, new, data["sha"])
            if outcome == WON:
                entry.write({**data, "sha": new})
                return True
            if outcome == LOST:
                entry.remove()
                raise Conflict(f"the claim on {issue_id[:8]} was taken over on {self.remote} after its lease ran "
                               "out there; claim again (`jit issue claim-next --sync`)", {"id": issue_id})
            return False

    # -- tidying what this clone left ----------------------------------------------------
    def recover(self) -> list:
        """Give back refs this clone pushed but never recorded (a killed claimer), and refs of its
        claims that ended locally (released, expired, finished). Entries in flight are skipped."""
        given_back = []
        for issue_id in self.ledger.issue_ids():
            with self.ledger.entry(issue_id, wait=False) as entry:
                if not entry.locked:
                    continue
                data = entry.read()
                if not data:
                    entry.remove()
                    continue
                if data.get("state") == "granted" and self._kept(issue_id, data.get("assignee")):
                    continue
                if data.get("state") == "pushing" and self._still_held(issue_id, data.get("assignee")):
                    entry.write({**data, "state": "granted"})  # killed after recording: the grant stands
                    continue
                if not isinstance(data.get("sha"), str):
                    entry.remove()
                    continue
                outcome = self.refs.swap(issue_id, None, data["sha"])
                if outcome != UNSUPPORTED:
                    entry.remove()
                    given_back.append(issue_id)
        return given_back

    def _kept(self, issue_id, assignee) -> bool:
        """A granted claim keeps its ref while held, and once finished here until the branch shows it
        finished (collect() then deletes it): other clones judge by the branch, where it may still
        look ready."""
        issue = self._local(issue_id)
        if issue is None:
            return True  # unreadable here: not ours to judge
        return issue.state in (DONE, REJECTED) or _holds(issue, assignee)

    def _still_held(self, issue_id, assignee) -> bool:
        issue = self._local(issue_id)
        return issue is not None and _holds(issue, assignee)

    def _local(self, issue_id):
        try:
            return self.ctx.files.load(issue_id)
        except JitError:
            return None

    def collect(self, states_on_branch) -> list:
        """Delete the claim refs of issues the pushed branch shows finished or rejected (expecting
        their current value). `states_on_branch(ids)` reads the states from the pushed commit, not
        the working files: a `done` made here after the push is not on the branch yet, and other
        clones would still see the issue as ready. A ready issue is never a reason: it may be a
        claim not yet synced."""
        held = self.refs.held()
        states = states_on_branch(list(held))
        removed = []
        for issue_id, (sha, _claim) in held.items():
            if states.get(issue_id) in ("done", "rejected") and self.refs.swap(issue_id, None, sha) == WON:
                removed.append(issue_id)
                self.ledger.entry(issue_id).remove()
        return removed


class _NoBranch:
    def states(self, ids) -> dict:
        return {}

    def merge(self) -> None:
        pass


def _holds(issue, assignee) -> bool:
    return issue.assignee == assignee and issue.state in (IN_PROGRESS, GATED)


# -- the two commands ----------------------------------------------------------------------

def claim(plane: Plane, ref: str, assignee: str, ttl):
    """Raises Conflict when another machine holds the issue (or won the race), Fallback as above."""
    plane.recover()
    held = plane.held()  # brings the branch too
    try:
        issue_id = plane.ctx.resolve(ref)
    except NotFound:
        plane.branch.merge()  # an issue made on another machine
        issue_id = plane.ctx.resolve(ref)
    if issue_id in held:
        holder = held[issue_id][1].get("assignee") or "another machine"
        raise Conflict(f"issue {issue_id[:8]} is held by {holder} (claimed on {plane.remote})",
                       {"id": issue_id, "holder": holder})
    if not _claimable(plane.branch.states([issue_id]).get(issue_id)):
        plane.branch.merge()  # the branch knows better (finished, blocked, held): let the rules see it
    issue = plane.grab(issue_id, assignee, ttl)
    if issue is None:
        raise Conflict(f"issue {issue_id[:8]} was claimed on {plane.remote} by another machine first",
                       {"id": issue_id})
    return issue


def _claimable(remote) -> bool:
    """On the fetched branch: absent (made here, not yet synced) or ready and unassigned."""
    return remote is None or (remote.get("state") == "ready" and not remote.get("assignee"))


def _spread(candidates) -> list:
    """Agents on several machines see the same best issue; trying the equally good ones in a random
    order (never a lower priority first) turns most races into no race at all."""
    if not candidates:
        return []
    best = candidates[0][1]
    lead = [c for c in candidates[:SPREAD] if c[1] == best]
    random.shuffle(lead)
    return lead + candidates[len(lead):]


def claim_next(plane: Plane, assignee: str, ttl, pick):
    """`pick(exclude)` lists the local candidates in order, as (id, priority). Candidates the fetched
    branch shows finished, blocked or held are skipped without merging; a lost race moves to the next
    candidate; after a few losses the claims are fetched again, with a short jittered pause.

    Raises NothingAvailable when every candidate is held."""
    plane.recover()
    excluded: set = set()
    losses = 0
    while True:
        held = plane.held()
        excluded |= set(held)
        candidates = pick(excluded)
        if not candidates:
            raise NothingAvailable("no issue is available to claim", {"assignee": assignee})
        remote = plane.branch.states([c[0] for c in candidates])
        stale = {c[0] for c in candidates if not _claimable(remote.get(c[0]))}
        excluded |= stale
        for issue_id, _priority in _spread([c for c in candidates if c[0] not in stale]):
            try:
                issue = plane.grab(issue_id, assignee, ttl)
            except (Conflict, Refused, NotFound):
                issue = None  # this clone's view refused it: the ref was given back
            if issue is not None:
                return issue
            excluded.add(issue_id)
            losses += 1
            if losses % 3 == 0:
                time.sleep(random.uniform(0, min(0.4, 0.02 * 2 ** min(losses // 3, 4))))
                break


def available_ids(ctx, labels=(), priority=None, filter=None):
    """The `pick` for claim-next: available ids in claim order, minus those excluded."""
    def pick(excluded):
        page = queries.available(ctx, labels=labels, priority=priority, filter=filter,
                                 limit=CANDIDATES + len(excluded))
        rows = [(getattr(i, "id", None) or i["id"], getattr(i, "priority", None)) for i in getattr(page, "items", page)]
        return [r for r in rows if r[0] not in excluded][:CANDIDATES]
    return pick
