"""What one clone remembers about its claims on the remote, kept in the clone's git folder.

`jit-claims/<id>.json` records a claim this clone pushed (its commit, its assignee, whether it
was recorded locally), flocked by its claimer while in flight, so that whoever runs next can
tell a claimer killed mid-way (lock free, never recorded) from one still working. Beside it,
`jit-claims-seen.json` keeps when this clone first saw each claim value (the clock leases are
judged by), and `jit-claims/unsupported-<remote>` marks a remote that refuses custom refs.
These files live in `.git`, never in `.jit/`: they are this clone's, and never travel.
"""

import fcntl
import json
import os

from jit.domain.ids import is_full_id
from jit.storage.atomic import write_atomic

LEDGER = "jit-claims"
SEEN = "jit-claims-seen.json"
UNSUPPORTED_MARK = "unsupported"


class ClaimLedger:
    def __init__(self, git_dir: str, remote: str):
        self.folder = os.path.join(git_dir, LEDGER)
        self.seen_path = os.path.join(git_dir, SEEN)
        self.mark = os.path.join(self.folder, f"{UNSUPPORTED_MARK}-{_safe(remote)}")
        os.makedirs(self.folder, exist_ok=True)

    def refuses_custom_refs(self) -> bool:
        return os.path.exists(self.mark)

    def mark_refuses_custom_refs(self) -> None:
        write_atomic(self.mark, b"")

    def first_seen(self, values, now: float) -> dict:
        """{claim value: when this clone first saw it}; values no longer on the remote are forgotten."""
        seen = _read_json(self.seen_path)
        current = {value: seen.get(value, now) for value in values}
        if current != seen:
            write_atomic(self.seen_path, json.dumps(current))
        return current

    def entry(self, issue_id: str, wait: bool = True) -> "Entry":
        return Entry(self.folder, issue_id, wait)

    def issue_ids(self) -> list:
        """Issues with an entry, in a stable order."""
        names = sorted(os.listdir(self.folder))
        return [n[:-5] for n in names if n.endswith(".json") and is_full_id(n[:-5])]


class Entry:
    """One ledger file, flocked while its claim is in flight (the kernel drops the lock on kill -9).
    With wait=False, `locked` says whether the lock was free."""

    def __init__(self, folder, issue_id, wait=True):
        self.path = os.path.join(folder, f"{issue_id}.json")
        self.lock_path = os.path.join(folder, f"{issue_id}.lock")
        self.wait = wait
        self.locked = False

    def __enter__(self):
        self.fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | (0 if self.wait else fcntl.LOCK_NB))
            self.locked = True
        except BlockingIOError:
            self.locked = False
        return self

    def __exit__(self, *exc):
        os.close(self.fd)
        return False

    def read(self) -> dict:
        return _read_json(self.path)

    def write(self, data: dict) -> None:
        write_atomic(self.path, json.dumps(data, sort_keys=True))

    def remove(self) -> None:
        for path in (self.path, self.lock_path):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass


def _read_json(path) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
