"""The index is a cache: it must never disagree with the JSON files, whatever changed them.

Edits here are made behind jit's back (in-place writes, deletions, new files,
a damaged or deleted index) and every query afterwards must match an answer
computed from the files alone by the pure domain rules.
"""

import json
import os
import shutil

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jit.domain import queries as rules
from jit.domain.model import Issue
from jit.service import queries


def from_files(data_dir) -> list:
    folder = data_dir / "issues"
    return [Issue.from_dict(json.loads(p.read_text())) for p in sorted(folder.glob("*.json"))]


def expected_available(data_dir) -> list:
    return [i.id for i in rules.available(from_files(data_dir))]


def available_ids(repo) -> list:
    return [i["id"] for i in repo.ok("query", "available")]


def edit_in_place(path, **changes):
    """Rewrite a file through the same inode (as `echo > file` or many editors do)."""
    data = json.loads(path.read_text())
    data.update(changes)
    with open(path, "r+") as fh:
        fh.seek(0)
        fh.write(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        fh.truncate()


def test_in_place_edit_of_same_size_shows_up_at_once(repo):
    a, b = repo.create("Alpha"), repo.create("Bravo")
    assert available_ids(repo) == [a, b]
    path = repo.data / "issues" / f"{b}.json"
    before = path.stat()
    edit_in_place(path, title="Bravx")  # same size; probably the same mtime tick
    assert path.stat().st_size == before.st_size and path.stat().st_ino == before.st_ino
    assert [i["title"] for i in repo.ok("query", "available")] == ["Alpha", "Bravx"]
    edit_in_place(path, priority="critical")
    assert available_ids(repo) == [b, a]
    assert available_ids(repo) == expected_available(repo.data)


def test_deleted_added_and_restored_files(repo, tmp_path):
    ids = [repo.create(f"Issue {n}") for n in range(4)]
    assert available_ids(repo) == ids
    saved = tmp_path / "saved.json"
    shutil.copy(repo.data / "issues" / f"{ids[1]}.json", saved)
    (repo.data / "issues" / f"{ids[1]}.json").unlink()
    assert available_ids(repo) == [ids[0], ids[2], ids[3]]
    shutil.copy(saved, repo.data / "issues" / f"{ids[1]}.json")  # like `git checkout` of the file
    assert available_ids(repo) == ids
    status = repo.ok("status")
    assert status["total"] == 4


def test_hand_made_dependency_and_state_are_respected(repo):
    a, b = repo.create("First"), repo.create("Second")
    edit_in_place(repo.data / "issues" / f"{b}.json", dependencies=[a])
    # b now depends on an unfinished issue: not available, even though its file still says ready.
    assert available_ids(repo) == [a]
    edit_in_place(repo.data / "issues" / f"{a}.json", state="done")
    assert available_ids(repo) == [b]


def test_damaged_or_deleted_index_is_rebuilt(repo):
    ids = [repo.create(f"Issue {n}") for n in range(3)]
    assert available_ids(repo) == ids
    for suffix in ("-wal", "-shm"):
        p = repo.data / f"index.sqlite{suffix}"
        if p.exists():
            p.unlink()
    (repo.data / "index.sqlite").write_bytes(b"this is not a database" * 100)
    assert available_ids(repo) == ids
    for p in repo.data.glob("index.sqlite*"):
        p.unlink()
    assert available_ids(repo) == ids


def test_corrupt_file_is_skipped_with_a_warning_and_named(repo):
    a, b = repo.create("Good"), repo.create("Bad")
    (repo.data / "issues" / f"{b}.json").write_text("{ not json")
    r = repo.jit("query", "available", "--json")
    assert r.code == 0 and [i["id"] for i in json.loads(r.out)] == [a]
    assert b in r.err and "jit validate" in r.err
    assert b in repo.ok("status")["corrupt"]


OPS = st.lists(
    st.tuples(st.sampled_from(["create", "dep", "done", "claim", "edit_priority", "delete_file", "edit_state"]),
              st.integers(0, 50), st.integers(0, 50)),
    min_size=1, max_size=25,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_index_always_agrees_with_the_files(repo, ops):
    """Interleave service writes with edits behind jit's back; after each, index == files."""
    ctx = repo.ctx()
    from jit.errors import JitError
    from jit.service import claims, deps, issues

    for op, x, y in ops:
        ids = sorted(ctx.files.ids())
        pick = (lambda k, ids=ids: ids[k % len(ids)]) if ids else None
        try:
            if op == "create" or not ids:
                issues.create_issue(ctx, f"Issue {x}", priority=["critical", "high", "normal", "low"][y % 4])
            elif op == "dep":
                deps.add_dependency(ctx, pick(x), pick(y))
            elif op == "done":
                issues.done_issue(ctx, pick(x))
            elif op == "claim":
                claims.claim(ctx, pick(x), "agent:p")
            elif op == "edit_priority":
                edit_in_place(repo.data / "issues" / f"{pick(x)}.json", priority=["low", "high"][y % 2])
            elif op == "edit_state":
                edit_in_place(repo.data / "issues" / f"{pick(x)}.json", state=["ready", "done"][y % 2])
            elif op == "delete_file":
                os.unlink(repo.data / "issues" / f"{pick(x)}.json")
        except JitError:
            pass
        got = [i.id for i in queries.available(ctx)]
        assert got == expected_available(repo.data)
        assert sorted(i.id for i in queries.all_issues(ctx)) == sorted(ctx.files.ids())
    ctx.close()
    for p in (repo.data / "issues").glob("*.json"):
        p.unlink()


def test_inode_mode_sees_rename_based_writes(repo):
    """JIT_INDEX_VERIFY=inode trusts the directory listing: jit's own writes and renames still show."""
    env = {"JIT_INDEX_VERIFY": "inode"}
    a = repo.create("Alpha")
    assert [i["id"] for i in repo.ok("query", "available", env=env)] == [a]
    b = repo.create("Bravo", "--priority", "critical")
    assert [i["id"] for i in repo.ok("query", "available", env=env)] == [b, a]
    path = repo.data / "issues" / f"{a}.json"
    data = json.loads(path.read_text())
    data["state"] = "done"
    tmp = path.with_name(".edit.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)  # how editors that save atomically (and git) replace a file
    assert [i["id"] for i in repo.ok("query", "available", env=env)] == [b]
