"""People act on the page, in a real headless Chromium against a real `jit serve`.

What a person does (pass a review gate, create, edit, comment, claim, reject)
goes through the same write routes the API tests cover; here the point is
that the page offers it, sends the token, shows the result without a reload,
and that a page served on another origin cannot write at all.
"""

import subprocess

import pytest

from jit_testing import JIT_BIN, events

pytestmark = pytest.mark.browser


def test_a_person_passes_the_review_gate_and_watches_the_issue_turn_done(page, server, repo, ids):
    from playwright.sync_api import expect

    page.goto(server.url + f"#/issue/{ids['review']}")
    gate = page.locator('.gate-box[data-gate="review"]')
    expect(gate.locator(".gate").first).to_have_text("pending")
    expect(page.locator(".issue-side .chip.state")).to_have_text("gated")
    page.evaluate("window.__sameDocument = true")
    gate.locator('[data-act="pass"]').click()
    expect(page.locator(".issue-side .chip.state")).to_have_text("done")
    expect(gate.locator(".gate").first).to_have_text("passed")
    expect(page.locator('#issue-events tr[data-type="gate_passed"] .summary')).to_have_text(
        "review passed by human:tester")
    assert page.evaluate("window.__sameDocument") is True
    issue = repo.ok("issue", "show", ids["review"])
    assert issue["state"] == "done" and issue["gates_status"]["review"]["by"] == "human:tester"


def test_a_person_creates_edits_comments_and_finishes_an_issue(page, server, repo):
    from playwright.sync_api import expect

    page.goto(server.url)
    page.locator("#create summary").click()
    page.fill("#new-title", "Made on the page")
    page.fill("#new-labels", "type:web, epic:people")
    page.select_option("#new-priority", "high")
    page.click("#new-create")
    expect(page.locator(".issue-page h1 .issue-title")).to_have_text("Made on the page")
    new_id = page.locator(".issue-page").get_attribute("data-id")
    made = repo.ok("issue", "show", new_id)
    assert (made["priority"], sorted(made["labels"])) == ("high", ["epic:people", "type:web"])

    page.locator("#edit summary").click()
    page.fill("#edit-title", "Renamed on the page")
    page.fill("#edit-description", "Some **markdown**")
    page.fill("#edit-labels", "type:web")
    page.click("#edit-save")
    expect(page.locator(".issue-page h1 .issue-title")).to_have_text("Renamed on the page")
    expect(page.locator(".markdown strong")).to_have_text("markdown")
    edited = repo.ok("issue", "show", new_id)
    assert (edited["title"], edited["labels"]) == ("Renamed on the page", ["type:web"])

    page.keyboard.press("Escape")
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("c")  # the shortcut jumps to the comment box
    expect(page.locator("#comment-text")).to_be_focused()
    page.keyboard.type("Reviewed with Ana")
    page.click("#act-comment")
    expect(page.locator("#comments .comment-text")).to_have_text(["Reviewed with Ana"])

    page.click("#act-claim")
    expect(page.locator(".issue-side .chip.state")).to_have_text("in progress")
    page.fill("#act-summary", "Shipped it")
    page.click("#act-done")
    expect(page.locator(".issue-side .chip.state")).to_have_text("done")
    expect(page.locator("#resolution")).to_have_text("Shipped it")
    assert [e["actor"] for e in events(repo, "issue_claimed", new_id)] == ["human:tester"]


def test_a_refusal_shows_the_cli_message_and_changes_nothing(page, server, repo, ids):
    from playwright.sync_api import expect

    before = repo.snapshot()
    page.goto(server.url + f"#/issue/{ids['lock']}")  # agent:worker-2 holds it
    page.locator('.gate-box[data-gate="lint"] [data-act="pass"]').click()
    expect(page.locator("#error")).to_contain_text("held by agent:worker-2")
    assert repo.snapshot() == before


