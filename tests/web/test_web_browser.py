"""The web UI in a real headless Chromium against a real `jit serve`."""

import re
import time

import pytest
from web_helpers import EXPECTED_STATES, SCRIPT_TITLE

pytestmark = pytest.mark.browser


def open_board(page, server):
    page.goto(server.url)
    page.locator(".board .card").first.wait_for()


def card(page, issue_id):
    return page.locator(f'.card[data-id="{issue_id}"]')


def test_board_shows_every_issue_in_its_state_column(page, server, ids):
    from playwright.sync_api import expect

    open_board(page, server)
    expect(page.locator(".board .column")).to_have_count(6)
    for name, state in EXPECTED_STATES.items():
        expect(page.locator(f'.column[data-state="{state}"] .card[data-id="{ids[name]}"]')).to_have_count(1)
    expect(page.locator(".board .card")).to_have_count(len(ids))
    atomic = card(page, ids["atomic"])
    expect(atomic.locator(".sid")).to_have_text(ids["atomic"][:8])
    expect(atomic.locator(".who")).to_have_text("agent:worker-1")
    expect(atomic.locator(".gate-passed")).to_have_text("tests")
    expect(card(page, ids["lock"]).locator(".gate-failed")).to_have_text("lint")
    expect(card(page, ids["review"]).locator(".gate-pending")).to_have_text("review")
    expect(card(page, ids["design"]).locator(".prio")).to_have_text("high")
    expect(card(page, ids["index"]).locator(".label")).to_have_text(["epic:storage", "type:perf"])


def test_graph_draws_one_node_per_issue_with_its_state(page, server, repo, ids):
    from playwright.sync_api import expect

    page.goto(server.url + "#/graph")
    nodes = page.locator("svg#graph g.node")
    expect(nodes).to_have_count(len(ids))
    drawn = {n.get_attribute("data-id"): n.get_attribute("data-state") for n in nodes.all()}
    assert drawn == {ids[name]: state for name, state in EXPECTED_STATES.items()}
    exported = repo.ok("graph", "export", "--format", "json")
    expect(page.locator("svg#graph path.edge")).to_have_count(len(exported["edges"]))
    # Layered left to right: every prerequisite is drawn left of the issue that waits for it.
    x = {n.get_attribute("data-id"): n.bounding_box()["x"] for n in nodes.all()}
    for edge in exported["edges"]:
        assert x[edge["from"]] < x[edge["to"]]

    page.goto(server.url + f"#/graph/{ids['atomic'][:6]}")  # a short id works too
    around = {ids["design"], ids["atomic"], ids["index"]}
    expect(page.locator(f'svg#graph g.node.focus[data-id="{ids["atomic"]}"]')).to_have_count(1)
    expect(page.locator("svg#graph g.node")).to_have_count(len(around))
    page.locator(f'svg#graph g.node[data-id="{ids["index"]}"]').click()
    expect(page.locator(".issue-page")).to_have_attribute("data-id", ids["index"])


def test_cli_changes_appear_without_reload(page, server, repo, ids):
    from playwright.sync_api import expect

    open_board(page, server)
    page.evaluate("window.__sameDocument = true")
    started = time.monotonic()
    new_id = repo.create("Appeared while the page was open", "--label", "epic:live")
    expect(page.locator(f'.column[data-state="ready"] .card[data-id="{new_id}"]')).to_have_count(1, timeout=3000)
    repo.ok("issue", "claim", new_id, "agent:live")
    expect(page.locator(f'.column[data-state="in_progress"] .card[data-id="{new_id}"]')).to_have_count(
        1, timeout=3000)
    assert time.monotonic() - started < 8
    assert page.evaluate("window.__sameDocument") is True  # no reload happened

    page.goto(server.url + f"#/issue/{ids['docs']}")
    expect(page.locator(".issue-page h1 .issue-title")).to_have_text("Write the README")
    page.evaluate("window.__sameDocument = true")
    repo.ok("issue", "update", ids["docs"], "--title", "Write the README and the guide")
    expect(page.locator(".issue-page h1 .issue-title")).to_have_text("Write the README and the guide", timeout=3000)
    assert page.evaluate("window.__sameDocument") is True


def test_script_title_is_shown_as_text(page, server, ids):
    from playwright.sync_api import expect

    open_board(page, server)
    title = card(page, ids["script"]).locator(".title")
    expect(title).to_have_text(SCRIPT_TITLE)
    assert title.locator("script").count() == 0
    assert page.evaluate("document.querySelectorAll('#view script').length") == 0

    page.goto(server.url + f"#/issue/{ids['script']}")
    expect(page.locator(".issue-page h1 .issue-title")).to_have_text(SCRIPT_TITLE)
    markdown = page.locator(".markdown")
    expect(markdown.locator("strong")).to_have_text("bold")
    expect(markdown.locator("img")).to_have_count(0)
    expect(markdown).to_contain_text("<img src=x onerror=alert(2)>")
    assert markdown.locator('a[href^="javascript"]').count() == 0
    page.goto(server.url + f"#/graph/{ids['script']}")
    expect(page.locator(f'svg#graph g.node[data-id="{ids["script"]}"] title')).to_contain_text(SCRIPT_TITLE)
    page.wait_for_timeout(300)  # give any injected handler a chance to fire; the fixture fails on a dialog


