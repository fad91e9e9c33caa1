"""No expected error ever becomes an internal one: random command lines, with good and bad
ids, values and flags, must end in exit 0, 2, 3, 4 or 5 with a clean message.

Runs `jit.cli.main` in-process (the same function the console script calls) so
that hundreds of command lines fit in a few seconds; the repository is real.
"""

import contextlib
import io
import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jit.cli

COMMANDS = [
    ["issue", "create", "--title"], ["issue", "show"], ["issue", "list", "--state"], ["issue", "list", "--label"],
    ["issue", "update"], ["issue", "update", "{id}", "--state"], ["issue", "update", "{id}", "--priority"],
    ["issue", "update", "{id}", "--add-label"], ["issue", "done"], ["issue", "reject"], ["issue", "delete"],
    ["issue", "search"], ["issue", "claim", "{id}"], ["issue", "release"], ["issue", "assign", "{id}"],
    ["issue", "unassign"], ["issue", "heartbeat"], ["issue", "claim-next"], ["issue", "create", "--title", "t", "--dep"],
    ["dep", "add", "{id}"], ["dep", "rm", "{id}"], ["graph", "show"], ["graph", "export", "--format"],
    ["query", "available", "--label"], ["query", "state"], ["query", "label"], ["events", "tail", "-n"],
    ["events", "tail", "--issue"], ["status"], ["validate"], ["gate", "show"], ["gate", "pass", "{id}"],
    ["gate", "add", "{id}"], ["issue", "create", "--title", "t", "--gate"], ["issue", "import"],
]
GOOD = ["{id}", "{prefix}", "{id2}", "ready", "done", "in_progress", "high", "type:task", "epic:*", "agent:w1",
        "review", "dot", "json", "3", "0"]
BAD = ["0000", "zz", "", " ", "-", "--", "backlog", "urgent", "nocolon", "human:", "svg", "-1", "1e9", "\x00",
       "ü:ß", "a" * 300, "--json", "-q", "--force", "--ttl", "--help", "a\nb"]
# Mostly values that get past argparse, so that the service layer's refusals are what is exercised.
VALUES = st.one_of(st.sampled_from(GOOD), st.sampled_from(GOOD), st.sampled_from(BAD), st.text(max_size=8))


def _line(template, ids):
    return [t.replace("{id}", ids[0]).replace("{id2}", ids[1]).replace("{prefix}", ids[0][:4]) for t in template]


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = jit.cli.main(argv)
        except SystemExit as exc:  # argparse's own --help exit
            code = exc.code or 0
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(COMMANDS), values=st.lists(VALUES, min_size=1, max_size=2), as_json=st.booleans())
def test_random_command_lines_never_fail_unexpectedly(repo, monkeypatch, command, values, as_json):
    monkeypatch.chdir(repo.root)
    for key in [k for k in os.environ if k.startswith("JIT_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("JIT_LOCK_TIMEOUT", "10")
    if not getattr(repo, "_fuzz_ids", None):
        assert repo.jit("gate", "define", "review", "--title", "Reviewed").code == 0
        a = repo.create("A", "--gate", "review")
        repo._fuzz_ids = [a, repo.create("B", "--dep", a)]
    ids = repo._fuzz_ids
    argv = _line(command, ids) + [v if v not in ("{id}", "{id2}", "{prefix}") else _line([v], ids)[0] for v in values]
    if as_json:
        argv.insert(0, "--json")  # after a `--` it would be an argument, as in git
    code, out, err = _run(argv)
    assert code in (0, 2, 3, 4, 5), (argv, code, out, err)
    assert "Traceback" not in err and "internal error" not in err, (argv, err)
    if code and "--help" not in argv:
        assert err.rstrip("\n").split("\n")[-1].startswith(("error: ", "no issue is available")), (argv, err)
        if as_json and out.strip() != "null":
            assert set(json.loads(out)["error"]) == {"code", "message", "details"}, (argv, out)


def test_an_error_echoing_a_newline_stays_on_one_line(repo, fails):
    fails(2, "issue", "create", "--title", "x", "first\nsecond")
    fails(2, "issue", "list", "--label", "a\nb")
