"""Helpers for the CLI contract tests (SPEC section 9).

`fails(...)` runs one command twice, as a person (human output) and as an agent
(`--json`), and checks everything an expected error promises: the exit code, a
single `error: ...` line on stderr, the JSON error envelope, no traceback, and
`.jit/` byte-for-byte unchanged.
"""

import pytest

# SPEC section 2, plus jit's one documented addition: `lease`.
ISSUE_KEYS = {
    "id", "title", "description", "state", "priority", "assignee", "dependencies", "gates_required",
    "gates_status", "labels", "context", "created_at", "updated_at", "lease", "parent", "comments", "resolution",
}
STATES = {"backlog", "ready", "in_progress", "gated", "done", "rejected"}
CODES = {2: {"usage"}, 3: {"not_found", "nothing_available"}, 4: {"conflict"}, 5: {"refused"}, 6: {"gate_failed"}}


def check_issue(data: dict) -> dict:
    """Assert `data` is exactly the issue object of SPEC section 2 (+ lease) with sane types."""
    assert set(data) == ISSUE_KEYS, sorted(set(data) ^ ISSUE_KEYS)
    assert isinstance(data["id"], str) and len(data["id"]) == 36 and data["id"].count("-") == 4
    assert isinstance(data["title"], str) and data["title"].strip()
    assert isinstance(data["description"], str)
    assert data["state"] in STATES
    assert data["priority"] in {"critical", "high", "normal", "low"}
    assert data["assignee"] is None or (isinstance(data["assignee"], str) and ":" in data["assignee"])
    for listed in ("dependencies", "gates_required", "labels"):
        assert isinstance(data[listed], list) and all(isinstance(x, str) for x in data[listed])
    assert isinstance(data["gates_status"], dict) and isinstance(data["context"], dict)
    for stamp in ("created_at", "updated_at"):
        assert data[stamp].endswith("Z") and data[stamp][10] == "T", data[stamp]
    assert data["lease"] is None or set(data["lease"]) == {"ttl", "expires_at"}
    assert data["parent"] is None or (isinstance(data["parent"], str) and len(data["parent"]) == 36)
    assert isinstance(data["comments"], list) and all(set(c) == {"by", "at", "text"} for c in data["comments"])
    assert data["resolution"] is None or {"kind", "text", "by", "at"} <= set(data["resolution"])
    return data


def check_clean_error(result, exit_code: int):
    assert result.code == exit_code, result
    assert "Traceback" not in result.err and "Traceback" not in result.out, result
    lines = result.err.strip("\n").splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result


@pytest.fixture
def fails(repo):
    """fails(exit_code, *args, ...) -> the `error` object of the JSON envelope."""

    def run(exit_code, *args, code=None, match=None, cwd=None, env=None, input=None):
        before = repo.snapshot()
        human = repo.jit(*args, cwd=cwd, env=env, input=input)
        agent = repo.jit(*args, "--json", cwd=cwd, env=env, input=input)
        for result in (human, agent):
            check_clean_error(result, exit_code)
        assert human.out == "", human
        envelope = agent.json
        assert set(envelope) == {"error"}, envelope
        error = envelope["error"]
        assert set(error) == {"code", "message", "details"}, error
        assert isinstance(error["message"], str) and "\n" not in error["message"]
        assert isinstance(error["details"], dict)
        assert error["code"] in (code and {code} or CODES.get(exit_code, {error["code"]})), error
        assert human.err.strip() == f"error: {error['message']}"
        if match:
            assert match.lower() in error["message"].lower(), error["message"]
        assert repo.snapshot() == before, "a failed command changed .jit/"
        return error

    return run


@pytest.fixture
def issue_shape():
    return check_issue


@pytest.fixture
def bare(repo, tmp_path_factory):
    """A Repo helper on an empty folder where `jit init` has not run."""
    return type(repo)(tmp_path_factory.mktemp("bare"))
