"""Fixtures for the web UI: a populated repository, an in-process API client, a real server, a browser."""

import os

import pytest
from web_helpers import Server, populate

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture
def ids(repo):
    return populate(repo)


@pytest.fixture
def client(repo, ids):
    from starlette.testclient import TestClient

    from jit.web.app import create_app

    app = create_app(repo.root, env=repo.env)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        c.token = app.state.token
        c.write_headers = {"X-Jit-Token": app.state.token}
        yield c


@pytest.fixture
def server(repo, ids, tmp_path):
    srv = Server(repo, tmp_path)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    # Module scope, not session: sync_playwright keeps an event loop running in this thread until it
    # exits, and any later test that starts its own loop (the MCP sessions use anyio.run) would fail.
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A fresh page on the server; fails the test if the page raised a JS error or opened a dialog."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    problems = []
    pg.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    pg.on("dialog", lambda d: (problems.append(f"dialog opened: {d.message}"), d.dismiss()))
    pg.problems = problems
    yield pg
    context.close()
    assert not problems, problems
