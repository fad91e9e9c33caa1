"""One template sandbox per session; every case works on its own copy (hostile_helpers.Case)."""

import json
import os
import subprocess

import pytest
from hostile_helpers import Case
from jit_testing import JIT_BIN, clean_env

OUTSIDE_VALID = ("issue.json", "gates.json", "run.json", "config.toml", "events.jsonl", "journal.json")


def _jit(root, *args):
    proc = subprocess.run([JIT_BIN, *args, "--json"], check=False, cwd=root, env=clean_env(), capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    return json.loads(proc.stdout) if proc.stdout.strip() else None


def _scratch(tmp_path_factory):
    """A folder on tmpfs when there is one: the corpus runs thousands of committed writes, and
    fsync on a loaded disk would dominate the runtime; these tests are not about durability."""
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        import tempfile

        return tempfile.mkdtemp(prefix="jit-hostile-", dir="/dev/shm")
    return str(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="session")
def scratch(tmp_path_factory):
    import shutil

    folder = _scratch(tmp_path_factory)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def template(scratch):
    """(sandbox folder, ids): issues A (gates review, tests; one checker run), B (depends on A),
    C (claimed with a lease by agent:c), D (plain, ready); `outside/` holds valid copies of
    every kind of file, a directory and a secret that symlinks planted in .jit/ may point at."""
    sandbox = os.path.join(scratch, "sandbox")
    root = os.path.join(sandbox, "repo")
    os.makedirs(root)
    _jit(root, "init")
    _jit(root, "gate", "define", "review", "--title", "Reviewed")
    _jit(root, "gate", "define", "tests", "--title", "Tests", "--mode", "auto", "--checker", "true")
    a = _jit(root, "issue", "create", "--title", "A", "--gate", "review", "--gate", "tests")["id"]
    b = _jit(root, "issue", "create", "--title", "B", "--dep", a)["id"]
    c = _jit(root, "issue", "create", "--title", "C")["id"]
    d = _jit(root, "issue", "create", "--title", "D", "--label", "type:task")["id"]
    _jit(root, "issue", "claim", c, "agent:c", "--ttl", "3600")
    _jit(root, "gate", "check", a, "tests")
    data = os.path.join(root, ".jit")
    run = os.listdir(os.path.join(data, "gate-runs", a))[0][:-5]
    ids = {"A": a, "B": b, "C": c, "D": d, "RUN": run, "NEW": "0" * 8 + "-0000-4000-8000-" + "0" * 12}
    outside = os.path.join(sandbox, "outside")
    os.makedirs(os.path.join(outside, "folder"))
    with open(os.path.join(outside, "folder", "kept.txt"), "w") as fh:
        fh.write("kept\n")
    with open(os.path.join(outside, "secret.txt"), "w") as fh:
        fh.write("not jit's\n")
    for name, rel in zip(OUTSIDE_VALID, (f"issues/{a}.json", "gates.json", f"gate-runs/{a}/{run}.json",
                                         "config.toml", "events.jsonl", None)):
        with open(os.path.join(outside, name), "w") as fh:
            if rel is None:
                fh.write(json.dumps({"files": {}, "events": []}))
            else:
                with open(os.path.join(data, rel)) as src:
                    fh.write(src.read())
    _jit(root, "status")  # builds index.sqlite, so that kind of file exists to be damaged
    return sandbox, ids


@pytest.fixture
def cases(template, scratch, request):
    """cases(name) -> a fresh Case (a copy of the template sandbox) for this test."""
    import itertools
    import shutil

    sandbox, ids = template
    folder = os.path.join(scratch, request.node.name.replace("/", "_"))
    counter = itertools.count()
    yield lambda: Case(sandbox, os.path.join(folder, f"c{next(counter)}"), ids)
    shutil.rmtree(folder, ignore_errors=True)
