"""One line per event, for people: what `jit events tail` prints and the web page shows.

Both front ends call `event_summary`, so a row reads the same in a terminal and
in a browser. Every event type keeps its essentials (a gate definition, a
rejection's reason, a verdict's author); unknown types fall back to their
data's key=value pairs. A line longer than `width` is shortened at a word
boundary and ends with an ellipsis, never cut mid-word without a mark.
"""

import json

WIDTH = 160


def shorten(text: str, width: int | None = WIDTH) -> str:
    """`text` on one line; past `width` characters, cut at the last space and end with '…'."""
    text = " ".join(str(text).split())
    if width is None or len(text) <= width:
        return text
    cut = text[:width - 1]
    space = cut.rfind(" ")
    if space > width // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;") + "…"


def _q(text) -> str:
    return f'"{text}"'


def _short(ref) -> str:
    return str(ref)[:8] if ref else "-"


def _value(value) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return str(value)


def _pairs(data: dict, skip=()) -> list:
    return [f"{k}={_value(v)}" for k, v in data.items() if k not in skip and v not in (None, "", [], {})]


def _resolution_text(value) -> str | None:
    return value.get("text") if isinstance(value, dict) else value if isinstance(value, str) else None


def _move(data: dict) -> str:
    text = f"{data.get('from')} -> {data.get('to')}"
    if data.get("assignee"):
        text += f" by {data['assignee']}"
    reason = data.get("reason")
    if reason in ("requested", "gates", "dependencies"):
        text += f" ({reason})"
    elif reason and reason != "rejected":
        text += f"; reason: {reason}"
    resolution = _resolution_text(data.get("resolution"))
    if resolution:
        text += f"; {'reason' if data.get('to') == 'rejected' else 'summary'}: {resolution}"
    forced = data.get("forced")
    if isinstance(forced, dict):
        text += f"; forced over {forced.get('holder')}: {forced.get('reason')}"
    return text


def _fields(data: dict) -> str:
    out = []
    for name, change in (data.get("fields") or {}).items():
        change = change if isinstance(change, dict) else {"to": change}
        before, after = change.get("from"), change.get("to")
        if name == "labels" and isinstance(before, list) and isinstance(after, list):
            delta = [f"+{x}" for x in after if x not in before] + [f"-{x}" for x in before if x not in after]
            out.append("labels " + " ".join(delta))
        elif name == "description":
            out.append("description edited")
        elif name == "resolution":
            out.append(f"resolution: {_resolution_text(after) or 'cleared'}")
        elif name in ("title",):
            out.append(f"title {_q(before)} -> {_q(after)}")
        else:
            out.append(f"{name} {_value(before) if before is not None else '-'} -> "
                       f"{_value(after) if after is not None else '-'}")
    rest = _pairs(data, skip=("fields",))
    return "; ".join(out + rest) or "no field changed"


def _gate_definition(data: dict) -> str:
    gate = data.get("gate") if isinstance(data.get("gate"), dict) else {}
    text = f"{gate.get('key', '?')}: {_q(gate.get('title', ''))} ({gate.get('mode', '?')}, {gate.get('stage', '?')}"
    if gate.get("checker"):
        text += f", checker `{gate['checker']}`"
    text += ")"
    if data.get("preset"):
        text += f" from preset {data['preset']}"
    return text


def _verdict(data: dict, verdict: str) -> str:
    text = f"{data.get('gate', '?')} {verdict}"
    if data.get("by"):
        text += f" by {data['by']}"
    run = data.get("run")
    if isinstance(run, dict) and "exit_code" in run:
        text += f" (exit {run['exit_code']})"
    if data.get("override"):
        text += " (manual override)"
    if data.get("reason"):
        text += f"; reason: {data['reason']}"
    return text


SUMMARIES = {
    "issue_created": lambda d: " ".join([_q(d.get("title", "")), f"({d.get('state', '?')})"]
                                        + ([f"under {_short(d['parent'])}"] if d.get("parent") else [])),
    "issue_updated": _fields,
    "state_changed": _move,
    "issue_claimed": _move,
    "issue_released": _move,
    "lease_expired": lambda d: _move(d) + (f" (lease ended {d['expired_at']})" if d.get("expired_at") else ""),
    "issue_reopened": _move,
    "lease_renewed": lambda d: "lease until " + str((d.get("lease") or {}).get("expires_at", "?")),
    "issue_assigned": lambda d: f"assigned to {d.get('assignee')}"
                                + (f" (was {d['from_assignee']})" if d.get("from_assignee") else ""),
    "issue_unassigned": lambda d: f"unassigned {d.get('from_assignee') or ''}".rstrip(),
    "dependency_added": lambda d: f"now depends on {_short(d.get('on'))}",
    "dependency_removed": lambda d: f"no longer depends on {_short(d.get('on'))}"
                                    + (f" ({d['reason']})" if d.get("reason") else ""),
    "gate_defined": _gate_definition,
    "gate_updated": _gate_definition,
    "gate_removed": lambda d: f"{d.get('gate')} removed from the registry"
                              + (f" and from {len(d['issues'])} issue(s)" if d.get("issues") else ""),
    "gate_added": lambda d: "gates added: " + ", ".join(d.get("gates") or []),
    "gate_removed_from_issue": lambda d: f"gate {d.get('gate')} removed",
    "gate_passed": lambda d: _verdict(d, "passed"),
    "gate_failed": lambda d: _verdict(d, "failed"),
    "comment_added": lambda d: _q(d.get("text", "")),
    "issue_deleted": lambda d: f"deleted {_q(d.get('title', ''))}"
                               + (f" ({len(d['dependents'])} dependent(s) unlinked)" if d.get("dependents") else ""),
    "repo_initialized": lambda d: f"repository created at {d.get('path')}",
}


def event_summary(event: dict, width: int | None = WIDTH) -> str:
    """The essentials of one event on one line (see the module docstring)."""
    data = event.get("data") if isinstance(event.get("data"), dict) else {}
    render = SUMMARIES.get(event.get("type"))
    try:
        text = render(data) if render else ", ".join(_pairs(data))
    except (AttributeError, TypeError, KeyError):  # a hand-edited event of an odd shape: show its data as is
        text = ", ".join(_pairs(data))
    return shorten(text, width)
