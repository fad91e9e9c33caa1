"""The write side of the JSON API: what a person does on the page, through the service layer.

Each route checks the JSON body's shape (unknown keys and wrong types are
usage errors, 400), calls one service function as the server's actor
(`human:$USER` unless `jit serve --actor` says otherwise) and answers the
changed issue with the same JSON as the CLI's `--json`. The guard in
`guard.py` has already refused any write without the page's token or from
another origin, so these routes only translate.
"""

import json

from jit.errors import JitError, UsageError
from jit.service import claims, gates, issues
from jit.service.serialize import dumps
from jit.web.api import error_response, json_response


async def _body(request, allowed: dict) -> dict:
    """The JSON object sent, checked against `allowed` (name -> type or tuple of types)."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise UsageError("the request body is not JSON") from None
    if not isinstance(data, dict):
        raise UsageError("the request body must be a JSON object")
    for key, value in data.items():
        if key not in allowed:
            raise UsageError(f"unknown field {key!r}; expected one of {', '.join(sorted(allowed))}", {"field": key})
        kind = allowed[key]
        if value is not None and not isinstance(value, kind):
            raise UsageError(f"{key} has the wrong type", {"field": key})
        if kind is list and value is not None and not all(isinstance(v, str) for v in value):
            raise UsageError(f"{key} must be a list of strings", {"field": key})
    return {k: v for k, v in data.items() if v is not None}


async def act(request, fields: dict, call, status=200):
    """Parse the body, run `call(ctx, body)` with the web actor in a worker thread (a write may wait
    for the repository lock, a checker may run for minutes: the page's polling stays live), and
    answer its result like `--json`."""
    from starlette.concurrency import run_in_threadpool

    try:
        body = await _body(request, fields)
    except JitError as exc:
        return error_response(exc)

    def work():
        ctx = request.app.state.open_write_context()
        try:
            return json_response(dumps(call(ctx, body)), status)
        except JitError as exc:
            return error_response(exc)
        finally:
            ctx.close()

    return await run_in_threadpool(work)


def _id(request):
    return request.path_params["id"]


def _actor(request):
    return request.app.state.web_actor


async def create_issue(request):
    """POST /api/issues: jit issue create"""
    fields = {"title": str, "description": str, "priority": str, "labels": list, "deps": list, "gates": list,
              "parent": str}

    def call(ctx, body):
        if "title" not in body:
            raise UsageError("title is required", {"field": "title"})
        return issues.create_issue(ctx, body.pop("title"), **body)

    return await act(request, fields, call, status=201)


async def edit_issue(request):
    """PATCH /api/issues/{id}: title, description, priority; `labels` is the whole new list; parent."""
    fields = {"title": str, "description": str, "priority": str, "labels": list, "parent": str}

    def call(ctx, body):
        changes = {k: body[k] for k in ("title", "description", "priority") if k in body}
        if "labels" in body:
            current = issues.show_issue(ctx, _id(request)).labels
            changes["add_labels"] = [lb for lb in body["labels"] if lb not in current]
            changes["remove_labels"] = [lb for lb in current if lb not in body["labels"]]
        if "parent" in body:
            if body["parent"]:
                changes["parent"] = body["parent"]
            else:
                changes["no_parent"] = True
        return issues.update_issue(ctx, _id(request), **changes)

    return await act(request, fields, call)


async def pass_gate(request):
    """POST /api/issues/{id}/gates/{key}/pass {"by"}: jit gate pass ID KEY --by WHO"""
    return await act(request, {"by": str}, lambda ctx, body: gates.pass_gate(
        ctx, _id(request), request.path_params["key"], by=body.get("by") or _actor(request)))


async def fail_gate(request):
    """POST /api/issues/{id}/gates/{key}/fail {"reason"}: jit gate fail ID KEY --reason R"""
    return await act(request, {"reason": str}, lambda ctx, body: gates.fail_gate(
        ctx, _id(request), request.path_params["key"], reason=body.get("reason"), by=_actor(request)))


async def check_gate(request):
    """POST /api/issues/{id}/gates/{key}/check {"force"?}: jit gate check ID KEY (a failing check answers 422)."""
    def call(ctx, body):
        issue, run, skipped = gates.check_gate(ctx, _id(request), request.path_params["key"],
                                               force=bool(body.get("force")))
        return {"issue": issue, "run": run, "skipped": skipped}

    return await act(request, {"force": bool}, call)


async def claim(request):
    """POST /api/issues/{id}/claim {"assignee"?}: jit issue claim ID WHO (default: the web actor)"""
    return await act(request, {"assignee": str}, lambda ctx, body: claims.claim(
        ctx, _id(request), body.get("assignee") or _actor(request)))


async def release(request):
    """POST /api/issues/{id}/release: jit issue release ID"""
    return await act(request, {}, lambda ctx, body: claims.release(ctx, _id(request)))


async def reject(request):
    """POST /api/issues/{id}/reject {"reason"}: jit issue reject ID --reason R"""
    return await act(request, {"reason": str}, lambda ctx, body: issues.reject_issue(
        ctx, _id(request), body.get("reason")))


async def done(request):
    """POST /api/issues/{id}/done {"summary"?}: jit issue done ID [--summary S]"""
    return await act(request, {"summary": str}, lambda ctx, body: issues.done_issue(
        ctx, _id(request), body.get("summary")))


async def reopen(request):
    """POST /api/issues/{id}/reopen {"reason"?}: jit issue reopen ID [--reason R]"""
    return await act(request, {"reason": str}, lambda ctx, body: issues.reopen_issue(
        ctx, _id(request), body.get("reason")))


async def comment(request):
    """POST /api/issues/{id}/comments {"text"}: jit issue comment ID TEXT (by the web actor)"""
    from jit.service.comments import comment_issue

    def call(ctx, body):
        if "text" not in body:
            raise UsageError("text is required", {"field": "text"})
        return comment_issue(ctx, _id(request), body["text"])

    return await act(request, {"text": str}, call, status=201)


def routes():
    from starlette.routing import Route

    return [
        Route("/issues", create_issue, methods=["POST"]),
        Route("/issues/{id}", edit_issue, methods=["PATCH"]),
        Route("/issues/{id}/gates/{key}/pass", pass_gate, methods=["POST"]),
        Route("/issues/{id}/gates/{key}/fail", fail_gate, methods=["POST"]),
        Route("/issues/{id}/gates/{key}/check", check_gate, methods=["POST"]),
        Route("/issues/{id}/claim", claim, methods=["POST"]),
        Route("/issues/{id}/release", release, methods=["POST"]),
        Route("/issues/{id}/reject", reject, methods=["POST"]),
        Route("/issues/{id}/done", done, methods=["POST"]),
        Route("/issues/{id}/reopen", reopen, methods=["POST"]),
        Route("/issues/{id}/comments", comment, methods=["POST"]),
    ]
