"""Where and how a checker runs: working folder, environment, order, fail-fast, pass-all,
stdin and output bounds (issue 13)."""

import json
import os
import subprocess
import sys
import time

import pytest
from gate_helpers import JIT_BIN, assert_one_line_error, define_auto


@pytest.mark.parametrize("where", ["..", "sub/../../elsewhere", "/tmp", "outside-link", "outside-link/deeper"])
def test_a_working_dir_leaving_the_repository_is_refused(repo, where):
    (repo.root / "sub").mkdir()
    os.symlink("/tmp", repo.root / "outside-link")
    define_auto(repo, "tests", "pwd")
    before = repo.snapshot()
    r = repo.jit("gate", "define", "lint", "--title", "L", "--mode", "auto", "--checker", "pwd",
                 "--working-dir", where, "--json")
    assert_one_line_error(r, "usage", 2)
    r = repo.jit("gate", "update", "tests", "--working-dir", where, "--json")
    assert_one_line_error(r, "usage", 2)
    assert repo.snapshot() == before


def test_a_symlink_swapped_in_after_definition_is_refused_at_run_time(repo):
    (repo.root / "pkg").mkdir()
    repo.ok("gate", "define", "tests", "--title", "T", "--mode", "auto", "--checker", "pwd", "--working-dir", "pkg")
    issue = repo.create("Parser", "--gate", "tests")
    (repo.root / "pkg").rmdir()
    os.symlink("/tmp", repo.root / "pkg")
    before = repo.snapshot()
    r = repo.jit("gate", "check", issue, "tests", "--json")
    assert_one_line_error(r, "usage", 2)
    assert "outside the repository" in r.json["error"]["message"] and repo.snapshot() == before


def test_working_dir_env_and_absolute_paths_inside(repo):
    (repo.root / "web" / "app").mkdir(parents=True)
    g = repo.ok("gate", "define", "js", "--title", "JS", "--mode", "auto", "--checker", 'echo "$(pwd) $MODE $EMPTY|"',
                "--working-dir", str(repo.root / "web" / "app"), "--env", "MODE=ci", "--env", "EMPTY=")
    assert g["working_dir"] == "web/app" and g["env"] == {"MODE": "ci", "EMPTY": ""}
    issue = repo.create("UI", "--gate", "js")
    run = repo.ok("gate", "check", issue, "js", env={"MODE": "from-caller"})["run"]
    assert run["output_tail"] == f"{repo.root / 'web' / 'app'} ci |\n"
    cleared = repo.ok("gate", "update", "js", "--working-dir", "", "--no-env")
    assert "working_dir" not in cleared and "env" not in cleared
    run = repo.ok("gate", "check", issue, "js", env={"MODE": "from-caller"})["run"]
    assert run["output_tail"] == f"{repo.root} from-caller |\n"


def test_check_all_runs_lower_order_first_and_fail_fast_stops(repo):
    define_auto(repo, "slow-tests", "echo tests >> order.log; exit 1")
    define_auto(repo, "lint", "echo lint >> order.log; exit 1")
    define_auto(repo, "fmt", "echo fmt >> order.log")
    repo.ok("gate", "update", "lint", "--order", "10")
    repo.ok("gate", "update", "fmt", "--order", "-5")
    repo.ok("gate", "update", "slow-tests", "--order", "20")
    issue = repo.create("Parser", "--gate", "slow-tests", "--gate", "lint", "--gate", "fmt")
    r = repo.jit("gate", "check-all", issue, "--fail-fast", "--json")
    assert_one_line_error(r, "gate_failed", 6)
    assert [x["gate"] for x in r.json["error"]["details"]["runs"]] == ["fmt", "lint"]
    assert (repo.root / "order.log").read_text() == "fmt\nlint\n"
    r = repo.jit("gate", "check-all", issue, "--json")
    assert [x["gate"] for x in r.json["error"]["details"]["runs"]] == ["fmt", "lint", "slow-tests"]


