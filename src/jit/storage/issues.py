"""One pretty-printed JSON file per issue, keys sorted, so git diffs stay small."""

import json
import os

from jit.domain.model import Issue
from jit.errors import JitError, NotFound
from jit.storage import probe


class CorruptFile(JitError):
    """A file under .jit/ that jit cannot read (hand-edited, half-merged)."""

    code = "corrupt_file"


def dump_issue(issue: Issue) -> str:
    return json.dumps(issue.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def parse_issue(text: str | bytes, where: str) -> Issue:
    """Parse an issue file's text. Raises CorruptFile naming the file and the fix."""
    try:
        return Issue.from_dict(json.loads(text))
    except (ValueError, TypeError) as exc:
        raise CorruptFile(
            f"{where} is corrupt ({exc}); fix it by hand or restore it with git, then run `jit validate`",
            {"file": where, "problem": str(exc)},
        ) from None


class IssueFiles:
    def __init__(self, layout):
        self.layout = layout

    def ids(self) -> list:
        try:
            names = os.listdir(self.layout.issues_dir)
        except FileNotFoundError:
            return []
        return [n[:-5] for n in names if n.endswith(".json") and not n.startswith(".")]

    def read_text(self, issue_id: str) -> str:
        probe.count_read()
        try:
            with open(self.layout.issue_file(issue_id), "rb") as fh:
                return fh.read().decode("utf-8")
        except FileNotFoundError:
            raise NotFound(f"issue {issue_id[:8]} not found; see `jit issue list`", {"id": issue_id}) from None

    def load(self, issue_id: str) -> Issue:
        text = self.read_text(issue_id)
        issue = parse_issue(text, f".jit/issues/{issue_id}.json")
        if issue.id != issue_id:
            raise CorruptFile(
                f".jit/issues/{issue_id}.json holds id {issue.id}; rename the file or fix its id",
                {"file": f".jit/issues/{issue_id}.json"},
            )
        return issue

    def exists(self, issue_id: str) -> bool:
        probe.count_stats(1)
        return os.path.exists(self.layout.issue_file(issue_id))
