"""A hand-edited export never ends in an internal error: one field of one line replaced by any
JSON value is restored or refused as a usage error (2) naming a line, in-process."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jit_testing import Repo, fresh_context

from jit.errors import JitError
from jit.service.restore import restore
from jit.service.validate import validate

KNOWN = st.sampled_from([None, True, -1, 2.5, "", "x", [], [1], ["x"], {}, {"a": 1}, [{"x": 1}], "ready", "human:a"])
JUNK = KNOWN | st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=6),
                            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                            max_leaves=5)


@pytest.fixture(scope="module")
def export_lines(tmp_path_factory):
    repo = Repo(tmp_path_factory.mktemp("src"))
    assert repo.jit("init").code == 0
    repo.ok("gate", "define", "review", "--title", "Reviewed")
    a = repo.create("A", "--gate", "review")
    b = repo.create("B", "--dep", a)
    repo.ok("issue", "comment", b, "hi")
    repo.ok("issue", "create", "--title", "C", "--parent", a)
    return repo.jit("export", "--events").out.splitlines(keepends=True)


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dst")
    return fresh_context(folder)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_one_edited_field_is_restored_or_refused_naming_a_line(export_lines, target, tmp_path_factory, data):
    lines = list(export_lines)
    n = data.draw(st.integers(0, len(lines) - 1))
    record = json.loads(lines[n])
    inner = record if n == 0 else next(iter(record.values()))
    if isinstance(inner, dict) and inner:
        inner[data.draw(st.sampled_from(sorted(inner)))] = data.draw(JUNK)
    lines[n] = json.dumps(record) + "\n"
    try:
        restore(target, lines, dry_run=True)
    except JitError as exc:
        assert exc.exit_code == 2 and exc.message.startswith("line "), exc.message
        return
    if data.draw(st.booleans()):  # accepted: restoring it for real, then validating, works too
        folder = tmp_path_factory.mktemp("real")
        ctx = fresh_context(folder)
        restore(ctx, lines)
        validate(ctx)
