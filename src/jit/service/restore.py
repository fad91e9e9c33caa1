"""`jit import FILE`: restore a `jit export` stream, all or nothing (SPEC section 11).

Every line is checked (shape, counts, references, cycles, collisions) before
anything is written; then one transaction writes it all through the journal.
Into a repository with no issues the store is recreated exactly, event log
included, so export -> import -> export is byte-identical. Into a non-empty
one, ids that already exist are refused (Conflict, exit 4) unless `merge`
says to `skip` them or `replace` them.
"""

import re

from jit.domain import graph
from jit.domain.ids import is_full_id
from jit.domain.model import ISSUE_FIELDS, Issue
from jit.errors import Conflict, UsageError
from jit.service.export import FORMAT, KINDS, VERSION
from jit.service.jsonlines import line_error, records

MERGES = ("skip", "replace")
SHOWN = 10
DETAILED = 1000  # ids listed in the JSON error; `count` says how many collided
RUN_ID = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,127}")
PRESET_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


_line_error = line_error


class Parsed:
    def __init__(self):
        self.header = None
        self.issues = {}  # id -> (line, Issue)
        self.runs = []  # (line, issue_id, run_id, record)
        self.events = []
        self.has_events = False


def _check_header(n, record):
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise _line_error(n, "not a jit export (the first line must be the header `jit export` writes); "
                             "to create new issues from JSON Lines use `jit issue import`")
    if record.get("version") != VERSION:
        raise _line_error(n, f"export format version {record.get('version')!r} is not one this jit reads "
                             f"({VERSION}); upgrade jit")
    for field in ("gates", "presets"):
        value = record.get(field, {})
        if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
            raise _line_error(n, f"the header's {field!r} must be an object of definitions")
    if not all(PRESET_NAME.fullmatch(name) for name in record.get("presets", {})):
        raise _line_error(n, "the header names a preset that is not lower-case letters, digits, '-' and '_'")
    if record.get("config") is not None and not isinstance(record["config"], str):
        raise _line_error(n, "the header's 'config' must be text")


def _parse_issue(n, data, parsed):
    if not isinstance(data, dict):
        raise _line_error(n, "an issue must be a JSON object")
    unknown = set(data) - set(ISSUE_FIELDS)
    if unknown:
        raise _line_error(n, f"unknown issue field(s) {', '.join(sorted(unknown))}: "
                             "exported by a newer jit? upgrade jit")
    try:
        issue = Issue.from_dict(data)
    except (ValueError, TypeError) as exc:
        raise _line_error(n, f"bad issue ({exc})") from None
    if not is_full_id(issue.id) or issue.id != issue.id.lower():
        raise _line_error(n, f"issue id {issue.id!r} is not a lower-case UUID")
    if issue.id in parsed.issues:
        raise _line_error(n, f"issue {issue.id[:8]} already appeared on line {parsed.issues[issue.id][0]}")
    parsed.issues[issue.id] = (n, issue)


def _parse_run(n, data, parsed):
    ok = isinstance(data, dict) and isinstance(data.get("record"), dict) and is_full_id(data.get("issue_id") or "")
    run_id = data.get("run_id") if isinstance(data, dict) else None
    if not ok or not isinstance(run_id, str) or not RUN_ID.fullmatch(run_id):
        raise _line_error(n, "a gate run needs issue_id (a UUID), run_id (letters, digits, '.', '-', '_') "
                             "and record")
    parsed.runs.append((n, data["issue_id"], run_id, data["record"]))


