"""Three-way merge of one issue file, and of the gate registry, field by field (SPEC section 11).

Pure: takes the common ancestor and both sides as plain dicts and returns a complete
document plus the list of conflicts it settled; never conflict markers. The rules:
- a field (or key) that only one side changed takes that side's value;
- labels, dependencies and gates_required merge as sets: an element survives unless a side
  removed it, and both sides' additions are kept;
- gates_status and context merge key by key with these same rules;
- state, assignee, lease and resolution are one claim and merge as one group, so a merge never
  pairs one side's state with the other side's assignee (or a done issue with a rejection's reason);
- comments merge as a union: every comment either side has survives once, ordered by
  (at, by, text), so two clones commenting on one issue both keep their words;
- a real conflict (both sides changed the same thing differently) is won by the side whose issue
  is in a terminal state (done, rejected) when exactly one is, otherwise by the side with the later
  updated_at; a tie goes to the greater canonical JSON so every machine picks the same side;
- one exception, used by `jit sync` (which knows that "theirs" is the remote): when both sides
  hold the issue claimed by different assignees, the claim already on the remote wins, so a claim
  granted through the remote is never taken away by another machine's unpushed one;
- updated_at becomes the later of the two.
The result does not depend on which side is "ours" (the property tests check this).
"""

import json

from jit.domain.model import TERMINAL, comment_order, pending_status

SET_FIELDS = ("labels", "dependencies", "gates_required")
KEYED_FIELDS = ("gates_status", "context")
CLAIM_GROUP = ("state", "assignee", "lease", "resolution")
TERMINAL_RULE = "terminal state wins"
LATER_RULE = "later change wins"
TIE_RULE = "same updated_at: the same side wins on every machine"
REMOTE_CLAIM_RULE = "the claim already on the remote wins"
HELD = ("in_progress", "gated")
REGISTRY_RULE = "gate definitions carry no time: the same side wins on every machine"


class _Missing:
    """A key absent from one version (deleted, or never there)."""

    def __repr__(self):
        return "MISSING"


MISSING = _Missing()


