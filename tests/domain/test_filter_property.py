"""The filter language against a brute-force evaluator written here, independently of jit.

Random expression trees are rendered as text (explicit or implied AND, any
operator case, parentheses around every group), parsed by jit, and run both
as jit's Python predicate and as its SQL over a real index table. All three
must pick the same issues from a random issue set.
"""

import fnmatch
import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from jit.domain import filter as flt
from jit.domain.model import PRIORITIES, STATES, Issue
from jit.storage.index_query import blocked_where
from jit.storage.index_rows import TABLES, Rows

IDS = ["0a1b2c3d-0000-4000-8000-000000000001", "0a1b9999-0000-4000-8000-000000000002",
       "ffee0000-0000-4000-8000-000000000003", "12345678-0000-4000-8000-000000000004",
       "0a1b2c3d-1111-4000-8000-000000000005", "abcdef01-0000-4000-8000-000000000006"]
LABELS = ["epic:auth", "epic:billing", "type:task", "type:bug", "area:api"]
ASSIGNEES = [None, "agent:a", "agent:b", "human:ana"]
LABEL_PATTERNS = ["epic:auth", "epic:*", "type:?ug", "*:api", "type:[bt]*", "epic:none"]
ASSIGNEE_PATTERNS = ["agent:a", "agent:*", "human:*", "*", "agent:[!a]"]
PREFIXES = ["0a1b", "0a1b2c3d", "0a1b2c3d1111", "ffee", "1234", "abcdef01"]


@st.composite
def issue_sets(draw):
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=len(IDS), unique=True))
    out = []
    for n, issue_id in enumerate(ids):
        out.append(Issue.from_dict({
            "id": issue_id, "title": f"Issue {n}", "description": "", "state": draw(st.sampled_from(STATES)),
            "priority": draw(st.sampled_from(PRIORITIES)), "assignee": draw(st.sampled_from(ASSIGNEES)),
            "labels": draw(st.lists(st.sampled_from(LABELS), unique=True, max_size=3)),
            "dependencies": draw(st.lists(st.sampled_from(IDS), unique=True, max_size=2)),
            "parent": draw(st.sampled_from([None, *IDS])), "gates_required": [], "gates_status": {},
            "context": {}, "created_at": f"2026-01-01T00:00:{n:02d}Z", "updated_at": "2026-01-01T00:00:00Z",
        }))
    return out


TERMS = st.one_of(
    st.tuples(st.just("state"), st.sampled_from(STATES)),
    st.tuples(st.just("priority"), st.sampled_from(PRIORITIES)),
    st.tuples(st.just("label"), st.sampled_from(LABEL_PATTERNS)),
    st.tuples(st.just("assignee"), st.sampled_from(ASSIGNEE_PATTERNS)),
    st.tuples(st.just("parent"), st.sampled_from(PREFIXES)),
    st.tuples(st.just("id"), st.sampled_from(PREFIXES)),
    st.tuples(st.sampled_from(["unassigned", "blocked"]), st.just("")),
)
TREES = st.recursive(TERMS, lambda inner: st.one_of(
    st.tuples(st.just("NOT"), inner),
    st.tuples(st.sampled_from(["AND", "OR"]), st.lists(inner, min_size=2, max_size=3)),
), max_leaves=8)


def render(tree, draw) -> str:
    """Text for a tree; every group is parenthesised so the text has exactly this structure."""
    if tree[0] == "NOT":
        return f"{draw(st.sampled_from(['NOT', 'not', 'Not']))} ({render(tree[1], draw)})"
    if tree[0] in ("AND", "OR"):
        if tree[0] == "AND":
            joiner = draw(st.sampled_from([" AND ", " and ", " "]))  # adjacent terms mean AND
        else:
            joiner = draw(st.sampled_from([" OR ", " or "]))
        return joiner.join(f"({render(t, draw)})" for t in tree[1])
    field, value = tree
    return field if not value else f"{field}:{value}"


def brute(tree, issue, by_id) -> bool:
    kind = tree[0]
    if kind == "NOT":
        return not brute(tree[1], issue, by_id)
    if kind == "AND":
        return all(brute(t, issue, by_id) for t in tree[1])
    if kind == "OR":
        return any(brute(t, issue, by_id) for t in tree[1])
    field, value = tree
    if field == "unassigned":
        return issue.assignee is None
    if field == "blocked":
        return is_blocked(issue, by_id)
    if field == "state":
        return issue.state == value
    if field == "priority":
        return issue.priority == value
    if field == "label":
        return any(fnmatch.fnmatchcase(label, value) for label in issue.labels)
    if field == "assignee":
        return issue.assignee is not None and fnmatch.fnmatchcase(issue.assignee, value)
    target = issue.id if field == "id" else issue.parent
    return target is not None and target.replace("-", "").startswith(value)


def is_blocked(issue, by_id) -> bool:
    if issue.state in ("done", "rejected"):
        return False
    return any(d not in by_id or by_id[d].state != "done" for d in issue.dependencies)


def sql_ids(issues, where, args) -> set:
    conn = sqlite3.connect(":memory:")
    for ddl in TABLES:
        conn.execute(ddl)
    rows = Rows()
    for issue in issues:
        rows.add_issue(issue)
    rows.write(conn, [], fts=False)
    return {r[0] for r in conn.execute(f"SELECT id FROM issues i WHERE state IS NOT NULL AND ({where})", args)}


@settings(max_examples=300, deadline=None)
@given(issues=issue_sets(), tree=TREES, data=st.data())
def test_sql_predicate_and_brute_force_agree(issues, tree, data):
    text = render(tree, data.draw)
    node = flt.parse(text)
    by_id = {i.id: i for i in issues}
    expected = {i.id for i in issues if brute(tree, i, by_id)}
    by_predicate = {i.id for i in issues if flt.matches(node, i, lambda x: is_blocked(x, by_id))}
    assert by_predicate == expected, text
    where, args = flt.to_sql(node, blocked_where([]))
    assert sql_ids(issues, where, args) == expected, text
