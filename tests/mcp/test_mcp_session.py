"""Agents working through real MCP sessions against `jit mcp`, checked against the CLI's `--json`."""

import json

import anyio
import pytest
from mcp_helpers import connect

pytestmark = pytest.mark.anyio


def cli_text(repo, *args) -> str:
    """What `jit ... --json` prints (exit 0), without the newline."""
    r = repo.jit(*args, "--json")
    assert r.code == 0, r
    return r.out.rstrip("\n")


async def same_as_cli(s, repo, tool, cli_args, **args):
    """The tool's text is byte-for-byte the CLI's `--json` output for the same state."""
    is_error, text = await s.raw(tool, args)
    assert not is_error, text
    assert text == cli_text(repo, *cli_args), tool
    return json.loads(text)


async def test_dependencies_gates_and_done_through_tools(repo):
    async with connect(repo) as s:
        await s.call("gate_define", key="review", title="Reviewed")
        base = await s.call("issue_create", title="Schema", priority="high", labels=["epic:db"], gates=["review"])
        top = await s.call("issue_create", title="API", deps=[base["id"][:8]])
        assert (base["state"], top["state"]) == ("ready", "backlog")
        assert top["dependencies"] == [base["id"]]

        claimed = await s.call("issue_claim_next", assignee="agent:w1")
        assert claimed["id"] == base["id"] and claimed["state"] == "in_progress"
        assert (await s.call("issue_done", id=base["id"]))["state"] == "gated"
        assert (await s.call("issue_show", id=top["id"]))["state"] == "backlog"

        passed = await s.call("gate_pass", id=base["id"][:6], key="review", by="human:ana")
        assert passed["state"] == "done" and passed["gates_status"]["review"]["status"] == "passed"
        assert (await s.call("issue_show", id=top["id"]))["state"] == "ready"
        assert [i["id"] for i in await s.call("query_available")] == [top["id"]]
        assert await s.call("issue_claim_next", assignee="agent:w1", labels=["epic:db"]) is None


async def test_auto_gate_check_passes_and_fails(repo):
    async with connect(repo) as s:
        await s.call("gate_define", key="ok", title="Passes", mode="auto", checker="echo fine")
        await s.call("gate_define", key="bad", title="Fails", mode="auto", checker="echo broken; exit 3")
        issue = await s.call("issue_create", title="Checked", gates=["ok", "bad"])
        result = await s.call("gate_check", id=issue["id"], key="ok")
        assert result["run"]["status"] == "passed" and result["run"]["output_tail"] == "fine\n"
        error = await s.fail("gate_check", "gate_failed", id=issue["id"], key="bad")
        assert error["details"]["runs"][0]["exit_code"] == 3
        assert "broken" in error["details"]["runs"][0]["output_tail"]
        runs = await s.call("gate_runs", id=issue["id"])
        assert [r["gate"] for r in runs] == ["ok", "bad"]


async def test_two_sessions_claiming_concurrently_never_share_an_issue(repo):
    ids = {repo.create(f"Task {n}") for n in range(8)}
    won = {"agent:a": [], "agent:b": []}

    async def worker(s, who):
        while (issue := await s.call("issue_claim_next", assignee=who)) is not None:
            assert issue["assignee"] == who and issue["state"] == "in_progress"
            won[who].append(issue["id"])

    async with connect(repo) as a, connect(repo) as b:
        async with anyio.create_task_group() as tg:
            tg.start_soon(worker, a, "agent:a")
            tg.start_soon(worker, b, "agent:b")
    claimed = won["agent:a"] + won["agent:b"]
    assert sorted(claimed) == sorted(ids), "every issue claimed exactly once"
    for issue_id in ids:
        assert repo.ok("issue", "show", issue_id)["state"] == "in_progress"


async def test_parallel_calls_inside_one_session_never_share_an_issue(repo):
    ids = {repo.create(f"Task {n}") for n in range(6)}
    results = []
    async with connect(repo) as s:
        async def grab(n):
            results.append(await s.call("issue_claim_next", assignee=f"agent:p{n}"))

        async with anyio.create_task_group() as tg:
            for n in range(8):
                tg.start_soon(grab, n)
    got = [r["id"] for r in results if r is not None]
    assert sorted(got) == sorted(ids) and results.count(None) == 2


