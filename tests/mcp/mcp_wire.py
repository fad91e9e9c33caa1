"""Raw JSON-RPC lines to and from a `jit mcp` process, for tests that a real client cannot express."""

import json
import selectors
import subprocess
import time

from jit_testing import JIT_BIN

INIT = {"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}


class Wire:
    def __init__(self, cwd, env, jit_bin=JIT_BIN):
        self.proc = subprocess.Popen([jit_bin, "mcp"], cwd=cwd, env=env, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.proc.stdout, selectors.EVENT_READ)
        self.buffer = b""

    def send(self, line: str):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def receive(self, timeout=30.0) -> dict:
        """The next message; fails (instead of hanging) when the server stays silent."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            assert left > 0 and self.sel.select(left), "no answer: the server dropped the request"
            chunk = self.proc.stdout.read1(65536)
            assert chunk, "the server closed stdout"
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()

    def initialize(self) -> dict:
        self.send(json.dumps(INIT))
        reply = self.receive()
        assert reply["id"] == 0 and "result" in reply, reply
        self.send('{"jsonrpc":"2.0","method":"notifications/initialized"}')
        return reply["result"]
