"""`jit serve`: run the local web UI and its JSON API (uvicorn + Starlette, imported only here).

The socket is bound before uvicorn starts so that the printed address is the
real one even for `--port 0` (a free port: what tests and scripts use), and
`--open` never races the server's start.
"""

from jit.cli.parser import command


def is_loopback(host: str) -> bool:
    import ipaddress

    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int):
    import socket

    from jit.errors import UsageError

    bare = host.strip("[]")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(bare, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise UsageError(f"cannot resolve host {host!r}: {exc.strerror}", {"host": host}) from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        from jit.errors import Conflict

        raise Conflict(f"cannot listen on {host}:{port}: {exc.strerror}; pick another --port",
                       {"host": host, "port": port}) from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(ns, out, ctx):
    try:
        import markdown_it  # noqa: F401 - imported per request later; a missing one must fail now
        import uvicorn

        from jit.web.app import LOOPBACK_HOSTS, create_app
    except ImportError as exc:
        from jit.cli.install import missing_library

        raise missing_library(exc, "jit serve") from None
    from jit.service.context import open_repo

    loopback = is_loopback(ns.host)
    if not loopback:
        out.stderr.write(f"warning: binding to {ns.host} lets anyone who can reach this machine read every issue "
                         "(the UI has no login); use the default --host 127.0.0.1 unless you mean it\n")
    sock = _bind(ns.host, ns.port)
    port = sock.getsockname()[1]
    shown = f"[{ns.host.strip('[]')}]" if ":" in ns.host else ns.host
    url = f"http://{shown}:{port}/"
    pinned = {**ctx.env, "JIT_DATA_DIR": str(ctx.layout.data_dir)}
    app = create_app(context_factory=lambda: open_repo(env=pinned, actor=ctx.explicit_actor),
                     allowed_hosts=(*LOOPBACK_HOSTS, ns.host) if loopback else None)
    out.emit({"url": url, "host": ns.host, "port": port, "repository": str(ctx.layout.data_dir)},
             human=f"jit web UI for {ctx.layout.data_dir} on {url}  (read-only; Ctrl-C to stop)", quiet=url)
    out.stdout.flush()
    if ns.open:
        import webbrowser

        webbrowser.open(url)
    # Access logs off: the page polls once a second, which would drown anything useful.
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=2)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
    return 0


def register(subs, name):
    p = command(subs, "serve", "serve the local web UI (board, issue pages, dependency graph, events; live refresh) "
                "and its read-only JSON API under /api", "jit serve --port 7777 --open", serve)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, loopback only)")
    p.add_argument("--port", type=int, default=7777, help="TCP port (default 7777; 0 picks a free one)")
    p.add_argument("--open", action="store_true", help="open the UI in the default web browser")
