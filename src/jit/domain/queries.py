"""Read-side rules (SPEC section 7): what is available, what is blocked and why, and order.

Work is ordered by priority (critical first), then age (oldest first), then id
so that every front end and every concurrent caller sees one total order.
"""

from jit.domain.labels import label_matches
from jit.domain.model import BACKLOG, DONE, GATED, PRIORITY_RANK, READY, TERMINAL, Issue
from jit.domain.states import unpassed_prechecks


def work_order(issue: Issue) -> tuple:
    return (PRIORITY_RANK.get(issue.priority, 2), issue.created_at or "", issue.id)


def deps_done(issue: Issue, states: dict) -> bool:
    return all(states.get(d) == DONE for d in issue.dependencies)


def is_available(issue: Issue, states: dict, gate_defs: dict | None = None) -> bool:
    """SPEC 6's one definition of available: ready, unassigned, dependencies done, prechecks passed
    (the SQL twin is the index's available predicate; claim, claim-next and every list agree)."""
    return (issue.state == READY and not issue.assignee and deps_done(issue, states)
            and not unpassed_prechecks(issue, gate_defs or {}))


def matches(issue: Issue, *, state=None, labels=(), assignee=None, priority=None) -> bool:
    if state and issue.state != state:
        return False
    if priority and issue.priority != priority:
        return False
    if assignee is not None and issue.assignee != assignee:
        return False
    return all(label_matches(p, issue.labels) for p in labels)


def available(issues, *, labels=(), priority=None, gate_defs=None) -> list:
    states = {i.id: i.state for i in issues}
    found = [i for i in issues if is_available(i, states, gate_defs) and matches(i, labels=labels, priority=priority)]
    return sorted(found, key=work_order)


def blockers(issue: Issue, by_id: dict, gate_defs: dict) -> list:
    """Why an unfinished issue cannot proceed: unfinished dependencies and unpassed gates."""
    if issue.state in TERMINAL:
        return []
    reasons = []
    for dep in issue.dependencies:
        other = by_id.get(dep)
        if other is None:
            reasons.append({"kind": "dependency", "id": dep, "state": "missing",
                            "reason": f"depends on {dep[:8]}, which does not exist"})
        elif other.state != DONE:
            reasons.append({"kind": "dependency", "id": dep, "state": other.state,
                            "reason": f"depends on {dep[:8]} ({other.state}): {other.title}"})
    if issue.state == GATED:
        gates = issue.unpassed_gates()
    elif issue.state in (BACKLOG, READY):
        gates = unpassed_prechecks(issue, gate_defs)
    else:
        gates = []
    for gate in gates:
        reasons.append({"kind": "gate", "gate": gate, "status": issue.gate_state(gate),
                        "reason": f"gate {gate} is {issue.gate_state(gate)}"})
    return reasons


def blocked(issues, gate_defs: dict) -> list:
    """(issue, reasons) for every issue held back by dependencies or gates, in work order."""
    by_id = {i.id: i for i in issues}
    out = [(i, r) for i in issues if (r := blockers(i, by_id, gate_defs))]
    out.sort(key=lambda pair: work_order(pair[0]))
    return out


def search(issues, text: str) -> list:
    needle = text.lower()
    hits = [i for i in issues if needle in i.title.lower() or needle in (i.description or "").lower()
            or needle in i.id]
    return sorted(hits, key=work_order)
