"""Taskwarrior: the JSON of `task export` (an array; older versions print one object a line).

status pending/waiting -> open (started tasks too: Taskwarrior has no assignee), completed ->
done, deleted -> rejected, recurring templates skipped (their pending instances are tasks);
priority H/M/L -> high/normal/low; project -> `project:x`, tags -> `tag:x`; depends ->
dependencies; annotations -> comments; entry/modified/end -> created/updated/resolution times.
Taskwarrior's `parent` is the recurrence template, not a hierarchy: it stays in context.
"""


from jit.errors import UsageError
from jit.service.jsonlines import loads, records
from jit.service.migrate.convert import as_list, as_text, comment, free_label, guarded, label, timestamp, unique

PRIORITY = {"H": "high", "M": "normal", "L": "low"}
STATUS = {"pending": "open", "waiting": "open", "completed": "done", "deleted": "rejected"}
MAPPED = {"uuid", "description", "status", "priority", "project", "tags", "depends", "annotations",
          "entry", "modified", "end", "id", "urgency", "mask", "imask", "parent"}


def parse(text: str) -> list:
    """The task objects of an export. Raises UsageError naming the line that is not JSON."""
    try:
        data = loads(text)
    except (ValueError, RecursionError):
        lines = (line.strip().rstrip(",") for line in text.splitlines())
        data = [task for _n, task in records(("" if line in "[]" else line for line in lines),
                                             "; expected the JSON of `task export`")]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(t, dict) for t in data):
        raise UsageError("not the JSON of `task export` (an array of task objects); nothing was imported")
    return data


def _depends(value) -> list:
    if isinstance(value, str):  # Taskwarrior 2.5 and older: one comma-separated string
        value = value.split(",")
    return [f"taskwarrior:{u.strip()}" for u in value or () if isinstance(u, str) and u.strip()]


def _item(n, task):
    created = timestamp(task.get("entry"))
    extra = {k: v for k, v in task.items() if k not in MAPPED}
    if task.get("parent"):
        extra["recurrence_parent"] = task["parent"]
    tags = task.get("tags") or []
    if isinstance(tags, str):
        tags = tags.split(",")
    status = STATUS[task["status"]]
    return {
        "origin": f"taskwarrior:{task['uuid']}", "where": f"task {n}",
        "title": task["description"].strip() or "(no description)", "description": "",
        "status": status, "priority": PRIORITY.get(task.get("priority"), "normal"),
        "labels": unique([label("project", task["project"]) if task.get("project") else None]
                         + [free_label(t) for t in tags]),
        "assignee": None, "blocked_by": _depends(task.get("depends")), "parent": None,
        "comments": [c for c in (comment(None, a.get("entry"), a.get("description"), created)
                                 for a in as_list(task.get("annotations")) if isinstance(a, dict)) if c],
        "resolution": "deleted in Taskwarrior" if status == "rejected" else None,
        "closed_at": timestamp(task.get("end")), "created_at": created,
        "updated_at": timestamp(task.get("modified")) or created, "extra": extra,
    }


def read(text: str) -> tuple:
    items, skipped = [], []
    for n, task in enumerate(parse(text), 1):
        uuid = task.get("uuid")
        origin = f"taskwarrior:{uuid}" if isinstance(uuid, str) else f"task {n}"
        if not isinstance(uuid, str) or not isinstance(task.get("description"), str):
            skipped.append({"origin": origin, "reason": "no uuid or description"})
        elif task.get("status") == "recurring":
            skipped.append({"origin": origin, "reason": "recurring template (its pending instances are imported)"})
        elif as_text(task.get("status")) not in STATUS:
            skipped.append({"origin": origin, "reason": f"unknown status {task.get('status')!r}"})
        else:
            guarded(_item, origin, items, skipped, n, task)
    return items, skipped
