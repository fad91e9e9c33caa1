"""One "available" everywhere (issue 11 item 6): an issue waiting for a precheck gate is not
available to `query available`, `status`, `claim-next`, `claim`, MCP or the web API; `query
blocked` names the gate; and every refusal names the command that really clears it.
"""

import json
import re
import shlex

import pytest


def _precheck_repo(repo):
    repo.ok("gate", "define", "design", "--title", "Design agreed", "--stage", "precheck")
    repo.ok("gate", "define", "spec", "--title", "Spec exists", "--stage", "precheck", "--mode", "auto",
            "--checker", "test -f spec.md")
    waiting = repo.create("Waits for design", "--gate", "design", "--priority", "critical")
    auto = repo.create("Waits for the spec", "--gate", "spec", "--priority", "high")
    free = repo.create("Free")
    return waiting, auto, free


def _hinted_command(message: str) -> list:
    """The `jit ...` command a refusal names, as argv."""
    [command] = re.findall(r"`(jit gate [^`]+)`", message)
    return shlex.split(command)[1:]


def test_item_6_available_means_claimable(repo):
    waiting, auto, free = _precheck_repo(repo)
    assert [i["id"] for i in repo.ok("query", "available")] == [free]
    assert repo.ok("query", "available", "--limit", "5")["total"] == 1
    status = repo.ok("status")
    assert (status["available"], status["ready"]) == (1, 3)
    blocked = {b["issue"]["id"]: b["blocked_by"] for b in repo.ok("query", "blocked")}
    assert set(blocked) == {waiting, auto}
    assert [(r["kind"], r["gate"]) for r in blocked[waiting]] == [("gate", "design")]
    assert [(r["kind"], r["gate"]) for r in blocked[auto]] == [("gate", "spec")]
    # claim-next agrees with the list: it takes the one available issue, then nothing is left.
    assert repo.ok("issue", "claim-next", "agent:a")["id"] == free
    r = repo.jit("issue", "claim-next", "agent:a", "--json")
    assert r.code == 3 and r.out.strip() == "null"
    assert "2 ready issue(s) wait for a precheck gate" in r.err and "jit query blocked" in r.err


def test_refusals_name_the_command_that_clears_them(repo):
    waiting, auto, _ = _precheck_repo(repo)
    before = repo.snapshot()
    manual = repo.jit("issue", "claim", waiting, "agent:a", "--json")
    assert manual.code == 5
    assert _hinted_command(manual.json["error"]["message"]) == ["gate", "pass", waiting[:8], "design"]
    assert manual.json["error"]["details"]["commands"] == [f"jit gate pass {waiting[:8]} design"]
    checked = repo.jit("issue", "claim", auto, "agent:a")
    assert checked.code == 5 and len(checked.err.strip().splitlines()) == 1
    assert _hinted_command(checked.err) == ["gate", "check", auto[:8], "spec"]
    assert repo.jit("issue", "assign", waiting, "human:ana").code == 5
    assert repo.snapshot() == before
    # Running exactly the hinted commands clears the prechecks.
    assert repo.jit(*_hinted_command(manual.err or manual.json["error"]["message"])).code == 0
    (repo.root / "spec.md").write_text("# spec\n")
    assert repo.jit(*_hinted_command(checked.err)).code == 0
    assert {i["id"] for i in repo.ok("query", "available")} >= {waiting, auto}
    assert repo.ok("issue", "claim", waiting, "agent:a")["state"] == "in_progress"
    assert repo.ok("issue", "claim-next", "agent:b")["id"] == auto


def test_a_precheck_that_fails_stays_blocked_and_the_registry_decides(repo):
    waiting, _, free = _precheck_repo(repo)
    repo.ok("gate", "fail", waiting, "design", "--reason", "not yet")
    assert [i["id"] for i in repo.ok("query", "available")] == [free]
    [reason] = {b["issue"]["id"]: b["blocked_by"] for b in repo.ok("query", "blocked")}[waiting]
    assert (reason["gate"], reason["status"]) == ("design", "failed")
    # Turning the gate into a postcheck makes the issue available at once: stage lives in the registry.
    repo.ok("gate", "update", "design", "--stage", "postcheck")
    assert waiting in [i["id"] for i in repo.ok("query", "available")]
    assert repo.ok("status")["available"] == 2


def test_mcp_and_web_share_the_definition(repo):
    pytest.importorskip("mcp")
    from jit.mcp.calls import call

    waiting, _, free = _precheck_repo(repo)
    text, is_error = call("query_available", {}, repo.ctx)
    assert not is_error and [i["id"] for i in json.loads(text)] == [free]
    text, is_error = call("status", {}, repo.ctx)
    assert not is_error and json.loads(text)["available"] == 1
    text, is_error = call("issue_claim", {"id": waiting, "assignee": "agent:m"}, repo.ctx)
    assert is_error and f"jit gate pass {waiting[:8]} design" in json.loads(text)["error"]["message"]

    pytest.importorskip("starlette")
    from starlette.testclient import TestClient

    from jit.web.app import create_app

    with TestClient(create_app(repo.root, env=repo.env), base_url="http://127.0.0.1") as client:
        assert [i["id"] for i in client.get("/api/query/available").json()] == [free]
        assert client.get("/api/status").json()["available"] == 1
