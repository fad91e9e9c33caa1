"""The daily loop through real MCP sessions: prime (tool and prompt), comments, resolutions, reopen,
parent links and held work, each checked against the CLI's `--json` (issue 12)."""

import json

import anyio
import pytest
from mcp_helpers import CALL_TIMEOUT, connect

pytestmark = pytest.mark.anyio


async def same_as_cli(s, repo, tool, cli_args, **args):
    is_error, text = await s.raw(tool, args)
    assert not is_error, text
    r = repo.jit(*cli_args, "--json")
    assert r.code == 0, r
    assert text == r.out.rstrip("\n"), tool
    return json.loads(text)


async def test_an_agent_session_from_prime_to_done_with_a_summary(repo):
    epic = repo.create("Epic")
    task = repo.create("Task", "--parent", epic, "--priority", "high")
    async with connect(repo, env={"JIT_ACTOR": "agent:mcp"}) as s:
        brief = await same_as_cli(s, repo, "prime", ["prime", "--actor", "agent:mcp"])
        assert brief["actor"] == "agent:mcp" and [r["id"] for r in brief["ready"]] == [task, epic]
        assert (await s.call("prime", actor="agent:other"))["actor"] == "agent:other"

        claimed = await s.call("issue_claim_next", assignee="agent:mcp")
        assert claimed["id"] == task
        noted = await s.call("issue_comment", id=task[:6], text="parser half done")
        assert noted["comments"][-1] == {"by": "agent:mcp", "at": noted["comments"][-1]["at"],
                                         "text": "parser half done"}
        brief = await s.call("prime")
        assert brief["claims"][0]["latest_comment"]["text"] == "parser half done"

        refused = await s.fail("issue_done", "refused", id=epic)
        assert refused["details"]["open_children"] == [task]
        done = await s.call("issue_done", id=task, summary="parser complete")
        assert done["resolution"]["kind"] == "done" and done["resolution"]["text"] == "parser complete"
        await same_as_cli(s, repo, "issue_list", ["issue", "list", "--parent", epic], parent=epic)
        await same_as_cli(s, repo, "graph_tree", ["graph", "tree", epic], id=epic)
        await same_as_cli(s, repo, "query_claimed", ["query", "claimed"])

        back = await s.call("issue_reopen", id=task, reason="edge case found")
        assert (back["state"], back["resolution"]) == ("ready", None)
        await s.fail("issue_reopen", "refused", id=task)
        moved = await s.call("issue_update", id=task, parent="")
        assert moved["parent"] is None
        child = await s.call("issue_create", title="Child", parent=epic[:8])
        assert child["parent"] == epic
        await s.fail("issue_update", "refused", id=epic, parent=child["id"])
        await s.fail("issue_comment", "usage", id=task, text="  ")


async def test_the_prime_prompt_is_the_cli_text(repo):
    repo.create("Something to do")
    async with connect(repo, "--actor", "agent:p") as s:
        with anyio.fail_after(CALL_TIMEOUT):
            listed = await s.session.list_prompts()
            assert [p.name for p in listed.prompts] == ["prime"]
            got = await s.session.get_prompt("prime", {})
        text = got.messages[0].content.text
        assert text == repo.jit("prime", "--actor", "agent:p").out
        with anyio.fail_after(CALL_TIMEOUT):
            other = await s.session.get_prompt("prime", {"actor": "agent:q"})
        assert other.messages[0].content.text.startswith("# jit briefing for agent:q")
