"""GitHub Issues: the JSON array of
`gh issue list --state all --limit 10000 --json number,title,body,state,stateReason,labels,assignees,author,createdAt,updatedAt,closedAt,comments`.

state OPEN -> open, CLOSED -> done (stateReason NOT_PLANNED or DUPLICATE -> rejected);
labels `bug`/`enhancement`/`documentation` -> `type:bug`/`type:feature`/`type:docs`,
`P0`..`P3` or `priority: high` -> the priority, `area: ui` -> `area:ui`, others `tag:x`;
the first assignee -> `human:login` (all logins kept in context); comments with their
authors. In bodies, `blocked by #12` / `depends on #12` lines and task-list items
(`- [ ] #13`) become dependencies, and `parent: #5` / `part of #5` the parent, when
they name issues in the same file (others stay in context).
"""

import re

from jit.errors import UsageError
from jit.service.jsonlines import loads
from jit.service.migrate.convert import as_list, as_text, assignee, comment, free_label, guarded, timestamp, unique

TYPES = {"bug": "type:bug", "enhancement": "type:feature", "feature": "type:feature",
         "documentation": "type:docs", "question": "type:question"}
PRIORITY_NAMES = {"p0": "critical", "p1": "high", "p2": "normal", "p3": "low", "critical": "critical",
                  "urgent": "critical", "high": "high", "medium": "normal", "normal": "normal", "low": "low"}
BLOCKERS = re.compile(r"(?im)^.*?\b(?:blocked\s+by|depends\s+on|requires)\b:?(.*)$")
TASKS = re.compile(r"(?m)^\s*[-*]\s+\[[ xX]\]\s+#(\d+)\b")
PARENT = re.compile(r"(?im)\b(?:parent(?:\s+issue)?\s*:|part\s+of)\s*#(\d+)")
NUMBER = re.compile(r"#(\d+)\b")
REJECTED_REASONS = ("NOT_PLANNED", "DUPLICATE")


def _priority(name: str):
    lowered = re.sub(r"\s+", "", name.lower())
    for prefix in ("priority:", "priority/", "prio:", "priority-"):
        if lowered.startswith(prefix):
            return PRIORITY_NAMES.get(lowered[len(prefix):])
    return PRIORITY_NAMES.get(lowered) if re.fullmatch(r"p[0-3]", lowered) else None


def _labels(names):
    labels, priority = [], None
    for name in names:
        found = _priority(name)
        if found:
            priority = priority or found
            continue
        labels.append(TYPES.get(name.lower()) or free_label(name))
    return unique(labels), priority


def _references(body: str):
    blocked_by = []
    for match in BLOCKERS.finditer(body):
        blocked_by += NUMBER.findall(match.group(1))
    blocked_by += TASKS.findall(body)
    parent = PARENT.search(body)
    return [f"github:#{n}" for n in dict.fromkeys(blocked_by)], (f"github:#{parent.group(1)}" if parent else None)


def _item(n, issue):
    origin = f"github:#{issue['number']}"
    created = timestamp(issue.get("createdAt"))
    body = as_text(issue.get("body"))
    names = [x.get("name") for x in as_list(issue.get("labels")) if isinstance(x, dict) and isinstance(x.get("name"), str)]
    labels, priority = _labels(names)
    logins = [a.get("login") for a in as_list(issue.get("assignees")) if isinstance(a, dict) and a.get("login")]
    reason = as_text(issue.get("stateReason")).upper()
    closed = as_text(issue.get("state")).upper() == "CLOSED"
    status = ("rejected" if reason in REJECTED_REASONS else "done") if closed else "open"
    blocked_by, parent = _references(body)
    extra = {k: issue[k] for k in ("url", "milestone", "stateReason") if issue.get(k)}
    if len(logins) > 1:
        extra["assignees"] = logins
    if isinstance(issue.get("author"), dict) and issue["author"].get("login"):
        extra["author"] = issue["author"]["login"]
    comments = [comment((c.get("author") or {}).get("login"), c.get("createdAt"), c.get("body"), created)
                for c in as_list(issue.get("comments")) if isinstance(c, dict)]
    return {
        "origin": origin, "where": f"issue {n}", "title": issue["title"].strip(), "description": body,
        "status": status, "priority": priority or "normal", "labels": labels,
        "assignee": assignee(logins[0]) if logins else None, "blocked_by": blocked_by, "parent": parent,
        "comments": [c for c in comments if c],
        "resolution": f"closed on GitHub ({reason.lower().replace('_', ' ')})" if closed and reason else None,
        "closed_at": timestamp(issue.get("closedAt")), "created_at": created,
        "updated_at": timestamp(issue.get("updatedAt")) or timestamp(issue.get("closedAt")) or created,
        "extra": extra,
    }


def read(text: str) -> tuple:
    try:
        data = loads(text)
    except (ValueError, RecursionError) as exc:
        raise UsageError(f"not JSON ({str(exc)[:200]}); expected the array `gh issue list --json ...` prints; "
                         "nothing was imported") from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise UsageError("expected the JSON array `gh issue list --json ...` prints; nothing was imported")
    items, skipped = [], []
    for n, issue in enumerate(data, 1):
        number = issue.get("number") if isinstance(issue, dict) else None
        if not isinstance(number, int) or not isinstance(issue.get("title"), str) or not issue["title"].strip():
            skipped.append({"origin": f"issue {n}", "reason": "no number or title (was --json number,title given?)"})
            continue
        guarded(_item, f"github:#{number}", items, skipped, n, issue)
    return items, skipped
