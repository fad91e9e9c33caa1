"""The read side (SPEC section 7): lists, search, status, blocked and available work.

Reads take no lock. They finish a crashed writer's journal and expire due
leases first, then answer from the index (re-checked against the files). Every
list is one SQL WHERE in work order; with `limit` it is a `Page` (the first K
and the total, both from SQL), without it a plain list. Rows carry the JSON the
index cached, so `--json` prints thousands of issues without re-encoding them.
"""

import json

from jit.domain import filter as flt
from jit.domain.labels import check_pattern
from jit.domain.model import PRIORITIES, STATES, Issue, check_assignee, check_choice
from jit.errors import UsageError


class RawIssue:
    """An issue as cached JSON text; parsed only when a field is read."""

    __slots__ = ("_issue", "raw_json")

    def __init__(self, raw_json: str, issue=None):
        self.raw_json = raw_json
        self._issue = issue

    @property
    def issue(self) -> Issue:
        if self._issue is None:
            self._issue = Issue.from_dict(json.loads(self.raw_json))
        return self._issue

    def to_dict(self) -> dict:
        return json.loads(self.raw_json)

    def __getattr__(self, name):
        return getattr(self.issue, name)


class Page:
    """The first `limit` items of a longer answer and how long it is: `{"items", "total", "limit"}`.
    A cut list always says what it cut (SPEC section 7)."""

    def __init__(self, items: list, total: int, limit: int, offset: int = 0):
        self.items, self.total, self.limit, self.offset = items, total, limit, offset

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def to_dict(self) -> dict:
        from jit.service.serialize import jsonable

        out = {"items": jsonable(self.items), "total": self.total, "limit": self.limit}
        if self.offset:
            out["offset"] = self.offset
        return out

    @property
    def raw_json(self) -> str:
        from jit.service.serialize import dumps

        offset = f', "offset": {self.offset}' if self.offset else ""
        items = dumps(self.items) if self.items else "[]"
        return f'{{"items": {items}, "limit": {self.limit}{offset}, "total": {self.total}}}'

    def shown(self) -> str:
        """The footer of a cut text list: "10 of 4,195 shown"."""
        return f"{len(self.items):,} of {self.total:,} shown"


SQLITE_MAX_INT = 2**63 - 1  # what the index can compare with


def check_page(limit, offset) -> None:
    for name, value, least in (("limit", limit, 1), ("offset", offset, 0)):
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            kind = "a positive" if least else "a non-negative"
            raise UsageError(f"{name} must be {kind} whole number, got {value!r}", {name: value})
        if value > SQLITE_MAX_INT:
            raise UsageError(f"{name} must be at most {SQLITE_MAX_INT:,}, got {value}", {name: value})


def _prepare(ctx):
    """Index for this read, after settling crash leftovers and expired leases."""
    from jit.service.claims import expire_due_leases

    ctx.settle_crash_leftovers()
    index = ctx.index()
    expire_due_leases(ctx, index)
    return index


def precheck_keys(ctx) -> list:
    from jit.domain.states import precheck_keys as of_registry

    return of_registry(ctx.gate_files.load_registry())


def compile_filter(ctx, node) -> tuple:
    """(WHERE, args) of a parsed filter over the index; `blocked` needs the gate registry."""
    if node is None:
        return "1", []
    from jit.storage.index_query import blocked_where

    blocked_sql = blocked_where(precheck_keys(ctx)) if "'blocked'" in repr(node) else ("0", ())
    return flt.to_sql(node, blocked_sql)


def parse_filter(text):
    return flt.parse(text) if text not in (None, "") else None


def _answer(index, where, args, limit, offset, rows=None):
    """A list of RawIssue rows, or a Page of them when `limit` is given."""
    check_page(limit, offset)
    found = [RawIssue(r[0]) for r in index.select(where, args, limit, offset)] if rows is None else rows
    if limit is None:
        return found
    return Page(found, index.count(where, args), limit, offset or 0)


def _terms(state=None, labels=(), assignee=None, priority=None, parent=None):
    """The classic list flags as filter terms (exact values; label globs allowed)."""
    if state:
        check_choice("state", state, STATES)
    if priority:
        check_choice("priority", priority, PRIORITIES)
    if assignee:
        check_assignee(assignee)
    for pattern in labels:
        check_pattern(pattern)
    terms = [flt.Term("label", p) for p in labels]
    terms += [flt.Term(f, v) for f, v in (("state", state), ("priority", priority)) if v]
    if assignee:
        terms.append(flt.Term("assignee", assignee.replace("[", "[[]").replace("*", "[*]").replace("?", "[?]")))
    if parent:
        terms.append(flt.Term("parent", parent.replace("-", "")))
    return terms


