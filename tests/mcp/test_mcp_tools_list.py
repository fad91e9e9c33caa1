"""tools/list: every CLI operation has a tool, and the whole answer stays small.

Every byte of tools/list is sent to the model on every conversation, so the
16 KB budget (about 4,000 tokens) is a test, not a hope.
"""

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from mcp_helpers import connect

from jit.cli import GROUPS
from jit.cli.parser import build_root
from jit.mcp.tools import BY_NAME, COVERED_ELSEWHERE, NOT_TOOLS

BUDGET = 16 * 1024
DOCS = Path(__file__).resolve().parents[2] / "docs" / "mcp.md"


def cli_operations() -> list:
    """Every `jit` command as "group verb" (or "group" when it has no verbs), aliases left out."""
    ops = []
    for group, (module_name, _) in GROUPS.items():
        if group in NOT_TOOLS:
            continue
        parser = build_root(group, importlib.import_module(f"jit.cli.{module_name}"))
        (top,) = [a for a in parser._actions if a.dest == "group"]
        sub = top.choices[group]
        verbs = [a for a in sub._actions if a.dest == "command"]
        if not verbs:
            ops.append(group)
        else:
            ops += [f"{group} {choice.dest}" for choice in verbs[0]._choices_actions]
    return ops


def test_every_cli_operation_has_a_tool():
    ops = cli_operations()
    assert len(ops) > 30 and "issue claim-next" in ops and "status" in ops
    tool_name = {op: op.replace(" ", "_").replace("-", "_") for op in ops}
    missing = [op for op in ops if op not in COVERED_ELSEWHERE and tool_name[op] not in BY_NAME]
    assert not missing, f"CLI operations without an MCP tool: {missing}"
    # ...and no tool is named for an operation the CLI does not have.
    assert not set(BY_NAME) - set(tool_name.values())


@pytest.mark.anyio
async def test_tools_list_is_complete_precise_and_under_budget(repo):
    async with connect(repo) as s:
        listed = await s.list_tools()
    tools = listed.model_dump(mode="json", by_alias=True, exclude_none=True)
    size = len(json.dumps(tools))  # json's default separators: a little more than the wire needs
    print(f"tools/list: {len(listed.tools)} tools, {size} bytes")
    assert size < BUDGET, f"tools/list is {size} bytes; the budget is {BUDGET}"
    assert [t.name for t in listed.tools] == list(BY_NAME)
    for tool in tools["tools"]:
        assert tool["description"] and len(tool["description"]) <= 160, tool["name"]
        schema = tool["inputSchema"]
        assert schema["type"] == "object"
        for name, prop in schema["properties"].items():
            assert prop.get("type") in {"string", "integer", "number", "boolean", "array", "object"}, (tool, name)
        assert set(schema.get("required", ())) <= set(schema["properties"]), tool["name"]
    by_name = {t["name"]: t for t in tools["tools"]}
    assert by_name["issue_claim_next"]["inputSchema"]["required"] == ["assignee"]
    priority = by_name["issue_create"]["inputSchema"]["properties"]["priority"]
    assert priority["enum"] == ["critical", "high", "normal", "low"]
    assert {"fields", "limit"} <= set(by_name["issue_list"]["inputSchema"]["properties"])
    assert by_name["status"].get("annotations", {}).get("readOnlyHint") is True
    assert "readOnlyHint" not in by_name["issue_claim"].get("annotations", {})
    # docs/mcp.md states the measured size; keep it truthful (within 512 bytes).
    documented = int(re.search(r"\*\*([\d,]+) bytes\*\*", DOCS.read_text()).group(1).replace(",", ""))
    assert abs(documented - size) <= 512, f"docs/mcp.md says {documented} bytes, measured {size}"


def test_docs_list_every_tool_and_every_exclusion():
    text = DOCS.read_text()
    assert not [name for name in BY_NAME if f"| `{name}` |" not in text]
    assert not [cmd for cmd in NOT_TOOLS if f"`{cmd}`" not in text]
    assert f"{len(BY_NAME)} tools" in text


def test_cli_start_up_does_not_import_the_sdk():
    code = ("import sys, io, contextlib\nfrom jit.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    main(['--version'])\n"
            "    try:\n        main(['mcp', '--help'])\n    except SystemExit:\n        pass\n"
            "print(sorted(m for m in sys.modules if m == 'mcp' or m.startswith(('mcp.', 'jit.mcp', 'anyio'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
