"""The mapping core every source shares: items -> a plan -> one transaction.

A source module reads its format into plain items:
    {"origin": "beads:bd-a1b2", "title", "description", "status": open|in_progress|done|rejected,
     "priority", "labels", "assignee", "blocked_by": [origins], "parent": origin or None,
     "comments": [{by, at, text}], "resolution": text or None, "closed_at", "created_at",
     "updated_at", "extra": {...kept under context[<source>]}}
The core gives each origin an id (the existing issue's when `context.origin` matches,
so a re-import updates instead of duplicating), resolves references, reports and
breaks cycles (never imports one silently), derives jit states from dependencies,
and skips issues whose source record has not changed since the last import (a digest
of the item is kept in `context.origin_digest`): importing the same file twice changes nothing.
"""

import hashlib
import itertools
import json

from jit.domain import graph
from jit.domain.model import BACKLOG, DONE, IN_PROGRESS, ISSUE_FIELDS, READY, REJECTED, Issue

STATUSES = ("open", "in_progress", "done", "rejected")


def digest(item: dict) -> str:
    """What the source said about an issue. Its modification time is left out: trackers touch it
    for bookkeeping (Taskwarrior on every recurrence or wait check) without changing the task."""
    content = {k: v for k, v in item.items() if k not in ("updated_at", "where")}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def existing_by_origin(ctx) -> dict:
    found = {}
    for issue_id in ctx.files.ids():
        issue = ctx.files.load(issue_id)
        origin = issue.context.get("origin")
        if isinstance(origin, str):
            found[origin] = issue
    return found


class Plan:
    def __init__(self, kind):
        self.kind = kind
        self.items = {}  # origin -> item
        self.ids = {}  # origin -> id
        self.deps = {}  # origin -> [origin]
        self.parent = {}  # origin -> origin
        self.kept = {}  # origin -> {"unresolved": [...], "dropped": [...]}
        self.skipped = []
        self.cycles = []
        self.warnings = []

    def note(self, origin, key, value):
        self.kept.setdefault(origin, {}).setdefault(key, []).append(value)


def _index(plan, items, existing, new_id):
    for item in items:
        origin = item["origin"]
        if origin in plan.items:
            plan.skipped.append({"origin": origin, "reason": f"appears twice in the file; the first ({item.get('where')}) "
                                                             "is kept" if item.get("where") else "appears twice"})
            continue
        if not isinstance(item.get("title"), str) or not item["title"].strip():
            item["title"] = "(no title)"
        plan.items[origin] = item
        plan.ids[origin] = existing[origin].id if origin in existing else new_id()


def _resolve(plan, existing):
    for origin, item in plan.items.items():
        plan.deps[origin] = []
        for ref in dict.fromkeys(item.get("blocked_by") or ()):
            if ref == origin:
                plan.warnings.append(f"{origin} depends on itself: dependency dropped")
            elif ref in plan.items or ref in existing:
                plan.deps[origin].append(ref)
            else:
                plan.note(origin, "unresolved_dependencies", ref)
                plan.warnings.append(f"{origin} depends on {ref}, which is not in the file: kept in context")
        ref = item.get("parent")
        if ref and (ref in plan.items or ref in existing) and ref != origin:
            plan.parent[origin] = ref
        elif ref:
            plan.note(origin, "unresolved_parent", ref)
            plan.warnings.append(f"{origin} has parent {ref}, which is not in the file: kept in context")


def _break_cycles(plan, edges: dict, what: str):
    """Drop one edge per cycle (the one leaving the greatest origin, so the choice does not depend on
    file order) until none is left; each is reported and kept in the issue's context."""
    while True:
        cycles = graph.find_cycles(edges)
        if not cycles:
            return
        cycle = cycles[0]
        pairs = list(itertools.pairwise(cycle))
        src, dst = max(pairs)
        edges[src] = [d for d in edges[src] if d != dst]
        plan.note(src, f"dropped_{what}", dst)
        plan.cycles.append({"cycle": cycle, "dropped": [src, dst],
                            "message": f"{' -> '.join(cycle)}: dropped {what} {src} -> {dst} (kept in context)"})