def canonical(value) -> str:
    """One text per JSON value, so that equality and tie-breaks never depend on key order or 1 == True."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_absent)


def _absent(value):
    if value is MISSING:
        return {"\u0000missing": True}  # no JSON document holds this key, so it never equals a value
    raise TypeError(f"{type(value).__name__} is not JSON")


def _same(a, b) -> bool:
    if a is MISSING or b is MISSING:
        return a is b
    return canonical(a) == canonical(b)


def pick(base, ours, theirs):
    """(value, conflicted) for one value: the side that changed it, or conflicted when both did."""
    if _same(ours, theirs) or _same(theirs, base):
        return ours, False
    if _same(ours, base):
        return theirs, False
    return None, True


def merge_set(base: list, ours: list, theirs: list) -> list:
    """Set merge of a list: unchanged sides yield the other side verbatim (its order kept)."""
    if _same(ours, theirs) or _same(theirs, base):
        return ours
    if _same(ours, base):
        return theirs
    in_ours = {canonical(x) for x in ours}
    in_theirs = {canonical(x) for x in theirs}
    in_base = {canonical(x) for x in base}
    kept, seen = [], set()
    for x in base:
        key = canonical(x)
        if key in in_ours and key in in_theirs and key not in seen:
            kept.append(x)
            seen.add(key)
    added = {canonical(x): x for x in (*ours, *theirs) if canonical(x) not in in_base}
    return kept + [added[k] for k in sorted(added)]


def merge_comments(base, ours, theirs) -> list:
    """Every comment of either side, once, oldest first. Comments are only ever appended, so a
    comment missing from one side is one it never saw, not one it deleted."""
    found = {}
    for side in (base, ours, theirs):
        for comment in side if isinstance(side, list) else ():
            found.setdefault(canonical(comment), comment)
    return sorted(found.values(), key=lambda c: (comment_order(c) if isinstance(c, dict) else ("", "", ""),
                                                 canonical(c)))


def _winner(ours: dict, theirs: dict) -> tuple:
    """('ours' or 'theirs', rule) for every real conflict between two versions of one issue."""
    ours_closed = ours.get("state") in TERMINAL
    theirs_closed = theirs.get("state") in TERMINAL
    if ours_closed != theirs_closed:
        return ("ours" if ours_closed else "theirs"), TERMINAL_RULE
    ours_at, theirs_at = str(ours.get("updated_at") or ""), str(theirs.get("updated_at") or "")
    if ours_at != theirs_at:
        return ("ours" if ours_at > theirs_at else "theirs"), LATER_RULE
    return ("ours" if canonical(ours) >= canonical(theirs) else "theirs"), TIE_RULE


def _shown(value):
    return None if value is MISSING else value


def _keyed(field, base, ours, theirs, side, rule, conflicts) -> dict:
    base, ours, theirs = (v if isinstance(v, dict) else {} for v in (base, ours, theirs))
    merged = {}
    for key in sorted(set(base) | set(ours) | set(theirs)):
        b, o, t = (d.get(key, MISSING) for d in (base, ours, theirs))
        value, clash = pick(b, o, t)
        if clash:
            value, dropped = (o, t) if side == "ours" else (t, o)
            conflicts.append({"field": f"{field}.{key}", "kept": _shown(value), "dropped": _shown(dropped),
                              "rule": rule})
        if value is not MISSING:
            merged[key] = value
    return merged


def _held_by_both(ours: dict, theirs: dict) -> bool:
    return (ours.get("state") in HELD and theirs.get("state") in HELD and bool(ours.get("assignee"))
            and bool(theirs.get("assignee")) and ours.get("assignee") != theirs.get("assignee"))


def merge_issue(base: dict | None, ours: dict, theirs: dict, remote: str | None = None) -> tuple:
    """(merged issue dict, conflicts) where each conflict is {field, kept, dropped, rule}.

    base is None when both sides created the file independently (an empty ancestor).
    remote ("ours" or "theirs") names the side already on the remote, when the caller knows it.
    """
    base = base or {}
    side, rule = _winner(ours, theirs)
    conflicts: list = []
    merged: dict = {}

    def get(doc, field):
        return doc.get(field, MISSING)

    def group(doc):
        return [get(doc, f) for f in CLAIM_GROUP]

    claim, clash = pick(group(base), group(ours), group(theirs))
    if clash:
        claim_side, claim_rule = side, rule
        if remote in ("ours", "theirs") and _held_by_both(ours, theirs):
            claim_side, claim_rule = remote, REMOTE_CLAIM_RULE
        claim, dropped = (group(ours), group(theirs)) if claim_side == "ours" else (group(theirs), group(ours))
        for name, kept_value, dropped_value in zip(CLAIM_GROUP, claim, dropped):
            if not _same(kept_value, dropped_value):
                conflicts.append({"field": name, "kept": _shown(kept_value), "dropped": _shown(dropped_value),
                                  "rule": claim_rule})
    merged.update((f, v) for f, v in zip(CLAIM_GROUP, claim) if v is not MISSING)

    for field in sorted(set(base) | set(ours) | set(theirs)):
        if field in CLAIM_GROUP:
            continue
        b, o, t = get(base, field), get(ours, field), get(theirs, field)
        if field == "updated_at":
            value = max((str(v) for v in (o, t) if v not in (MISSING, None)), default=_shown(o))
        elif field == "comments":
            value = merge_comments(*(v if v is not MISSING else [] for v in (b, o, t)))
        elif field in SET_FIELDS and all(isinstance(v, list) or v is MISSING for v in (b, o, t)):
            value = merge_set(*(v if v is not MISSING else [] for v in (b, o, t)))
        elif field in KEYED_FIELDS:
            value = _keyed(field, b, o, t, side, rule, conflicts)
        else:
            value, clash = pick(b, o, t)
            if clash:
                value, dropped = (o, t) if side == "ours" else (t, o)
                conflicts.append({"field": field, "kept": _shown(value), "dropped": _shown(dropped), "rule": rule})
        if value is not MISSING:
            merged[field] = value
    _align_gate_status(merged, (base, ours, theirs))
    return merged, conflicts


def _align_gate_status(merged: dict, versions) -> None:
    """Every required gate keeps a status; a gate the merge dropped takes its status along."""
    required = merged.get("gates_required")
    status = merged.get("gates_status")
    if not isinstance(required, list) or not isinstance(status, dict):
        return
    once_required = {g for v in versions for g in (v.get("gates_required") or []) if isinstance(g, str)}
    for key in list(status):
        if key in once_required and key not in required:
            del status[key]
    for key in required:
        if isinstance(key, str) and key not in status:
            status[key] = pending_status()


def merge_registry(base: dict | None, ours: dict, theirs: dict) -> tuple:
    """(merged gates.json dict, conflicts): gate definitions merge key by key."""
    conflicts: list = []
    merged = {}
    base = base or {}
    for key in sorted(set(base) | set(ours) | set(theirs)):
        b, o, t = (d.get(key, MISSING) for d in (base, ours, theirs))
        value, clash = pick(b, o, t)
        if clash:
            value, dropped = (o, t) if canonical(_shown(o)) >= canonical(_shown(t)) else (t, o)
            conflicts.append({"field": key, "kept": _shown(value), "dropped": _shown(dropped),
                              "rule": REGISTRY_RULE})
        if value is not MISSING:
            merged[key] = value
    return merged, conflicts
