"""`jit prime`, `jit init --agents` and `jit query claimed` through the real CLI (issue 12)."""

import json

from jit_testing import Repo

BUDGET = 6000


def _import(repo, rows) -> list:
    r = repo.jit("issue", "import", "-", "--json", input="".join(json.dumps(row) + "\n" for row in rows))
    assert r.code == 0, r
    return [i["id"] for i in r.json]


def test_prime_briefs_an_agent_on_its_claims_and_the_ready_work(repo):
    repo.ok("gate", "define", "review", "--title", "Reviewed")
    mine = repo.create("Refactor the lexer", "--priority", "high")
    gated = repo.create("Document the API", "--gate", "review")
    other = repo.create("Someone else's")
    blocker = repo.create("Blocker", "--priority", "low")
    repo.create("Waits", "--dep", blocker)
    top = repo.create("Urgent fix", "--priority", "critical")
    repo.ok("issue", "claim", mine, "agent:w1", "--ttl", "3600")
    repo.ok("issue", "claim", gated, "agent:w1")
    repo.ok("issue", "done", gated)
    repo.ok("issue", "claim", other, "agent:w2")
    repo.ok("issue", "comment", mine, "halfway: tokens done, numbers next", "--actor", "agent:w1")

    data = repo.ok("prime", env={"JIT_ACTOR": "agent:w1"})
    assert data["actor"] == "agent:w1" and data["claims_total"] == 2
    assert {c["id"] for c in data["claims"]} == {mine, gated}
    claim = next(c for c in data["claims"] if c["id"] == mine)
    assert claim["lease"].startswith("lease ") and claim["lease"].endswith(" left")
    assert claim["latest_comment"]["text"] == "halfway: tokens done, numbers next"
    assert next(c for c in data["claims"] if c["id"] == gated)["lease"] == "no lease"
    assert [r["id"] for r in data["ready"]] == [top, blocker]  # best first
    assert data["ready_total"] == 2
    assert data["counts"] == {"blocked": 1, "gated": 1, "in_progress": 2, "done": 0, "total": 6}
    assert any("jit issue claim-next agent:w1" in line for line in data["workflow"])
    assert any("done ID --summary" in line for line in data["workflow"])

    text = repo.jit("prime", "--actor", "agent:w1").out
    assert "Your claims (2):" in text and "halfway: tokens done" in text
    assert f"{top[:8]}  critical" in text and "Blocked by dependencies: 1" in text
    for command in ("jit issue claim-next", "jit issue comment", "jit gate check-all", "jit issue done"):
        assert command in text
    assert repo.jit("prime", "--actor", "agent:w2", "-q").out.split() == [other]


def test_prime_without_an_actor_says_how_to_name_yourself(repo):
    repo.create("Something")
    text = repo.jit("prime").out
    assert "set JIT_ACTOR=agent:NAME" in text and "Ready to claim (1):" in text
    assert repo.ok("prime")["claims"] == []


def test_prime_stays_under_budget_with_long_titles_and_many_claims(repo):
    wide = "\u6f22\u5b57\U0001f600" * 200  # 3- and 4-byte characters: clipping counts bytes, not characters
    ids = _import(repo, [{"title": f"{k} {wide}", "description": wide} for k in range(40)])
    ctx = repo.ctx()
    try:
        from jit.service import claims, comments

        for issue_id in ids[:15]:
            claims.claim(ctx, issue_id, "agent:w1", ttl=600)
            comments.comment_issue(ctx, issue_id, wide * 5)
    finally:
        ctx.close()
    data = repo.ok("prime", env={"JIT_ACTOR": "agent:w1"})
    raw = repo.jit("prime", "--json", env={"JIT_ACTOR": "agent:w1"}).out
    text = repo.jit("prime", env={"JIT_ACTOR": "agent:w1"}).out
    assert len(raw.encode()) < BUDGET and len(text.encode()) < BUDGET, (len(raw.encode()), len(text.encode()))
    assert data["claims_total"] == 15 and 1 <= len(data["claims"]) <= 5
    assert data["ready_total"] == 25 and 1 <= len(data["ready"]) <= 10
    assert f"of {data['claims_total']} shown" in text and "of 25 shown" in text
    assert all(len(c["title"].encode()) <= 90 for c in data["claims"] + data["ready"])