def test_issue_page_shows_dependencies_gates_runs_and_events(page, server, ids):
    from playwright.sync_api import expect

    page.goto(server.url + f"#/issue/{ids['atomic']}")
    expect(page.locator("#upstream li")).to_have_count(1)
    expect(page.locator(f'#upstream a[href="#/issue/{ids["design"]}"]')).to_have_count(1)
    expect(page.locator(f'#downstream a[href="#/issue/{ids["index"]}"]')).to_have_count(1)
    gate = page.locator('.gate-box[data-gate="tests"]')
    expect(gate.locator(".gate")).to_have_text("passed")
    expect(gate.locator("pre.tail")).to_contain_text("12 passed in 0.4s")
    expect(page.locator("#issue-events tr[data-type=issue_claimed]")).to_have_count(1)

    page.goto(server.url + f"#/issue/{ids['lock']}")
    gate = page.locator('.gate-box[data-gate="lint"]')
    expect(gate.locator(".gate").first).to_have_text("failed")
    expect(gate).to_contain_text("exit 3")
    expect(gate.locator("pre.tail")).to_contain_text("E501 line too long")

    page.locator(f'#downstream a[href="#/issue/{ids["index"]}"]').click()
    expect(page.locator(".issue-page")).to_have_attribute("data-id", ids["index"])
    page.goto(server.url + f"#/issue/{ids['design'][:6]}")  # a short id works in the address too
    expect(page.locator(".issue-page")).to_have_attribute("data-id", ids["design"])
    page.goto(server.url + "#/issue/00000000")
    expect(page.locator("#error")).to_contain_text("no issue matches '00000000'")
    expect(page.locator(".issue-page")).to_have_count(0)


def test_filters_and_search(page, server, ids):
    from playwright.sync_api import expect

    open_board(page, server)
    cards = page.locator(".board .card")
    page.fill("#f-q", "lock")
    expect(cards).to_have_count(1)
    expect(card(page, ids["lock"])).to_have_count(1)
    page.fill("#f-q", "")
    page.fill("#f-label", "epic:*")
    expect(cards).to_have_count(5)
    page.fill("#f-assignee", "agent:worker-2")
    expect(cards).to_have_count(1)
    page.click("#f-clear")
    expect(cards).to_have_count(len(ids))
    page.select_option("#f-state", "ready")
    expect(page.locator(".board .column")).to_have_count(1)
    expect(cards).to_have_count(2)
    page.click("#f-clear")
    card(page, ids["atomic"]).locator(".who").click()  # a click on an assignee filters by it
    expect(page.locator("#f-assignee")).to_have_value("agent:worker-1")
    expect(cards).to_have_count(1)
    page.fill("#f-assignee", "nobody")
    expect(page.locator("#error")).to_contain_text("must look like type:identifier")
    page.fill("#f-assignee", "")
    expect(page.locator("#error")).to_be_hidden()

    page.goto(server.url + "#/graph")
    page.fill("#f-label", "epic:storage")
    expect(page.locator("svg#graph g.node.dim")).to_have_count(len(ids) - 4)


def test_events_feed(page, server, ids):
    from playwright.sync_api import expect

    page.goto(server.url + "#/events")
    rows = page.locator("table.events tr")
    expect(rows.first).to_have_attribute("data-type", "state_changed")  # newest first: "old" was rejected last
    expect(page.locator("table.events tr[data-type=gate_failed]")).to_have_count(1)
    expect(page.locator("table.events")).to_contain_text(f"{ids['old'][:8]} Old prototype")


def test_the_filter_box_takes_the_filter_language(page, server, ids):
    from playwright.sync_api import expect

    open_board(page, server)
    cards = page.locator(".board .card")
    page.fill("#f-filter", "priority:high OR label:type:xss")
    expect(cards).to_have_count(2)
    expect(card(page, ids["design"])).to_have_count(1)
    expect(card(page, ids["script"])).to_have_count(1)
    page.fill("#f-filter", "label:epic:* AND NOT state:done")
    expect(cards).to_have_count(2)  # lock (in progress) and index (backlog)
    page.fill("#f-filter", "priority:")
    expect(page.locator("#error")).to_be_visible()
    page.click("#f-clear")
    expect(cards).to_have_count(len(ids))
    expect(page.locator("#error")).to_be_hidden()


def test_keyboard_moves_through_the_board_and_opens_a_card(page, server, ids):
    from playwright.sync_api import expect

    open_board(page, server)
    page.keyboard.press("j")
    first = page.locator(".board .card").first
    expect(first).to_have_class(re.compile(r"\bselected\b"))
    chosen = first.get_attribute("data-id")  # read before Enter replaces the board with the issue page
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(page.locator(".board .card.selected")).to_have_attribute("data-id", chosen)
    page.keyboard.press("Enter")
    expect(page.locator(".issue-page")).to_have_attribute("data-id", chosen)
    page.goto(server.url)
    page.locator(".board .card").first.wait_for()
    page.keyboard.press("n")
    expect(page.locator("#new-title")).to_be_focused()
