"""Helpers for the gate tests: define gates and read what jit stored, through the real CLI."""

import os

from jit_testing import JIT_BIN, events  # noqa: F401 - re-exported for the tests of this package


def run_files(repo, issue_id) -> list:
    folder = repo.data / "gate-runs" / issue_id
    if not folder.exists():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix == ".json" and not p.name.startswith("."))


def assert_one_line_error(result, code, exit_code):
    """A refused command: the right exit code, one stderr line, the JSON envelope, no traceback."""
    assert result.code == exit_code, result
    assert "Traceback" not in result.err, result
    assert len(result.err.strip().splitlines()) == 1, result
    assert result.json["error"]["code"] == code, result


def pid_dead(pid: int) -> bool:
    """Gone, or a zombie waiting to be reaped: either way it runs no more code."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True




def define_auto(repo, key, checker, timeout=10, stage="postcheck"):
    return repo.ok("gate", "define", key, "--title", key, "--mode", "auto", "--checker", checker,
                   "--timeout", str(timeout), "--stage", stage)


def kill_quietly(pid_file):
    """Reap a process a test started on purpose outside jit's reach (by its recorded pid only)."""
    try:
        os.kill(int(pid_file.read_text().strip()), 9)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        pass
