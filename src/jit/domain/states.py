"""The state machine (SPEC section 3): which transitions exist and what state follows.

`backlog`/`ready` are derived from dependencies; `gated`/`done` from gates.
Every function returns a new Issue or raises Refused; nothing is written here.
"""

from jit.domain.model import (
    BACKLOG, DONE, GATED, IN_PROGRESS, PASSED, READY, REJECTED, TERMINAL, Issue,
)
from jit.errors import Refused

# Transitions a caller may ask for; automatic ones (backlog<->ready on
# dependency changes, gated->done on the last gate) are applied by the rules below.
ALLOWED = {
    BACKLOG: {READY, REJECTED},
    READY: {IN_PROGRESS, GATED, DONE, REJECTED},
    IN_PROGRESS: {READY, GATED, DONE, REJECTED},
    GATED: {IN_PROGRESS, DONE, REJECTED},
    DONE: set(),
    REJECTED: set(),
}


def refuse_transition(issue: Issue, target: str, why: str = "") -> Refused:
    reason = why or f"{issue.state} -> {target} is not an allowed transition"
    return Refused(
        f"cannot move {issue.short_id} from {issue.state} to {target}: {reason}",
        {"id": issue.id, "from": issue.state, "to": target},
    )


def check_transition(issue: Issue, target: str) -> None:
    if issue.state in TERMINAL:
        raise refuse_transition(issue, target, f"{issue.state} is terminal")
    if target not in ALLOWED[issue.state]:
        raise refuse_transition(issue, target)


def resting_state(deps_done: bool) -> str:
    """Where an unstarted issue belongs: ready once every dependency is done."""
    return READY if deps_done else BACKLOG


def settle_unstarted(issue: Issue, deps_done: bool, now: str) -> Issue:
    """Move a backlog/ready issue to match its dependencies; others are untouched."""
    if issue.state not in (BACKLOG, READY):
        return issue
    target = resting_state(deps_done)
    if target == issue.state:
        return issue
    return issue.replace(state=target, updated_at=now)


def request_done(issue: Issue, now: str) -> Issue:
    """Asking for done: done when every required gate passed, otherwise gated.

    Raises Refused from backlog or a terminal state.
    """
    if issue.state == BACKLOG:
        raise refuse_transition(issue, DONE, "its dependencies are not done yet (see `jit query blocked`)")
    check_transition(issue, DONE)
    target = GATED if issue.unpassed_gates() else DONE
    if target == issue.state:
        return issue
    return issue.replace(state=target, updated_at=now, lease=None)


def after_gate_verdict(issue: Issue, now: str) -> Issue:
    """A gated issue whose last gate just passed becomes done."""
    if issue.state == GATED and not issue.unpassed_gates():
        return issue.replace(state=DONE, updated_at=now, lease=None)
    return issue


def reject(issue: Issue, now: str) -> Issue:
    if issue.state in TERMINAL:
        raise refuse_transition(issue, REJECTED, f"{issue.state} is terminal")
    return issue.replace(state=REJECTED, updated_at=now, lease=None)


def unpassed_prechecks(issue: Issue, gate_defs: dict) -> list:
    return [
        g for g in issue.gates_required
        if (gate_defs.get(g) or {}).get("stage") == "precheck" and issue.gate_state(g) != PASSED
    ]


def precheck_keys(gate_defs: dict) -> list:
    """The registry's precheck gates: an issue requiring one that has not passed cannot start."""
    return [k for k, g in gate_defs.items() if (g or {}).get("stage") == "precheck"]


def clear_command(issue_ref: str, key: str, gate_def: dict | None) -> str:
    """The command that clears a pending gate: its checker for an auto gate, a verdict for a manual one."""
    verb = "check" if (gate_def or {}).get("mode") == "auto" else "pass"
    return f"jit gate {verb} {issue_ref} {key}"


def start(issue: Issue, assignee: str | None, gate_defs: dict, now: str) -> Issue:
    """ready -> in_progress, checking prechecks.

    Raises Refused when not ready or a precheck has not passed.
    """
    if issue.state != READY:
        why = "it is waiting on dependencies" if issue.state == BACKLOG else ""
        raise refuse_transition(issue, IN_PROGRESS, why or f"only ready issues can start (it is {issue.state})")
    missing = unpassed_prechecks(issue, gate_defs)
    if missing:
        commands = [clear_command(issue.short_id, g, gate_defs.get(g)) for g in missing]
        raise Refused(
            f"cannot start {issue.short_id}: precheck gate(s) not passed: {', '.join(missing)} "
            f"(clear with `{'` and `'.join(commands)}`)",
            {"id": issue.id, "gates": missing, "commands": commands},
        )
    return issue.replace(state=IN_PROGRESS, assignee=assignee, updated_at=now)
