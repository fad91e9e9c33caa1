"""Real checker commands run by `jit gate check` in a temporary repository (SPEC section 5).

Each test runs the installed `jit` as a subprocess, so exit codes, the stored
run records and the process-group kill are the ones a user gets.
"""

import json
import time

from gate_helpers import JIT_BIN, assert_one_line_error, define_auto, events, kill_quietly, pid_dead, run_files


def test_exit_zero_passes_and_stores_the_run(repo):
    define_auto(repo, "tests", "echo all good")
    issue = repo.create("Parser", "--gate", "tests")
    result = repo.ok("gate", "check", issue[:8], "tests")
    run = result["run"]
    assert run["status"] == "passed" and run["exit_code"] == 0 and run["error"] is None
    assert run["output_tail"] == "all good\n" and run["issue_id"] == issue and run["gate"] == "tests"
    assert run["by"] == "human:tester" and run["duration"] >= 0 and run["started_at"].endswith("Z")
    status = result["issue"]["gates_status"]["tests"]
    assert status["status"] == "passed" and status["run"] == run["id"] and "override" not in status
    [stored] = run_files(repo, issue)
    assert json.loads(stored.read_text()) == run
    assert repo.ok("issue", "show", issue)["gates_status"]["tests"]["status"] == "passed"
    [event] = events(repo, "gate_passed", issue)
    assert event["data"]["run"] == run["id"]


def test_exit_one_fails_with_exit_6_and_records_the_verdict(repo):
    define_auto(repo, "tests", "echo '2 failed, 7 passed'; exit 1")
    issue = repo.create("Parser", "--gate", "tests")
    r = repo.jit("gate", "check", issue, "tests", "--json")
    assert_one_line_error(r, "gate_failed", 6)
    [run] = r.json["error"]["details"]["runs"]
    assert run["exit_code"] == 1 and run["status"] == "failed" and "2 failed" in run["output_tail"]
    shown = repo.ok("issue", "show", issue)
    assert shown["gates_status"]["tests"]["status"] == "failed"
    assert shown["gates_status"]["tests"]["exit_code"] == 1
    assert shown["state"] == "ready"
    [stored] = run_files(repo, issue)
    assert json.loads(stored.read_text())["id"] == run["id"]
    assert len(events(repo, "gate_failed", issue)) == 1
    # Human output shows the verdict and the tail; stderr one line naming where to look.
    human = repo.jit("gate", "check", issue, "tests")
    assert human.code == 6 and "FAILED (exit 1)" in human.out and "2 failed, 7 passed" in human.out
    assert f"jit gate runs {issue[:8]} tests" in human.err
    assert len(run_files(repo, issue)) == 2


def test_missing_program_is_a_failed_run_with_a_clear_reason(repo):
    define_auto(repo, "lint", "jit-no-such-linter-xyz --strict")
    issue = repo.create("Parser", "--gate", "lint")
    r = repo.jit("gate", "check", issue, "lint", "--json")
    assert_one_line_error(r, "gate_failed", 6)
    assert "command not found" in r.json["error"]["message"]
    [run] = r.json["error"]["details"]["runs"]
    assert run["exit_code"] == 127 and "command not found" in run["error"]
    status = repo.ok("issue", "show", issue)["gates_status"]["lint"]
    assert status["status"] == "failed" and "command not found" in status["reason"]
    assert len(run_files(repo, issue)) == 1


