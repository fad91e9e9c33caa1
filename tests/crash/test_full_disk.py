"""A real full disk: a 2 MiB tmpfs filled to the brim. Every write says so in one line (exit 1)
and changes nothing; reads still answer; with space again everything works. A fault after the
journal is durable (placed exactly with JIT_FAULT_AT) is a success the next command completes."""

import errno
import os
import subprocess

import pytest
from jit_testing import Repo


@pytest.fixture
def disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                          check=False, capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): {proc.stderr.strip()}")
    try:
        yield mount
    finally:
        if subprocess.run(["umount", str(mount)], check=False, capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mount)], check=False, capture_output=True)


def fill(path) -> None:
    """Write until the file system refuses even one more byte."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        for size in (1 << 16, 4096, 1):
            chunk = b"x" * size
            while True:
                try:
                    os.write(fd, chunk)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
                    break
    finally:
        os.close(fd)


def tree(data) -> dict:
    """Every file under .jit/ (the disposable index aside), bytes and all."""
    return {p.relative_to(data).as_posix(): p.read_bytes() for p in sorted(data.rglob("*"))
            if p.is_file() and not p.name.startswith("index.sqlite")}


def test_a_full_disk_refuses_every_write_in_one_line_and_changes_nothing(disk):
    repo = Repo(disk)
    assert repo.jit("init").code == 0
    a = repo.create("A")
    b = repo.create("B waits for A", "--dep", a)
    claimable = repo.create("claimable")
    assert repo.jit("gate", "define", "review", "--title", "Review").code == 0
    gated = repo.create("G", "--gate", "review")
    assert repo.ok("issue", "done", gated)["state"] == "gated"
    d1, d2 = repo.create("dep target"), repo.create("dep source")
    for cache in repo.data.glob("index.sqlite*"):  # else jit could free space by discarding its cache
        cache.unlink()
    fill(disk / "filler")
    before = tree(repo.data)
    writes = [["issue", "create", "--title", "one more"], ["issue", "claim", claimable, "agent:a"],
              ["issue", "done", a], ["gate", "pass", gated, "review"], ["dep", "add", d2, d1],
              ["issue", "import", "-"]]
    for argv in writes:
        result = repo.jit(*argv, input='{"title": "imported"}\n')
        assert result.code == 1, (argv, result)
        assert result.err.count("\n") == 1 and "the disk is full" in result.err, (argv, result.err)
        assert "nothing was changed" in result.err and "internal error" not in result.err
        assert tree(repo.data) == before, f"{argv} changed .jit/ on a full disk"
        assert not (repo.data / ".journal.json").exists()
    for argv in (["issue", "list"], ["status"], ["query", "available"], ["issue", "show", b],
                 ["events", "tail"], ["validate"]):
        result = repo.jit(*argv, "--json")
        assert result.code == 0, (argv, result)
    (disk / "filler").unlink()
    assert repo.ok("issue", "claim", claimable, "agent:a")["assignee"] == "agent:a"
    assert repo.ok("issue", "done", a)["state"] == "done"
    assert repo.ok("issue", "show", b)["state"] == "ready"
    assert repo.ok("gate", "pass", gated, "review")["state"] == "done"
    assert repo.jit("validate").code == 0


def test_a_claim_whose_journal_is_durable_is_reported_won_and_stays_won(repo):
    """Issue 11 item 3: the disk fails after the commit point. The agent is told it won (exit 0,
    a warning), and every later command, a read first, agrees."""
    issue = repo.create("contested")
    won = repo.jit("issue", "claim", issue, "agent:a", "--ttl", "600", "--json",
                   env={"JIT_FAULT_AT": "files.temps-written"})
    assert won.code == 0 and won.json["assignee"] == "agent:a", won
    assert "warning: the change is saved" in won.err
    assert repo.ok("issue", "show", issue)["assignee"] == "agent:a"
    lost = repo.jit("issue", "claim", issue, "agent:b")
    assert lost.code == 4, lost


def test_a_claim_that_failed_before_the_journal_is_never_applied_later(repo):
    """The reverse: exit 1 means the claim is gone for good, whatever runs next."""
    issue = repo.create("contested")
    failed = repo.jit("issue", "claim", issue, "agent:a", "--json", env={"JIT_FAULT_AT": "journal.renamed"})
    assert failed.code == 1 and "the disk is full" in failed.err, failed
    assert repo.ok("issue", "show", issue)["assignee"] is None
    assert repo.ok("issue", "claim", issue, "agent:b")["assignee"] == "agent:b"
    assert repo.jit("validate").code == 0
    assert repo.ok("issue", "show", issue)["assignee"] == "agent:b"


def test_a_read_that_cannot_finish_a_journal_on_a_full_disk_says_so_and_keeps_it(disk):
    """A writer killed after its commit point leaves a journal; the disk then fills. A read must
    neither crash nor answer without the committed claim: it names the problem and keeps the
    journal, and once there is space the claim is there."""
    repo = Repo(disk)
    assert repo.jit("init").code == 0
    issue = repo.create("contested")
    killed = repo.jit("issue", "claim", issue, "agent:a", env={"JIT_CRASH_AT": "journal.durable"})
    assert killed.code == -9 and (repo.data / ".journal.json").exists()
    for cache in repo.data.glob("index.sqlite*"):
        cache.unlink()
    fill(disk / "filler")
    read = repo.jit("issue", "show", issue)
    assert read.code == 1 and read.err.count("\n") == 1, read
    assert "finishing the interrupted commit" in read.err and "the disk is full" in read.err
    assert "internal error" not in read.err and (repo.data / ".journal.json").exists()
    assert repo.jit("issue", "claim", issue, "agent:b").code == 1  # nor can anyone take it meanwhile
    (disk / "filler").unlink()
    assert repo.ok("issue", "show", issue)["assignee"] == "agent:a"
    assert repo.jit("validate").code == 0
