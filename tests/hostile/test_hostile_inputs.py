"""Issue 11 item 8, input by input, through the real CLI: each ends in one clear line with the
right exit code (2 usage, 1 only for a named file or I/O fault), changes nothing, and one
corrupt file never blocks commands about other issues."""

import fcntl
import json
import os
import subprocess
import time

import pytest
from jit_testing import JIT_BIN, Repo

UUID = "00000000-0000-4000-8000-000000000000"


def clean_fail(repo, code, *args, match=None, env=None, json_code=None):
    """Run twice (human, --json); assert exit `code`, one `error:` line, the envelope, nothing changed."""
    before = repo.snapshot()
    for as_json in (False, True):
        r = repo.jit(*args, *(["--json"] if as_json else []), env=env)
        assert r.code == code, (args, r)
        assert "Traceback" not in r.err, r
        errors = [line for line in r.err.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1 and "internal error" not in errors[0], r
        if match:
            assert match.lower() in errors[0].lower(), (match, r)
        if as_json:
            error = r.json["error"]
            assert json_code is None or error["code"] == json_code, error
    assert repo.snapshot() == before, f"{args} changed .jit/"
    return errors[0]


@pytest.mark.parametrize("ttl", ["1e308", "inf", "-inf", "nan", "-5", "0", "abc", "1e10", "0x10", ""])
def test_a_ttl_that_is_no_number_of_seconds_is_a_usage_error(repo, ttl):
    issue = repo.create("T")
    clean_fail(repo, 2, "issue", "claim", issue, "agent:a", "--ttl", ttl, match="--ttl", json_code="usage")
    if ttl in ("1e308", "nan"):  # the same parser serves every option that takes seconds
        clean_fail(repo, 2, "issue", "claim-next", "agent:a", "--ttl", ttl, match="--ttl")
        clean_fail(repo, 2, "gate", "define", "g", "--title", "G", "--timeout", ttl, match="--timeout")


def test_the_largest_ttl_is_ten_years(repo):
    issue = repo.create("T")
    assert repo.ok("issue", "claim", issue, "agent:a", "--ttl", str(10 * 365 * 24 * 3600))["lease"]["ttl"] > 0
    clean_fail(repo, 2, "issue", "heartbeat", issue, "--ttl", str(10 * 365 * 24 * 3600 + 1), match="at most")


def test_invalid_utf8_in_argv_is_a_usage_error(repo):
    issue = repo.create("T")
    before = repo.snapshot()
    for argv in (["issue", "create", "--title", b"bad \xff\xfe title"], ["issue", "show", b"\xff" + issue.encode()],
                 [b"--actor", b"agent:\xc3\x28", "issue", "claim", issue, "agent:a"], ["issue", b"\xffcreate"]):
        proc = subprocess.run([JIT_BIN.encode(), *[a if isinstance(a, bytes) else a.encode() for a in argv]],
                              cwd=repo.root, env=repo.env, capture_output=True, timeout=60, check=False)
        err = proc.stderr.decode("utf-8", "replace")
        assert proc.returncode == 2, (argv, proc)
        assert err.count("\n") == 1 and err.startswith("error: ") and "not valid UTF-8" in err, err
        assert "\\xff" in err or "\\xc3" in err, err  # the bad bytes are shown, escaped
    assert repo.snapshot() == before


def _plant(repo, rel, content):
    path = repo.data / rel
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.mkdir(parents=True)
    return f".jit/{rel}"


@pytest.mark.parametrize("content", [b"[" * 100_000 + b"]" * 100_000, b"\xff\xfe{}", b'{"id": 5}', None],
                         ids=["deep", "not-utf8", "wrong-types", "folder"])
def test_one_corrupt_issue_file_blocks_no_command_about_other_issues(repo, content):
    other = repo.create("Healthy")
    name = _plant(repo, f"issues/{UUID}.json", content)
    listed = repo.jit("issue", "list", "--json")
    assert listed.code == 0 and [i["id"] for i in listed.json] == [other], listed
    assert name in listed.err and "jit validate" in listed.err and listed.err.count("\n") == 1, listed.err
    for args in (["status"], ["query", "available"], ["query", "blocked"], ["issue", "show", other],
                 ["issue", "search", "Healthy"], ["graph", "export"], ["events", "tail"]):
        r = repo.jit(*args, "--json")
        assert r.code == 0 and "Traceback" not in r.err, (args, r)
    assert repo.ok("status")["corrupt"] == [UUID]
    assert repo.ok("issue", "claim-next", "agent:a")["id"] == other
    error = clean_fail(repo, 1, "issue", "show", UUID, match=name, json_code="corrupt_file")
    assert "jit validate" in error
    report = repo.jit("validate", "--json")
    assert report.code == 5 and [p["file"] for p in report.json["problems"] if p["kind"] == "corrupt_file"] == [name]


def test_a_folder_with_an_odd_name_in_issues_is_reported_not_fatal(repo):
    other = repo.create("Healthy")
    (repo.data / "issues" / "x.json").mkdir()
    (repo.data / "issues" / "notes.txt").write_text("hi")
    assert [i["id"] for i in repo.ok("issue", "list")] == [other]
    assert repo.ok("status")["total"] == 1
    problems = repo.jit("validate", "--json").json["problems"]
    assert {p["file"] for p in problems if p["kind"] == "stray_file"} == {".jit/issues/x.json", ".jit/issues/notes.txt"}


@pytest.mark.parametrize("content", [b"[]", b'{"review": 5}', b'{"review": {"title": 5}}',
                                     b'{"review": {"title": "R", "timeout": "soon"}}', b"\x00\x01", b""])
def test_gates_json_of_the_wrong_shape_is_named_with_a_fix(repo, content):
    issue = repo.create("T")
    (repo.data / "gates.json").write_bytes(content)
    for args in (["gate", "list"], ["gate", "add", issue, "review"], ["query", "blocked"]):
        error = clean_fail(repo, 1, *args, match=".jit/gates.json", json_code="corrupt_file")
        assert "fix it by hand" in error or "restore it with git" in error, error
    assert repo.ok("issue", "show", issue)["id"] == issue  # commands that need no gate still work
    problems = repo.jit("validate", "--json").json["problems"]
    assert [p["file"] for p in problems if p["kind"] == "corrupt_file"] == [".jit/gates.json"]


@pytest.mark.parametrize("content", [b"[defaults]\nlease_ttl = 'x'\n", b"defaults = 5\n", b"[defaults]\nlease_ttl = inf\n",
                                     b"[defaults]\npriority = 'urgent'\n", b"schema_version = 'one'\n",
                                     b"\xff\xfe garbage = = =", b"[sync]\nremote = 5\n"])
def test_config_toml_of_the_wrong_shape_is_named_and_validate_reports_it(repo, content):
    issue = repo.create("T")
    (repo.data / "config.toml").write_bytes(content)
    clean_fail(repo, 1, "issue", "create", "--title", "x", match=".jit/config.toml", json_code="corrupt_file")
    clean_fail(repo, 1, "issue", "claim", issue, "agent:a", match=".jit/config.toml")
    report = repo.jit("validate", "--json")
    assert report.code == 5, report
    assert [p["file"] for p in report.json["problems"] if p["kind"] == "bad_config"] == [".jit/config.toml"]


def test_init_refuses_a_file_where_a_folder_belongs(tmp_path):
    repo = Repo(tmp_path)
    (tmp_path / ".jit").write_text("not a folder")
    r = repo.jit("init")
    assert r.code == 2 and r.err.startswith("error: ") and ".jit exists and is not a folder" in r.err, r
    assert (tmp_path / ".jit").read_text() == "not a folder"
    (tmp_path / ".jit").unlink()
    (tmp_path / ".jit").mkdir()
    (tmp_path / ".jit" / "issues").write_text("")
    r = repo.jit("init", "--json")
    assert r.code == 2 and "issues exists and is not a folder" in r.json["error"]["message"], r
    assert sorted(os.listdir(tmp_path / ".jit")) == ["issues"]  # nothing else was created
    r = repo.jit("status")
    assert r.code == 3 and "jit init" in r.err


def _hold_lock(repo):
    fd = os.open(repo.data / ".lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def test_lock_timeout_zero_means_do_not_wait(repo):
    issue = repo.create("T")
    fd = _hold_lock(repo)
    try:
        started = time.monotonic()
        r = repo.jit("issue", "claim", issue, "agent:a", "--json", env={"JIT_LOCK_TIMEOUT": "0"}, timeout=25)
        assert r.code == 4 and r.json["error"]["code"] == "conflict" and "busy" in r.err, r
        # The default wait is 30 s: returning well before it shows it did not wait.
        assert time.monotonic() - started < 20
        assert repo.jit("status", env={"JIT_LOCK_TIMEOUT": "0"}).code == 0  # reads take no lock
    finally:
        os.close(fd)
    assert repo.ok("issue", "claim", issue, "agent:a", env={"JIT_LOCK_TIMEOUT": "0"})["state"] == "in_progress"


@pytest.mark.parametrize("value", ["-1", "abc", "inf", "nan", "1e308"])
def test_a_lock_timeout_that_is_no_number_of_seconds_is_a_usage_error(repo, value):
    issue = repo.create("T")
    clean_fail(repo, 2, "issue", "claim", issue, "agent:a", env={"JIT_LOCK_TIMEOUT": value},
               match="JIT_LOCK_TIMEOUT", json_code="usage")


def _edit(repo, issue, **fields):
    path = repo.data / "issues" / f"{issue}.json"
    data = json.loads(path.read_text())
    data.update(fields)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return f".jit/issues/{issue}.json"


def test_validate_reports_garbage_leases(repo):
    a, b = repo.create("A"), repo.create("B")
    name_a = _edit(repo, a, lease={"ttl": "soon", "expires_at": 5})
    name_b = _edit(repo, b, lease={"ttl": 60, "expires_at": "2026-01-01T00:00:00.000000Z"})  # ready: nobody holds it
    problems = repo.jit("validate", "--json").json["problems"]
    assert {(p["kind"], p["file"]) for p in problems} == {("corrupt_file", name_a), ("bad_lease", name_b)}
    clean_fail(repo, 1, "issue", "show", a, match=name_a)
    assert repo.ok("issue", "show", b)["id"] == b


def test_validate_reports_gate_definitions_that_cannot_run(repo):
    issue = repo.create("T")
    gates = {
        "nochecker": {"title": "No checker", "mode": "auto", "checker": None, "timeout": 60, "stage": "postcheck"},
        "badtimeout": {"title": "Bad timeout", "mode": "auto", "checker": "true", "timeout": -1, "stage": "postcheck"},
        "badmode": {"title": "Bad mode", "mode": "sometimes", "checker": None, "timeout": 60, "stage": "postcheck"},
        "badstage": {"title": "Bad stage", "mode": "manual", "checker": None, "timeout": 60, "stage": "whenever"},
        "fine": {"title": "Fine", "mode": "manual", "checker": None, "timeout": 60, "stage": "postcheck"},
    }
    (repo.data / "gates.json").write_text(json.dumps(gates))
    report = repo.jit("validate", "--json")
    assert report.code == 5
    bad = {p["gate"]: p for p in report.json["problems"] if p["kind"] == "bad_gate"}
    assert set(bad) == {"nochecker", "badtimeout", "badmode", "badstage"}, report.json
    assert all(p["file"] == ".jit/gates.json" and "jit gate update" in p["fix"] for p in bad.values())
    assert repo.ok("gate", "list")  # the registry itself still reads
    repo.ok("gate", "add", issue, "nochecker")
    clean_fail(repo, 5, "gate", "check", issue, "nochecker", match="no checker")


@pytest.mark.parametrize("value", ["a=1e999", "a=NaN", "a=-Infinity", "a=[1, Infinity]"])
def test_a_number_json_cannot_hold_is_refused_before_it_is_written(repo, value):
    """Python's json would write NaN and Infinity, which no JSON reader (SQLite included) accepts."""
    issue = repo.create("T")
    clean_fail(repo, 2, "issue", "create", "--title", "x", "--context", value, match="finite")
    clean_fail(repo, 2, "issue", "update", issue, "--context", value, match="finite")
    (repo.data / "issues" / f"{UUID}.json").write_text(f'{{"id": "{UUID}", "title": "t", "state": "ready", '
                                                       '"context": {"a": NaN}}')
    clean_fail(repo, 1, "issue", "show", UUID, match="NaN is not a JSON value", json_code="corrupt_file")
