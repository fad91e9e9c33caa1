"""A hand-edited tracker file never ends in an internal error: records whose fields hold any JSON
type go through the whole migration (dry run, in-process) and end in a result or a usage error."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jit_testing import fresh_context

from jit.errors import JitError
from jit.service.migrate import migrate

# Values that broke the readers before they checked types, then anything hypothesis draws.
KNOWN = st.sampled_from([None, True, -1, 2.5, "", [], [1], [None], ["x"], {}, {"a": 1}, [{"x": 1}]])
JUNK = KNOWN | st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                    | st.text(max_size=6), lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=6)
SOURCES = {
    "beads": ({"id": "bd-1", "title": "t"}, ["id", "title", "description", "design", "status", "priority", "issue_type",
                                              "labels", "assignee", "dependencies", "comments", "created_at",
                                              "updated_at", "closed_at", "close_reason", "_type"]),
    "github": ({"number": 1, "title": "t"}, ["number", "title", "body", "state", "stateReason", "labels", "assignees",
                                             "author", "createdAt", "updatedAt", "closedAt", "comments"]),
    "taskwarrior": ({"uuid": "u", "description": "d", "status": "pending"},
                    ["uuid", "description", "status", "priority", "project", "tags", "depends", "annotations",
                     "entry", "modified", "end", "parent"]),
}


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    return fresh_context(folder)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(sorted(SOURCES)), data=st.data())
def test_records_of_any_shape_end_in_a_result_or_a_usage_error(ctx, kind, data):
    base, keys = SOURCES[kind]
    record = dict(base)
    for key in data.draw(st.lists(st.sampled_from(keys), min_size=1, max_size=4, unique=True)):
        record[key] = data.draw(JUNK)
    text = json.dumps(record) if kind == "beads" else json.dumps([record])
    try:
        summary = migrate(ctx, kind, text, dry_run=True)
    except JitError as exc:
        assert exc.exit_code == 2, exc
        return
    assert len(summary["created"]) + len(summary["skipped"]) + len(summary["updated"]) == 1
