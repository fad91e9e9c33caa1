"""`jit import --from KIND`: move from another tracker into jit, idempotently (SPEC section 11).

One module per source reads its format into items (`read(source) -> (items, skipped)`);
`core` maps them onto jit's model. Everything is planned before anything is written,
and the writes land in one transaction: all of the migration or none of it.
"""

import importlib

SOURCES = ("taskwarrior", "beads", "github", "backlog")


def _summary_row(issue, origin):
    return {"origin": origin, "id": issue.id, "state": issue.state, "title": issue.title}


def migrate(ctx, kind: str, source, dry_run: bool = False) -> dict:
    """Import `source` (text, or a folder path for backlog). Returns created/updated/skipped with reasons,
    the cycles broken and warnings. Raises UsageError for a file that is not the source's format."""
    from jit.errors import UsageError

    if kind not in SOURCES:
        raise UsageError(f"unknown source {kind!r}; use one of: {', '.join(SOURCES)}", {"from": kind})
    reader = importlib.import_module(f"jit.service.migrate.{kind}")
    items, skipped = reader.read(source)
    if dry_run:
        return _run(ctx, kind, items, skipped, None, dry_run=True)
    with ctx.transaction() as tx:
        return _run(ctx, kind, items, skipped, tx, dry_run=False)


def _run(ctx, kind, items, skipped, tx, dry_run):
    from jit.service.migrate import core

    existing = core.existing_by_origin(ctx)
    plan = core.build(ctx, kind, items, skipped, existing)
    summary = {"source": kind, "dry_run": dry_run, "created": [], "updated": [], "skipped": plan.skipped,
               "cycles": plan.cycles, "warnings": plan.warnings}
    for origin in plan.items:
        if origin in existing:
            issue, changed = core.updated_issue(ctx, plan, existing, origin)
            if issue is None:
                summary["skipped"].append({"origin": origin, "reason": "unchanged since the last import",
                                           "id": existing[origin].id})
                continue
            summary["updated"].append({**_summary_row(issue, origin), "fields": changed})
            if tx is not None:
                tx.save(issue)
                tx.event(ctx.event("issue_updated", issue.id, {"source": kind, "origin": origin,
                                                               "fields": changed}))
            continue
        issue = core.new_issue(ctx, plan, existing, origin)
        summary["created"].append(_summary_row(issue, origin))
        if tx is not None:
            tx.save(issue)
            tx.event(ctx.event("issue_created", issue.id, {"title": issue.title, "state": issue.state,
                                                           "source": kind, "origin": origin}))
    return summary
