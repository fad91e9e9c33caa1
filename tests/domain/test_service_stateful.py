"""A hypothesis state machine driving the service layer on a real temporary repository.

Each step calls one use-case (create, dep add/rm, done, reject, claim, release,
gate pass, delete, label update) and predicts from the state before it whether
the rules allow it. After every step the files on disk must pass `validate`
and the SPEC invariants; a refused call must leave `.jit/` byte-for-byte unchanged.
"""

import json
import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from jit.domain import graph
from jit.domain.model import BACKLOG, DONE, GATED, IN_PROGRESS, READY, REJECTED, STATES, TERMINAL
from jit.errors import Conflict, JitError, NotFound, Refused
from jit.service import claims, deps, issues, queries
from jit.service.context import init_repo
from jit.service.gates import define_gate, pass_gate
from jit.service.validate import validate

ENV = {"USER": "tester", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}


class ServiceMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.tmp = tempfile.mkdtemp(prefix="jit-stateful-")
        self.ctx, _ = init_repo(self.tmp, env=ENV)
        define_gate(self.ctx, "review", "Reviewed")
        self.data = Path(self.tmp) / ".jit"
        self.ids: list = []
        self.events = self.count_events()

    def teardown(self):
        self.ctx.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- helpers -------------------------------------------------------------------------------
    def snapshot(self):
        return {p.relative_to(self.data).as_posix(): p.read_bytes() for p in sorted(self.data.rglob("*"))
                if p.is_file() and not p.name.startswith(("index.sqlite", ".lock"))}

    def count_events(self):
        lines = (self.data / "events.jsonl").read_text().splitlines()
        return len([json.loads(line) for line in lines])

    def load(self, issue_id):
        return self.ctx.files.load(issue_id)

    def live(self):
        return [i for i in self.ids if self.ctx.files.exists(i)]

    def call(self, expected_error, fn, *args, **kwargs):
        """Run one use-case; `expected_error` is the JitError kind the rules predict (None: success)."""
        before = self.snapshot()
        try:
            result = fn(self.ctx, *args, **kwargs)
        except JitError as exc:
            assert expected_error is not None and isinstance(exc, expected_error), \
                f"{fn.__name__} raised {exc!r}, expected {expected_error}"
            assert self.snapshot() == before, f"refused {fn.__name__} changed .jit/"
            return None
        assert expected_error is None, f"{fn.__name__} succeeded, expected {expected_error}"
        now = self.count_events()
        assert now > self.events or self.snapshot() == before, "a change without an event"
        self.events = now
        return result

    def pick(self, data):
        return data.draw(st.sampled_from(self.live()))

    def deps_done(self, issue):
        return all(self.ctx.files.exists(d) and self.load(d).state == DONE for d in issue.dependencies)

    # -- operations ---------------------------------------------------------------------------------
    @initialize(count=st.integers(2, 4))
    def seed(self, count):
        # A few issues up front so that most rules are enabled from the first step.
        for n in range(count):
            self.ids.append(issues.create_issue(self.ctx, f"seed {n}", deps=self.ids[-1:]).id)
        self.events = self.count_events()

    @rule(data=st.data(), gated=st.booleans(), priority=st.sampled_from(["critical", "high", "normal", "low"]))
    def create(self, data, gated, priority):
        live = self.live()
        wanted = data.draw(st.lists(st.sampled_from(live), unique=True, max_size=2)) if live else []
        issue = self.call(None, issues.create_issue, f"task {len(self.ids)}", priority=priority,
                          deps=[d[:8] for d in wanted], gates=["review"] if gated else [])
        assert issue.dependencies == wanted
        assert issue.state == (READY if all(self.load(d).state == DONE for d in wanted) else BACKLOG)
        self.ids.append(issue.id)

    @precondition(lambda self: len(self.live()) >= 2)
    @rule(data=st.data())
    def add_dependency(self, data):
        src, dst = self.pick(data), self.pick(data)
        current = {i: self.load(i).dependencies for i in self.live()}
        issue = self.load(src)
        if src == dst or graph.find_path(current, dst, src):
            expected = Refused
        elif dst in issue.dependencies:
            expected = None
        elif issue.state in TERMINAL:
            expected = Refused
        else:
            expected = None
        after = self.call(expected, deps.add_dependency, src, dst)
        if after is not None:
            assert dst in after.dependencies
            if issue.state == READY and self.load(dst).state != DONE:
                assert after.state == BACKLOG

    @precondition(lambda self: any(self.load(i).dependencies for i in self.live()))
    @rule(data=st.data())
    def remove_dependency(self, data):
        src = data.draw(st.sampled_from([i for i in self.live() if self.load(i).dependencies]))
        dst = data.draw(st.sampled_from(self.load(src).dependencies))
        after = self.call(None, deps.remove_dependency, src, dst)
        assert dst not in after.dependencies

    @precondition(lambda self: self.live())
    @rule(data=st.data())
    def done(self, data):
        issue = self.load(self.pick(data))
        # Asking again for the state an issue is in is a no-op, like `gh issue close` on a closed issue.
        expected = Refused if issue.state in (BACKLOG, REJECTED) else None
        after = self.call(expected, issues.done_issue, issue.id)
        if after is not None:
            assert after.state == (GATED if issue.unpassed_gates() else DONE)

    @precondition(lambda self: self.live())
    @rule(data=st.data())
    def reject(self, data):
        issue = self.load(self.pick(data))
        after = self.call(Refused if issue.state in TERMINAL else None, issues.reject_issue, issue.id, "no")
        if after is not None:
            assert after.state == REJECTED

    @precondition(lambda self: self.live())
    @rule(data=st.data(), worker=st.sampled_from(["agent:w1", "agent:w2"]))
    def claim(self, data, worker):
        issue = self.load(self.pick(data))
        if issue.state == READY and not issue.assignee:
            expected = None
        elif issue.assignee and issue.state in (IN_PROGRESS, GATED):
            expected = Conflict
        else:
            expected = (Refused, Conflict)
        after = self.call(expected, claims.claim, issue.id, worker)
        if after is not None:
            assert (after.state, after.assignee) == (IN_PROGRESS, worker)

    @precondition(lambda self: self.live())
    @rule(data=st.data())
    def release(self, data):
        issue = self.load(self.pick(data))
        after = self.call(None if issue.state == IN_PROGRESS else Refused, claims.release, issue.id)
        if after is not None:
            assert after.assignee is None and after.state == (READY if self.deps_done(after) else BACKLOG)

    @precondition(lambda self: any("review" in self.load(i).gates_required for i in self.live()))
    @rule(data=st.data())
    def pass_review(self, data):
        issue = self.load(data.draw(st.sampled_from([i for i in self.live()
                                                     if "review" in self.load(i).gates_required])))
        after = self.call((Refused, type(None)) if issue.state in TERMINAL else None, pass_gate, issue.id, "review")
        if after is not None and issue.state == GATED:
            assert after.state == DONE

    @precondition(lambda self: self.live())
    @rule(data=st.data(), force=st.booleans())
    def delete(self, data, force):
        issue_id = self.pick(data)
        dependents = [i for i in self.live() if issue_id in self.load(i).dependencies]
        self.call(Refused if dependents and not force else None, issues.delete_issue, issue_id, force=force)

    @precondition(lambda self: self.live())
    @rule(data=st.data(), label=st.sampled_from(["type:task", "epic:a", "area:api"]), add=st.booleans())
    def relabel(self, data, label, add):
        issue_id = self.pick(data)
        kwargs = {"add_labels": [label]} if add else {"remove_labels": [label]}
        after = self.call(None, issues.update_issue, issue_id, **kwargs)
        assert (label in after.labels) == add

    @precondition(lambda self: self.ids)
    @rule(data=st.data())
    def show_a_deleted_issue(self, data):
        issue_id = data.draw(st.sampled_from(self.ids))
        if not self.ctx.files.exists(issue_id):
            self.call(NotFound, issues.show_issue, issue_id)

    # -- invariants -------------------------------------------------------------------------------------
    @invariant()
    def repository_is_valid(self):
        report = validate(self.ctx)
        assert report["ok"], report["problems"]

    @invariant()
    def spec_invariants_hold_on_disk(self):
        on_disk = {i: self.load(i) for i in self.ctx.files.ids()}
        assert graph.find_cycles({i: x.dependencies for i, x in on_disk.items()}) == []
        for issue in on_disk.values():
            assert issue.state in STATES
            assert all(d in on_disk for d in issue.dependencies), "dangling dependency"
            done = all(on_disk[d].state == DONE for d in issue.dependencies)
            if issue.state == READY:
                assert done, f"{issue.short_id} ready with an unfinished dependency"
            if issue.state == BACKLOG:
                assert not done
            if issue.state == IN_PROGRESS:
                assert issue.assignee
        expected = sorted(i for i, x in on_disk.items() if x.state == READY and not x.assignee
                          and all(on_disk[d].state == DONE for d in x.dependencies))
        assert sorted(i.id for i in queries.available(self.ctx)) == expected


TestService = ServiceMachine.TestCase
TestService.settings = settings(max_examples=25, stateful_step_count=25, deadline=None)