async def test_tool_json_equals_cli_json_for_the_same_state(repo):
    repo.ok("gate", "define", "review", "--title", "Reviewed")
    base = repo.create("Base", "--priority", "high", "--label", "epic:x", "--gate", "review")
    mid = repo.create("Mid", "--dep", base, "--label", "epic:x")
    repo.create("Other", "--priority", "low")
    repo.ok("issue", "claim", base, "agent:w1")
    async with connect(repo) as s:
        await same_as_cli(s, repo, "issue_show", ["issue", "show", mid], id=mid)
        await same_as_cli(s, repo, "issue_list", ["issue", "list"])
        await same_as_cli(s, repo, "issue_list", ["issue", "list", "--label", "epic:*", "--state", "backlog"],
                          labels=["epic:*"], state="backlog")
        await same_as_cli(s, repo, "issue_list", ["query", "state", "in_progress"], state="in_progress")
        await same_as_cli(s, repo, "issue_search", ["issue", "search", "mid"], text="mid")
        await same_as_cli(s, repo, "query_available", ["query", "available"])
        await same_as_cli(s, repo, "query_available", ["query", "available", "--priority", "low"], priority="low")
        await same_as_cli(s, repo, "query_blocked", ["query", "blocked"])
        await same_as_cli(s, repo, "status", ["status"])
        await same_as_cli(s, repo, "graph_show", ["graph", "show", mid], id=mid)
        await same_as_cli(s, repo, "graph_export", ["graph", "export", "--format", "json"], format="json")
        await same_as_cli(s, repo, "graph_export", ["graph", "export", "--format", "mermaid"], format="mermaid")
        await same_as_cli(s, repo, "gate_list", ["gate", "list"])
        await same_as_cli(s, repo, "gate_show", ["gate", "show", "review"], key="review")
        await same_as_cli(s, repo, "events_tail", ["events", "tail", "-n", "0"], n=0)
        await same_as_cli(s, repo, "events_tail", ["events", "tail", "--issue", base, "--type", "issue_claimed"],
                          issue=base, types=["issue_claimed"])
        await same_as_cli(s, repo, "validate", ["validate"])
        # A mutation answers with the issue exactly as `issue show` prints it afterwards.
        done = await s.call("issue_done", id=base)
        assert json.dumps(done, sort_keys=True, ensure_ascii=False) == cli_text(repo, "issue", "show", base)


async def test_compact_lists_report_the_true_total(repo):
    for n in range(5):
        repo.create(f"Task {n}", "--label", "epic:big")
    async with connect(repo) as s:
        page = await s.call("query_available", limit=2, fields=["title", "state"])
        assert page["total"] == 5 and len(page["items"]) == 2
        assert set(page["items"][0]) == {"id", "title", "state"}
        assert (await s.call("issue_list", labels=["epic:big"], limit=0)) == {"total": 5, "items": []}
        blocked_base = await s.call("issue_create", title="Dep")
        await s.call("issue_create", title="Waits", deps=[blocked_base["id"]])
        blocked = await s.call("query_blocked", fields=["title"])
        assert blocked[0]["issue"] == {"id": blocked[0]["issue"]["id"], "title": "Waits"}
        assert blocked[0]["blocked_by"]
        full = await s.call("issue_list")
        assert len(full) == 7 and "description" in full[0]


async def test_server_sees_changes_made_by_other_processes(repo):
    async with connect(repo) as s:
        assert await s.call("query_available") == []
        issue_id = repo.create("Made by the CLI")
        assert [i["id"] for i in await s.call("query_available")] == [issue_id]
        repo.ok("issue", "claim", issue_id, "agent:cli")
        assert await s.call("issue_claim_next", assignee="agent:mcp") is None
        await s.fail("issue_claim", "conflict", id=issue_id, assignee="agent:mcp")
        repo.ok("issue", "release", issue_id)
        assert (await s.call("issue_claim_next", assignee="agent:mcp"))["id"] == issue_id


async def test_import_with_local_keys(repo):
    async with connect(repo) as s:
        made = await s.call("issue_import", issues=[
            {"title": "Top", "key": "top", "depends_on": ["base"]},
            {"title": "Base", "key": "base", "priority": "high"},
        ])
        assert [i["title"] for i in made] == ["Top", "Base"]
        assert made[0]["dependencies"] == [made[1]["id"]] and made[0]["state"] == "backlog"
        error = await s.fail("issue_import", "usage", issues=[{"title": "ok"}, {"nope": 1}])
        assert "line 2" in error["message"]
        assert len(await s.call("issue_list")) == 2


async def test_repo_option_actor_and_data_dir(repo, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    async with connect(repo, "--repo", str(repo.root), "--actor", "agent:mcp-test", cwd=elsewhere) as s:
        issue = await s.call("issue_create", title="Via --repo")
        assert repo.ok("issue", "show", issue["id"])["title"] == "Via --repo"
        events = await s.call("events_tail", n=1)
        assert events[0]["actor"] == "agent:mcp-test"
    async with connect(repo, cwd=elsewhere, env={"JIT_DATA_DIR": str(repo.data)}) as s:
        assert (await s.call("issue_show", id=issue["id"]))["title"] == "Via --repo"


async def test_server_starts_without_a_repository_and_follows_jit_init(repo, tmp_path_factory):
    empty = tmp_path_factory.mktemp("empty")
    async with connect(repo, cwd=empty) as s:
        error = await s.fail("status", "not_found")
        assert "jit init" in error["message"]
        r = repo.jit("init", cwd=empty)
        assert r.code == 0, r
        assert (await s.call("status"))["total"] == 0
