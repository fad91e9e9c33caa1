"""Every step of a commit, under every kind of write: a SIGKILL there (JIT_CRASH_AT) or a full
disk there (JIT_FAULT_AT) leaves each file old or new, and the next command either completes the
change or it never happened, each event logged exactly once, `jit validate` clean.

The expected outcome comes from an uninterrupted run of the same command (crash_helpers.Bases),
not from the journal code under test. docs/coordination.md ("How we know") shows that this
suite fails when writes are made in place or the journal is skipped.
"""

import json
from collections import Counter

import pytest
from crash_helpers import (
    KEPT,
    LOST,
    POINTS,
    Bases,
    assert_whole,
    delta,
    event_ids,
    files,
    new_event_types,
    validate_problems,
)

# `issue import` stages its files before its journal, which names the stage instead of holding
# them: its own points and checks are in test_import_crash.py.
KINDS = ("create", "claim", "done", "gate_pass", "dep_add", "gate_check")
NOTHING = (Counter(), Counter())


@pytest.fixture(scope="module")
def bases(tmp_path_factory):
    return Bases(tmp_path_factory.mktemp("crash"))


def _assert_changed_as_journal_says(repo, before):
    """Right after the kill: every changed file holds exactly the content the journal names."""
    now = files(repo)
    journal = json.loads((repo.data / ".journal.json").read_text())
    for rel in set(before) | set(now):
        if rel == "events.jsonl" or before.get(rel) == now.get(rel):
            continue
        assert rel in journal["files"], f"{rel} changed, but the journal does not name it"
        content = journal["files"][rel]
        assert now.get(rel) == (None if content is None else content.encode()), f"{rel} is neither old nor new"


def _assert_settled(repo, bases, kind, before, old_ids, committed):
    """After the next command: the whole change or none of it, each event once, no leftovers."""
    expected_files, expected_events = bases.reference[kind] if committed else NOTHING
    assert delta(before, files(repo)) == expected_files
    assert new_event_types(repo, old_ids) == expected_events
    ids = event_ids(repo)
    assert len(ids) == len(set(ids)), "an event was logged twice"
    assert not (repo.data / ".journal.json").exists()


@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("kind", KINDS)
def test_a_kill_at_every_commit_step_leaves_old_or_new_and_the_next_command_settles_it(bases, kind, point):
    repo = bases.copy()
    before, old_ids = files(repo), event_ids(repo)
    killed = repo.jit(*bases.commands[kind], env={"JIT_CRASH_AT": point})
    assert killed.code == -9, killed  # the point was reached: the kill landed inside this commit
    assert_whole(repo, torn_tail_allowed=point == "events.mid-append")
    if (repo.data / ".journal.json").exists():
        assert point in KEPT and point != "journal.removed", point
        _assert_changed_as_journal_says(repo, before)
    elif point in LOST:
        assert files(repo) == before and event_ids(repo) == old_ids
    read = repo.jit("issue", "list", "--json")  # a reader finishes (or discards) the commit first
    assert read.code == 0, read
    _assert_settled(repo, bases, kind, before, old_ids, committed=point in KEPT)
    assert repo.jit("issue", "create", "--title", "after the crash").code == 0
    assert sorted(p.name for p in repo.data.rglob("*.tmp")) == [], "a writer leaves no temp files behind"
    assert validate_problems(repo) == []


@pytest.mark.parametrize("point", [p for p in POINTS if p != "journal.removed"])
@pytest.mark.parametrize("kind", ("claim", "done"))
def test_a_full_disk_at_every_commit_step_is_reported_truthfully(bases, kind, point):
    """Before the journal is durable: exit 1, one line saying the disk is full, nothing changed.
    After: exit 0 with the normal output and a warning; the next command (a read) completes it."""
    repo = bases.copy()
    before, old_ids = files(repo), event_ids(repo)
    result = repo.jit(*bases.commands[kind], "--json", env={"JIT_FAULT_AT": point})
    committed = point not in LOST + ("journal.renamed",)
    if committed:
        assert result.code == 0, result
        assert result.json  # the command's normal answer
        assert "warning: the change is saved" in result.err and "next jit command completes it" in result.err
    else:
        assert result.code == 1, result
        assert result.err.count("\n") == 1 and "the disk is full" in result.err, result.err
        assert "nothing was changed" in result.err and result.json["error"]["code"] == "io_error"
        assert files(repo) == before and event_ids(repo) == old_ids
        assert not (repo.data / ".journal.json").exists()
        assert sorted(p.name for p in repo.data.rglob("*.tmp")) == []
    assert repo.jit("status", "--json").code == 0
    _assert_settled(repo, bases, kind, before, old_ids, committed)
    report = repo.jit("validate", "--json")
    assert report.code == 0, report.out
