"""The filter language's grammar: precedence, implied AND, and errors that point at the token."""

import pytest

from jit.domain import filter as flt
from jit.errors import UsageError

T = flt.Term


def test_precedence_not_binds_tightest_then_and_then_or():
    assert flt.parse("state:ready OR priority:high label:epic:auth") == flt.BoolOp(
        "OR", (T("state", "ready"), flt.BoolOp("AND", (T("priority", "high"), T("label", "epic:auth")))))
    assert flt.parse("NOT unassigned AND blocked") == flt.BoolOp("AND", (flt.Not(T("unassigned")), T("blocked")))
    assert flt.parse("not (state:done or state:rejected)") == flt.Not(
        flt.BoolOp("OR", (T("state", "done"), T("state", "rejected"))))


def test_values_keep_their_colons_and_ids_lose_their_hyphens():
    assert flt.parse("label:epic:auth") == T("label", "epic:auth")
    assert flt.parse("assignee:agent:*") == T("assignee", "agent:*")
    assert flt.parse("parent:0A1B2C3D-4e") == T("parent", "0a1b2c3d4e")


@pytest.mark.parametrize("text, position, words", [
    ("", 0, "empty"),
    ("state:ready AND", 15, "ends too early"),
    ("state:ready OR (priority:high", 15, "unclosed"),
    ("state:ready )", 12, "unexpected ')'"),
    ("state:readyy", 0, "unknown state 'readyy'"),
    ("priority:urgent", 0, "unknown priority"),
    ("state:ready colour:red", 12, "unknown field 'colour'"),
    ("state:ready banana", 12, "not a term"),
    ("label:", 0, "needs a value"),
    ("parent:xyz", 0, "hexadecimal"),
    ("AND state:ready", 0, "unexpected 'AND'"),
])
def test_malformed_expressions_point_at_the_offending_token(text, position, words):
    with pytest.raises(UsageError) as err:
        flt.parse(text)
    assert err.value.details["position"] == position
    assert words in err.value.message and f"position {position + 1}" in err.value.message
    pointer = err.value.details["pointer"].split("\n")
    assert pointer[1].index("^") - 2 == position


def test_cli_reports_a_bad_filter_with_a_caret_and_exit_2(repo):
    r = repo.jit("issue", "list", "--filter", "state:ready OR (colour:red")
    assert r.code == 2 and r.out == ""
    lines = r.err.splitlines()
    assert lines[0].startswith("error: bad filter at position 17: unknown field 'colour'")
    assert lines[1] == "  state:ready OR (colour:red" and lines[2] == "  " + " " * 16 + "^"
    r = repo.jit("query", "available", "--filter", "blocked OR", "--json")
    assert r.code == 2 and r.json["error"]["details"]["position"] == 10
