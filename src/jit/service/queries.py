"""The read side (SPEC section 7): lists, search, status, blocked and available work.

Reads take no lock. They finish a crashed writer's journal and expire due
leases first, then answer from the index (re-checked against the files).
`available` returns `RawIssue` rows whose JSON was cached by the index, so
`--json` can print thousands of issues without re-encoding them.
"""

import json

from jit.domain import queries
from jit.domain.labels import check_pattern, label_matches
from jit.domain.model import PRIORITIES, STATES, Issue, check_assignee, check_choice


class RawIssue:
    """An issue as cached JSON text; parsed only when a field is read."""

    __slots__ = ("raw_json", "_issue")

    def __init__(self, raw_json: str):
        self.raw_json = raw_json
        self._issue = None

    @property
    def issue(self) -> Issue:
        if self._issue is None:
            self._issue = Issue.from_dict(json.loads(self.raw_json))
        return self._issue

    def to_dict(self) -> dict:
        return json.loads(self.raw_json)

    def __getattr__(self, name):
        return getattr(self.issue, name)


class RawList:
    """A JSON array of issues as cached text; items are parsed only if someone iterates."""

    def __init__(self, raw_json: str):
        self.raw_json = raw_json
        self._items = None

    def _parsed(self) -> list:
        if self._items is None:
            self._items = [Issue.from_dict(d) for d in json.loads(self.raw_json)]
        return self._items

    def __iter__(self):
        return iter(self._parsed())

    def __len__(self):
        return len(self._parsed())

    def __getitem__(self, i):
        return self._parsed()[i]

    def __bool__(self):
        return self.raw_json.strip() != "[]"

    def to_dict(self) -> list:
        return json.loads(self.raw_json)


def rows_with_labels(rows, patterns) -> list:
    """Index rows (id, labels_json, ...) whose labels match every pattern."""
    return [r for r in rows if all(label_matches(p, json.loads(r[1])) for p in patterns)]


def _prepare(ctx):
    """Index for this read, after settling crash leftovers and expired leases."""
    from jit.service.claims import expire_due_leases

    ctx.settle_crash_leftovers()
    index = ctx.index()
    expire_due_leases(ctx, index)
    return index


def all_issues(ctx, state=None) -> list:
    index = _prepare(ctx)
    return [Issue.from_dict(json.loads(raw)) for raw in index.issue_jsons(state)]


def issues_by_id(ctx) -> dict:
    return {i.id: i for i in all_issues(ctx)}


def available(ctx, labels=(), priority=None, limit=None) -> list:
    """Ready, unassigned, every dependency done; by priority then age; the first `limit` of them."""
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        from jit.errors import UsageError

        raise UsageError(f"limit must be a positive whole number, got {limit!r}", {"limit": limit})
    if priority:
        check_choice("priority", priority, PRIORITIES)
    for pattern in labels:
        check_pattern(pattern)
    index = _prepare(ctx)
    if not labels and not priority and limit is None:
        return RawList(index.available_json())
    rows = index.available_rows(priority, None if labels else limit)
    if labels:
        rows = rows_with_labels(rows, labels)[:limit]
    return [RawIssue(r[2]) for r in rows]


def list_issues(ctx, state=None, labels=(), assignee=None, priority=None) -> list:
    if state:
        check_choice("state", state, STATES)
    if priority:
        check_choice("priority", priority, PRIORITIES)
    if assignee:
        check_assignee(assignee)
    for pattern in labels:
        check_pattern(pattern)
    issues = all_issues(ctx, state)
    found = [i for i in issues if queries.matches(i, labels=labels, assignee=assignee, priority=priority)]
    return sorted(found, key=queries.work_order)


def by_state(ctx, state) -> list:
    return list_issues(ctx, state=state)


def by_label(ctx, pattern) -> list:
    return list_issues(ctx, labels=[pattern])


def search(ctx, text) -> list:
    return queries.search(all_issues(ctx), text)


def blocked(ctx) -> list:
    """[{"issue", "blocked_by": [reasons]}] for issues held back by dependencies or gates."""
    gate_defs = ctx.gate_files.load_registry()
    return [{"issue": i, "blocked_by": reasons} for i, reasons in queries.blocked(all_issues(ctx), gate_defs)]


def status(ctx) -> dict:
    """Counts per state, both at the top level (`status["ready"]`) and grouped (`status["by_state"]`),
    with the total, how many are available to claim, and ids of corrupt files."""
    index = _prepare(ctx)
    counts = {s: 0 for s in STATES}
    counts.update(index.counts())
    return {**counts, "total": sum(counts.values()), "by_state": counts,
            "available": index.available_count(), "corrupt": [i for i, _ in index.corrupt()]}


def events_tail(ctx, n=20, issue_ref=None, types=()) -> list:
    ctx.settle_crash_leftovers()  # an interrupted commit's events belong in the answer
    issue_id = _event_issue(ctx, issue_ref) if issue_ref else None
    return ctx.events.tail(n, issue_id=issue_id, types=tuple(types))


def _event_issue(ctx, ref):
    """The issue an events query names; a deleted issue still has its history in the log."""
    from jit.domain.ids import resolve
    from jit.errors import NotFound

    try:
        return ctx.resolve(ref)
    except NotFound:
        logged = {e.get("issue_id") for e in ctx.events.read_all()} - {None}
        return resolve(ref, logged)
