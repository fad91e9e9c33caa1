"""The safety wrapper around every request: strict Host, same-origin writes with the token, bounded bodies.

- Host: parsed strictly (a DNS name, an IPv4 address or a bracketed IPv6
  address, then an optional numeric port, nothing else), so a value such as
  `127.0.0.1:7777@evil.example` is refused instead of being read as
  `127.0.0.1`; then it must name this server (DNS rebinding defence).
- Writes (any method but GET/HEAD): the `X-Jit-Token` header must carry the
  server's random token (the page gets it in `<meta name="jit-token">`), and an
  `Origin` header, when present, must be this server's own origin. Otherwise 403
  before the route runs, so nothing changes.
- A write's body is read here, whole, within `body_timeout` seconds and up to
  `MAX_BODY` bytes (408 / 413), then handed to the route: a client that trickles
  a body cannot hold a worker. Header timeouts live in `timeouts.py` (the
  protocol level, before any ASGI code runs).
"""

import hmac
import ipaddress
import json
import re

SAFE_METHODS = ("GET", "HEAD")
MAX_BODY = 1 << 20
_HOST = re.compile(r"(?:\[(?P<v6>[0-9a-f:.]+)\]|(?P<name>[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?))"
                   r"(?::(?P<port>[0-9]{1,5}))?")

SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                 b"connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                                 b"form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


def parse_host(header: str):
    """(host, port or None) for a well-formed Host header value, else None.
    `[::1]:7777` -> ("::1", 7777); `localhost` -> ("localhost", None); `a:1@b` -> None."""
    match = _HOST.fullmatch(header.strip().lower())
    if not match:
        return None
    port = match["port"]
    if port is not None and not 0 < int(port) < 65536:
        return None
    if match["v6"] is not None:
        try:
            ipaddress.IPv6Address(match["v6"])
        except ValueError:
            return None
        return match["v6"], int(port) if port else None
    return match["name"], int(port) if port else None


def _envelope(status: int, code: str, message: str):
    body = json.dumps({"error": {"code": code, "message": message, "details": {}}}).encode()
    return status, body


class Guard:
    """ASGI wrapper applying the checks above, and the security headers to every response."""

    def __init__(self, app, allowed_hosts, port=None, token=None, body_timeout=10.0):
        self.app = app
        self.allowed = None if allowed_hosts is None else {h.strip("[]").lower() for h in allowed_hosts}
        self.port = port
        self.token = token
        self.body_timeout = body_timeout

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = scope.get("headers") or []
        hosts = [v.decode("latin-1") for k, v in headers if k == b"host"]
        refusal = self._check_host(hosts)
        if refusal is None and scope["method"] not in SAFE_METHODS:
            refusal = self._check_write(dict(headers), hosts[0])
            if refusal is None:
                receive, refusal = await self._read_body(receive)
        if refusal is not None:
            return await _respond(send, *refusal)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers") or []) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _check_host(self, hosts):
        parsed = parse_host(hosts[0]) if len(hosts) == 1 else None
        if (parsed is None or (self.allowed is not None and parsed[0] not in self.allowed)
                or (self.port is not None and parsed[1] not in (None, self.port))):
            return _envelope(400, "bad_host", "unexpected Host header; open the UI through the address "
                                              "`jit serve` printed")
        return None

    def _check_write(self, headers, host):
        origin = headers.get(b"origin")
        if origin is not None and origin.decode("latin-1").lower() != "http://" + host.strip().lower():
            return _envelope(403, "forbidden", "cross-origin write refused: only the page `jit serve` printed "
                                               "may change issues")
        if headers.get(b"sec-fetch-site", b"same-origin") not in (b"same-origin", b"none"):
            return _envelope(403, "forbidden", "cross-site write refused")
        given = headers.get(b"x-jit-token", b"")
        if not self.token or not hmac.compare_digest(given, self.token.encode()):
            return _envelope(403, "forbidden", "a write needs the X-Jit-Token header carrying the token of the "
                                               "page (<meta name=\"jit-token\">); reload the page")
        return None

    async def _read_body(self, receive):
        """(a receive that replays the body, None) or (None, refusal)."""
        import anyio

        chunks, size = [], 0
        try:
            with anyio.fail_after(self.body_timeout):
                while True:
                    message = await receive()
                    if message["type"] != "http.request":
                        return None, _envelope(400, "usage", "the client went away before sending the body")
                    size += len(message.get("body", b""))
                    if size > MAX_BODY:
                        return None, _envelope(413, "usage", f"request body over {MAX_BODY} bytes")
                    chunks.append(message.get("body", b""))
                    if not message.get("more_body"):
                        break
        except TimeoutError:
            return None, _envelope(408, "timeout", f"the request body did not arrive within {self.body_timeout:g} s")
        pending = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

        async def replay():
            return pending.pop() if pending else await receive()

        return replay, None


async def _respond(send, status, body):
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"cache-control", b"no-store"), *SECURITY_HEADERS]
    if status == 408:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
