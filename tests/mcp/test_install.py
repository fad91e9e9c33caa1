"""One install has everything: `pip install .` alone gives a working `jit mcp` and `jit serve`.

The fresh-venv test builds the package from a copy of the source (so no build/
folder lands in the work tree) into a new virtual environment with nothing
else in it. It reuses pip's cache, so only the first run on a machine pays for
the downloads.
"""

import json
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from mcp_wire import Wire

from jit_testing import clean_env

ROOT = Path(__file__).resolve().parents[2]


def test_a_missing_library_gives_the_same_exit_code_and_a_working_command_from_mcp_and_serve(repo, tmp_path):
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    for module in ("mcp", "uvicorn"):
        (blocked / f"{module}.py").write_text(f"raise ImportError('blocked by a test', name={module!r})\n")
    env = {"PYTHONPATH": str(blocked)}
    mcp = repo.jit("mcp", env=env, input="")
    serve = repo.jit("serve", "--port", "0", env=env)
    assert mcp.code == serve.code == 1, (mcp, serve)
    for result, package in ((mcp, "mcp"), (serve, "uvicorn")):
        assert f"needs the Python package '{package}'" in result.err
        assert f"-m pip install '{package}'" in result.err and "jit-tracker[" not in result.err
        assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1
    as_json = repo.jit("serve", "--json", env=env)
    assert as_json.json["error"]["code"] == "missing_library"


@pytest.mark.slow
def test_pip_install_dot_alone_runs_jit_mcp_and_jit_serve(tmp_path):
    source = tmp_path / "src-copy"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", "tests", "bench", "docs", ".jit"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(source)],
                         capture_output=True, text=True, timeout=600)
    assert pip.returncode == 0, pip.stderr[-3000:]
    jit = str(venv / "bin" / "jit")
    project = tmp_path / "project"
    project.mkdir()
    env = clean_env()
    subprocess.run([jit, "init", "-q"], cwd=project, env=env, check=True, timeout=60)

    wire = Wire(project, env, jit_bin=jit)
    try:
        assert wire.initialize()["serverInfo"]["name"] == "jit"
        wire.send('{"jsonrpc":"2.0","id":1,"method":"tools/list"}')
        assert any(t["name"] == "issue_claim_next" for t in wire.receive()["result"]["tools"])
    finally:
        wire.close()

    out = tmp_path / "serve.out"
    with open(out, "w") as sink:
        serve = subprocess.Popen([jit, "serve", "--port", "0", "--json"], cwd=project, env=env, stdout=sink,
                                 stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not out.read_text().endswith("\n"):
            assert serve.poll() is None and time.monotonic() < deadline, out.read_text()
            time.sleep(0.1)
        url = json.loads(out.read_text().splitlines()[0])["url"]
        with urllib.request.urlopen(url + "api/status", timeout=30) as response:
            assert json.loads(response.read())["total"] == 0
        with urllib.request.urlopen(url, timeout=30) as response:
            assert b'name="jit-token" content="' in response.read()
    finally:
        serve.terminate()
        serve.wait(timeout=30)


def test_the_cli_start_up_imports_none_of_the_server_libraries(repo):
    """They are ordinary dependencies now, so nothing stops an eager import but this test."""
    heavy = ("mcp", "starlette", "uvicorn", "markdown_it", "anyio", "pydantic", "httpx")
    for args in (["--version"], ["status"], ["issue", "list"], ["events", "tail"], ["serve", "--help"],
                 ["mcp", "--help"]):
        proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "jit", *args], cwd=repo.root,
                              env=repo.env, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, (args, proc.stderr[-500:])
        imported = {line.rsplit("|", 1)[1].strip().split(".")[0] for line in proc.stderr.splitlines()
                    if line.startswith("import time:") and "|" in line}
        assert not imported & set(heavy), (args, sorted(imported & set(heavy)))