def parse(lines) -> Parsed:
    """Check every line of an export. Raises UsageError naming the first bad line."""
    parsed = Parsed()
    end, n = None, 0
    counts = {"issue": 0, "gate_run": 0, "event": 0}
    for n, record in records(lines):
        if parsed.header is None:
            _check_header(n, record)
            parsed.header = record
            continue
        if end is not None:
            raise _line_error(n, "text after the export's closing line")
        if not isinstance(record, dict) or len(record) != 1 or next(iter(record)) not in (*KINDS, "end"):
            raise _line_error(n, "each line must be one of {\"issue\": ...}, {\"gate_run\": ...}, "
                                 "{\"event\": ...} or {\"end\": ...}")
        kind, data = next(iter(record.items()))
        if kind == "end":
            end = (n, data)
            continue
        counts[kind] += 1
        if kind == "issue":
            _parse_issue(n, data, parsed)
        elif kind == "gate_run":
            _parse_run(n, data, parsed)
        else:
            if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in ("id", "ts", "type")):
                raise _line_error(n, "an event must be an object with id, ts and type strings")
            parsed.events.append(data)
    if parsed.header is None:
        raise _line_error(max(n, 1), "the file is empty, not a jit export")
    if end is None:
        raise _line_error(n + 1, f"the export ends without its closing line after line {n}: truncated? "
                                 "export it again with `jit export`")
    _check_counts(end, counts, parsed)
    return parsed


def _check_counts(end, counts, parsed):
    n, data = end
    if not isinstance(data, dict):
        raise _line_error(n, "the closing line must hold the counts")
    parsed.has_events = data.get("events") is not None
    for kind, key in (("issue", "issues"), ("gate_run", "gate_runs")):
        if data.get(key) != counts[kind]:
            raise _line_error(n, f"the closing line counts {data.get(key)} {key} but the file holds "
                                 f"{counts[kind]}: lines were lost or added")
    if data.get("events") not in (None, counts["event"]) or (data.get("events") is None and counts["event"]):
        raise _line_error(n, f"the closing line counts {data.get('events')} events but the file holds "
                             f"{counts['event']}: lines were lost or added")


def _conflicts(parsed, existing, registry, presets_here):
    ids = sorted(i for i in parsed.issues if i in existing)
    gates = sorted(k for k, v in parsed.header.get("gates", {}).items() if k in registry and registry[k] != v)
    presets = sorted(k for k, v in parsed.header.get("presets", {}).items() if k in presets_here and presets_here[k] != v)
    return ids, gates, presets


def _refuse(ids, gates, presets):
    parts = []
    if ids:
        shown = ", ".join(i[:8] for i in ids[:SHOWN]) + (f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else "")
        parts.append(f"{len(ids)} issue(s) already exist here: {shown}")
    if gates:
        parts.append(f"gate(s) defined differently here: {', '.join(gates)}")
    if presets:
        parts.append(f"preset(s) that differ here: {', '.join(presets)}")
    raise Conflict("; ".join(parts) + "; nothing was imported; pass --merge skip (keep ours) or "
                   "--merge replace (take the file's)",
                   {"count": len(ids), "ids": ids[:DETAILED], "gates": gates, "presets": presets})


def _check_references(parsed, written, existing, registry):
    known = set(parsed.issues) | existing
    for issue_id in written:
        n, issue = parsed.issues[issue_id]
        for dep in issue.dependencies:
            if dep not in known:
                raise _line_error(n, f"issue {issue_id[:8]} depends on {dep[:8]}, which is neither in the file "
                                     "nor in this repository")
        parent = getattr(issue, "parent", None)
        if parent is not None and parent not in known:
            raise _line_error(n, f"issue {issue_id[:8]} has parent {parent[:8]}, which is neither in the file "
                                 "nor in this repository")
        for key in issue.gates_required:
            if key not in registry:
                raise _line_error(n, f"issue {issue_id[:8]} requires gate {key!r}, which neither the file "
                                     "nor this repository defines")
    for n, issue_id, _run, _record in parsed.runs:
        if issue_id not in known:
            raise _line_error(n, f"gate run for issue {issue_id[:8]}, which is neither in the file nor here")


def _check_cycles(ctx, parsed, written, existing):
    final = {i: ctx.files.load(i) for i in existing if i not in written} if existing else {}
    final.update({i: parsed.issues[i][1] for i in written})
    line_of = {i: parsed.issues[i][0] for i in written}
    for field, edges in (("dependencies", {i: list(x.dependencies) for i, x in final.items()}),
                         ("parent", {i: [p] for i, x in final.items() if (p := getattr(x, "parent", None))})):
        for cycle in graph.find_cycles(edges):
            first = next((c for c in cycle if c in line_of), cycle[0])
            raise _line_error(line_of.get(first, 0), f"{field} would form a cycle: "
                              + " -> ".join(c[:8] for c in cycle))


