"""Paged lists, --filter on every list command, bulk update, and search, through the real CLI."""

import json


def _import(repo, lines) -> list:
    plan = repo.root / "plan.jsonl"
    plan.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return [i["id"] for i in repo.ok("issue", "import", str(plan))]


def test_limit_gives_a_page_with_the_total_and_text_says_what_it_cut(repo):
    ids = _import(repo, [{"title": f"Job {n}", "priority": "high" if n < 3 else "low"} for n in range(1205)])
    page = repo.ok("query", "available", "--limit", "2")
    assert [i["id"] for i in page["items"]] == ids[:2] and page["total"] == 1205 and page["limit"] == 2
    second = repo.ok("query", "available", "--limit", "2", "--offset", "2")
    assert [i["id"] for i in second["items"]] == ids[2:4] and second["offset"] == 2
    text = repo.jit("issue", "list", "--limit", "3")
    assert text.code == 0 and text.out.splitlines()[-1] == "3 of 1,205 shown"
    assert isinstance(repo.ok("query", "state", "ready"), list)  # without --limit: an array
    assert repo.ok("query", "state", "ready", "--limit", "1")["total"] == 1205
    assert repo.ok("query", "label", "type:*", "--limit", "1")["total"] == 0
    for bad in (["--limit", "0"], ["--limit", "-3"], ["--limit", "2", "--offset", "-1"]):
        assert repo.jit("issue", "list", *bad).code == 2


def test_filter_on_lists_claim_next_and_blocked(repo):
    a, b, c, d = _import(repo, [
        {"title": "Auth API", "key": "a", "labels": ["epic:auth"], "priority": "high"},
        {"title": "Billing", "key": "b", "labels": ["epic:billing"]},
        {"title": "Auth UI", "key": "c", "labels": ["epic:auth"], "depends_on": ["a"]},
        {"title": "Loose", "key": "d", "priority": "low"},
    ])
    listed = repo.ok("issue", "list", "--filter", "label:epic:* NOT priority:high")
    assert [i["id"] for i in listed] == [b, c]
    assert [i["id"] for i in repo.ok("issue", "list", "--filter", "blocked")] == [c]
    assert [e["issue"]["id"] for e in repo.ok("query", "blocked", "--filter", "label:epic:auth")] == [c]
    assert repo.ok("query", "blocked", "--filter", "label:epic:billing") == []
    assert [i["id"] for i in repo.ok("query", "available", "--filter", "label:epic:auth OR priority:low")] == [a, d]
    got = repo.ok("issue", "claim-next", "agent:w", "--filter", "NOT label:epic:auth")
    assert got["id"] == b
    assert [i["id"] for i in repo.ok("issue", "list", "--filter", "assignee:agent:*")] == [b]
    assert [i["id"] for i in repo.ok("issue", "list", "--filter", f"unassigned id:{d[:8]}")] == [d]
    r = repo.jit("issue", "claim-next", "agent:w", "--filter", "label:epic:none", "--json")
    assert r.code == 3 and r.out.strip() == "null"
    events = repo.ok("events", "tail", "-n", "0", "--filter", "label:epic:billing")
    assert {e["issue_id"] for e in events} == {b} and "issue_claimed" in {e["type"] for e in events}
    page = repo.ok("events", "tail", "--limit", "1")
    assert len(page["items"]) == 1 and page["total"] > 1


def test_bulk_update_changes_each_match_and_reports_skips(repo):
    a, b, c = _import(repo, [{"title": "One", "labels": ["epic:auth"]}, {"title": "Two", "labels": ["epic:auth"]},
                             {"title": "Three"}])
    before = repo.snapshot()
    dry = repo.ok("issue", "update", "--filter", "label:epic:auth", "--priority", "high", "--dry-run")
    assert dry["matched"] == 2 and [w["id"] for w in dry["would"]] == [a, b] and repo.snapshot() == before
    repo.ok("issue", "update", b, "--priority", "high")
    report = repo.ok("issue", "update", "--filter", "label:epic:auth", "--priority", "high")
    assert report["changed"] == [a] and report["skipped"] == [{"id": b, "reason": "nothing to change"}]
    report = repo.ok("issue", "update", "--filter", "priority:high", "--state", "backlog")
    assert report["changed"] == [] and len(report["skipped"]) == 2  # ready -> backlog is refused, per issue
    text = repo.jit("issue", "update", "--filter", "NOT label:epic:auth", "--add-label", "type:task")
    assert text.code == 0 and text.out.splitlines()[-1] == "1 changed, 0 skipped of 1 matched"
    assert repo.ok("issue", "show", c)["labels"] == ["type:task"]
    assert repo.jit("issue", "update", "--filter", "state:ready").code == 2  # nothing to change
    assert repo.jit("issue", "update", a, "--filter", "state:ready", "--priority", "low").code == 2


def test_search_matches_words_not_id_fragments_ranks_titles_and_takes_phrases(repo):
    ids = _import(repo, [
        {"title": "Describe the parser", "description": "the login flow is bad today"},
        {"title": "Bad login redirect"},
        {"title": "Unrelated", "description": "nothing to see"},
        {"title": "Badge colours"},
    ])
    repo.ok("issue", "comment", ids[2], "a bad comment here")
    found = [i["id"] for i in repo.ok("issue", "search", "bad")]
    assert found == [ids[1], ids[0], ids[2]]  # title hit first; "Badge" is another word
    assert all("bad" not in i for i in ids) or found  # ids play no part unless the query is an id
    assert [i["id"] for i in repo.ok("issue", "search", '"login flow"')] == [ids[0]]
    assert repo.ok("issue", "search", '"flow login"') == []
    assert [i["id"] for i in repo.ok("issue", "search", "bad*")] == [ids[1], ids[3], ids[0], ids[2]]
    assert [i["id"] for i in repo.ok("issue", "search", "--regex", "^Bad(ge)?\\b")] == [ids[1], ids[3]]
    assert repo.ok("issue", "search", ids[2][:8])[0]["id"] == ids[2]  # an id prefix is an id
    fragment = ids[3][2:6]  # four hex characters from the middle of an id
    assert ids[3] not in [i["id"] for i in repo.ok("issue", "search", fragment)]
    page = repo.ok("issue", "search", "bad", "--limit", "1")
    assert page["total"] == 3 and [i["id"] for i in page["items"]] == [ids[1]]
    assert repo.jit("issue", "search", "--regex", "(unclosed").code == 2
