"""Regenerate the web UI screenshots in docs/img/ (not a test): `.venv/bin/python tests/web/screenshots.py`.

Builds a small demo repository in a temporary folder, runs the real `jit serve`
on a free loopback port and photographs it with Debian's headless Chromium.
"""

import os
import sys
import tempfile
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[1])]
from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from web_helpers import Server  # noqa: E402

from jit.errors import GateFailed  # noqa: E402
from jit.service import claims, gates, issues  # noqa: E402
from jit.service.context import init_repo  # noqa: E402

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


class DemoRepo:
    def __init__(self, root: Path):
        self.root = root
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("JIT_")}
        self.env["USER"] = "ana"  # the person at the page; agents act through their assignee


def build(repo: DemoRepo) -> dict:
    ctx, _ = init_repo(str(repo.root), env=repo.env)
    gates.define_gate(ctx, "tests", "Unit tests pass", mode="auto", checker="echo '48 passed in 1.9s'")
    gates.define_gate(ctx, "lint", "Lint is clean", mode="auto", checker="echo 'src/lock.py:12: E501'; exit 1")
    gates.define_gate(ctx, "review", "Code review", mode="manual")

    def new(title, **kw):
        return issues.create_issue(ctx, title, **kw).id

    ids = {"schema": new("Design the storage schema", priority="high", labels=["epic:storage", "type:design"],
                         description="Decide the **JSON layout** of `.jit/`:\n\n- one file per issue\n"
                                     "- an append-only event log")}
    ids["atomic"] = new("Atomic writes", labels=["epic:storage"], gates=["tests"], deps=[ids["schema"]])
    ids["lock"] = new("Repository lock", labels=["epic:storage"], gates=["lint"], deps=[ids["schema"]])
    ids["index"] = new("SQLite query index", labels=["epic:storage", "type:perf"], deps=[ids["atomic"], ids["lock"]])
    ids["cli"] = new("CLI: issue commands", labels=["epic:cli"], gates=["review"], deps=[ids["atomic"]])
    ids["query"] = new("CLI: queries", labels=["epic:cli"], deps=[ids["index"]])
    ids["web"] = new("Web UI board", priority="critical", labels=["epic:web"], deps=[ids["cli"], ids["query"]])
    ids["mcp"] = new("MCP server", labels=["epic:agents"], deps=[ids["cli"]])
    ids["docs"] = new("Write the README", priority="low", labels=["type:docs"])
    ids["bench"] = new("Benchmark claim-next", labels=["type:perf"])
    ids["old"] = new("Old prototype")
    issues.done_issue(ctx, ids["schema"])
    claims.claim(ctx, ids["atomic"], "agent:worker-1")
    gates.check_gate(ctx, ids["atomic"], "tests")
    issues.done_issue(ctx, ids["atomic"])
    claims.claim(ctx, ids["lock"], "agent:worker-2")
    try:
        gates.check_gate(ctx, ids["lock"], "lint")
    except GateFailed:
        pass
    claims.claim(ctx, ids["cli"], "agent:worker-3")
    issues.done_issue(ctx, ids["cli"], "Commands create, show, list, update and done, with --json everywhere")
    claims.claim(ctx, ids["docs"], "human:ana")
    issues.reject_issue(ctx, ids["old"], "superseded by the new design")
    ctx.close()
    return ids


def main() -> int:
    from playwright.sync_api import sync_playwright

    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        repo = DemoRepo(Path(tmp))
        ids = build(repo)
        server = Server(repo, Path(tmp))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                shots = [("board", "#/", ".board .card"), ("graph", "#/graph", "svg#graph g.node"),
                         ("issue", f"#/issue/{ids['cli']}", ".issue-page"), ("events", "#/events", "table.events")]
                for scheme in ("light", "dark"):
                    context = browser.new_context(viewport={"width": 1360, "height": 640}, device_scale_factor=1,
                                                  color_scheme=scheme)
                    page = context.new_page()
                    for name, fragment, ready in shots:
                        page.goto(server.url + fragment)
                        page.locator(ready).first.wait_for()
                        suffix = "" if scheme == "light" else "-dark"
                        path = DOCS_IMG / f"web-{name}{suffix}.png"
                        page.screenshot(path=str(path), full_page=name != "events")
                        print(f"wrote {path}")
                    context.close()
                browser.close()
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
