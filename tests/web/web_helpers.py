"""A fixture repository with an issue in every state, and a real `jit serve` to point a browser at."""

import json
import subprocess
import time

from jit.errors import GateFailed
from jit.service import claims, gates, issues

from jit_testing import JIT_BIN
SCRIPT_TITLE = "<script>alert(1)</script>"


def populate(repo) -> dict:
    """Issues in every state, gates passed/failed/pending with checker runs; returns name -> id."""
    ctx = repo.ctx()
    try:
        gates.define_gate(ctx, "tests", "Unit tests pass", mode="auto", checker="echo '12 passed in 0.4s'")
        gates.define_gate(ctx, "lint", "Lint is clean", mode="auto", checker="echo 'E501 line too long'; exit 3")
        gates.define_gate(ctx, "review", "Code review", mode="manual")

        def new(title, **kw):
            return issues.create_issue(ctx, title, **kw).id

        ids = {}
        ids["design"] = new("Design the storage schema", priority="high", labels=["epic:storage", "type:design"],
                            description="Decide the **JSON layout**.\n\n- one file per issue\n- events")
        ids["atomic"] = new("Atomic writes", labels=["epic:storage"], gates=["tests"], deps=[ids["design"]])
        ids["lock"] = new("Repository lock", labels=["epic:storage"], gates=["lint"], deps=[ids["design"]])
        ids["index"] = new("SQLite index", labels=["epic:storage", "type:perf"], deps=[ids["atomic"], ids["lock"]])
        ids["review"] = new("CLI issue commands", labels=["epic:cli"], gates=["review"])
        ids["docs"] = new("Write the README", priority="low", labels=["type:docs"])
        ids["old"] = new("Old prototype")
        ids["script"] = new(SCRIPT_TITLE, labels=["type:xss"],
                            description="**bold** <img src=x onerror=alert(2)> [link](javascript:alert(3))")

        issues.done_issue(ctx, ids["design"])
        claims.claim(ctx, ids["atomic"], "agent:worker-1")
        gates.check_gate(ctx, ids["atomic"], "tests")
        issues.done_issue(ctx, ids["atomic"])
        claims.claim(ctx, ids["lock"], "agent:worker-2")
        try:
            gates.check_gate(ctx, ids["lock"], "lint")
        except GateFailed:
            pass
        claims.claim(ctx, ids["review"], "human:ana")
        issues.done_issue(ctx, ids["review"])
        issues.reject_issue(ctx, ids["old"], "superseded")
    finally:
        ctx.close()
    return ids


EXPECTED_STATES = {"design": "done", "atomic": "done", "lock": "in_progress", "index": "backlog",
                   "review": "gated", "docs": "ready", "old": "rejected", "script": "ready"}


class Server:
    """`jit serve --port 0` as a child process; the address comes from its --json line."""

    def __init__(self, repo, tmp_path, *args):
        self.log = tmp_path / "serve.out"
        self.err = tmp_path / "serve.err"
        with open(self.log, "w") as out, open(self.err, "w") as err:
            self.proc = subprocess.Popen([JIT_BIN, "serve", "--port", "0", "--json", *args], cwd=repo.root,
                                         env=repo.env, stdout=out, stderr=err)
        self.info = self._wait_for_address()
        self.url = self.info["url"]

    def _wait_for_address(self, timeout=20.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log.read_text()
            if text.endswith("\n"):
                return json.loads(text.splitlines()[0])
            if self.proc.poll() is not None:
                raise RuntimeError(f"jit serve exited {self.proc.returncode}: {self.err.read_text()}")
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"jit serve printed no address within {timeout}s: {self.err.read_text()}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
