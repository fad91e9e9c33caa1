"""A reader inside a command that already holds the repository lock (`jit sync`'s exchange)
finishes a waiting journal with the lock it holds, instead of waiting for itself."""

import time


def test_settling_inside_a_held_lock_does_not_wait_for_itself(repo):
    from jit.service.sync import _locked

    issue = repo.create("contested")
    killed = repo.jit("issue", "claim", issue, "agent:x", env={"JIT_CRASH_AT": "journal.durable"})
    assert killed.code == -9 and (repo.data / ".journal.json").exists()
    ctx = repo.ctx()
    started = time.monotonic()
    try:
        with _locked(ctx) as held:
            assert held.files.load(issue).assignee == "agent:x"
    finally:
        ctx.close()
    assert time.monotonic() - started < 10, "the reader waited for the lock its own command holds"
    assert not (repo.data / ".journal.json").exists()
