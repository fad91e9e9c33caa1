"""The JSON API returns byte for byte what the CLI's `--json` prints for the same operation."""

import pytest

# (API path, CLI arguments); {name} is replaced by the id of that fixture issue.
SAME_AS_CLI = [
    ("/api/status", ["status"]),
    ("/api/issues", ["issue", "list"]),
    ("/api/issues?state=backlog", ["issue", "list", "--state", "backlog"]),
    ("/api/issues?label=epic:*&label=type:perf", ["issue", "list", "--label", "epic:*", "--label", "type:perf"]),
    ("/api/issues?assignee=agent:worker-1", ["issue", "list", "--assignee", "agent:worker-1"]),
    ("/api/issues?priority=high", ["issue", "list", "--priority", "high"]),
    ("/api/issues/{design}", ["issue", "show", "{design}"]),
    ("/api/issues/{design:6}", ["issue", "show", "{design:6}"]),
    ("/api/search?q=lock", ["issue", "search", "lock"]),
    ("/api/query/available", ["query", "available"]),
    ("/api/query/available?label=type:docs&priority=low", ["query", "available", "--label", "type:docs",
                                                          "--priority", "low"]),
    ("/api/query/blocked", ["query", "blocked"]),
    ("/api/query/state/in_progress", ["query", "state", "in_progress"]),
    ("/api/query/label/epic:*", ["query", "label", "epic:*"]),
    ("/api/graph", ["graph", "export", "--format", "json"]),
    ("/api/graph/{index}", ["graph", "show", "{index}"]),
    ("/api/events", ["events", "tail"]),
    ("/api/events?n=0&issue={atomic}", ["events", "tail", "-n", "0", "--issue", "{atomic}"]),
    ("/api/events?n=0&type=state_changed&type=gate_failed", ["events", "tail", "-n", "0", "--type", "state_changed",
                                                            "--type", "gate_failed"]),
    ("/api/gates", ["gate", "list"]),
    ("/api/gates/tests", ["gate", "show", "tests"]),
    ("/api/issues/{atomic}/runs", ["gate", "runs", "{atomic}"]),
    ("/api/issues/{lock}/runs?gate=lint", ["gate", "runs", "{lock}", "lint"]),
]

# Errors carry the CLI's error envelope; the HTTP status follows the exit code.
ERRORS = [
    ("/api/issues/zzzz", ["issue", "show", "zzzz"], 404),
    ("/api/issues/abc", ["issue", "show", "abc"], 400),
    ("/api/issues/00000000", ["issue", "show", "00000000"], 404),
    ("/api/issues?state=bogus", ["issue", "list", "--state", "bogus"], 400),
    ("/api/issues?assignee=nobody", ["issue", "list", "--assignee", "nobody"], 400),
    ("/api/gates/nope", ["gate", "show", "nope"], 404),
    ("/api/issues/{atomic}/runs?gate=nope", ["gate", "runs", "{atomic}", "nope"], 404),
    ("/api/query/label/nocolon", ["query", "label", "nocolon"], 400),
]


def fill(text, ids):
    for name, full in ids.items():
        text = text.replace("{" + name + ":6}", full[:6]).replace("{" + name + "}", full)
    return text


@pytest.mark.parametrize("path,args", SAME_AS_CLI, ids=[p for p, _ in SAME_AS_CLI])
def test_api_returns_exactly_the_cli_json(repo, ids, client, path, args):
    cli = repo.jit(*[fill(a, ids) for a in args], "--json")
    assert cli.code == 0, cli
    response = client.get(fill(path, ids))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.text == cli.out.rstrip("\n")


@pytest.mark.parametrize("path,args,status", ERRORS, ids=[p for p, _, _ in ERRORS])
def test_api_errors_match_the_cli_envelope(repo, ids, client, path, args, status):
    cli = repo.jit(*[fill(a, ids) for a in args], "--json")
    assert cli.code != 0
    response = client.get(fill(path, ids))
    assert response.status_code == status
    assert response.json() == cli.json
    assert set(response.json()["error"]) == {"code", "message", "details"}


def test_bad_number_is_a_usage_error(client):
    response = client.get("/api/events?n=lots")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "usage"


def test_version_stamp_changes_only_when_the_repository_does(repo, ids, client):
    first = client.get("/api/version").json()["version"]
    client.get("/api/issues")
    assert client.get("/api/version").json()["version"] == first
    repo.create("Something new")
    second = client.get("/api/version").json()["version"]
    assert second != first
    repo.ok("issue", "claim", ids["docs"], "agent:w9")
    assert client.get("/api/version").json()["version"] != second


def test_version_sees_a_hand_edit_without_any_event(repo, ids, client):
    first = client.get("/api/version").json()["version"]
    path = repo.data / "issues" / f"{ids['docs']}.json"
    path.write_text(path.read_text().replace("Write the README", "Write the README by hand"))
    assert client.get("/api/version").json()["version"] != first
    assert client.get(f"/api/issues/{ids['docs']}").json()["title"] == "Write the README by hand"


def test_a_corrupt_gate_registry_gives_the_error_envelope(repo, ids, client):
    (repo.data / "gates.json").write_text("{not json")
    response = client.get("/api/gates")
    cli = repo.jit("gate", "list", "--json")
    assert response.json() == cli.json
    assert response.status_code >= 400