def build(ctx, kind, items, skipped, existing) -> Plan:
    plan = Plan(kind)
    plan.skipped.extend(skipped)
    _index(plan, items, existing, ctx.new_id)
    _resolve(plan, existing)
    _break_cycles(plan, plan.deps, "dependency")
    parents = {o: [p] for o, p in plan.parent.items()}
    _break_cycles(plan, parents, "parent")
    plan.parent = {o: p[0] for o, p in parents.items() if p}
    return plan


def _is_done(plan, existing, origin):
    if origin in plan.items:
        return plan.items[origin]["status"] == "done"
    return existing[origin].state == DONE


def _state(plan, existing, origin, item, assignee):
    status = item["status"]
    if status == "done":
        return DONE
    if status == "rejected":
        return REJECTED
    if status == "in_progress" and assignee:
        return IN_PROGRESS
    if status == "in_progress":
        plan.warnings.append(f"{origin} is in progress with no assignee: imported as ready or backlog")
    done = all(_is_done(plan, existing, d) for d in plan.deps[origin])
    return READY if done else BACKLOG


def _ref(plan, existing, origin):
    return plan.ids[origin] if origin in plan.ids else existing[origin].id


def issue_fields(ctx, plan, existing, origin) -> dict:
    """The jit fields an item maps to (everything but id, gates, lease and created/updated times)."""
    item = plan.items[origin]
    now = ctx.now()
    assignee = item.get("assignee")
    state = _state(plan, existing, origin, item, assignee)
    extra = dict(item.get("extra") or {})
    extra.update(plan.kept.get(origin, {}))
    fields = {
        "title": item["title"], "description": item.get("description") or "", "state": state,
        "priority": item.get("priority") or "normal", "assignee": assignee,
        "labels": list(dict.fromkeys(item.get("labels") or ())),
        "dependencies": [_ref(plan, existing, d) for d in plan.deps[origin]],
    }
    parent = plan.parent.get(origin)
    comments = sorted(item.get("comments") or (), key=lambda c: (c["at"], c["by"], c["text"]))
    resolution = None
    if state in (DONE, REJECTED):
        resolution = {"kind": state, "text": item.get("resolution") or "", "by": assignee or ctx.actor(),
                      "at": item.get("closed_at") or item.get("updated_at") or now}
    additions = {"parent": _ref(plan, existing, parent) if parent else None, "comments": comments,
                 "resolution": resolution}
    for name, value in additions.items():
        if name in ISSUE_FIELDS:
            fields[name] = value
        elif value:
            extra[name] = value  # a jit without the field keeps the value where an agent can read it
    fields["context"] = {"origin": origin, "origin_digest": digest(item), plan.kind: extra}
    return fields


def new_issue(ctx, plan, existing, origin) -> Issue:
    item = plan.items[origin]
    fields = issue_fields(ctx, plan, existing, origin)
    created = item.get("created_at") or ctx.now()
    data = {"id": plan.ids[origin], "gates_required": [], "gates_status": {}, "lease": None,
            "created_at": created, "updated_at": item.get("updated_at") or created, **fields}
    try:
        return Issue.from_dict(data)
    except ValueError as exc:
        from jit.errors import UsageError

        raise UsageError(f"{origin} ({item.get('where')}) cannot become an issue: {exc}; nothing was imported",
                         {"origin": origin}) from None


def updated_issue(ctx, plan, existing, origin) -> tuple:
    """(issue, changed field names) for an origin imported before; (None, []) when its source is unchanged."""
    old = existing[origin]
    fields = issue_fields(ctx, plan, existing, origin)
    if old.context.get("origin_digest") == fields["context"]["origin_digest"]:
        return None, []
    fields["context"] = {**old.context, **fields["context"]}
    changed = [k for k, v in fields.items() if getattr(old, k, None) != v]
    if fields["state"] != IN_PROGRESS:
        fields["lease"] = None
    return old.replace(**fields, updated_at=ctx.now()), changed
