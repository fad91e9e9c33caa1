"""The filter language through MCP: the same parser and the same answers as the CLI."""

import pytest
from mcp_helpers import connect

pytestmark = pytest.mark.anyio


async def test_filter_argument_on_lists_and_claim_next(repo):
    async with connect(repo) as s:
        a = await s.call("issue_create", title="Auth", labels=["epic:auth"], priority="high")
        b = await s.call("issue_create", title="Billing", labels=["epic:billing"])
        listed = await s.call("issue_list", filter="label:epic:* NOT priority:high")
        assert [i["id"] for i in listed] == [b["id"]]
        page = await s.call("query_available", filter="label:epic:auth OR label:epic:billing", limit=1)
        assert page["total"] == 2 and [i["id"] for i in page["items"]] == [a["id"]]
        assert await s.call("query_blocked", filter="label:epic:auth") == []
        got = await s.call("issue_claim_next", assignee="agent:m", filter="label:epic:billing")
        assert got["id"] == b["id"]
        error = await s.fail("issue_list", "usage", filter="state:ready OR (")
        assert error["details"]["position"] == 16 and "ends too early" in error["message"]
        found = await s.call("issue_search", text="billing")
        assert [i["id"] for i in found] == [b["id"]]
