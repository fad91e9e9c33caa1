"""`jit issue import`: many issues from JSON Lines in one all-or-nothing transaction (SPEC section 8).

Every line is checked before anything is written; `depends_on` names keys of
other lines (in any order) or existing ids. The whole batch commits through
one journal, so a crash mid-import leaves all of it or none.
"""

import json

from jit.domain import graph
from jit.domain.ids import resolve
from jit.domain.labels import check_label
from jit.domain.model import BACKLOG, DONE, PRIORITIES, READY, Issue, check_assignee, check_choice, check_title
from jit.errors import JitError, UsageError

FIELDS = {"title", "description", "priority", "labels", "gates", "assignee", "key", "depends_on", "context", "parent"}


def _line_error(n, message):
    return UsageError(f"line {n}: {message}; nothing was imported", {"line": n})


def _parse_lines(text):
    records = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise _line_error(n, f"not valid JSON ({exc})") from None
        if not isinstance(record, dict):
            raise _line_error(n, "each line must be a JSON object")
        unknown = set(record) - FIELDS
        if unknown:
            raise _line_error(n, f"unknown field(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(FIELDS))}")
        records.append((n, record))
    return records


def _list_of_str(record, field):
    value = record.get(field, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{field!r} must be a list of strings")
    return value


def _check_strings(record):
    for field in ("title", "description", "priority", "assignee", "parent"):
        if record.get(field) is not None and not isinstance(record[field], str):
            raise UsageError(f"{field!r} must be a string")


def import_issues(ctx, text: str) -> list:
    """Create every issue in `text` (JSON Lines) or none. Raises UsageError naming the line."""
    records = _parse_lines(text)
    default_priority = ctx.config["defaults"].get("priority", "normal")
    with ctx.transaction() as tx:
        registry = tx.gates()
        existing = ctx.files.ids()
        keys = {}
        planned = []
        for n, rec in records:
            try:
                _check_strings(rec)
                title = check_title(rec.get("title") or "")
                priority = check_choice("priority", rec.get("priority") or default_priority, PRIORITIES)
                labels = [check_label(x) for x in _list_of_str(rec, "labels")]
                gates = _list_of_str(rec, "gates")
                depends_on = _list_of_str(rec, "depends_on")
                if rec.get("assignee") is not None:
                    check_assignee(rec["assignee"])
            except UsageError as exc:
                raise _line_error(n, exc.message) from None
            for key in gates:
                if key not in registry:
                    raise _line_error(n, f"unknown gate {key!r} (define it with `jit gate define`)")
            if not isinstance(rec.get("context", {}), dict):
                raise _line_error(n, "'context' must be an object")
            key = rec.get("key")
            if key is not None:
                if not isinstance(key, str) or not key:
                    raise _line_error(n, "'key' must be a non-empty string")
                if key in keys:
                    raise _line_error(n, f"key {key!r} is already used on line {keys[key][0]}")
                keys[key] = (n, ctx.new_id())
            planned.append((n, rec, title, priority, labels, gates, depends_on))
        issues, edges = [], {}
        for n, rec, title, priority, labels, gates, depends_on in planned:
            issue_id = keys[rec["key"]][1] if rec.get("key") is not None else ctx.new_id()
            dep_ids = []
            for ref in depends_on:
                if ref in keys:
                    dep_ids.append(keys[ref][1])
                    continue
                try:
                    dep_ids.append(resolve(ref, existing))
                except JitError:
                    raise _line_error(n, f"depends_on {ref!r} is neither a key in this file nor an existing issue") from None
            parent = _parent(n, rec.get("parent"), keys, existing)
            issue = Issue.new(issue_id, title, ctx.now(), description=rec.get("description", ""), priority=priority,
                              labels=labels, dependencies=dep_ids, gates=gates, assignee=rec.get("assignee"),
                              context=rec.get("context"), parent=parent)
            issues.append((n, issue))
            edges[issue_id] = dep_ids
        _check_cycles(edges, {i.id: n for n, i in issues})
        _check_cycles({i.id: [i.parent] for _, i in issues if i.parent in edges}, {i.id: n for n, i in issues},
                      "parent")
        new_ids = set(edges)
        for n, issue in issues:
            unfinished = any(d in new_ids or tx.load(d).state != DONE for d in issue.dependencies)
            issue.state = BACKLOG if unfinished else READY
            tx.save(issue)
            data = {"title": issue.title, "state": issue.state, "source": "import", "line": n}
            if issue.parent:
                data["parent"] = issue.parent
            tx.event(ctx.event("issue_created", issue.id, data))
        return [i for _, i in issues]


def _parent(n, ref, keys, existing):
    """The id a line's `parent` names: a key in this file or an existing issue (parent links of the
    daily loop, issue 12). Raises UsageError naming the line."""
    if ref is None:
        return None
    if ref in keys:
        return keys[ref][1]
    try:
        return resolve(ref, existing)
    except JitError:
        raise _line_error(n, f"parent {ref!r} is neither a key in this file nor an existing issue") from None


def _check_cycles(edges, line_of, field="depends_on"):
    for cycle in graph.find_cycles(edges):
        first = cycle[0]
        raise _line_error(line_of.get(first, 0), f"{field} forms a cycle through lines "
                          + " -> ".join(str(line_of.get(c, "?")) for c in cycle))

