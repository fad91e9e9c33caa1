"""Safety of the web UI: read-only, no path traversal, user text escaped, loopback and Host checks."""

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


def test_read_only(repo, ids, client):
    before = repo.snapshot()
    for path in ("/api/status", "/api/issues", f"/api/issues/{ids['index']}", "/api/graph", "/api/events",
                 f"/api/graph/{ids['index']}", "/api/query/blocked", "/api/version", "/",
                 f"/ui/issues/{ids['design']}/description"):
        assert client.get(path).status_code == 200, path
    for method in ("post", "put", "delete", "patch"):
        assert getattr(client, method)("/api/issues").status_code == 405
        assert getattr(client, method)(f"/api/issues/{ids['docs']}").status_code == 405
    assert repo.snapshot() == before


def test_foreign_host_headers_are_refused(client):
    # DNS rebinding: a page on evil.example resolving to 127.0.0.1 must not read the issues.
    assert client.get("/api/issues", headers={"host": "evil.example:7777"}).status_code == 400
    for host in ("127.0.0.1:7777", "localhost:7777", "[::1]:7777", "localhost"):
        assert client.get("/api/status", headers={"host": host}).status_code == 200, host


@pytest.mark.parametrize("host,loopback", [("127.0.0.1", True), ("127.0.0.2", True), ("localhost", True),
                                           ("::1", True), ("[::1]", True), ("0.0.0.0", False), ("::", False),
                                           ("192.168.1.5", False), ("example.com", False)])
def test_loopback_detection(host, loopback):
    assert is_loopback(host) is loopback


def test_serve_warns_before_binding_beyond_loopback(repo):
    # 192.0.2.1 (TEST-NET-1) is never assigned here, so the bind fails after the warning: no traffic at all.
    result = repo.jit("serve", "--host", "192.0.2.1", "--port", "0")
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
