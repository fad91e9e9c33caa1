"""`jit serve`: run the local web UI and its JSON API (uvicorn + Starlette, imported only here).

The socket is bound before uvicorn starts so that the printed address is the
real one even for `--port 0` (a free port: what tests and scripts use), and
`--open` never races the server's start.
"""

from jit.cli.parser import command, positive_number


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
    from jit.web.timeouts import protocol_with

    loopback = is_loopback(ns.host)
    if not loopback:
        if not ns.allow_remote:
            from jit.errors import UsageError

            raise UsageError(f"--host {ns.host} is not a loopback address: anyone who can reach this machine could "
                             "read every issue and, with the page's token, change them; add --allow-remote if you "
                             "mean it", {"host": ns.host})
        out.stderr.write(f"warning: binding to {ns.host} lets anyone who can reach this machine read every issue "
                         "(the UI has no login; writes still need the page's token); use the default --host "
                         "127.0.0.1 unless you mean it\n")
    sock = _bind(ns.host, ns.port)
    port = sock.getsockname()[1]
    shown = f"[{ns.host.strip('[]')}]" if ":" in ns.host else ns.host
    url = f"http://{shown}:{port}/"
    pinned = {**ctx.env, "JIT_DATA_DIR": str(ctx.layout.data_dir)}
    app = create_app(env=pinned, actor=getattr(ns, "actor", None), port=port, body_timeout=ns.read_timeout,
                     allowed_hosts=(*LOOPBACK_HOSTS, ns.host) if loopback else None)
    actor = app.state.web_actor
    out.emit({"url": url, "host": ns.host, "port": port, "repository": str(ctx.layout.data_dir), "actor": actor},
             human=f"jit web UI for {ctx.layout.data_dir} on {url}  (changes made on the page are recorded as "
                   f"{actor}; Ctrl-C to stop)", quiet=url)
    out.stdout.flush()
    if ns.open:
        import webbrowser

        webbrowser.open(url)
    # Access logs off: the page polls once a second, which would drown anything useful.
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=2, http=protocol_with(ns.read_timeout))
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
    return 0


def register(subs, name):
    p = command(subs, "serve", "serve the local web UI (board, issue pages, dependency graph, events; live refresh; "
                "create, edit, claim, pass or fail a review gate from the page) and its JSON API under /api. "
                "Changes made on the page are recorded as human:$USER, or as the global --actor",
                "jit serve --port 7777 --open   (or: jit serve --actor human:ana)", serve)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1, loopback only; any other needs --allow-remote)")
    p.add_argument("--port", type=int, default=7777, help="TCP port (default 7777; 0 picks a free one)")
    p.add_argument("--open", action="store_true", help="open the UI in the default web browser")
    p.add_argument("--allow-remote", action="store_true",
                   help="allow a --host that is not loopback (prints a warning: the UI has no login)")
    p.add_argument("--read-timeout", type=positive_number, default=10.0, metavar="SECONDS",
                   help="close a connection whose request headers or body take longer than this (default 10)")
