"""Writes through the JSON API: token and same origin or 403 with nothing changed; the CLI's rules and codes."""

import pytest
from web_helpers import populate

from jit_testing import events

ORIGIN = "http://127.0.0.1"


@pytest.fixture
def write(client):
    def send(method, path, body=None, status=200, **headers):
        response = client.request(method, path, json=body,
                                  headers={"X-Jit-Token": client.token, "Origin": ORIGIN, **headers})
        assert response.status_code == status, (path, response.status_code, response.text)
        return response.json()
    return send


@pytest.mark.parametrize("headers", [
    {},                                                             # no token
    {"X-Jit-Token": "wrong"},                                       # a guessed token
    {"X-Jit-Token": "TOKEN", "Origin": "http://evil.example"},      # a stolen page on another origin
    {"X-Jit-Token": "TOKEN", "Origin": "http://127.0.0.1:9999"},    # another port is another origin
    {"X-Jit-Token": "TOKEN", "Origin": "null"},                     # a sandboxed frame
    {"X-Jit-Token": "TOKEN", "Sec-Fetch-Site": "cross-site"},
])
def test_a_write_without_the_token_or_from_another_origin_is_refused_and_changes_nothing(repo, ids, client, headers):
    headers = {k: v.replace("TOKEN", client.token) for k, v in headers.items()}
    before = repo.snapshot()
    for method, path, body in (("POST", "/api/issues", {"title": "sneaky"}),
                               ("PATCH", f"/api/issues/{ids['docs']}", {"title": "sneaky"}),
                               ("POST", f"/api/issues/{ids['review']}/gates/review/pass", {}),
                               ("POST", f"/api/issues/{ids['docs']}/claim", {}),
                               ("POST", f"/api/issues/{ids['docs']}/reject", {"reason": "x"})):
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 403, (path, headers)
        assert response.json()["error"]["code"] == "forbidden"
    assert repo.snapshot() == before


def test_the_page_carries_a_random_token_per_server(repo, ids, client):
    from starlette.testclient import TestClient

    from jit.web.app import create_app

    assert f'<meta name="jit-token" content="{client.token}">' in client.get("/").text
    assert len(client.token) >= 32
    other = TestClient(create_app(repo.root, env=repo.env), base_url="http://127.0.0.1")
    assert other.app.state.token != client.token


def test_create_edit_claim_release_and_reject_from_the_api(repo, ids, client, write):
    made = write("POST", "/api/issues", {"title": "From the page", "priority": "high", "labels": ["type:web"],
                                         "description": "made by a person"}, status=201)
    assert made == repo.ok("issue", "show", made["id"])
    assert made["state"] == "ready" and made["priority"] == "high"
    created = events(repo, "issue_created", made["id"])[0]
    assert created["actor"] == "human:tester"  # $USER, not JIT_ACTOR

    edited = write("PATCH", f"/api/issues/{made['id']}", {"title": "Renamed", "labels": ["type:ui", "epic:web"],
                                                          "priority": "low", "description": "new text"})
    assert (edited["title"], sorted(edited["labels"]), edited["priority"]) == ("Renamed", ["epic:web", "type:ui"],
                                                                               "low")
    claimed = write("POST", f"/api/issues/{made['id']}/claim", {})
    assert claimed["state"] == "in_progress" and claimed["assignee"] == "human:tester"
    assert write("POST", f"/api/issues/{made['id']}/release")["state"] == "ready"
    rejected = write("POST", f"/api/issues/{made['id']}/reject", {"reason": "not needed after all"})
    assert rejected["state"] == "rejected"
    assert events(repo, "state_changed", made["id"])[-1]["actor"] == "human:tester"


def test_a_person_passes_a_review_gate_and_the_issue_turns_done(repo, ids, client, write):
    assert repo.ok("issue", "show", ids["review"])["state"] == "gated"
    after = write("POST", f"/api/issues/{ids['review']}/gates/review/pass", {"by": "human:bob"})
    assert after["state"] == "done" and after["gates_status"]["review"]["by"] == "human:bob"
    assert events(repo, "gate_passed", ids["review"])[-1]["actor"] == "human:bob"


