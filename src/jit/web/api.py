"""The read side of the JSON API under `/api`: one route per CLI query, same JSON as `--json`.

Each route opens a fresh Context (SQLite connections must not cross the
threads Starlette runs sync handlers on), calls one service function and
encodes the result with `jit.service.serialize.dumps`, as the CLI does, so the
API and `--json` cannot drift. Errors carry the CLI's `{"error": {...}}` envelope with an HTTP status
for the exit code. Ids and gate keys only ever reach the service layer, which
resolves them against the repository, never a file path built from them.
"""

from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from jit.service.serialize import dumps
from jit.errors import JitError, UsageError
from jit.service import deps, gates, issues, queries
from jit.service.watch import change_stamp

# exit code -> HTTP status (SPEC section 9)
HTTP_STATUS = {2: 400, 3: 404, 4: 409, 5: 422, 6: 422}


def json_response(text: str, status: int = 200) -> Response:
    return Response(text, status_code=status, media_type="application/json",
                    headers={"Cache-Control": "no-store"})


def error_response(exc: JitError) -> Response:
    return json_response(dumps(exc.to_dict()), HTTP_STATUS.get(exc.exit_code, 500))


def answer(request, call):
    """Run `call(ctx)` against a fresh Context and encode what it returns like `--json` does."""
    ctx = request.app.state.open_context()
    try:
        return json_response(dumps(call(ctx)))
    except JitError as exc:
        return error_response(exc)
    finally:
        ctx.close()


def _int(request, name, default):
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise UsageError(f"{name} must be a whole number, got {raw!r}", {name: raw}) from None


def _opt(request, name):
    return request.query_params.get(name) or None


def _many(request, name):
    return [v for v in request.query_params.getlist(name) if v]


# -- routes; each docstring names the CLI command whose `--json` it mirrors -------------
def status(request):
    """jit status"""
    return answer(request, queries.status)


def list_issues(request):
    """jit issue list [--state S] [--label L]... [--assignee A] [--priority P] [--filter EXPR]"""
    return answer(request, lambda ctx: queries.list_issues(
        ctx, state=_opt(request, "state"), labels=_many(request, "label"),
        assignee=_opt(request, "assignee"), priority=_opt(request, "priority"), filter=_opt(request, "filter")))


def show_issue(request):
    """jit issue show ID"""
    return answer(request, lambda ctx: issues.show_issue(ctx, request.path_params["id"]))


def search(request):
    """jit issue search TEXT"""
    return answer(request, lambda ctx: queries.search(ctx, request.query_params.get("q", "")))


def available(request):
    """jit query available [--label L]... [--priority P] [--filter EXPR]"""
    return answer(request, lambda ctx: queries.available(
        ctx, labels=_many(request, "label"), priority=_opt(request, "priority"), filter=_opt(request, "filter")))


def blocked(request):
    """jit query blocked [--filter EXPR]"""
    return answer(request, lambda ctx: queries.blocked(ctx, filter=_opt(request, "filter")))


def by_state(request):
    """jit query state S"""
    return answer(request, lambda ctx: queries.by_state(ctx, request.path_params["state"]))


def by_label(request):
    """jit query label PATTERN"""
    return answer(request, lambda ctx: queries.by_label(ctx, request.path_params["pattern"]))


def graph_export(request):
    """jit graph export --format json"""
    return answer(request, lambda ctx: deps.graph_export(ctx, "json"))


def graph_show(request):
    """jit graph show ID"""
    return answer(request, lambda ctx: deps.graph_show(ctx, request.path_params["id"]))


def events_tail(request):
    """jit events tail [-n N] [--issue ID] [--type T]...; `summaries=1` (web only) adds each event's
    one-line "summary", the very line `jit events tail` prints."""
    from jit.service.summaries import event_summary

    def call(ctx):
        events = queries.events_tail(ctx, _int(request, "n", 20), issue_ref=_opt(request, "issue"),
                                     types=_many(request, "type"))
        if request.query_params.get("summaries"):
            return [{**e, "summary": event_summary(e)} for e in events]
        return events

    return answer(request, call)


def list_gates(request):
    """jit gate list"""
    return answer(request, gates.list_gates)


def show_gate(request):
    """jit gate show KEY"""
    return answer(request, lambda ctx: gates.show_gate(ctx, request.path_params["key"]))


def gate_runs(request):
    """jit gate runs ID [KEY]"""
    return answer(request, lambda ctx: gates.list_runs(ctx, request.path_params["id"], _opt(request, "gate")))


def family(request):
    """Web only: a parent's children and progress, as `jit issue show` prints them."""
    from jit.service.hierarchy import family as family_of

    return answer(request, lambda ctx: family_of(ctx, issues.show_issue(ctx, request.path_params["id"])))


def version(request):
    """Web only: a stamp that changes whenever the repository may have changed (polled for live refresh)."""
    return answer(request, lambda ctx: {"version": change_stamp(ctx)})


def description_html(request):
    """Web only: the issue's markdown description as a safe HTML fragment (raw HTML in it is escaped)."""
    ctx = request.app.state.open_context()
    try:
        issue = issues.show_issue(ctx, request.path_params["id"])
    except JitError as exc:
        return error_response(exc)
    finally:
        ctx.close()
    return HTMLResponse(render_markdown(issue.description), headers={"Cache-Control": "no-store"})


_markdown = None


def render_markdown(text: str) -> str:
    """CommonMark with raw HTML disabled: `<script>` in a description comes out as text, and
    markdown-it refuses javascript:/vbscript:/file: links on its own."""
    global _markdown
    if _markdown is None:
        from markdown_it import MarkdownIt

        _markdown = MarkdownIt("commonmark", {"html": False})
    return _markdown.render(text or "")


ROUTES = [
    Route("/status", status),
    Route("/issues", list_issues),
    Route("/issues/{id}", show_issue),
    Route("/issues/{id}/runs", gate_runs),
    Route("/issues/{id}/children", family),
    Route("/search", search),
    Route("/query/available", available),
    Route("/query/blocked", blocked),
    Route("/query/state/{state}", by_state),
    Route("/query/label/{pattern}", by_label),
    Route("/graph", graph_export),
    Route("/graph/{id}", graph_show),
    Route("/events", events_tail),
    Route("/gates", list_gates),
    Route("/gates/{key}", show_gate),
    Route("/version", version),
]