def test_sleeper_past_its_timeout_is_killed_with_its_children(repo):
    # The checker starts a child shell (which records its pid) and a grandchild sleep, then sleeps itself.
    checker = ("sh -c 'echo $$ > child.pid; sleep 60' & echo $$ > parent.pid; "
               "echo started; sleep 60")
    define_auto(repo, "slow", checker, timeout=1)
    issue = repo.create("Parser", "--gate", "slow")
    t0 = time.monotonic()
    r = repo.jit("gate", "check", issue, "slow", "--json")
    elapsed = time.monotonic() - t0
    assert_one_line_error(r, "gate_failed", 6)
    assert 1.0 <= elapsed < 2.0, elapsed
    pids = [int((repo.root / name).read_text()) for name in ("parent.pid", "child.pid")]
    # SIGKILL is delivered asynchronously: every process must be dead within a second of the timeout.
    deadline = t0 + 2.0
    while not all(pid_dead(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert all(pid_dead(p) for p in pids), pids
    [run] = r.json["error"]["details"]["runs"]
    assert run["timed_out"] is True and run["exit_code"] is None and "timed out after 1s" in run["error"]
    assert run["output_tail"] == "started\n" and 1.0 <= run["duration"] < 1.5
    assert repo.ok("issue", "show", issue)["gates_status"]["slow"]["status"] == "failed"


def test_descendant_that_leaves_the_group_does_not_hang_jit(repo):
    # A daemon started with setsid escapes the process-group kill and keeps the output pipe open.
    checker = "setsid sh -c 'echo $$ > daemon.pid; exec sleep 30' & sleep 0.3; echo checked"
    define_auto(repo, "daemon", checker, timeout=20)
    issue = repo.create("Parser", "--gate", "daemon")
    try:
        t0 = time.monotonic()
        result = repo.ok("gate", "check", issue, "daemon")
        assert time.monotonic() - t0 < 3.0
        assert result["run"]["status"] == "passed" and "checked" in result["run"]["output_tail"]
    finally:
        kill_quietly(repo.root / "daemon.pid")


def test_flood_of_output_keeps_a_bounded_tail(repo):
    lines = 200_000
    define_auto(repo, "chatty", f"seq 1 {lines}; head -c 3000000 /dev/zero | tr '\\0' x; echo; echo LAST-LINE",
                timeout=30)
    issue = repo.create("Parser", "--gate", "chatty")
    r = repo.jit("gate", "check", issue, "chatty", "--json")
    assert r.code == 0, r
    assert len(r.out) < 10_000, len(r.out)
    run = r.json["run"]
    expected_bytes = sum(len(f"{n}\n") for n in range(1, lines + 1)) + 3_000_000 + 1 + len("LAST-LINE\n")
    assert run["output_bytes"] == expected_bytes
    assert run["output_tail"].endswith("\nLAST-LINE\n") and len(run["output_tail"].encode()) <= 4000
    assert len(run["output_tail"].splitlines()) <= 40
    [stored] = run_files(repo, issue)
    assert stored.stat().st_size < 10_000
    # A failing flood on a terminal-less stdout prints at most ten tail lines.
    define_auto(repo, "noisy", f"seq 1 {lines}; exit 3")
    repo.ok("gate", "add", issue, "noisy")
    human = repo.jit("gate", "check", issue, "noisy")
    assert human.code == 6 and len(human.out.splitlines()) <= 12 and str(lines) in human.out


def test_checker_sees_its_issue_gate_and_repository_root(repo):
    define_auto(repo, "env", 'printf "%s|%s|%s|%s|" "$JIT_ISSUE_ID" "$JIT_GATE_KEY" "$JIT_REPO_ROOT" "$(pwd)"; '
                "cat; echo end")
    issue = repo.create("Parser", "--gate", "env")
    sub = repo.root / "src" / "deep"
    sub.mkdir(parents=True)
    run = repo.ok("gate", "check", issue[:6], "env", cwd=sub)["run"]  # started from a subfolder
    issue_id, key, root, cwd, rest = run["output_tail"].split("|")
    assert (issue_id, key) == (issue, "env")
    assert root == str(repo.root) and cwd == str(repo.root)
    assert rest == "end\n"  # stdin is empty, so `cat` returned at once


def test_check_all_runs_every_auto_gate_and_skips_manual_ones(repo):
    define_auto(repo, "unit", "exit 0")
    define_auto(repo, "lint", "echo 'E501 line too long'; exit 1")
    repo.ok("gate", "define", "review", "--title", "Review")
    issue = repo.create("Parser", "--gate", "unit", "--gate", "lint", "--gate", "review")
    r = repo.jit("gate", "check-all", issue, "--json")
    assert_one_line_error(r, "gate_failed", 6)
    runs = r.json["error"]["details"]["runs"]
    assert [(x["gate"], x["status"]) for x in runs] == [("unit", "passed"), ("lint", "failed")]
    status = repo.ok("issue", "show", issue)["gates_status"]
    assert (status["unit"]["status"], status["lint"]["status"], status["review"]["status"]) == \
        ("passed", "failed", "pending")
    define_auto(repo, "fmt", "exit 0")
    other = repo.create("Other", "--gate", "unit", "--gate", "fmt")
    ok = repo.ok("gate", "check-all", other)
    assert [x["status"] for x in ok["runs"]] == ["passed", "passed"]


def _run_on_a_terminal(repo, *args) -> str:
    """Run jit with stdout and stderr on a pseudo-terminal; returns everything it wrote."""
    import os
    import pty
    import subprocess

    master, slave = pty.openpty()
    proc = subprocess.Popen([JIT_BIN, *args], cwd=repo.root, env={**repo.env, "TERM": "xterm"},
                            stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: every writer closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=30) == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_long_checker_shows_progress_on_a_terminal_only(repo):
    define_auto(repo, "slow", "echo compiling; sleep 0.8; echo linking; sleep 0.8")
    issue = repo.create("Parser", "--gate", "slow")
    shown = _run_on_a_terminal(repo, "gate", "check", issue, "slow")
    assert "slow: running" in shown and "compiling" in shown and "gate slow: passed" in shown
    quiet = _run_on_a_terminal(repo, "gate", "check", issue, "slow", "--json")
    assert "running" not in quiet and json.loads(quiet)["run"]["status"] == "passed"
    assert _run_on_a_terminal(repo, "gate", "check", issue, "slow", "-q").strip() == "passed"
