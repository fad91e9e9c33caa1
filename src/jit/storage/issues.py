"""One pretty-printed JSON file per issue, keys sorted, so git diffs stay small.

Files under `.jit/` may come from a clone, a merge or a hand edit, so every read
goes through `read_regular`: only a regular file is read (never a symlink, a
folder or a FIFO that would block), and whatever is wrong with it becomes a
CorruptFile naming the file, never an internal error.
"""

import json
import os
import stat

from jit.domain.ids import is_full_id
from jit.domain.model import Issue
from jit.errors import JitError, NotFound, storage_fault
from jit.storage import probe


class CorruptFile(JitError):
    """A file under .jit/ that jit cannot read (hand-edited, half-merged)."""

    code = "corrupt_file"


KINDS = {stat.S_IFDIR: "a folder", stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a device",
         stat.S_IFBLK: "a device"}
# Read errors that a file's shape causes (not the disk): they make the file corrupt.
PARSE_ERRORS = (ValueError, TypeError, RecursionError, AttributeError, KeyError, OverflowError)


def read_regular(path: str, where: str) -> bytes:
    """The bytes of a regular file that jit wrote or a person may have edited.

    Raises FileNotFoundError when it is missing, CorruptFile when it is a symlink, a folder, a
    FIFO or anything but a regular file, StorageFault when the system refuses the read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise
    except OSError as exc:
        import errno

        if exc.errno == errno.ELOOP:
            raise _not_regular(where, "a symbolic link") from None
        raise storage_fault(exc, where, "reading") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(where, KINDS.get(stat.S_IFMT(mode), "not a regular file"))
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    except OSError as exc:
        raise storage_fault(exc, where, "reading") from None
    finally:
        os.close(fd)


def _not_regular(where: str, what: str) -> CorruptFile:
    return CorruptFile(f"{where} is {what}, not a regular file; move it away or restore it with git, "
                       "then run `jit validate`", {"file": where, "problem": f"{what}, not a regular file"})


def corrupt(where: str, problem, fix: str = "fix it by hand or restore it with git, then run `jit validate`"):
    """The CorruptFile for a file whose content jit cannot use."""
    text = str(problem) if not isinstance(problem, RecursionError) else "nested too deeply"
    if isinstance(problem, UnicodeDecodeError):
        text = f"not valid UTF-8 at byte {problem.start}"
    return CorruptFile(f"{where} is corrupt ({text}); {fix}", {"file": where, "problem": text})


def load_json(data: bytes | str, where: str):
    """JSON from a file's bytes. Raises CorruptFile (bad UTF-8, bad JSON, nested too deeply)."""
    try:
        if isinstance(data, bytes):
            data = data.decode("utf-8")
        return json.loads(data, parse_constant=_not_json)
    except (ValueError, RecursionError) as exc:
        raise corrupt(where, exc) from None


def _not_json(name: str):
    # Python's json reads NaN and Infinity, which are not JSON: SQLite (the index) and every
    # other reader of the file would choke on them later, far from the file at fault.
    raise ValueError(f"{name} is not a JSON value")


def dump_issue(issue: Issue) -> str:
    """The canonical file text. Raises UsageError for a value JSON cannot hold (NaN, Infinity,
    e.g. `--context x=1e999`): written, it would make the file unreadable (see load_json)."""
    try:
        return json.dumps(issue.to_dict(), indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
    except ValueError:
        from jit.errors import UsageError

        raise UsageError(f"issue {issue.id[:8]} would hold a number JSON cannot store (NaN or Infinity, e.g. "
                         "1e999); give a finite number", {"id": issue.id}) from None


def parse_issue(text: str | bytes, where: str) -> Issue:
    """Parse an issue file's text. Raises CorruptFile naming the file and the fix."""
    data = load_json(text, where)
    try:
        return Issue.from_dict(data)
    except PARSE_ERRORS as exc:
        raise corrupt(where, exc) from None


class IssueFiles:
    def __init__(self, layout):
        self.layout = layout

    def ids(self) -> list:
        """Ids of the issue files: names that are a full id (other names are strays `jit validate` reports)."""
        try:
            names = os.listdir(self.layout.issues_dir)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise storage_fault(exc, ".jit/issues", "listing") from None
        return [n[:-5] for n in names if n.endswith(".json") and is_full_id(n[:-5])]

    def strays(self) -> list:
        """Names in issues/ that are not issue files jit wrote (odd names, folders, links)."""
        try:
            names = sorted(os.listdir(self.layout.issues_dir))
        except OSError:
            return []
        return [n for n in names if not n.startswith(".") and not (n.endswith(".json") and is_full_id(n[:-5]))]

    def where(self, issue_id: str) -> str:
        return f".jit/issues/{issue_id}.json"

    def read_bytes(self, issue_id: str) -> bytes:
        """Raises NotFound, CorruptFile (not a regular file) or StorageFault."""
        probe.count_read()
        try:
            return read_regular(self.layout.issue_file(issue_id), self.where(issue_id))
        except FileNotFoundError:
            raise NotFound(f"issue {issue_id[:8]} not found; see `jit issue list`", {"id": issue_id}) from None

    def read_text(self, issue_id: str) -> str:
        data = self.read_bytes(issue_id)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise corrupt(self.where(issue_id), exc) from None

    def load(self, issue_id: str) -> Issue:
        where = self.where(issue_id)
        issue = parse_issue(self.read_bytes(issue_id), where)
        if issue.id != issue_id:
            raise CorruptFile(
                f"{where} holds id {issue.id}; rename the file or fix its id",
                {"file": where},
            )
        return issue

    def exists(self, issue_id: str) -> bool:
        probe.count_stats(1)
        return os.path.exists(self.layout.issue_file(issue_id))