def _initial_log_only(ctx) -> bool:
    return all(e.get("type") == "repo_initialized" for e in ctx.events.read_all())


def restore(ctx, lines, merge: str | None = None, dry_run: bool = False) -> dict:
    """Restore an export. Raises UsageError (a bad line, named), Conflict (collisions without merge)."""
    from jit.service.export import read_presets
    from jit.storage.config import default_text
    from jit.storage.events import encode_events

    if merge is not None and merge not in MERGES:
        raise UsageError(f"--merge must be one of {', '.join(MERGES)}", {"merge": merge})
    parsed = parse(lines)
    with ctx.transaction() as tx:
        existing = set(ctx.files.ids())
        registry = tx.gates()
        presets_here = read_presets(ctx.layout)
        ids, gates, presets = _conflicts(parsed, existing, registry, presets_here)
        if (ids or gates or presets) and merge is None:
            _refuse(ids, gates, presets)
        take_theirs = merge != "skip"
        new_registry = {**parsed.header.get("gates", {}), **registry} if not take_theirs else \
            {**registry, **parsed.header.get("gates", {})}
        written = [i for i in parsed.issues if i not in existing or take_theirs]
        _check_references(parsed, written, existing, new_registry)
        _check_cycles(ctx, parsed, written, existing)
        fresh = not existing and _initial_log_only(ctx)
        summary = {"dry_run": dry_run, "created": sum(i not in existing for i in written),
                   "replaced": sum(i in existing for i in written), "skipped": len(parsed.issues) - len(written),
                   "collisions": ids, "gate_runs": 0, "events": 0, "config": "kept"}
        if dry_run:
            summary["gate_runs"] = sum(r[1] in written or r[1] not in parsed.issues for r in parsed.runs)
            summary["events"] = len(parsed.events)
            return summary
        if new_registry != registry:
            tx.save_gates(new_registry)
        for name, preset in parsed.header.get("presets", {}).items():
            if name not in presets_here or (take_theirs and presets_here[name] != preset):
                tx.save_preset(name, preset)
        config = parsed.header.get("config")
        if not existing and config is not None and _config_untouched(ctx, default_text()):
            tx.replace_whole("config.toml", config)
            summary["config"] = "restored"
        chosen = set(written)
        for issue_id in sorted(written):
            tx.save(parsed.issues[issue_id][1])
        for _n, issue_id, run_id, record in parsed.runs:
            if issue_id in chosen or issue_id not in parsed.issues:
                tx.save_run(issue_id, run_id, record)
                summary["gate_runs"] += 1
        if fresh and parsed.has_events:
            tx.replace_whole("events.jsonl", encode_events(parsed.events).decode("utf-8"))
            summary["events"] = len(parsed.events)
        else:
            seen = {e.get("id") for e in ctx.events.read_all()} if parsed.events else set()
            for event in parsed.events:
                if event["id"] not in seen:
                    tx.event(event)
                    summary["events"] += 1
            tx.event(ctx.event("export_imported", None, {k: summary[k] for k in ("created", "replaced", "skipped")}))
    _settle(ctx, summary, merged=bool(existing))
    return summary


def _config_untouched(ctx, default: str) -> bool:
    try:
        with open(ctx.layout.config_file, encoding="utf-8") as fh:
            return fh.read() == default
    except FileNotFoundError:
        return True


def _settle(ctx, summary, merged):
    """Rebuild the index now and, after a merge, settle derived states (validate --fix)."""
    from jit.service.queries import status
    from jit.service.validate import validate

    status(ctx)
    report = validate(ctx, fix=merged)
    summary["repaired"] = report["fixed"]
    summary["problems"] = [p["message"] for p in report["problems"]]
