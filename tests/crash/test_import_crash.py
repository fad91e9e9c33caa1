"""`jit issue import` killed (SIGKILL) or out of disk at every step of its staged commit: afterwards
every issue of the file exists or none does, each `issue_created` event is logged exactly once,
no stage is left once a writer has run, and `jit validate` is clean.

Before the journal naming the stage is in place a kill loses the import (only the stage is left,
which no reader sees and the next writer sweeps); from then on the import is committed and the
next command, a read, finishes it. The expected change comes from an uninterrupted run of the
same import (crash_helpers.Bases), not from the staging code under test.
"""

import json
from collections import Counter

import pytest
from crash_helpers import Bases, assert_whole, delta, event_ids, files, new_event_types, validate_problems
from jit_testing import Repo
from test_full_disk import disk  # noqa: F401 - the 2 MiB tmpfs fixture
from test_full_disk import tree as disk_tree

LOST = ("import.staged", "journal.mid-write", "journal.temps-written")
KEPT = ("journal.renamed", "journal.durable", "import.half-renamed", "import.renamed", "events.mid-append",
        "events.appended", "journal.removed")


@pytest.fixture(scope="module")
def bases(tmp_path_factory):
    return Bases(tmp_path_factory.mktemp("import-crash"))


def stages(repo) -> list:
    return sorted(p.name for p in repo.data.glob(".import-*"))


def kept(repo) -> dict:
    """files() without the stage: what readers can see."""
    return {rel: data for rel, data in files(repo).items() if not rel.startswith(".import-")}


def _assert_settled(repo, bases, before, old_ids, committed):
    expected = bases.reference["import"] if committed else (Counter(), Counter())
    assert delta(before, kept(repo)) == expected[0]
    assert new_event_types(repo, old_ids) == expected[1]
    ids = event_ids(repo)
    assert len(ids) == len(set(ids)), "an event was logged twice"
    assert not (repo.data / ".journal.json").exists()


@pytest.mark.parametrize("point", LOST + KEPT)
def test_a_kill_at_every_step_of_an_import_leaves_all_or_nothing(bases, point):
    repo = bases.copy()
    before, old_ids = files(repo), event_ids(repo)
    killed = repo.jit(*bases.commands["import"], env={"JIT_CRASH_AT": point})
    assert killed.code == -9, killed  # the point was reached
    assert_whole(repo, torn_tail_allowed=point == "events.mid-append")
    journal = repo.data / ".journal.json"
    if point in LOST:
        assert not journal.exists() or point.startswith("journal.")
        assert kept(repo) == before and event_ids(repo) == old_ids
    elif point == "journal.removed":
        assert not journal.exists() and stages(repo) == []
    else:  # the journal names the stage and nothing else; its files are checked on replay
        assert json.loads(journal.read_text()) == {"staged": stages(repo)[0]}
    read = repo.jit("issue", "list", "--json")  # a reader finishes (or ignores) the import first
    assert read.code == 0, read
    titles = {i["title"] for i in read.json}
    assert {"imp 1", "imp 2", "imp 3"} <= titles if point in KEPT else not titles & {"imp 1", "imp 2", "imp 3"}
    _assert_settled(repo, bases, before, old_ids, committed=point in KEPT)
    assert repo.jit("issue", "create", "--title", "after the crash").code == 0  # a writer sweeps the stage
    assert stages(repo) == [] and sorted(p.name for p in repo.data.rglob("*.tmp")) == []
    assert validate_problems(repo) == []


@pytest.mark.parametrize("point", ["import.staged", "journal.renamed", "journal.durable", "import.half-renamed",
                                   "events.mid-append", "events.appended"])
def test_a_full_disk_at_a_step_of_an_import_is_reported_truthfully(bases, point):
    """Before the commit point: exit 1 in one line, nothing changed, no stage left. After it:
    exit 0 with the created issues and a warning; the next command finishes the import."""
    repo = bases.copy()
    before, old_ids = files(repo), event_ids(repo)
    result = repo.jit(*bases.commands["import"], "--json", env={"JIT_FAULT_AT": point})
    committed = point not in ("import.staged", "journal.renamed")
    if committed:
        assert result.code == 0, result
        assert [i["title"] for i in result.json] == ["imp 1", "imp 2", "imp 3"]
        assert "warning: the change is saved" in result.err
    else:
        assert result.code == 1, result
        assert result.err.count("\n") == 1 and "the disk is full" in result.err and "nothing was changed" in result.err
        assert files(repo) == before and event_ids(repo) == old_ids and stages(repo) == []
    assert repo.jit("status", "--json").code == 0
    _assert_settled(repo, bases, before, old_ids, committed)
    assert repo.jit("validate", "--json").code == 0


