"""`jit import --from taskwarrior`: a store built and exported by the real `task` binary
(Debian package `taskwarrior`), in a temporary TASKDATA/TASKRC."""

import os
import shutil
import subprocess

import pytest
from migrate_helpers import by_origin, dry_run_writes_nothing, import_twice

TASK = shutil.which("task")
pytestmark = pytest.mark.skipif(TASK is None, reason="Taskwarrior's `task` is not installed "
                                                     "(apt-get install -y taskwarrior; .ci/run does)")


@pytest.fixture
def tw(tmp_path):
    data = tmp_path / "taskdata"
    data.mkdir()
    rc = tmp_path / "taskrc"
    rc.write_text(f"data.location={data}\nconfirmation=off\nverbose=nothing\nrecurrence.confirmation=no\n")
    env = {**os.environ, "TASKDATA": str(data), "TASKRC": str(rc)}

    def task(*args):
        proc = subprocess.run([TASK, "rc.confirmation=off", *args], env=env, capture_output=True, text=True, check=False,
                              timeout=60, stdin=subprocess.DEVNULL)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    return task


def _uuids(task) -> dict:
    import json

    return {t["description"]: t["uuid"] for t in json.loads(task("export"))}


def test_taskwarrior_store_states_priorities_dependencies_annotations(repo, tw, tmp_path):
    tw("add", "Plan the garden", "project:Home.Garden", "+outside", "priority:H")
    tw("add", "Buy seeds", "priority:M", "depends:1")
    tw("add", "Water daily", "priority:L", "due:tomorrow", "recur:daily")
    tw("1", "annotate", "ask the neighbours first")
    tw("1", "annotate", "measure the beds")
    tw("add", "Old chore")
    tw("add", "Dropped idea", "+idea")
    uuids = _uuids(tw)
    tw(uuids["Old chore"], "done")
    tw(uuids["Dropped idea"], "delete")
    tw("add", "Later", "wait:someday")
    export = tmp_path / "tw.json"
    export.write_text(tw("export"))

    planned = dry_run_writes_nothing(repo, "taskwarrior", export)
    first = import_twice(repo, "taskwarrior", export)
    assert [c["origin"] for c in first["created"]] == [c["origin"] for c in planned["created"]]
    assert any("recurring template" in s["reason"] for s in first["skipped"])
    got = by_origin(repo)
    plan, seeds, chore, dropped, later = (got[f"taskwarrior:{uuids[t]}"] if t in uuids else None
                                          for t in ("Plan the garden", "Buy seeds", "Old chore", "Dropped idea", "Later"))
    later = next(i for i in got.values() if i["title"] == "Later")
    water = [i for i in got.values() if i["title"] == "Water daily"]
    assert len(water) == 1 and "recurrence_parent" in water[0]["context"]["taskwarrior"]
    assert (plan["priority"], plan["state"], plan["labels"]) == ("high", "ready", ["project:Home.Garden", "tag:outside"])
    assert [c["text"] for c in plan["comments"]] == ["ask the neighbours first", "measure the beds"]
    assert (seeds["priority"], seeds["state"], seeds["dependencies"]) == ("normal", "backlog", [plan["id"]])
    assert (chore["state"], chore["resolution"]["kind"]) == ("done", "done")
    assert (dropped["state"], dropped["resolution"]["text"]) == ("rejected", "deleted in Taskwarrior")
    assert (later["state"], later["priority"]) == ("ready", "normal") and "wait" in later["context"]["taskwarrior"]
    assert plan["created_at"].endswith("Z") and len(plan["created_at"]) == 27

    # Work moves on in Taskwarrior: the seeds are bought. Only that issue changes here.
    tw(uuids["Buy seeds"], "done")
    export.write_text(tw("export"))
    again = repo.ok("import", "--from", "taskwarrior", export)
    assert [u["origin"] for u in again["updated"]] == [f"taskwarrior:{uuids['Buy seeds']}"], (again["updated"], uuids)
    assert again["created"] == [] or all("Water daily" == c["title"] for c in again["created"])
    assert by_origin(repo)[f"taskwarrior:{uuids['Buy seeds']}"]["state"] == "done"
    assert repo.jit("validate").code == 0