def other_origin():
    """A plain web server on another loopback port (another origin) serving a harmless page."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<!doctype html><title>elsewhere</title><p>another site</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def test_a_stolen_page_on_another_origin_or_a_write_without_the_token_is_refused(page, server, repo, ids):
    import re

    import httpx

    before = repo.snapshot()
    # An attacker's page on another origin that somehow has the token (a copy of the page). It is served
    # from another local port: Chromium keeps public origins from reaching loopback at all (Private Network
    # Access), so a local origin is the case that reaches the server and that the server itself must refuse.
    token = re.search(r'name="jit-token" content="([^"]+)"', httpx.get(server.url, timeout=30).text)[1]
    evil = other_origin()
    page.goto(evil.url)
    outcome = page.evaluate("""async ([target, id, token]) => {
        const tries = {};
        try {  // a real write needs the token header, so the browser asks first (CORS preflight)
            const r = await fetch(target + "api/issues/" + id + "/claim", { method: "POST", body: "{}",
                headers: { "X-Jit-Token": token, "Content-Type": "application/json" } });
            tries.cors = r.status;
        } catch (e) { tries.cors = "blocked"; }
        // a "simple" request goes out without asking: the server itself must refuse it
        const r2 = await fetch(target + "api/issues", { method: "POST", mode: "no-cors",
            headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ title: "sneaky" }) });
        tries.simple = r2.type;
        return tries;
    }""", [server.url, ids["docs"], token])
    evil.shutdown()
    assert outcome == {"cors": "blocked", "simple": "opaque"}
    # The page's own origin, without the token.
    page.goto(server.url)
    page.locator(".board .card").first.wait_for()
    status = page.evaluate("""async () => (await fetch("/api/issues", { method: "POST",
        body: JSON.stringify({ title: "no token" }), headers: { "Content-Type": "application/json" } })).status""")
    assert status == 403
    assert repo.snapshot() == before


def test_the_board_follows_an_agent_process_claiming_and_finishing_work(page, server, repo, ids):
    from playwright.sync_api import expect

    page.goto(server.url)
    docs = page.locator(f'.card[data-id="{ids["docs"]}"]')
    expect(docs).to_have_attribute("data-state", "ready")
    page.evaluate("window.__sameDocument = true")
    # A real agent process: claim the best available issue, hold it until told, then finish it.
    script = (f"set -e; id=$({JIT_BIN} issue claim-next agent:bot --label type:docs -q); "
              f"read _; {JIT_BIN} issue done \"$id\" -q")
    agent = subprocess.Popen(["sh", "-c", script], cwd=repo.root, env=repo.env, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        expect(page.locator(f'.column[data-state="in_progress"] .card[data-id="{ids["docs"]}"] .who')).to_have_text(
            "agent:bot", timeout=15_000)
        out, err = agent.communicate("go\n", timeout=60)
        assert agent.returncode == 0, err
        expect(page.locator(f'.column[data-state="done"] .card[data-id="{ids["docs"]}"]')).to_have_count(
            1, timeout=15_000)
    finally:
        if agent.poll() is None:
            agent.kill()
            agent.wait()
    assert page.evaluate("window.__sameDocument") is True


def test_loading_state_and_dark_theme(browser, server):
    from playwright.sync_api import expect

    context = browser.new_context(color_scheme="dark", viewport={"width": 1200, "height": 800})
    try:
        pg = context.new_page()
        # Hold the API back so the first paint has no data: the page must say it is loading.
        held = []
        pg.route("**/api/issues*", lambda route: held.append(route))
        pg.goto(server.url)
        expect(pg.locator("#loading")).to_be_visible()
        expect(pg.locator("#view")).to_have_attribute("aria-busy", "true")
        for route in held:  # the board asks once; nothing else is asked until that answer is in
            route.continue_()
        pg.unroute("**/api/issues*")
        pg.locator(".board .card").first.wait_for()
        expect(pg.locator("#loading")).to_have_count(0)
        background = pg.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(13, 17, 23)", background
    finally:
        context.close()
    light = browser.new_context(color_scheme="light")
    try:
        pg = light.new_page()
        pg.goto(server.url)
        pg.locator(".board .card").first.wait_for()
        assert pg.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(246, 248, 250)"
    finally:
        light.close()


def test_a_live_refresh_never_throws_away_what_a_person_is_typing(page, server, repo, ids):
    from playwright.sync_api import expect

    page.goto(server.url + f"#/issue/{ids['docs']}")
    page.fill("#comment-text", "half a thought")
    repo.ok("issue", "update", ids["docs"], "--title", "Changed by an agent meanwhile")
    page.locator("h1").click()  # the field loses focus: the waiting refresh runs now
    expect(page.locator(".issue-page h1 .issue-title")).to_have_text("Changed by an agent meanwhile")
    expect(page.locator("#comment-text")).to_have_value("half a thought")
