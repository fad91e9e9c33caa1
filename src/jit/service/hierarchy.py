"""Parent links (epics and their parts): set, check, list children, draw the tree.

The link lives on the child (`parent`), so one file holds it and a merge of
two clones never has to reconcile two copies. Parent links never form a cycle:
setting one walks up from the new parent (one file per ancestor, no index).
Finding children is a reverse lookup, answered by the index (re-checked
against the files like every query).
"""

from jit.domain.model import DONE, REJECTED, TERMINAL, Issue
from jit.errors import NotFound, Refused
from jit.storage.issues import CorruptFile

MAX_DEPTH = 1000  # a hand-edited chain longer than this is treated as a cycle, never looped on
TREE_DEPTH = 100  # `graph tree` stops drawing below this (and Python's recursion limit stays far away)


def check_parent(tx, child_id: str, parent_id: str) -> None:
    """Refuse (exit 5, the cycle printed) a link that would make an issue its own ancestor."""
    chain = [child_id]
    current = parent_id
    while current is not None and len(chain) <= MAX_DEPTH:
        chain.append(current)
        if current == child_id:
            shown = " -> ".join(i[:8] for i in chain)
            raise Refused(f"parent link would close a cycle: {shown} (each is the parent's child)",
                          {"id": child_id, "parent": parent_id, "cycle": chain})
        try:
            current = tx.load(current).parent
        except NotFound:
            return
    if current is not None:
        raise Refused(f"the parent chain above {parent_id[:8]} is longer than {MAX_DEPTH}; "
                      "run `jit validate`", {"id": child_id, "parent": parent_id})


def resolve_parent(ctx, tx, child_id: str | None, parent_ref: str) -> str:
    """The full id of a wanted parent, loaded under the lock. Raises NotFound, Refused (cycle)."""
    parent_id = ctx.resolve(parent_ref)
    tx.load(parent_id)  # deleted since it was resolved: NotFound, not a dangling link
    if child_id is not None:
        check_parent(tx, child_id, parent_id)
    return parent_id


def children(ctx, ref: str, state=None, labels=(), assignee=None, priority=None) -> list:
    """The children of an issue in work order, filtered like `issue list` (it is `issue list --parent`).
    Raises NotFound for an unknown issue, UsageError for a bad filter."""
    from jit.service.queries import list_issues

    return list(list_issues(ctx, state=state, labels=labels, assignee=assignee, priority=priority, parent=ref))


def progress(kids: list) -> dict:
    """Done of total; rejected children count as neither, since they will never be done."""
    counted = [k for k in kids if k.state != REJECTED]
    return {"done": sum(k.state == DONE for k in counted), "total": len(counted)}


def child_summary(kid: Issue) -> dict:
    return {"id": kid.id, "title": kid.title, "state": kid.state, "assignee": kid.assignee}


def family(ctx, issue: Issue) -> dict:
    """What `issue show` adds for a parent: its children's states and progress.

    `show` touches one issue, so it must not stat every file (1 s at 100,000 issues): candidates
    come from the index as last checked plus every issue a jit commit touched since, each read
    from its file. A parent link hand-edited into a file since the last query shows up at the next
    query that checks the files (any list), as the index's docs describe."""
    from jit.domain.queries import work_order

    kids = []
    for issue_id in sorted(ctx.index().related_under_lock("children", issue.id)):
        try:
            kid = ctx.files.load(issue_id)
        except (NotFound, CorruptFile):  # a broken child file must not hide its parent (validate names it)
            continue
        if kid.parent == issue.id:
            kids.append(kid)
    kids.sort(key=work_order)
    return {"children": [child_summary(k) for k in kids], "progress": progress(kids)}


def open_children(ctx, tx, issue_id: str) -> list:
    """Children not yet done or rejected, as the transaction sees them."""
    # Under the lock: the index as last checked plus what jit wrote since, verified below (issue 14).
    found = ctx.index().related_under_lock("children", issue_id)
    for other_id, other in tx.touched.items():
        if other is not None and other.parent == issue_id:
            found.add(other_id)
    kids = [tx.load(i) for i in sorted(found) if tx.exists(i)]
    return [k for k in kids if k.parent == issue_id and k.state not in TERMINAL]


def refuse_open_children(ctx, tx, issue: Issue) -> None:
    """A parent is done only once every child is done or rejected (see docs/decisions.md)."""
    kids = open_children(ctx, tx, issue.id)
    if kids:
        shown = ", ".join(f"{k.short_id} ({k.state})" for k in kids[:5]) + (" ..." if len(kids) > 5 else "")
        raise Refused(f"cannot finish {issue.short_id}: {len(kids)} child issue(s) still open: {shown}; "
                      "finish or reject them first (`jit issue list --parent " + issue.short_id + "`)",
                      {"id": issue.id, "open_children": [k.id for k in kids]})


def tree(ctx, ref: str | None = None) -> list:
    """Nested {issue fields..., children: [...]} from one issue down, or every top-level parent."""
    from jit.domain.queries import work_order
    from jit.service.queries import all_issues

    issues = {i.id: i for i in all_issues(ctx)}
    kids: dict = {}
    for issue in issues.values():
        if issue.parent in issues:
            kids.setdefault(issue.parent, []).append(issue)
    if ref is not None:
        root_id = ctx.resolve(ref)
        roots = [issues[root_id]] if root_id in issues else [ctx.files.load(root_id)]
    else:
        roots = sorted((issues[p] for p in kids if issues[p].parent not in issues), key=work_order)

    def node(issue, depth, seen):
        below = [] if issue.id in seen or depth >= TREE_DEPTH else sorted(kids.get(issue.id, []), key=work_order)
        return {**child_summary(issue), "children": [node(k, depth + 1, seen | {issue.id}) for k in below]}

    return [node(r, 0, frozenset()) for r in roots]
