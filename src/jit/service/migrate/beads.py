"""beads: the JSON Lines of `bd export` (`.beads/issues.jsonl`), one issue a line.

status open/blocked/deferred/pinned -> open (jit derives blocking from dependencies),
in_progress/hooked -> in_progress, closed -> done with `close_reason` as the resolution;
priority 0..4 -> critical, high, normal, low, low; issue_type -> `type:x`; labels kept
(`tag:x` when they have no namespace); assignee -> `human:name`. Dependencies: the
blocking kinds (`blocks`, `conditional-blocks`, `waits-for`, beads' own IsBlockingEdge)
become jit dependencies, `parent-child` the parent, the rest (`related`,
`discovered-from`, ...) stay in context as links. Lines of another `_type` (memories) are skipped.
"""

from jit.service.jsonlines import line_error, records
from jit.service.migrate.convert import (
    as_list,
    as_text,
    assignee,
    comment,
    free_label,
    guarded,
    label,
    timestamp,
    unique,
)

STATUS = {"open": "open", "blocked": "open", "deferred": "open", "pinned": "open",
          "in_progress": "in_progress", "hooked": "in_progress", "closed": "done", "tombstone": None}
PRIORITY = {0: "critical", 1: "high", 2: "normal", 3: "low", 4: "low"}
BLOCKING = ("blocks", "conditional-blocks", "waits-for")
TEXT_SECTIONS = (("design", "Design"), ("acceptance_criteria", "Acceptance criteria"), ("notes", "Notes"))
MAPPED = {"_type", "id", "title", "description", "status", "priority", "issue_type", "labels", "assignee",
          "dependencies", "comments", "created_at", "updated_at", "closed_at", "close_reason",
          *(k for k, _ in TEXT_SECTIONS)}


def _description(record) -> str:
    parts = [as_text(record.get("description"))]
    for key, heading in TEXT_SECTIONS:
        if isinstance(record.get(key), str) and record[key].strip():
            parts.append(f"## {heading}\n\n{record[key].strip()}")
    return "\n\n".join(p for p in parts if p).strip()


def _links(record):
    blocked_by, parent, links = [], None, []
    for dep in as_list(record.get("dependencies")):
        if not isinstance(dep, dict) or not isinstance(dep.get("depends_on_id"), str):
            continue
        if dep.get("issue_id") not in (None, record["id"]):
            continue  # an edge stored on the other end; its own issue's line carries it
        target = f"beads:{dep['depends_on_id']}"
        kind = dep.get("type") or "blocks"
        if kind in BLOCKING:
            blocked_by.append(target)
        elif kind == "parent-child" and parent is None:
            parent = target
        else:
            links.append({"type": kind, "target": target})
    return blocked_by, parent, links


def _item(n, record):
    origin = f"beads:{record['id']}"
    created = timestamp(record.get("created_at"))
    status = STATUS.get(as_text(record.get("status")) or "open", "open")
    blocked_by, parent, links = _links(record)
    extra = {k: v for k, v in record.items() if k not in MAPPED}
    if links:
        extra["links"] = links
    if record.get("status") not in (None, "open", "closed", "in_progress"):
        extra["status"] = record["status"]
    priority = record.get("priority", 2)
    return {
        "origin": origin, "where": f"line {n}", "title": record["title"].strip(),
        "description": _description(record), "status": status,
        "priority": PRIORITY.get(priority, "normal") if isinstance(priority, int) else "normal",
        "labels": unique([label("type", record["issue_type"]) if record.get("issue_type") else None]
                         + [free_label(x) for x in as_list(record.get("labels")) if isinstance(x, str)]),
        "assignee": assignee(record.get("assignee")), "blocked_by": blocked_by, "parent": parent,
        "comments": [c for c in (comment(x.get("author"), x.get("created_at"), x.get("text"), created)
                                 for x in as_list(record.get("comments")) if isinstance(x, dict)) if c],
        "resolution": as_text(record.get("close_reason")) or None, "closed_at": timestamp(record.get("closed_at")),
        "created_at": created, "updated_at": timestamp(record.get("updated_at")) or created, "extra": extra,
    }


def read(text: str) -> tuple:
    items, skipped = [], []
    for n, record in records(text.splitlines(), "; a beads export has one issue a line (`bd export -o issues.jsonl`)"):
        if not isinstance(record, dict):
            raise line_error(n, "not a beads issue object")
        where = f"beads:{record.get('id')}" if isinstance(record.get("id"), str) else f"line {n}"
        if record.get("_type", "issue") != "issue":
            skipped.append({"origin": where, "reason": f"a {record.get('_type')} record, not an issue"})
        elif not isinstance(record.get("id"), str) or not isinstance(record.get("title"), str) \
                or not record["title"].strip():
            skipped.append({"origin": where, "reason": "no id or title"})
        elif STATUS.get(as_text(record.get("status")) or "open", "open") is None:
            skipped.append({"origin": where, "reason": f"status {record['status']} (deleted in beads)"})
        else:
            guarded(_item, where, items, skipped, n, record)
    return items, skipped
