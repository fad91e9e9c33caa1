"""Hostile option values for the main commands: numbers that overflow or are not numbers,
NUL bytes, bytes that were not UTF-8, huge and empty strings, filter syntax soup. Every
command line ends with a known exit code and one clean line, never an internal error,
and a refused command changes nothing (checked by hostile_helpers.Case.run).

Runs `jit.cli.main` in-process on a copy of the hostile-test sandbox, so hundreds of
command lines take seconds.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TEMPLATES = [
    ["issue", "claim", "{D}", "agent:x", "--ttl", "$"], ["issue", "claim-next", "agent:x", "--ttl", "$"],
    ["issue", "heartbeat", "{C}", "--ttl", "$"], ["gate", "define", "g1", "--title", "G", "--timeout", "$"],
    ["gate", "define", "g2", "--title", "$"], ["gate", "define", "$", "--title", "G"],
    ["issue", "create", "--title", "$"], ["issue", "create", "--title", "t", "--priority", "$"],
    ["issue", "create", "--title", "t", "--label", "$"], ["issue", "create", "--title", "t", "--context", "$"],
    ["issue", "create", "--title", "t", "--description", "$"], ["issue", "create", "--title", "t", "--parent", "$"],
    ["issue", "update", "{A}", "--state", "$"], ["issue", "update", "{B}", "--title", "$"],
    ["issue", "update", "{B}", "--add-label", "$"], ["issue", "list", "--state", "$"],
    ["issue", "list", "--assignee", "$"], ["issue", "list", "--filter", "$"], ["issue", "list", "--limit", "$"],
    ["issue", "list", "--offset", "$"], ["query", "available", "--limit", "$"], ["query", "available", "--label", "$"],
    ["query", "label", "$"], ["events", "tail", "-n", "$"], ["graph", "export", "--format", "$"],
    ["issue", "search", "$"], ["issue", "comment", "{A}", "$"], ["issue", "claim", "{D}", "$"],
    ["issue", "assign", "{D}", "$"], ["issue", "show", "$"], ["--actor", "$", "issue", "update", "{B}", "--priority", "low"],
    ["dep", "add", "{B}", "$"], ["gate", "add", "{A}", "$"], ["issue", "claim-next", "agent:x", "--filter", "$"],
]
HOSTILE = [
    "1e308", "inf", "-inf", "nan", "NaN", "Infinity", "-0", "0", "-1", "1e-320", "1_000", "0x10", "1e10",
    "\u0661\u0662", "\uff11\uff12", "9" * 5000, "\x00", "a\x00b", "\udcff\udcfe", "a\nb", "\r", "--", "-", "", " ",
    "\u00e9" * 3000, "\U0001f4a5", "\u202e", "null", "[]", "{}", "epic:*", "*:*", "a:b:c", "type:", ":x",
    "(", ")", "NOT", "state:ready AND (", "label:[", "priority:high OR OR", "k=", "=v", "k=v=w", "agent:",
    "human:\x00", "0000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "../../etc/passwd", "/etc/passwd", "%s%n",
    "k=1e999", "k=NaN", "k=-Infinity", "k=[1e999]", "k={\"a\": Infinity}",
]
VALUES = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12), st.integers().map(str),
                   st.floats(allow_nan=True, allow_infinity=True).map(repr))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(template=st.sampled_from(TEMPLATES), value=VALUES, as_json=st.booleans())
def test_hostile_option_values(cases, template, value, as_json):
    case = getattr(test_hostile_option_values, "case", None)
    if case is None:
        case = test_hostile_option_values.case = cases()
    argv = [value if part == "$" else part for part in template]
    case.run(argv, as_json=as_json)


def test_every_template_with_every_fixed_value(cases):
    """The fixed list in full, so each run covers it whatever hypothesis draws."""
    case = cases()
    for template in TEMPLATES:
        for value in HOSTILE:
            case.run([value if part == "$" else part for part in template])
