"""Claims as refs on the remote: one small compare-and-swap register per issue.

`refs/jit/claims/<issue id>` on the team's remote names a commit (empty tree) whose
message is the claim as JSON. Creating the ref with a push that must find it absent
(`--force-with-lease=<ref>:`) is the grant; renewing or deleting it pushes against
the value the holder last saw. Every git server applies such a push atomically
against the expected old value, so claims on different issues never conflict and
one claim costs one round trip. Plumbing only: no work tree, no branch, no merge.
"""

import json

from jit.storage.git import GitError, fetch_refspecs

NAMESPACE = "refs/jit/claims/"
MIRROR = "refs/jit/remote-claims/"  # local copy of the remote's claims, refreshed by held()
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # git knows this tree without storing it

WON, LOST, UNSUPPORTED = "won", "lost", "unsupported"
_LOST_MARKERS = ("stale info", "already exists", "fetch first", "non-fast-forward", "rejected")
_IDENTITY = {"GIT_AUTHOR_NAME": "jit", "GIT_AUTHOR_EMAIL": "jit@claims.invalid",
             "GIT_COMMITTER_NAME": "jit", "GIT_COMMITTER_EMAIL": "jit@claims.invalid"}


class ClaimRefs:
    def __init__(self, git, remote: str):
        self.git = git
        self.remote = remote

    def held(self, also=()) -> dict:
        """{issue id: (commit, claim dict)} for every claim on the remote: one fetch (which can bring
        other refspecs along, e.g. the branch), one local read."""
        proc = fetch_refspecs(self.git, self.remote, f"+{NAMESPACE}*:{MIRROR}*", *also)
        if proc.returncode != 0 and also and "find remote ref" in proc.stderr:
            return self.held()  # the remote has no such branch yet: the claims alone
        if proc.returncode != 0:
            message = proc.stderr.strip().splitlines()
            raise GitError(f"git fetch of {self.remote}'s claims failed: {message[-1] if message else ''}",
                           {"remote": self.remote, "stderr": proc.stderr.strip()})
        return self._listing()

    def _listing(self) -> dict:
        text = self.git.out("for-each-ref", "--format=%(refname)%00%(objectname)%00%(contents)%01", MIRROR)
        found = {}
        for record in text.split("\x01"):
            parts = record.strip("\n").split("\x00")
            if len(parts) < 3:
                continue
            ref, sha, message = parts[0], parts[1], parts[2]
            found[ref[len(MIRROR):]] = (sha, _parse(message))
        return found

    def record(self, claim: dict, parent: str | None = None) -> str:
        """A new claim commit (not yet on any ref)."""
        args = ["commit-tree", EMPTY_TREE, "-m", json.dumps(claim, sort_keys=True)]
        if parent:
            args += ["-p", parent]
        proc = self.git.run(*args, env={**self.git.env, **_IDENTITY})
        return proc.stdout.strip()

    def swap(self, issue_id: str, new: str | None, expected: str | None) -> str:
        """Set (or delete, new=None) the claim ref if the remote still holds `expected` (None: absent).
        WON, LOST (someone else changed it first) or UNSUPPORTED (the server refuses custom refs)."""
        if new is None and expected is None:
            return LOST  # nothing to delete
        ref = NAMESPACE + issue_id
        proc = self.git.run("push", "--porcelain", "--no-verify", f"--force-with-lease={ref}:{expected or ''}",
                            self.remote, f"{new or ''}:{ref}", check=False)
        if proc.returncode == 0:
            return WON
        text = (proc.stdout + "\n" + proc.stderr).lower()
        if "hook declined" in text or "deny" in text or "refusing" in text or "funny refname" in text:
            return UNSUPPORTED
        if any(marker in text for marker in _LOST_MARKERS):
            return LOST
        message = proc.stderr.strip().splitlines()
        raise GitError(f"git push of claim {issue_id[:8]} to {self.remote} failed: "
                       f"{message[-1] if message else proc.returncode}", {"stderr": proc.stderr.strip()})


def _parse(message: str) -> dict:
    try:
        doc = json.loads(message)
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}
