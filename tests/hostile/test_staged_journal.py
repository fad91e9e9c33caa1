"""A forged journal of the staged kind (a streaming import's, `{"staged": ".import-<hex>.tmp"}`) names
a folder for jit to move files out of and delete: replay accepts only a stage of jit's own pattern
directly under `.jit/`, reached through no link, holding only regular files named like issue files
and well-formed events (SPEC section 1). Anything else is refused whole: readers warn and answer
from the files, writers refuse in one line naming the journal, nothing inside or outside `.jit/`
moves. A link named like a stage, without a journal, is never followed by the sweep either."""

import json
import os

import pytest
from hostile_helpers import tree

HEX = "0123456789abcdef" * 2
STAGE = f".import-{HEX}.tmp"
ISSUE = "11111111-2222-4333-8444-555555555555"
EVENT = {"id": "e1", "ts": "2026-01-01T00:00:00Z", "type": "issue_created", "issue_id": ISSUE, "actor": "x",
         "data": {}}


def _issue_text():
    return json.dumps({"id": ISSUE, "title": "planted", "state": "ready"}) + "\n"


def _plain_stage(data, name=STAGE, issue_name=f"{ISSUE}.json", events=(EVENT,)):
    stage = data / name
    (stage / "issues").mkdir(parents=True)
    (stage / "issues" / issue_name).write_text(_issue_text())
    (stage / "events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    return stage


def _outside_stage(outside):
    """A complete, well-formed stage outside the repository, for links to point at."""
    (outside / "issues").mkdir(parents=True)
    (outside / "issues" / f"{ISSUE}.json").write_text(_issue_text())
    (outside / "events.jsonl").write_text(json.dumps(EVENT) + "\n")
    (outside / "victim.json").write_text("keep me")


def forge(case, data, outside):
    """Plant one forged stage and/or journal; returns the journal's content."""
    if case == "stage is a link to a folder outside":
        _outside_stage(outside)
        os.symlink(outside, data / STAGE)
    elif case == "stage's issues folder is a link outside":
        _outside_stage(outside)
        (data / STAGE).mkdir()
        os.symlink(outside / "issues", data / STAGE / "issues")
    elif case == "a staged file is a link to a file outside":
        _outside_stage(outside)
        (data / STAGE / "issues").mkdir(parents=True)
        os.symlink(outside / "issues" / f"{ISSUE}.json", data / STAGE / "issues" / f"{ISSUE}.json")
    elif case == "staged events are a link outside":
        _outside_stage(outside)
        stage = _plain_stage(data)
        (stage / "events.jsonl").unlink()
        os.symlink(outside / "events.jsonl", stage / "events.jsonl")
    elif case == "a staged name that is no issue file":
        _plain_stage(data, issue_name="passwd")
    elif case == "a staged event without an id":
        _plain_stage(data, events=({"type": "issue_created"},))
    elif case == "the issues folder is a link outside":
        _plain_stage(data)
        _outside_stage(outside)
        (data / "issues").rename(data / "issues.real")
        os.symlink(outside / "issues", data / "issues")
    else:
        _outside_stage(outside)
    names = {"dot dot": "../outside", "absolute": str(outside), "a path inside a stage": f"{STAGE}/../../outside",
             "upper-case hex": STAGE.upper().replace(".IMPORT-", ".import-").replace(".TMP", ".tmp"),
             "not a string": ["../outside"]}
    if case in names:
        return {"staged": names[case]}
    if case == "extra keys":
        _plain_stage(data)
        return {"staged": STAGE, "files": {"../outside/x.json": "{}"}, "events": []}
    return {"staged": STAGE}


CASES = ["dot dot", "absolute", "a path inside a stage", "upper-case hex", "not a string", "extra keys",
         "stage is a link to a folder outside", "stage's issues folder is a link outside",
         "a staged file is a link to a file outside", "staged events are a link outside",
         "a staged name that is no issue file", "a staged event without an id", "the issues folder is a link outside"]


@pytest.mark.parametrize("case", CASES)
def test_a_forged_staged_journal_is_refused_and_moves_nothing(repo, tmp_path, case):
    existing = repo.create("a real issue")
    outside = tmp_path / "outside"
    outside.mkdir()
    journal = forge(case, repo.data, outside)
    (repo.data / ".journal.json").write_text(json.dumps(journal))
    before_outside, before_inside = tree(str(outside)), tree(str(repo.data))
    for rel in list(before_inside):
        if rel.startswith(("index.sqlite", ".lock")):
            del before_inside[rel]

    listed = repo.jit("issue", "list", "--json")
    if case != "the issues folder is a link outside":  # then the listing itself follows the user's link
        assert listed.code == 0 and [i["id"] for i in listed.json] == [existing], listed
    assert "refusing to replay .jit/.journal.json" in listed.err, listed
    refused = repo.jit("issue", "create", "--title", "x")
    assert refused.code == 1 and refused.err.count("\n") == 1, refused
    assert ".jit/.journal.json" in refused.err and "delete it" in refused.err and "Traceback" not in refused.err
    imported = repo.jit("issue", "import", "-", input='{"title": "y"}\n')
    assert imported.code == 1 and ".jit/.journal.json" in imported.err, imported
    report = repo.jit("validate", "--json")
    assert "untrusted_journal" in {p["kind"] for p in report.json["problems"]}, report

    assert tree(str(outside)) == before_outside, "something outside .jit/ moved or changed"
    assert sorted(os.listdir(repo.root)) == sorted([".jit", "outside"] if repo.root == tmp_path else [".jit"])
    after = {k: v for k, v in tree(str(repo.data)).items() if not k.startswith(("index.sqlite", ".lock"))}
    assert after == before_inside, "a refused journal changed .jit/"


def test_a_link_named_like_a_stage_is_not_followed_by_the_sweep(repo, tmp_path):
    outside = tmp_path / "outside"
    _outside_stage(outside)
    os.symlink(outside, repo.data / STAGE)
    before = tree(str(outside))
    assert repo.jit("issue", "create", "--title", "a writer sweeps stages").code == 0
    assert repo.jit("validate", "--fix").code in (0, 5)
    assert tree(str(outside)) == before
    assert repo.ok("issue", "list")[0]["title"] == "a writer sweeps stages"