def all_issues(ctx, state=None) -> list:
    index = _prepare(ctx)
    return [Issue.from_dict(json.loads(raw)) for raw in index.issue_jsons(state)]


def issues_by_id(ctx) -> dict:
    return {i.id: i for i in all_issues(ctx)}


def available_where(gate_defs: dict) -> tuple:
    """(WHERE, args) of SPEC 6's one "available": ready, unassigned, every dependency done, every
    precheck passed. `query available`, `status`, `claim-next`, the web API and MCP all use it."""
    from jit.domain.states import precheck_keys
    from jit.storage.index_query import AVAILABLE_WHERE, prechecks_passed_where

    where, args = prechecks_passed_where(precheck_keys(gate_defs))
    return f"{AVAILABLE_WHERE} AND {where}", args


def waiting_for_prechecks(ctx, gate_defs: dict) -> int:
    """How many issues would be available but for a precheck gate (`jit query blocked` names them)."""
    from jit.domain.states import precheck_keys
    from jit.storage.index_query import AVAILABLE_WHERE, prechecks_passed_where

    keys = precheck_keys(gate_defs)
    if not keys:
        return 0
    where, args = prechecks_passed_where(keys)
    return ctx.index().count(f"{AVAILABLE_WHERE} AND NOT {where}", args)


def available(ctx, labels=(), priority=None, limit=None, filter=None, offset=0):
    """Available issues (see available_where); by priority then age; a Page when `limit` is given."""
    check_page(limit, offset)
    node = flt.conjunction(*_terms(labels=labels, priority=priority), parse_filter(filter))
    index = _prepare(ctx)
    where, args = compile_filter(ctx, node)
    awhere, aargs = available_where(ctx.gate_files.load_registry())
    return _answer(index, f"{awhere} AND ({where})", [*aargs, *args], limit, offset)


def list_issues(ctx, state=None, labels=(), assignee=None, priority=None, filter=None, parent=None,
                limit=None, offset=0):
    """Issues matching every flag and the filter, in work order."""
    check_page(limit, offset)
    parent_id = ctx.resolve(parent) if parent else None
    node = flt.conjunction(*_terms(state, labels, assignee, priority, parent_id), parse_filter(filter))
    index = _prepare(ctx)
    where, args = compile_filter(ctx, node)
    return _answer(index, where, args, limit, offset)


def by_state(ctx, state, limit=None, offset=0) -> list:
    return list_issues(ctx, state=state, limit=limit, offset=offset)


def by_label(ctx, pattern, limit=None, offset=0) -> list:
    return list_issues(ctx, labels=[pattern], limit=limit, offset=offset)


def search(ctx, text, limit=None, offset=0, regex=False, filter=None):
    """Issues whose words match (see service.search)."""
    from jit.service.search import search as run

    return run(ctx, text, limit=limit, offset=offset, regex=regex, filter=filter)


def blocked(ctx, limit=None, offset=0, filter=None):
    """[{"issue", "blocked_by": [reasons]}] for issues held back by dependencies or gates."""
    check_page(limit, offset)
    if limit is None and not offset:
        return list(each_blocked(ctx, filter))
    index, where, args, gate_defs = _blocked_query(ctx, filter)
    found = _with_reasons(index, index.select(where, args, limit, offset), gate_defs)
    return Page(found, index.count(where, args), limit, offset or 0)


def each_blocked(ctx, filter=None, chunk=1000):
    """Every blocked issue in work order, built a chunk at a time: a front end that prints as it
    goes (the CLI) never holds the whole answer (75,000 issues at 100,000: 500 MB as one list)."""
    index, where, args, gate_defs = _blocked_query(ctx, filter)  # errors now, before any output
    return _chunks(index, index.each_row(where, args), gate_defs, chunk)


def _chunks(index, rows, gate_defs, chunk):
    while True:
        part = rows.fetchmany(chunk)
        if not part:
            return
        yield from _with_reasons(index, part, gate_defs)


