"""A hypothesis state machine over the pure rules (src/jit/domain): random sequences of
creates, edges, starts, done requests, gate verdicts and rejections.

The driver does only what the service layer's flow does (settle dependents when
an issue becomes done, settle an issue whose dependencies changed); every
decision comes from the domain functions. Invariants: no cycle, no unknown
state, no ready issue with an unfinished dependency, refusals change nothing.
"""

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from jit.domain import graph, states
from jit.domain.model import (
    BACKLOG, DONE, GATED, IN_PROGRESS, PASSED, READY, REJECTED, STATES, TERMINAL, Issue,
)
from jit.domain.queries import available, blocked
from jit.errors import Refused

GATES = ("review", "tests", "lint")
GATE_DEFS = {"review": {"stage": "postcheck"}, "tests": {"stage": "postcheck"}, "lint": {"stage": "precheck"}}


class Rules(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.issues: dict = {}
        self.clock = 0

    # -- helpers -----------------------------------------------------------------------------
    def now(self):
        self.clock += 1
        return f"2025-01-01T00:00:{self.clock:09.6f}Z"

    def deps_done(self, issue):
        return all(self.issues[d].state == DONE for d in issue.dependencies)

    def deps(self):
        return {i: x.dependencies for i, x in self.issues.items()}

    def put(self, issue):
        old = self.issues.get(issue.id)
        self.issues[issue.id] = issue
        if issue.state == DONE and (old is None or old.state != DONE):
            for other in list(self.issues.values()):
                if issue.id in other.dependencies:
                    self.put(states.settle_unstarted(other, self.deps_done(other), self.now()))

    def pick(self, data):
        return data.draw(st.sampled_from(sorted(self.issues)))

    def refused_unchanged(self, fn, issue, *args):
        frozen = issue.to_dict()
        try:
            result = fn(issue, *args)
        except Refused:
            assert issue.to_dict() == frozen, "a refused transition mutated the issue"
            return None
        assert issue.to_dict() == frozen, "transitions must return new values"
        return result

    # -- operations ----------------------------------------------------------------------------
    @rule(data=st.data(), gates=st.lists(st.sampled_from(GATES), unique=True, max_size=2))
    def create(self, data, gates):
        deps = data.draw(st.lists(st.sampled_from(sorted(self.issues)), unique=True, max_size=3)) if self.issues else []
        issue = Issue.new(f"i{len(self.issues):03d}", "t", self.now(), dependencies=deps, gates=gates)
        issue = issue.replace(state=states.resting_state(self.deps_done(issue)))
        self.put(issue)

    @precondition(lambda self: len(self.issues) >= 2)
    @rule(data=st.data())
    def add_edge(self, data):
        src, dst = self.pick(data), self.pick(data)
        issue = self.issues[src]
        try:
            graph.check_new_edge(self.deps(), src, dst)
        except Refused as exc:
            cycle = exc.details["cycle"]
            assert src == dst or graph.find_path(self.deps(), dst, src) is not None
            assert cycle[0] == cycle[-1] == src
            return
        if issue.state in TERMINAL or dst in issue.dependencies:
            return
        after = issue.replace(dependencies=issue.dependencies + [dst])
        self.put(states.settle_unstarted(after, self.deps_done(after), self.now()))

    @precondition(lambda self: self.issues)
    @rule(data=st.data())
    def remove_edge(self, data):
        issue = self.issues[self.pick(data)]
        if not issue.dependencies or issue.state in TERMINAL:
            return
        gone = data.draw(st.sampled_from(issue.dependencies))
        after = issue.replace(dependencies=[d for d in issue.dependencies if d != gone])
        self.put(states.settle_unstarted(after, self.deps_done(after), self.now()))

    @precondition(lambda self: self.issues)
    @rule(data=st.data())
    def start(self, data):
        issue = self.issues[self.pick(data)]
        after = self.refused_unchanged(lambda i: states.start(i, "agent:w", GATE_DEFS, self.now()), issue)
        if after is None:
            assert issue.state != READY or states.unpassed_prechecks(issue, GATE_DEFS)
            return
        assert issue.state == READY and after.state == IN_PROGRESS and after.assignee == "agent:w"
        self.put(after)

    @precondition(lambda self: self.issues)
    @rule(data=st.data())
    def request_done(self, data):
        issue = self.issues[self.pick(data)]
        after = self.refused_unchanged(lambda i: states.request_done(i, self.now()), issue)
        if after is None:
            assert issue.state in (BACKLOG, *TERMINAL)
            return
        assert after.state == (GATED if issue.unpassed_gates() else DONE)
        self.put(after)

    @precondition(lambda self: self.issues)
    @rule(data=st.data())
    def pass_gate(self, data):
        issue = self.issues[self.pick(data)]
        if not issue.gates_required or issue.state in TERMINAL:
            return
        key = data.draw(st.sampled_from(issue.gates_required))
        status = {**issue.gates_status, key: {"status": PASSED, "by": "human:x", "at": self.now()}}
        after = states.after_gate_verdict(issue.replace(gates_status=status), self.now())
        if issue.state == GATED and not after.unpassed_gates():
            assert after.state == DONE
        self.put(after)

    @precondition(lambda self: self.issues)
    @rule(data=st.data())
    def reject(self, data):
        issue = self.issues[self.pick(data)]
        after = self.refused_unchanged(lambda i: states.reject(i, self.now()), issue)
        if after is None:
            assert issue.state in TERMINAL
            return
        assert after.state == REJECTED
        self.put(after)

    # -- invariants ------------------------------------------------------------------------------
    @invariant()
    def no_cycle(self):
        assert graph.find_cycles(self.deps()) == []

    @invariant()
    def states_are_known_and_follow_dependencies(self):
        for issue in self.issues.values():
            assert issue.state in STATES
            if issue.state == READY:
                assert self.deps_done(issue), f"{issue.id} ready with an unfinished dependency"
            if issue.state == BACKLOG:
                assert not self.deps_done(issue), f"{issue.id} backlog with every dependency done"
            if issue.state == DONE:
                assert not issue.unpassed_gates()
            if issue.state == GATED:
                assert issue.unpassed_gates()

    @invariant()
    def available_work_is_ready_with_dependencies_done(self):
        found = available(list(self.issues.values()))
        assert {i.id for i in found} == {i.id for i in self.issues.values()
                                         if i.state == READY and not i.assignee}
        for issue, reasons in blocked(list(self.issues.values()), GATE_DEFS):
            assert reasons and issue.state not in TERMINAL


TestRules = Rules.TestCase
TestRules.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