def test_a_large_import_killed_half_way_through_its_renames_appears_whole(tmp_path):
    """The bulk path (one sync for hundreds of files): killed with half the files moved, the next
    command shows all of them, in file order by age, each created once."""
    repo = Repo(tmp_path)
    assert repo.jit("init").code == 0
    plan = tmp_path / "plan.jsonl"
    plan.write_text("".join(json.dumps({"title": f"bulk {n}", "key": f"k{n}", **({"depends_on": [f"k{n - 1}"]} if n else {})})
                            + "\n" for n in range(300)))
    killed = repo.jit("issue", "import", plan, env={"JIT_CRASH_AT": "import.half-renamed"})
    assert killed.code == -9, killed
    moved = len(list((repo.data / "issues").glob("*.json")))
    assert moved == 150, moved  # half in place, half still staged: the journal says to finish
    listed = repo.ok("issue", "list")
    assert sorted(i["title"] for i in listed) == sorted(f"bulk {n}" for n in range(300))
    created = [e for e in repo.ok("events", "tail", "-n", "0") if e["type"] == "issue_created"]
    assert [e["data"]["title"] for e in created] == [f"bulk {n}" for n in range(300)]
    assert stages(repo) == [] and validate_problems(repo) == []


def test_an_import_that_fills_a_real_disk_while_staging_changes_nothing(disk):  # noqa: F811 - the fixture
    """A 2 MiB tmpfs: the stage runs out of space part-way. One line saying so, exit 1, `.jit/`
    byte-identical, no stage left behind; a small import then works."""
    repo = Repo(disk)
    assert repo.jit("init").code == 0
    repo.create("already here")
    for cache in repo.data.glob("index.sqlite*"):
        cache.unlink()
    before = disk_tree(repo.data)
    plan = disk.parent / "plan.jsonl"  # off the small disk: the stage, not a copy of stdin, fills it
    plan.write_text("".join(json.dumps({"title": f"filler {n}", "description": "x" * 1500}) + "\n"
                            for n in range(2000)))
    for args, stdin in ((["issue", "import", plan], None), (["issue", "import", "-"], plan.read_text())):
        result = repo.jit(*args, "--json", input=stdin)
        assert result.code == 1, result
        assert result.err.count("\n") == 1 and "the disk is full" in result.err and "nothing was changed" in result.err
        assert disk_tree(repo.data) == before and stages(repo) == []
    assert [i["title"] for i in repo.ok("issue", "import", "-", input=json.dumps({"title": "fits"}) + "\n")] == ["fits"]
    assert repo.jit("validate").code == 0


def test_an_import_killed_between_two_pieces_of_its_event_append_logs_each_event_once(tmp_path):
    """The events reach the log in pieces of about 256 KB; killed half-way through the second, the
    log ends with the first piece and a torn line. Replay appends exactly the rest."""
    repo = Repo(tmp_path)
    assert repo.jit("init").code == 0
    plan = tmp_path / "plan.jsonl"
    plan.write_text("".join(json.dumps({"title": f"event {n} " + "x" * 200}) + "\n" for n in range(2500)))
    killed = repo.jit("issue", "import", plan, env={"JIT_CRASH_AT": "events.mid-append:2"})
    assert killed.code == -9, killed
    logged = (repo.data / "events.jsonl").read_bytes()
    assert not logged.endswith(b"\n") and 300 < logged.count(b"issue_created") < 2500  # a piece and a half in
    assert len(repo.ok("issue", "list")) == 2500
    created = [e for e in repo.ok("events", "tail", "-n", "0") if e["type"] == "issue_created"]
    assert [e["data"]["line"] for e in created] == list(range(1, 2501))
    assert validate_problems(repo) == []
