"""Issue and Gate values and the one JSON shape they have everywhere (SPEC section 2).

`Issue.to_dict` is the single serializer behind issue files, `--json`, MCP and
the web API, so those outputs cannot drift apart. Values are immutable by
convention: `replace` returns a new Issue. Plain slotted classes instead of
dataclasses keep `import dataclasses` (about 5 ms) off the CLI's start-up path.
"""

from jit.errors import UsageError

BACKLOG, READY, IN_PROGRESS, GATED, DONE, REJECTED = (
    "backlog", "ready", "in_progress", "gated", "done", "rejected",
)
STATES = (BACKLOG, READY, IN_PROGRESS, GATED, DONE, REJECTED)
TERMINAL = frozenset((DONE, REJECTED))

PRIORITIES = ("critical", "high", "normal", "low")
PRIORITY_RANK = {p: i for i, p in enumerate(PRIORITIES)}

PENDING, PASSED, FAILED = "pending", "passed", "failed"
GATE_MODES = ("manual", "auto")
GATE_STAGES = ("precheck", "postcheck")

ISSUE_FIELDS = (
    "id", "title", "description", "state", "priority", "assignee", "dependencies",
    "gates_required", "gates_status", "labels", "context", "created_at", "updated_at", "lease",
    "parent", "comments", "resolution",
)
RESOLUTION_KINDS = ("done", "rejected")


def check_choice(kind: str, value: str, choices) -> str:
    if value not in choices:
        raise UsageError(
            f"unknown {kind} {value!r}; use one of: {', '.join(choices)}",
            {"field": kind, "value": value, "allowed": list(choices)},
        )
    return value


def check_assignee(value: str) -> str:
    kind, sep, ident = value.partition(":")
    if not sep or not kind or not ident or any(c.isspace() for c in value):
        raise UsageError(
            f"assignee {value!r} must look like type:identifier, e.g. agent:worker-1 or human:ana",
            {"field": "assignee", "value": value},
        )
    return value


def check_author(by: str | None) -> str | None:
    """A verdict's author given with --by: the same type:identifier shape as an assignee."""
    if by is None:
        return None
    try:
        return check_assignee(by)
    except UsageError:
        raise UsageError(f"--by {by!r} must look like type:identifier, e.g. human:ana or ci:github",
                         {"field": "by", "value": by}) from None


def check_title(value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise UsageError("title must not be empty: say what needs doing", {"field": "title"})
    return value.strip()


class Issue:
    """One unit of work. `lease` is jit's one addition to SPEC section 2: null or
    {"ttl": seconds, "expires_at": RFC 3339}, set by a claim with a TTL.
    `comments` is a list of {by, at, text}, oldest first; `resolution` is null or
    {kind: done|rejected, text, by, at}; `parent` is null or the id of the issue it belongs to."""

    __slots__ = ISSUE_FIELDS

    def __init__(self, **fields):
        for name in ISSUE_FIELDS:
            setattr(self, name, fields.get(name))

    @classmethod
    def new(cls, id, title, now, *, description="", priority="normal", labels=(),
            dependencies=(), gates=(), assignee=None, context=None, state=READY, parent=None):
        return cls(
            id=id, title=check_title(title), description=description or "", state=state,
            priority=check_choice("priority", priority, PRIORITIES), assignee=assignee,
            dependencies=list(dict.fromkeys(dependencies)), gates_required=list(dict.fromkeys(gates)),
            gates_status={g: pending_status() for g in dict.fromkeys(gates)},
            labels=list(dict.fromkeys(labels)), context=dict(context or {}),
            created_at=now, updated_at=now, lease=None, parent=parent, comments=[], resolution=None,
        )

    def replace(self, **changes) -> "Issue":
        fields = {name: getattr(self, name) for name in ISSUE_FIELDS}
        unknown = set(changes) - set(ISSUE_FIELDS)
        if unknown:
            raise TypeError(f"unknown issue fields {unknown}")
        fields.update(changes)
        return Issue(**fields)

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in ISSUE_FIELDS}

    @classmethod
    def from_dict(cls, data: dict) -> "Issue":
        """Build from stored JSON, checking the shape so a hand-corrupted file is named, not crashed on."""
        if not isinstance(data, dict):
            raise ValueError("issue file must hold a JSON object")
        for required in ("id", "title", "state"):
            if not isinstance(data.get(required), str):
                raise ValueError(f"field {required!r} is missing or not a string")
        if data["state"] not in STATES:
            raise ValueError(f"unknown state {data['state']!r}")
        if data.get("priority", "normal") not in PRIORITY_RANK:
            raise ValueError(f"unknown priority {data.get('priority')!r}")
        if not data["title"].strip():
            raise ValueError("field 'title' is empty")
        for listed in ("dependencies", "gates_required", "labels"):
            value = data.get(listed, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"field {listed!r} must be a list of strings")
        for mapped in ("gates_status", "context"):
            if not isinstance(data.get(mapped, {}), dict):
                raise ValueError(f"field {mapped!r} must be an object")
        if not all(isinstance(v, dict) for v in data.get("gates_status", {}).values()):
            raise ValueError("every entry of 'gates_status' must be an object")
        for text in ("description", "assignee", "created_at", "updated_at"):
            if data.get(text) is not None and not isinstance(data[text], str):
                raise ValueError(f"field {text!r} must be a string")
        if data.get("lease") is not None and not isinstance(data["lease"], dict):
            raise ValueError("field 'lease' must be null or an object")
        if data.get("lease") is not None:
            lease = data["lease"]
            ttl = lease.get("ttl")
            if not isinstance(lease.get("expires_at"), str) or isinstance(ttl, bool) or not isinstance(
                    ttl, (int, float)) or not 0 <= ttl < float("inf"):
                raise ValueError("field 'lease' must hold a number 'ttl' and an RFC 3339 'expires_at'")
        _check_additions(data)
        issue = cls(**{k: data.get(k) for k in ISSUE_FIELDS})
        issue.description = issue.description or ""
        issue.priority = issue.priority or "normal"
        for listed in ("dependencies", "gates_required", "labels"):
            setattr(issue, listed, list(getattr(issue, listed) or []))
        issue.gates_status = dict(issue.gates_status or {})
        issue.context = dict(issue.context or {})
        issue.comments = list(issue.comments or [])
        return issue

    @property
    def short_id(self) -> str:
        return self.id[:8]

    def gate_state(self, key: str) -> str:
        return (self.gates_status.get(key) or {}).get("status", PENDING)

    def unpassed_gates(self) -> list:
        return [g for g in self.gates_required if self.gate_state(g) != PASSED]

    def __eq__(self, other):
        return isinstance(other, Issue) and self.to_dict() == other.to_dict()

    def __repr__(self):
        return f"Issue({self.short_id} {self.state} {self.title!r})"


