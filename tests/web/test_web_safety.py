"""Safety of the web UI: reads change nothing, no path traversal, user text escaped, loopback and Host checks.

Writes (token, Origin, body limits) are in test_web_writes.py; timeouts in test_web_timeouts.py.
"""

import pytest
from web_helpers import SCRIPT_TITLE

from jit.cli.serve import is_loopback


def test_pages_and_assets_are_served_with_a_strict_policy(client):
    page = client.get("/")
    assert page.status_code == 200 and 'src="/static/app.js"' in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    for asset in ("/static/app.js", "/static/dom.js", "/static/pages.js", "/static/graph.js",
                  "/static/vendor/dagre.min.js"):
        response = client.get(asset)
        assert response.status_code == 200 and "javascript" in response.headers["content-type"], asset
    assert client.get("/static/style.css").headers["content-type"].startswith("text/css")


@pytest.mark.parametrize("path", [
    "/static/../app.py",
    "/static/..%2fapp.py",
    "/static/%2e%2e/%2e%2e/service/context.py",
    "/static/vendor/..%2f..%2fapi.py",
    "/api/issues/..%2f..%2fconfig.toml",
    "/api/issues/%2e%2e%2fconfig",
    "/api/issues/..",
    "/api/graph/..%2fgates.json",
    "/ui/issues/..%2f..%2fconfig.toml/description",
    "/api/gates/..%2f..%2fgates.json",
])
def test_no_path_traversal(repo, client, path):
    response = client.get(path)
    assert response.status_code in (400, 404), (path, response.status_code)
    assert "schema" not in response.text and "def " not in response.text


def test_gate_key_cannot_walk_out_of_the_runs_folder(client, ids):
    response = client.get(f"/api/issues/{ids['atomic']}/runs", params={"gate": "../../gates"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_description_markdown_is_rendered_without_raw_html(client, ids):
    html = client.get(f"/ui/issues/{ids['script']}/description").text
    assert "<strong>bold</strong>" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "javascript:" not in html.replace("[link](javascript:alert(3))", "")
    title = client.get(f"/api/issues/{ids['script']}").json()["title"]
    assert title == SCRIPT_TITLE  # the API hands back the data; the page inserts it as text


def test_reads_change_nothing_and_writes_without_the_token_are_refused(repo, ids, client):
    before = repo.snapshot()
    for path in ("/api/status", "/api/issues", f"/api/issues/{ids['index']}", "/api/graph", "/api/events",
                 f"/api/graph/{ids['index']}", "/api/query/blocked", "/api/version", "/",
                 f"/ui/issues/{ids['design']}/description"):
        assert client.get(path).status_code == 200, path
    for method in ("post", "put", "delete", "patch"):
        for path in ("/api/issues", f"/api/issues/{ids['docs']}", f"/api/issues/{ids['docs']}/claim"):
            response = getattr(client, method)(path)
            assert response.status_code == 403, (method, path)
            assert response.json()["error"]["code"] == "forbidden"
        assert getattr(client, method)("/api/status", headers=client.write_headers).status_code == 405
    assert repo.snapshot() == before


@pytest.mark.parametrize("host", [
    "evil.example:7777", "evil.example", "127.0.0.1:7777@evil.example", "127.0.0.1@evil.example",
    "user@127.0.0.1:7777", "127.0.0.1:7777/x", "127.0.0.1:77a", "127.0.0.1:", "127.0.0.1:99999", "::1",
    "[::1", "[::g]:7777", "127.0.0.1 :7777", "127.0.0.1:7777 evil", "", "127.0.0.1.evil.example",
    "localhost.:7777", "127.0.0.1:7777,evil.example",
])
def test_foreign_or_malformed_host_headers_are_refused(repo, client, host):
    # DNS rebinding: a page on evil.example resolving to 127.0.0.1 must not read the issues, and a
    # malformed value must not be read as a friendly one.
    response = client.get("/api/issues", headers={"host": host})
    assert response.status_code == 400, host
    assert response.json()["error"]["code"] == "bad_host"


def test_loopback_host_headers_are_accepted(client):
    for host in ("127.0.0.1:7777", "localhost:7777", "[::1]:7777", "localhost", "LOCALHOST:1", "127.0.0.1"):
        assert client.get("/api/status", headers={"host": host}).status_code == 200, host


def test_host_parser():
    from jit.web.guard import parse_host

    assert parse_host("[::1]:7777") == ("::1", 7777)
    assert parse_host("Localhost") == ("localhost", None)
    assert parse_host("127.0.0.1:80") == ("127.0.0.1", 80)
    for bad in ("127.0.0.1:7777@evil.example", "a b", "[::1]x", "h:0", "-x", "x_y", "h:1:2"):
        assert parse_host(bad) is None, bad


def test_api_errors_for_unknown_routes_use_the_json_envelope(client):
    response = client.get("/api/nosuch")
    assert response.status_code == 404 and response.headers["content-type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found" and "/api/nosuch" in response.json()["error"]["message"]
    response = client.delete("/api/status", headers=client.write_headers)
    assert response.status_code == 405 and response.json()["error"]["code"] == "usage"
    assert client.get("/nosuch").status_code == 404


@pytest.mark.parametrize("host,loopback", [("127.0.0.1", True), ("127.0.0.2", True), ("localhost", True),
                                           ("::1", True), ("[::1]", True), ("0.0.0.0", False), ("::", False),
                                           ("192.168.1.5", False), ("example.com", False)])
def test_loopback_detection(host, loopback):
    assert is_loopback(host) is loopback


def test_serve_needs_a_flag_and_warns_before_binding_beyond_loopback(repo):
    refused = repo.jit("serve", "--host", "192.0.2.1", "--port", "0")
    assert refused.code == 2 and "--allow-remote" in refused.err
    # 192.0.2.1 (TEST-NET-1) is never assigned here, so the bind fails after the warning: no traffic at all.
    result = repo.jit("serve", "--host", "192.0.2.1", "--port", "0", "--allow-remote")
    assert "warning: binding to 192.0.2.1" in result.err
    assert result.code == 4 and "cannot listen on 192.0.2.1" in result.err


def test_serve_refuses_a_busy_port(repo, server):
    result = repo.jit("serve", "--port", str(server.info["port"]), "--json")
    assert result.code == 4
    assert result.json["error"]["code"] == "conflict"
    assert "warning" not in result.err


def test_serve_prints_its_address_and_answers(repo, server):
    import httpx

    assert server.info["host"] == "127.0.0.1" and server.url == f"http://127.0.0.1:{server.info['port']}/"
    assert server.info["repository"] == str(repo.data)
    response = httpx.get(server.url + "api/issues", timeout=10)
    assert response.status_code == 200
    assert response.text == repo.jit("issue", "list", "--json").out.rstrip("\n")


def test_serve_outside_a_repository_says_how_to_start(tmp_path):
    import os
    import subprocess

    from web_helpers import JIT_BIN

    env = {k: v for k, v in os.environ.items() if not k.startswith("JIT_")}
    result = subprocess.run([JIT_BIN, "serve", "--port", "0"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 3 and "jit init" in result.stderr