def _blocked_query(ctx, filter):
    from jit.storage.index_query import blocked_where

    index = _prepare(ctx)
    where, args = blocked_where(precheck_keys(ctx))
    fwhere, fargs = compile_filter(ctx, parse_filter(filter))
    return index, f"{where} AND ({fwhere})", [*args, *fargs], ctx.gate_files.load_registry()


def _with_reasons(index, rows, gate_defs) -> list:
    # Rows the index cached were checked when indexed: Issue(**data) skips re-validating them, and
    # dependencies need only their state and title (issue 14: 10,000 blocked in well under a second).
    from jit.domain.queries import blockers

    page = [(raw, Issue(**json.loads(raw))) for (raw,) in rows]
    by_id = index.states_titles({d for _, i in page for d in i.dependencies})
    return [Blocked(RawIssue(raw, i), blockers(i, by_id, gate_defs)) for raw, i in page]


class Blocked(dict):
    """{"issue", "blocked_by"} whose JSON reuses the issue's cached text."""

    def __init__(self, issue, reasons):
        super().__init__(issue=issue, blocked_by=reasons)
        self._raw = None

    def to_dict(self) -> dict:
        return {"blocked_by": self["blocked_by"], "issue": self["issue"].to_dict()}

    @property
    def raw_json(self) -> str:
        if self._raw is None:
            reasons = json.dumps(self["blocked_by"], sort_keys=True, ensure_ascii=False)
            self._raw = f'{{"blocked_by": {reasons}, "issue": {self["issue"].raw_json}}}'
        return self._raw


def status(ctx) -> dict:
    """Counts per state, both at the top level (`status["ready"]`) and grouped (`status["by_state"]`),
    with the total, how many are available to claim, and ids of corrupt files."""
    index = _prepare(ctx)
    counts = {s: 0 for s in STATES}
    counts.update(index.counts())
    return {**counts, "total": sum(counts.values()), "by_state": counts,
            "available": index.count(*available_where(ctx.gate_files.load_registry())), "corrupt": [i for i, _ in index.corrupt()]}


def events_tail(ctx, n=20, issue_ref=None, types=(), filter=None, limit=None, offset=0):
    """The last n events (0: all), oldest first; `filter` keeps events of issues matching it now."""
    check_page(limit, offset)
    ctx.settle_crash_leftovers()  # an interrupted commit's events belong in the answer
    issue_id = _event_issue(ctx, issue_ref) if issue_ref else None
    node = parse_filter(filter)
    if node is None and limit is None:
        return ctx.events.tail(n, issue_id=issue_id, types=tuple(types))
    events = ctx.events.tail(0 if (node is not None or limit is not None) else n, issue_id=issue_id,
                             types=tuple(types))
    if node is not None:
        index = _prepare(ctx)
        where, args = compile_filter(ctx, node)
        keep = {r[0] for r in index.select(where, args, columns="i.id")}
        events = [e for e in events if e.get("issue_id") in keep]
    if n:
        events = events[-n:]
    if limit is None:
        return events
    total, end = len(events), len(events) - (offset or 0)
    return Page(events[max(0, end - limit):max(0, end)], total, limit, offset or 0)


def _event_issue(ctx, ref):
    """The issue an events query names; a deleted issue still has its history in the log."""
    from jit.domain.ids import resolve
    from jit.errors import NotFound

    try:
        return ctx.resolve(ref)
    except NotFound:
        logged = {e.get("issue_id") for e in ctx.events.read_all()} - {None}
        return resolve(ref, logged)


class GraphNode:
    """What a graph export shows of an issue: a few index columns, not the whole issue."""

    __slots__ = ("assignee", "id", "labels", "priority", "state", "title")

    def __init__(self, id, title, state, priority, assignee, labels):
        self.id, self.title, self.state, self.priority = id, title, state, priority
        self.assignee, self.labels = assignee, labels


def graph_rows(ctx) -> tuple:
    """({id: GraphNode}, {id: [dependency ids]}) for every readable issue, from the index."""
    index = _prepare(ctx)
    conn = index.connection()
    by_id = {r[0]: GraphNode(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in conn.execute(
        "SELECT id, title, state, priority, assignee, labels FROM issues WHERE state IS NOT NULL")}
    deps: dict = {i: [] for i in by_id}
    for src, dst in conn.execute("SELECT src, dst FROM deps"):
        if src in deps:
            deps[src].append(dst)
    return by_id, deps
