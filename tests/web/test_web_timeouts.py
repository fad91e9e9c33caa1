"""Slow clients cannot hold `jit serve`: header and body read timeouts, on a real server over real sockets.

The server runs with `--read-timeout 1`; each test keeps its client busy
(trickling bytes) for far longer than that and expects the server to cut it
off. The deadlines are generous (the machine is loaded): a server without the
timeouts keeps these connections open until the test's deadline and fails it.
"""

import re
import socket
import time

import httpx
import pytest
from web_helpers import Server

DEADLINE = 20.0


@pytest.fixture
def quick(repo, ids, tmp_path):
    srv = Server(repo, tmp_path, "--read-timeout", "1")
    yield srv
    srv.stop()


def connect(server):
    sock = socket.create_connection(("127.0.0.1", server.info["port"]), timeout=DEADLINE)
    sock.settimeout(0.2)
    return sock


def closed_while_trickling(sock, trickle: bytes | None) -> tuple[bool, bytes, float]:
    """Send `trickle` every 0.2 s until the server closes the connection or DEADLINE passes."""
    started = time.monotonic()
    received = b""
    while time.monotonic() - started < DEADLINE:
        try:
            if trickle:
                sock.sendall(trickle)
            chunk = sock.recv(65536)
            if not chunk:
                return True, received, time.monotonic() - started
            received += chunk
        except TimeoutError:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return True, received, time.monotonic() - started
    return False, received, time.monotonic() - started


def test_headers_that_never_finish_are_cut_off(quick):
    sock = connect(quick)
    sock.sendall(b"GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    closed, received, after = closed_while_trickling(sock, b"X-Slow: a\r\n")
    sock.close()
    assert closed, "a client trickling header lines kept its connection"
    assert after >= 0.5 and b"HTTP/1.1 200" not in received
    idle = connect(quick)
    closed, _, _ = closed_while_trickling(idle, None)  # connects and sends nothing at all
    idle.close()
    assert closed, "an idle connection that never sent a request was kept"
    assert httpx.get(quick.url + "api/status", timeout=DEADLINE).status_code == 200


def test_a_body_that_never_finishes_is_refused_and_changes_nothing(repo, quick):
    token = re.search(r'name="jit-token" content="([^"]+)"', httpx.get(quick.url, timeout=DEADLINE).text)[1]
    before = repo.snapshot()
    sock = connect(quick)
    sock.sendall(b"POST /api/issues HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"X-Jit-Token: " + token.encode() + b"\r\nContent-Length: 100000\r\n\r\n{\"title\": \"")
    closed, received, _ = closed_while_trickling(sock, b"x")
    sock.close()
    assert closed, "a client trickling a body kept its connection"
    assert received.startswith(b"HTTP/1.1 408"), received[:200]
    assert repo.snapshot() == before
