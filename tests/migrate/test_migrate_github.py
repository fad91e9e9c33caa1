"""`jit import --from github`: a fixture shaped like `gh issue list --json number,title,body,state,
stateReason,labels,assignees,author,createdAt,updatedAt,closedAt,comments` (gh's field names)."""

import json

from migrate_helpers import by_origin, dry_run_writes_nothing, import_twice


def gh(number, title, state="OPEN", body="", labels=(), assignees=(), comments=(), reason="", closed=None):
    return {
        "number": number, "title": title, "body": body, "state": state, "stateReason": reason,
        "labels": [{"id": f"L{n}", "name": n, "description": "", "color": "ededed"} for n in labels],
        "assignees": [{"id": f"U{a}", "login": a, "name": a.title()} for a in assignees],
        "author": {"login": "octocat", "is_bot": False},
        "createdAt": f"2024-01-{number:02d}T10:00:00Z", "updatedAt": f"2024-02-{number:02d}T10:00:00Z",
        "closedAt": closed,
        "comments": [{"id": f"C{i}", "author": {"login": who}, "authorAssociation": "MEMBER", "body": text,
                      "createdAt": at, "includesCreatedEdit": False, "isMinimized": False, "minimizedReason": "",
                      "reactionGroups": [], "url": f"https://example.invalid/{number}#c{i}", "viewerDidAuthor": False}
                     for i, (who, text, at) in enumerate(comments)],
    }


def issues():
    return [
        gh(1, "Tracking: v2", body="Parent of the work.\n\n- [ ] #2\n- [x] #3\n", labels=["epic", "P1"]),
        gh(2, "Crash on start", body="Part of #1\nBlocked by #3, #99\n", labels=["bug", "priority: critical", "area: ui"],
           assignees=["mona", "hubot"], comments=[("hubot", "repro attached", "2024-01-03T00:00:00Z"),
                                                   ("mona", "on it", "2024-01-02T00:00:00Z")]),
        gh(3, "Config loader", state="CLOSED", reason="COMPLETED", closed="2024-01-20T00:00:00Z", labels=["enhancement"]),
        gh(4, "Wontfix idea", state="CLOSED", reason="NOT_PLANNED", closed="2024-01-21T00:00:00Z", labels=["P3"]),
        gh(5, "Ping", body="depends on #6"),
        gh(6, "Pong", body="depends on #5"),
        gh(7, "Chicken", body="Part of #8"),
        gh(8, "Egg", body="Parent: #7"),
    ]


def test_github_states_labels_references_comments_and_idempotence(repo, tmp_path):
    source = tmp_path / "gh.json"
    source.write_text(json.dumps(issues(), indent=2))
    assert len(dry_run_writes_nothing(repo, "github", source)["created"]) == 8
    first = import_twice(repo, "github", source)
    assert len(first["created"]) == 8
    assert [c["dropped"] for c in first["cycles"]] == [["github:#6", "github:#5"], ["github:#8", "github:#7"]]
    assert any("github:#99" in w for w in first["warnings"])
    got = by_origin(repo)
    track, crash, config, wontfix, ping, pong = (got[f"github:#{n}"] for n in range(1, 7))
    assert (crash["priority"], crash["assignee"], crash["labels"]) == ("critical", "human:mona", ["type:bug", "area:ui"])
    assert crash["parent"] == track["id"] and crash["dependencies"] == [config["id"]]
    assert crash["state"] == "ready"  # its one known blocker is done
    assert crash["context"]["github"]["assignees"] == ["mona", "hubot"]
    assert crash["context"]["github"]["unresolved_dependencies"] == ["github:#99"]
    assert [(c["by"], c["text"]) for c in crash["comments"]] == [("human:mona", "on it"), ("human:hubot", "repro attached")]
    assert (track["priority"], track["labels"], track["state"]) == ("high", ["tag:epic"], "backlog")
    assert track["dependencies"] == [crash["id"], config["id"]]
    assert (config["state"], config["labels"], config["resolution"]["kind"]) == ("done", ["type:feature"], "done")
    assert config["resolution"]["at"] == "2024-01-20T00:00:00.000000Z"
    assert (wontfix["state"], wontfix["priority"], wontfix["resolution"]["kind"]) == ("rejected", "low", "rejected")
    assert ping["dependencies"] == [pong["id"]] and pong["dependencies"] == []
    chicken, egg = got["github:#7"], got["github:#8"]
    assert chicken["parent"] == egg["id"] and egg["parent"] is None
    assert egg["context"]["github"]["dropped_parent"] == ["github:#7"]
    assert config["created_at"] == "2024-01-03T10:00:00.000000Z" and config["updated_at"] == "2024-02-03T10:00:00.000000Z"


def test_not_json_is_a_usage_error_and_writes_nothing(repo, tmp_path):
    source = tmp_path / "gh.json"
    source.write_text("[{")
    before = repo.snapshot()
    r = repo.jit("import", "--from", "github", source)
    assert r.code == 2 and "gh issue list" in r.err, r
    assert repo.snapshot() == before
