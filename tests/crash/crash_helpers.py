"""Helpers for the crash tests: one prepared repository per kind of write, copied per scenario,
and an oracle that knows nothing of jit's journal code: which files a command changes (by kind)
and which events it logs, measured on an uninterrupted run of the same command."""

import json
import shutil
from collections import Counter
from pathlib import Path

from jit_testing import Repo

# Every point of storage.faults.POINTS, in commit order. Before the journal is renamed into place
# a kill loses the change; from then on the change is committed and must appear whole.
LOST = ("journal.mid-write", "journal.temps-written")
KEPT = ("journal.renamed", "journal.durable", "files.mid-write", "files.temps-written", "files.renamed",
        "events.mid-append", "events.appended", "journal.removed")
POINTS = LOST + KEPT
RUNTIME = ("index.sqlite", ".lock", ".journal.json", "events.unreadable.log")


def _prepare(root: Path) -> tuple:
    """A repository holding every shape of write, and the commands (argv) that perform them."""
    root.mkdir()
    repo = Repo(root)
    assert repo.jit("init").code == 0
    a = repo.create("A")
    repo.create("B waits for A", "--dep", a)
    repo.create("C waits for A", "--dep", a)
    claimable = repo.create("claimable")
    assert repo.jit("gate", "define", "review", "--title", "Review").code == 0
    gated = repo.create("G", "--gate", "review")
    repo.create("H waits for G", "--dep", gated)
    assert repo.ok("issue", "done", gated)["state"] == "gated"
    d1, d2 = repo.create("dep target"), repo.create("dep source")
    assert repo.jit("gate", "define", "tests", "--title", "Tests", "--mode", "auto", "--checker", "true").code == 0
    checked = repo.create("checked", "--gate", "tests")
    plan = root / "plan.jsonl"
    plan.write_text("".join(json.dumps(line) + "\n" for line in [
        {"title": "imp 1", "key": "a"}, {"title": "imp 2", "key": "b", "depends_on": ["a"]},
        {"title": "imp 3", "key": "c", "depends_on": ["a", "b"]}]))
    commands = {
        "create": ["issue", "create", "--title", "new one", "--label", "kind:crash"],
        "claim": ["issue", "claim", claimable, "agent:x", "--ttl", "600"],
        "done": ["issue", "done", a],  # releases B and C in the same commit
        "gate_pass": ["gate", "pass", gated, "review", "--by", "human:bob"],  # G done, H released
        "import": ["issue", "import", str(plan)],
        "dep_add": ["dep", "add", d2, d1],
        "gate_check": ["gate", "check", checked, "tests"],  # a gate-runs/<id>/<run>.json record too
    }
    return repo, commands


class Bases:
    """Prepared once per test module; `copy()` gives each scenario its own repository."""

    def __init__(self, root: Path):
        self.root = root
        self.base, self.commands = _prepare(root / "base")
        self.count = 0
        self.reference = {}
        for kind in self.commands:
            repo = self.copy()
            before = files(repo)
            old_events = event_ids(repo)
            assert repo.jit(*self.commands[kind]).code == 0
            self.reference[kind] = (delta(before, files(repo)), new_event_types(repo, old_events))
            assert self.reference[kind][0], kind

    def copy(self) -> Repo:
        self.count += 1
        root = self.root / f"s{self.count}"
        root.mkdir()
        shutil.copytree(self.base.data, root / ".jit", symlinks=True)
        shutil.copy(self.base.root / "plan.jsonl", root / "plan.jsonl")
        return Repo(root)


def files(repo) -> dict:
    """Every file jit keeps under .jit/ (relative name -> bytes); runtime files and temp files left
    out (a temp file is never read as data: the tests check elsewhere that it is swept)."""
    found = {}
    for path in sorted(repo.data.rglob("*")):
        rel = path.relative_to(repo.data).as_posix()
        if path.is_file() and not rel.startswith(RUNTIME) and not (path.name.startswith(".") and
                                                                   path.name.endswith(".tmp")):
            found[rel] = path.read_bytes()
    return found


def _kind(rel: str) -> str:
    if rel.startswith("issues/"):
        return "issue"
    if rel.startswith("gate-runs/"):
        return "gate run"
    return rel


def delta(before: dict, after: dict) -> Counter:
    """How a command changed the files, by kind: what an uninterrupted run must match exactly."""
    changes = Counter()
    for rel in set(before) | set(after):
        if rel == "events.jsonl" or before.get(rel) == after.get(rel):
            continue
        change = "added" if rel not in before else "removed" if rel not in after else "changed"
        changes[(_kind(rel), change)] += 1
    return changes


def event_lines(repo) -> list:
    return (repo.data / "events.jsonl").read_bytes().split(b"\n")


def event_ids(repo) -> list:
    return [json.loads(line)["id"] for line in event_lines(repo) if line.strip()]


def new_event_types(repo, old_ids) -> Counter:
    old = set(old_ids)
    found = [json.loads(line) for line in event_lines(repo) if line.strip()]
    return Counter(e["type"] for e in found if e["id"] not in old)


def assert_whole(repo, torn_tail_allowed: bool) -> None:
    """Right after a kill, before anything repairs it: every file parses; only the log's last line
    may be torn (a kill mid-append), and only when the kill came there."""
    for path in repo.data.glob("issues/*.json"):
        text = path.read_text()
        assert json.loads(text)["id"] == path.stem and text.endswith("}\n"), path
    json.loads((repo.data / "gates.json").read_text())
    lines = event_lines(repo)
    assert lines[-1] == b"" or torn_tail_allowed, f"events.jsonl ends in a torn line: {lines[-1][:80]!r}"
    for line in lines[:-1]:
        json.loads(line)


def validate_problems(repo) -> list:
    """`jit validate`'s problems, computed in this process (the same service call the command
    makes, without a second interpreter start-up per scenario)."""
    from jit.service.validate import validate

    ctx = repo.ctx()
    try:
        return validate(ctx)["problems"]
    finally:
        ctx.close()