def test_prime_refuses_a_malformed_or_oversized_actor(repo, fails):
    fails(2, "prime", "--actor", "nobody", match="type:identifier")
    fails(2, "prime", "--actor", "agent:" + "x" * 300, match="at most 200")
    longest = repo.jit("prime", "--actor", "agent:" + "x" * 194)
    assert longest.code == 0 and len(longest.out.encode()) < BUDGET


def test_init_agents_writes_a_marked_section_once_and_keeps_the_rest(tmp_path):
    repo = Repo(tmp_path)
    agents = tmp_path / "AGENTS.md"
    agents.write_text("# House rules\n\nBe kind.\n", encoding="utf-8")
    first = repo.jit("init", "--agents", "--json")
    assert first.code == 0 and first.json["agents_md"]["action"] == "updated", first
    text = agents.read_text(encoding="utf-8")
    assert text.startswith("# House rules\n\nBe kind.\n\n<!-- jit:begin") and "`jit prime`" in text
    again = repo.jit("init", "--agents", "--json")
    assert again.json["agents_md"]["action"] == "unchanged" and agents.read_text(encoding="utf-8") == text
    # An outdated section is replaced in place; text after it stays.
    start, end = text.index("<!-- jit:begin"), text.index("<!-- jit:end -->") + len("<!-- jit:end -->")
    agents.write_text(text[:start] + "<!-- jit:begin old -->\nold words\n<!-- jit:end -->" + text[end:]
                      + "\n## Later section\n", encoding="utf-8")
    assert repo.jit("init", "--agents", "--json").json["agents_md"]["action"] == "updated"
    updated = agents.read_text(encoding="utf-8")
    assert "old words" not in updated and updated.count("<!-- jit:begin") == 1
    assert updated.endswith("\n## Later section\n") and updated.startswith("# House rules\n")
    fresh = Repo(tmp_path / "sub")
    (tmp_path / "sub").mkdir()
    assert fresh.jit("init", "--agents").code == 0
    assert (tmp_path / "sub" / "AGENTS.md").read_text(encoding="utf-8").startswith("<!-- jit:begin")


def test_query_claimed_lists_holders_and_filters_stale_ones(repo, fails):
    held = repo.create("Held")
    quiet = repo.create("Quiet")
    repo.create("Free")
    repo.ok("issue", "claim", held, "agent:w1", "--ttl", "900")
    repo.ok("issue", "claim", quiet, "agent:w2")
    rows = repo.ok("query", "claimed")
    assert {r["issue"]["id"]: r["holder"] for r in rows} == {held: "agent:w1", quiet: "agent:w2"}
    row = next(r for r in rows if r["issue"]["id"] == held)
    assert row["lease_expires_at"] == row["issue"]["lease"]["expires_at"]
    assert row["since"] and row["last_activity"] >= row["since"]
    assert repo.ok("query", "claimed", "--stale", "1h") == []
    # Make one look untouched for a day: its file and its events say so.
    path = repo.data / "issues" / f"{quiet}.json"
    doc = json.loads(path.read_text())
    doc["updated_at"] = "2000-01-01T00:00:00.000000Z"
    path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    log = repo.data / "events.jsonl"
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    for event in lines:
        if event["issue_id"] == quiet:
            event["ts"] = "2000-01-01T00:00:00.000000Z"
    log.write_text("".join(json.dumps(e) + "\n" for e in lines))
    assert [r["issue"]["id"] for r in repo.ok("query", "claimed", "--stale", "2h")] == [quiet]
    assert "agent:w2" in repo.jit("query", "claimed", "--stale", "2h").out
    fails(2, "query", "claimed", "--stale", "soon", match="duration")
