"""The web UI's Starlette application: static pages, the JSON API, and the safety wrapper.

The UI is a single page (static/index.html + app.js) that reads `/api/...`
and, for what a person does (create, edit, claim, pass a review gate, ...),
writes through `writes.py`; nothing here decides a state transition, it only
calls the service layer (STYLE: no business rules in adapters). Safety lives
in `guard.py` (strict Host, token and same-origin for writes, bounded bodies)
and `timeouts.py` (header read timeout); a strict Content-Security-Policy
means that even a missed escape could not run a script.
"""

import os
import secrets
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from jit.service.context import open_repo
from jit.web import api, writes
from jit.web.guard import Guard

STATIC = Path(__file__).parent / "static"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
TOKEN_META = '<meta name="jit-token" content="">'


def index(request):
    """The page, carrying this server's write token (an attribute value: base64url, nothing to escape)."""
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    page = page.replace(TOKEN_META, f'<meta name="jit-token" content="{request.app.state.token}">')
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


async def http_error(request, exc):
    """404/405 under /api answer the JSON error envelope, like every other API error."""
    if not request.url.path.startswith("/api/"):
        return PlainTextResponse(exc.detail, status_code=exc.status_code)
    from jit.service.serialize import dumps

    if exc.status_code == 405:
        body = {"error": {"code": "usage", "message": f"{request.method} is not allowed on {request.url.path}",
                          "details": {"method": request.method}}}
    else:
        body = {"error": {"code": "not_found", "message": f"no API route {request.url.path}; see docs/web.md",
                          "details": {"path": request.url.path}}}
    return api.json_response(dumps(body), exc.status_code)


async def internal_error(request, exc):
    from jit.service.serialize import dumps

    body = {"error": {"code": "internal", "message": f"internal error: {type(exc).__name__}: {exc}", "details": {}}}
    return api.json_response(dumps(body), 500)


def pinned_env(repo=None, env=None) -> dict:
    """The environment naming exactly the data folder found now (raises NotFound now, not on the
    first request), so every request opens it whatever the process's working directory."""
    base = dict(os.environ if env is None else env)
    probe = open_repo(str(repo) if repo is not None else None, env=base)
    pinned = {**base, "JIT_DATA_DIR": str(probe.layout.data_dir)}
    probe.close()
    return pinned


def web_actor(env: dict, actor: str | None = None) -> str:
    """The actor of every web write: `actor` (jit serve --actor), else human:$USER. JIT_ACTOR is
    not used: it names the agent of a shell, not the person at the page."""
    if actor:
        return actor
    probe = open_repo(env={k: v for k, v in env.items() if k != "JIT_ACTOR"})
    try:
        return probe.actor()
    finally:
        probe.close()


def create_app(repo=None, *, env=None, actor=None, allowed_hosts=LOOPBACK_HOSTS, port=None, token=None,
               body_timeout=10.0):
    """The ASGI app for the repository at (or above) `repo`. `allowed_hosts=None` accepts any
    well-formed Host header (a server bound beyond loopback); `port`, when given, must match
    the Host header's port if it names one; `token` (random if not given) guards every write."""
    pinned = pinned_env(repo, env)
    who = web_actor(pinned, actor)
    token = token or secrets.token_urlsafe(32)
    app = Starlette(
        routes=[
            Route("/", index),
            Mount("/api", routes=writes.routes() + api.ROUTES),
            Route("/ui/issues/{id}/description", api.description_html),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[Middleware(Guard, allowed_hosts=allowed_hosts, port=port, token=token,
                               body_timeout=body_timeout)],
        exception_handlers={Exception: internal_error, 404: http_error, 405: http_error},
    )
    app.state.open_context = lambda: open_repo(env=pinned, actor=actor)
    app.state.open_write_context = lambda: open_repo(env=pinned, actor=who)
    app.state.web_actor = who
    app.state.token = token
    return app