def test_pass_all_passes_only_unpassed_manual_gates_and_finishes(repo):
    define_auto(repo, "tests", "exit 0")
    for key in ("draft", "review", "approval"):
        repo.ok("gate", "define", key, "--title", key)
    issue = repo.create("Doc", "--gate", "tests", "--gate", "draft", "--gate", "review", "--gate", "approval")
    repo.ok("gate", "pass", issue, "draft", "--by", "human:ann")
    repo.ok("issue", "claim", issue, "agent:w1")
    repo.ok("issue", "done", issue)
    result = repo.ok("gate", "pass-all", issue, "--by", "human:lead")
    assert result["passed"] == ["review", "approval"] and result["issue"]["state"] == "gated"
    status = result["issue"]["gates_status"]
    assert status["draft"]["by"] == "human:ann" and status["review"]["by"] == "human:lead"
    assert status["tests"]["status"] == "pending"
    assert repo.ok("gate", "check", issue, "tests")["issue"]["state"] == "done"
    assert repo.jit("gate", "pass-all", "ffffffff").code == 3


def test_a_checker_reading_stdin_gets_end_of_file_at_once(repo):
    define_auto(repo, "reader", 'if read line; then echo "got [$line]"; exit 1; fi; echo eof; cat; echo done', timeout=20)
    issue = repo.create("Parser", "--gate", "reader")
    t0 = time.monotonic()
    # jit's own stdin is an open pipe nobody writes to or closes: the checker must not inherit it.
    out_file = repo.root / "jit.out"
    with open(out_file, "w") as out:
        proc = subprocess.Popen([JIT_BIN, "gate", "check", issue, "reader", "--json"], cwd=repo.root, env=repo.env,
                                stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT)
        try:
            code = proc.wait(timeout=30)  # not communicate(): that would close jit's stdin
        finally:
            proc.kill()
            proc.stdin.close()
    assert time.monotonic() - t0 < 15
    assert code == 0, out_file.read_text()
    run = json.loads(out_file.read_text())["run"]
    assert run["output_tail"] == "eof\ndone\n" and run["timed_out"] is False


def test_a_checker_printing_100_mb_costs_bounded_memory_and_keeps_the_tail(repo):
    define_auto(repo, "flood", "head -c 100000000 /dev/zero | tr '\\0' 'x'; echo; echo THE-END", timeout=120)
    issue = repo.create("Parser", "--gate", "flood")
    # Measure the peak memory of the jit process itself (its children's peak, from a fresh parent).
    probe = ("import resource, subprocess, sys\n"
             "r = subprocess.run(sys.argv[1:], capture_output=True)\n"
             "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, len(r.stdout))\n")
    out = subprocess.run([sys.executable, "-c", probe, JIT_BIN, "gate", "check", issue, "flood", "--json"],
                         cwd=repo.root, env=repo.env, capture_output=True, text=True, timeout=180, check=True).stdout
    code, peak_kb, printed = map(int, out.split())
    assert code == 0 and printed < 10_000
    assert peak_kb < 80_000, f"jit peaked at {peak_kb} KB for 100 MB of output"
    [run] = repo.ok("gate", "runs", issue, "flood")
    assert run["output_bytes"] == 100_000_000 + 1 + len("THE-END\n")
    assert run["output_tail"].endswith("\nTHE-END\n") and len(run["output_tail"]) <= 4000


@pytest.mark.parametrize("field, value", [("working_dir", 5), ("working_dir", "../up"), ("env", ["A=1", 2]),
                                          ("env", {"JIT_GATE_KEY": "x"}), ("env", {"A": 1})])
def test_a_hand_edited_run_setting_is_refused_before_the_checker_runs(repo, field, value):
    define_auto(repo, "tests", "touch ran")
    issue = repo.create("Parser", "--gate", "tests")
    registry = json.loads((repo.data / "gates.json").read_text())
    registry["tests"][field] = value
    (repo.data / "gates.json").write_text(json.dumps(registry))
    before = repo.snapshot()
    assert_one_line_error(repo.jit("gate", "check", issue, "tests", "--json"), "usage", 2)
    assert not (repo.root / "ran").exists() and repo.snapshot() == before
