"""MCP prompts: `prime`, the session-start briefing, for clients that offer prompts to their user
(a slash command in Claude Code, for instance). The same text as `jit prime`; the `prime` tool
gives the same briefing as data for agents that only call tools."""

from jit.errors import JitError, UsageError

PRIME = {
    "name": "prime",
    "description": "jit briefing for a new session: workflow, your claims, ready work, blocked counts",
    "arguments": [{"name": "actor", "description": "who you are, e.g. agent:worker-1 (default: the server's)",
                   "required": False}],
}
PROMPTS = [PRIME]


def prompt_text(name: str, arguments, open_ctx) -> str:
    """The prompt's text; an error becomes its one-line message, so a client shows why.
    Raises UsageError for an unknown prompt name."""
    if name != PRIME["name"]:
        raise UsageError(f"unknown prompt {name!r}; the only prompt is 'prime'", {"prompt": name})
    from jit.service.prime import briefing, render

    actor = (arguments or {}).get("actor") or None
    try:
        ctx = open_ctx()
        try:
            return render(briefing(ctx, actor=actor))
        finally:
            ctx.close()
    except JitError as exc:
        return f"jit prime failed: {exc.message}"


def handlers_v2(types, open_ctx) -> dict:
    """on_list_prompts / on_get_prompt for the mcp 2.x low-level Server constructor."""
    import anyio

    prompts = [types.Prompt.model_validate(p) for p in PROMPTS]

    async def list_prompts(ctx, params):
        return types.ListPromptsResult(prompts=prompts)

    async def get_prompt(ctx, params):
        text = await anyio.to_thread.run_sync(prompt_text, params.name, params.arguments, open_ctx)
        return types.GetPromptResult(description=PRIME["description"], messages=[
            types.PromptMessage(role="user", content=types.TextContent(type="text", text=text))])

    return {"on_list_prompts": list_prompts, "on_get_prompt": get_prompt}


def register_v1(server, types, open_ctx) -> None:
    """The same two handlers through the 1.x decorators."""
    import anyio

    prompts = [types.Prompt.model_validate(p) for p in PROMPTS]

    @server.list_prompts()
    async def list_prompts():
        return prompts

    @server.get_prompt()
    async def get_prompt(name, arguments):
        text = await anyio.to_thread.run_sync(prompt_text, name, arguments, open_ctx)
        return types.GetPromptResult(description=PRIME["description"], messages=[
            types.PromptMessage(role="user", content=types.TextContent(type="text", text=text))])