def _check_additions(data: dict) -> None:
    """Shape checks for parent, comments and resolution; files written before they existed lack
    them, which loads as no parent, no comments, no resolution."""
    if data.get("parent") is not None and not isinstance(data["parent"], str):
        raise ValueError("field 'parent' must be null or an issue id")
    comments = data.get("comments", [])
    if not isinstance(comments, list) or not all(
            isinstance(c, dict) and all(isinstance(c.get(k), str) for k in ("by", "at", "text")) for c in comments):
        raise ValueError("field 'comments' must be a list of {by, at, text} objects")
    resolution = data.get("resolution")
    if resolution is not None and (not isinstance(resolution, dict) or resolution.get("kind") not in RESOLUTION_KINDS):
        raise ValueError("field 'resolution' must be null or an object with kind done or rejected")


def comment_order(comment: dict) -> tuple:
    """Comments sort by time, then author, then text: the same order in every clone after a merge."""
    return (comment.get("at") or "", comment.get("by") or "", comment.get("text") or "")


def make_resolution(kind: str, text: str | None, by: str, at: str) -> dict:
    return {"kind": kind, "text": text or "", "by": by, "at": at}


def pending_status() -> dict:
    return {"status": PENDING, "by": None, "at": None}


GATE_FIELDS = ("key", "title", "description", "mode", "checker", "timeout", "stage")
DEFAULT_GATE_TIMEOUT = 300


def make_gate(key, title, *, description="", mode="manual", checker=None, timeout=None, stage="postcheck") -> dict:
    """A validated gate definition as stored in gates.json.

    Raises UsageError for a bad key, mode, stage, timeout, or an auto gate without a checker.
    """
    if not key or not all(c.isalnum() or c in "-_." for c in key):
        raise UsageError(f"gate key {key!r} may hold only letters, digits, '-', '_' and '.'", {"key": key})
    check_title(title)
    check_choice("mode", mode, GATE_MODES)
    check_choice("stage", stage, GATE_STAGES)
    if mode == "auto" and not (checker or "").strip():
        raise UsageError(f"auto gate {key!r} needs a checker command; pass --checker 'CMD'", {"key": key})
    if timeout is None:
        timeout = DEFAULT_GATE_TIMEOUT
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or timeout <= 0:
        raise UsageError(f"timeout must be a positive number of seconds, got {timeout!r}", {"timeout": timeout})
    return {
        "key": key, "title": title.strip(), "description": description or "", "mode": mode,
        "checker": checker or None, "timeout": timeout, "stage": stage,
    }
