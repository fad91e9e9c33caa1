"""`jit issue update --filter EXPR ...`: one change applied to every issue a filter matches.

Matches come from the index; each is re-checked against its file and changed
through `update_issue` (its own transaction under the lock, with every rule of
a single update), so one refused transition skips that issue, not the batch.
A match that stopped matching since the query is skipped, never changed.
"""

from jit.errors import JitError, UsageError

BULK_FIELDS = ("add_labels", "remove_labels", "priority", "state")


def bulk_update(ctx, filter, *, add_labels=(), remove_labels=(), priority=None, state=None, dry_run=False) -> dict:
    """{"matched", "changed": [ids], "skipped": [{"id", "reason"}], "dry_run"} (with "would" on a dry run).

    Raises UsageError for a bad filter or when no change is asked for.
    """
    from jit.domain import filter as flt
    from jit.domain.labels import check_label
    from jit.domain.model import PRIORITIES, STATES, check_choice
    from jit.service.issues import update_issue
    from jit.service.queries import _prepare, compile_filter

    node = flt.parse(filter)
    if not (add_labels or remove_labels or priority or state):
        raise UsageError("say what to change: --add-label, --remove-label, --priority or --state",
                         {"filter": filter})
    for label in add_labels:
        check_label(label)
    if priority:
        check_choice("priority", priority, PRIORITIES)
    if state:
        check_choice("state", state, STATES)
    index = _prepare(ctx)
    where, args = compile_filter(ctx, node)
    ids = [r[0] for r in index.select(where, args, columns="i.id")]
    blocked_ids = None
    if "'blocked'" in repr(node):
        from jit.service.queries import precheck_keys
        from jit.storage.index_query import blocked_where

        bwhere, bargs = blocked_where(precheck_keys(ctx))
        blocked_ids = {r[0] for r in index.select(bwhere, bargs, columns="i.id")}
    report = {"matched": len(ids), "changed": [], "skipped": [], "dry_run": bool(dry_run)}
    if dry_run:
        report["would"] = [_would(ctx.files.load(i), add_labels, remove_labels, priority, state) for i in ids]
        return report
    for issue_id in ids:
        try:
            current = ctx.files.load(issue_id)
            if not flt.matches(node, current, lambda i: i.id in (blocked_ids or ())):
                report["skipped"].append({"id": issue_id, "reason": "no longer matches the filter"})
                continue
            if not _would(current, add_labels, remove_labels, priority, state)["changes"]:
                report["skipped"].append({"id": issue_id, "reason": "nothing to change"})
                continue
            update_issue(ctx, issue_id, add_labels=add_labels, remove_labels=remove_labels, priority=priority,
                         state=state)
            report["changed"].append(issue_id)
        except JitError as exc:
            report["skipped"].append({"id": issue_id, "reason": exc.message})
    return report


def _would(issue, add_labels, remove_labels, priority, state) -> dict:
    changes = {}
    labels = [lb for lb in issue.labels if lb not in remove_labels]
    labels += [lb for lb in add_labels if lb not in labels]
    if labels != issue.labels:
        changes["labels"] = {"from": issue.labels, "to": labels}
    if priority and priority != issue.priority:
        changes["priority"] = {"from": issue.priority, "to": priority}
    if state and state != issue.state:
        changes["state"] = {"from": issue.state, "to": state}
    return {"id": issue.id, "title": issue.title, "changes": changes}
