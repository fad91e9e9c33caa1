"""The web UI's Starlette application: static pages, the JSON API, and the safety wrapper.

The UI is a single page (static/index.html + app.js) that reads `/api/...`;
nothing here decides a state transition, it only calls the service layer
(STYLE: no business rules in adapters). Read-only: every route is GET.
Safety: a Host check keeps other web sites from reaching a loopback server
through DNS rebinding, and a strict Content-Security-Policy means that even a
missed escape could not run a script.
"""

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import FileResponse, PlainTextResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from jit.service.context import open_repo
from jit.web import api

STATIC = Path(__file__).parent / "static"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                 b"connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                                 b"form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


def host_of(header: str) -> str:
    """The host part of a Host header: `[::1]:7777` -> `::1`, `localhost:7777` -> `localhost`."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else header
    return header.split(":", 1)[0]


class Guard:
    """ASGI wrapper: refuse unexpected Host headers, add the security headers to every response."""

    def __init__(self, app, allowed_hosts):
        self.app = app
        self.allowed = None if allowed_hosts is None else {h.strip("[]").lower() for h in allowed_hosts}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if self.allowed is not None:
            host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
            if host_of(host) not in self.allowed:
                response = PlainTextResponse("unexpected Host header; open the UI through the address `jit serve` "
                                             "printed", status_code=400)
                return await response(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers") or []) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


def index(request):
    return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


async def internal_error(request, exc):
    from jit.service.serialize import dumps

    body = {"error": {"code": "internal", "message": f"internal error: {type(exc).__name__}: {exc}", "details": {}}}
    return api.json_response(dumps(body), 500)


def pinned_factory(repo=None, env=None, actor=None):
    """Find the repository once (raises NotFound now, not on the first request), then open
    exactly that data folder for every request whatever the process's working directory."""
    base = dict(os.environ if env is None else env)
    probe = open_repo(str(repo) if repo is not None else None, env=base)
    pinned = {**base, "JIT_DATA_DIR": str(probe.layout.data_dir)}
    probe.close()
    return lambda: open_repo(env=pinned, actor=actor)


def create_app(repo=None, *, env=None, context_factory=None, allowed_hosts=LOOPBACK_HOSTS):
    """The ASGI app for the repository at (or above) `repo`, or for whatever `context_factory`
    opens. `allowed_hosts=None` accepts any Host header (for a server bound beyond loopback)."""
    factory = context_factory or pinned_factory(repo, env)
    app = Starlette(
        routes=[
            Route("/", index),
            Mount("/api", routes=api.ROUTES),
            Route("/ui/issues/{id}/description", api.description_html),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[Middleware(Guard, allowed_hosts=allowed_hosts)],
        exception_handlers={Exception: internal_error},
    )
    app.state.open_context = factory
    return app