def test_fail_a_gate_with_a_reason_and_run_an_auto_check(repo, ids, client, write):
    failed = write("POST", f"/api/issues/{ids['review']}/gates/review/fail", {"reason": "needs tests"})
    assert failed["state"] == "gated" and failed["gates_status"]["review"]["status"] == "failed"
    assert failed["gates_status"]["review"]["reason"] == "needs tests"
    mine = write("POST", "/api/issues", {"title": "Lint me", "gates": ["lint"]}, status=201)["id"]
    write("POST", f"/api/issues/{mine}/claim")
    error = write("POST", f"/api/issues/{mine}/gates/lint/check", {}, status=422)
    assert error["error"]["code"] == "gate_failed"
    assert repo.ok("gate", "runs", mine, "lint")[-1]["exit_code"] == 3
    # A verdict on work an agent holds is the holder's call: the person is told who holds it.
    held = write("POST", f"/api/issues/{ids['lock']}/gates/lint/fail", {"reason": "style"}, status=409)
    assert "agent:worker-2" in held["error"]["message"]


def test_errors_carry_the_cli_envelope_and_status(repo, ids, client, write):
    before = repo.snapshot()
    cases = [
        ("POST", "/api/issues", {}, 400, "usage"),
        ("POST", "/api/issues", {"title": "x", "priority": "urgent"}, 400, "usage"),
        ("POST", "/api/issues", {"title": "x", "nope": 1}, 400, "usage"),
        ("POST", "/api/issues", {"title": 5}, 400, "usage"),
        ("PATCH", "/api/issues/00000000", {"title": "x"}, 404, "not_found"),
        ("POST", f"/api/issues/{ids['lock']}/claim", {"assignee": "agent:other"}, 409, "conflict"),
        ("POST", f"/api/issues/{ids['old']}/reject", {"reason": "again"}, 422, "refused"),
        ("POST", f"/api/issues/{ids['docs']}/gates/nosuch/pass", {}, 404, "not_found"),
    ]
    for method, path, body, status, code in cases:
        assert write(method, path, body, status=status)["error"]["code"] == code, path
    response = client.post("/api/issues", content=b"{not json", headers={"X-Jit-Token": client.token})
    assert response.status_code == 400 and response.json()["error"]["code"] == "usage"
    response = client.post("/api/issues", content=b"[1]", headers={"X-Jit-Token": client.token})
    assert response.status_code == 400
    assert repo.snapshot() == before


def test_an_oversized_body_is_refused(repo, ids, client):
    before = repo.snapshot()
    response = client.post("/api/issues", content=b'{"title": "' + b"x" * (2 << 20) + b'"}',
                           headers={"X-Jit-Token": client.token})
    assert response.status_code == 413
    assert repo.snapshot() == before


def test_serve_actor_names_the_author_of_web_writes(repo, tmp_path):
    from starlette.testclient import TestClient

    from jit.web.app import create_app

    populate(repo)
    app = create_app(repo.root, env={**repo.env, "JIT_ACTOR": "agent:shell"}, actor="human:ana")
    with TestClient(app, base_url="http://127.0.0.1") as c:
        made = c.post("/api/issues", json={"title": "by ana"}, headers={"X-Jit-Token": app.state.token})
        assert made.status_code == 201
    assert events(repo, "issue_created", made.json()["id"])[0]["actor"] == "human:ana"


def test_comment_done_with_summary_reopen_and_parent_from_the_api(repo, ids, client, write):
    noted = write("POST", f"/api/issues/{ids['lock']}/comments", {"text": "Looks close; see the lint run"},
                  status=201)
    assert noted["comments"][-1]["by"] == "human:tester" and noted["comments"][-1]["text"].startswith("Looks")
    assert write("POST", f"/api/issues/{ids['lock']}/comments", {"text": "  "}, status=400)["error"]["code"] == "usage"

    mine = write("POST", "/api/issues", {"title": "Child", "parent": ids["docs"]}, status=201)
    assert mine["parent"] == ids["docs"]
    family = client.get(f"/api/issues/{ids['docs']}/children").json()
    assert family["progress"] == {"done": 0, "total": 1} and family["children"][0]["id"] == mine["id"]
    write("POST", f"/api/issues/{mine['id']}/claim")
    finished = write("POST", f"/api/issues/{mine['id']}/done", {"summary": "Wrote it"})
    assert finished["state"] == "done" and finished["resolution"]["text"] == "Wrote it"
    assert client.get(f"/api/issues/{ids['docs']}/children").json()["progress"] == {"done": 1, "total": 1}
    reopened = write("POST", f"/api/issues/{mine['id']}/reopen", {"reason": "missed a chapter"})
    assert reopened["state"] == "ready" and reopened["resolution"] is None
    moved = write("PATCH", f"/api/issues/{mine['id']}", {"parent": ""})
    assert moved["parent"] is None
    cycle = write("PATCH", f"/api/issues/{ids['docs']}", {"parent": ids["docs"]}, status=422)
    assert cycle["error"]["code"] == "refused"
