"""Backlog.md: a `backlog/` folder of markdown task files with YAML front matter.

Reads `tasks/` and `completed/` (done), `archive/tasks/` (archived -> rejected);
drafts are skipped. The statuses come from `config.yml`: the first -> open, the
last -> done, any other -> in_progress. priority high/medium/low -> high/normal/low;
labels -> `tag:x` (or kept when they have a namespace); the first assignee (`@ana`)
-> `human:ana`; dependencies -> dependencies; parent_task_id -> parent; the
Description section -> description (other sections are kept in it), Final Summary
-> the resolution, the Comments section -> comments.
"""

import os
import re

from jit.errors import NotFound, UsageError
from jit.service.migrate.convert import assignee, comment, free_label, guarded, timestamp, unique
from jit.service.migrate.frontmatter import parse_mapping, split

FOLDERS = (("tasks", None), ("completed", "done"), ("archive/tasks", "rejected"))
PRIORITY = {"high": "high", "medium": "normal", "low": "low"}
SECTION = re.compile(r"<!-- SECTION:(\w+):BEGIN -->\n?(.*?)\n?<!-- SECTION:\1:END -->", re.DOTALL)
COMMENTS = re.compile(r"<!-- COMMENTS:BEGIN -->\n?(.*?)<!-- COMMENTS:END -->", re.DOTALL)
# A section jit maps elsewhere, with its heading: the description, the final summary, the comments.
MOVED = re.compile(r"(?:^## [^\n]*\n+)?<!-- (SECTION:(?:DESCRIPTION|FINAL_SUMMARY)|COMMENTS):BEGIN -->.*?"
                   r"<!-- \1:END -->", re.DOTALL | re.MULTILINE)
MARKER = re.compile(r"(?m)^<!-- SECTION:\w+:(?:BEGIN|END) -->\n?")
MAPPED = {"id", "title", "status", "assignee", "labels", "dependencies", "parent_task_id", "priority",
          "created_date", "updated_date"}


def find_root(path: str) -> str:
    """The backlog folder itself, given it or the project folder holding it. Raises NotFound."""
    for candidate in (os.path.join(path, "backlog"), os.path.join(path, ".backlog"), path):
        if os.path.isdir(os.path.join(candidate, "tasks")) or os.path.isfile(os.path.join(candidate, "config.yml")):
            return candidate
    raise NotFound(f"{path} holds no Backlog.md folder (no tasks/ or config.yml); give the project folder "
                   "or its backlog/ folder", {"path": path})


def _statuses(root: str) -> list:
    try:
        with open(os.path.join(root, "config.yml"), encoding="utf-8") as fh:
            config = parse_mapping(fh.read().splitlines())
    except FileNotFoundError:
        return ["To Do", "In Progress", "Done"]
    statuses = config.get("statuses")
    return statuses if isinstance(statuses, list) and statuses else ["To Do", "In Progress", "Done"]


def _comments(body: str, fallback_at: str) -> list:
    found = COMMENTS.search(body)
    if not found:
        return []
    comments = []
    for block in re.split(r"\n---\n\s*\n(?=\S)", found.group(1).strip() + "\n"):
        head, sep, text = block.partition("\n---\n")
        if not sep:
            continue
        meta = parse_mapping(head.splitlines())
        made = comment(meta.get("author"), meta.get("created"), text.rstrip().removesuffix("---").strip(), fallback_at)
        if made:
            comments.append(made)
    return comments


def _body(body: str) -> tuple:
    """(description, final summary) of a task body; other sections stay in the description."""
    sections = {name: text.strip() for name, text in SECTION.findall(body)}
    rest = re.sub(r"\n{3,}", "\n\n", MARKER.sub("", MOVED.sub("", body))).strip()
    description = "\n\n".join(p for p in (sections.get("DESCRIPTION", ""), rest) if p)
    return description, sections.get("FINAL_SUMMARY")


def _status(value, forced, statuses) -> str:
    if forced:
        return forced
    if value == statuses[-1] or str(value).lower() == "done":
        return "done"
    if value == statuses[0] or value is None:
        return "open"
    return "in_progress"


def _item(path, forced, statuses):
    with open(path, encoding="utf-8") as fh:
        meta, body = split(fh.read())
    if not isinstance(meta.get("id"), str) or not isinstance(meta.get("title"), str):
        return None
    task_id = meta["id"].upper()
    created = timestamp(meta.get("created_date"))
    description, summary = _body(body)
    people = [a for a in (assignee(x) for x in _list(meta.get("assignee"))) if a]
    extra = {k: v for k, v in meta.items() if k not in MAPPED}
    if len(people) > 1:
        extra["assignees"] = people
    if meta.get("status") not in statuses[:1] + statuses[-1:]:
        extra["status"] = meta.get("status")
    parent = meta.get("parent_task_id")
    return {
        "origin": f"backlog:{task_id}", "where": os.path.basename(path), "title": meta["title"].strip(),
        "description": description, "status": _status(meta.get("status"), forced, statuses),
        "priority": PRIORITY.get(str(meta.get("priority") or "").lower(), "normal"),
        "labels": unique(free_label(x) for x in _list(meta.get("labels"))),
        "assignee": people[0] if people else None,
        "blocked_by": [f"backlog:{d.upper()}" for d in _list(meta.get("dependencies"))],
        "parent": f"backlog:{parent.upper()}" if isinstance(parent, str) and parent else None,
        "comments": _comments(body, created), "resolution": summary if forced != "rejected" else "archived in Backlog.md",
        "closed_at": None, "created_at": created,
        "updated_at": timestamp(meta.get("updated_date")) or created, "extra": extra,
    }


def _list(value) -> list:
    if isinstance(value, list):
        return [str(v) for v in value if v not in (None, "")]
    return [value] if isinstance(value, str) and value else []


def read(path: str) -> tuple:
    if not isinstance(path, str) or not os.path.isdir(path):
        raise UsageError(f"--from backlog reads a folder (the project's or its backlog/), not {path!r}",
                         {"path": path})
    root = find_root(path)
    statuses = _statuses(root)
    items, skipped = [], []
    for folder, forced in FOLDERS:
        try:
            names = sorted(n for n in os.listdir(os.path.join(root, folder)) if n.endswith(".md"))
        except FileNotFoundError:
            continue
        for name in names:
            before = len(skipped)
            item = guarded(_item, f"{folder}/{name}", items, skipped, os.path.join(root, folder, name), forced, statuses)
            if item is None and len(skipped) == before:
                skipped.append({"origin": f"{folder}/{name}", "reason": "no id or title in its front matter"})
    drafts = os.path.join(root, "drafts")
    if os.path.isdir(drafts):
        skipped += [{"origin": f"drafts/{n}", "reason": "a draft"} for n in sorted(os.listdir(drafts)) if n.endswith(".md")]
    return items, skipped
