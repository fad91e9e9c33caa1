"""`jit import --from beads`: a fixture in the format `bd export` writes (steveyegge/beads,
internal/types/types.go: Issue, Dependency {issue_id, depends_on_id, type}, Comment {author, text,
created_at}; statuses open/in_progress/blocked/deferred/closed/pinned/hooked; priority 0-4)."""

from migrate_helpers import by_origin, dry_run_writes_nothing, import_twice, jsonl

T0 = "2025-10-14T09:30:00.123456789-07:00"


def dep(issue, on, kind="blocks"):
    return {"issue_id": issue, "depends_on_id": on, "type": kind, "created_at": T0, "created_by": "ana"}


def records():
    return [
        {"_type": "issue", "id": "bd-epic", "title": "Auth epic", "status": "open", "priority": 1,
         "issue_type": "epic", "created_at": T0, "updated_at": T0, "labels": ["area:auth"]},
        {"_type": "issue", "id": "bd-a1b2", "title": "Login form", "description": "Build it",
         "design": "Use the form lib", "acceptance_criteria": "It logs in", "status": "in_progress",
         "priority": 0, "issue_type": "feature", "assignee": "bob", "created_at": T0, "updated_at": T0,
         "labels": ["frontend", "needs review"],
         "dependencies": [dep("bd-a1b2", "bd-epic", "parent-child"), dep("bd-a1b2", "bd-c3d4"),
                          dep("bd-a1b2", "bd-f6", "related")],
         "comments": [{"id": 2, "issue_id": "bd-a1b2", "author": "carol", "text": "second", "created_at": "2025-10-15T10:00:00Z"},
                      {"id": 1, "issue_id": "bd-a1b2", "author": "ana", "text": "first", "created_at": "2025-10-15T09:00:00Z"}]},
        {"_type": "issue", "id": "bd-c3d4", "title": "Session store", "status": "closed", "priority": 2,
         "issue_type": "task", "created_at": T0, "updated_at": T0, "closed_at": "2025-10-16T00:00:00Z",
         "close_reason": "Done in PR 12"},
        {"_type": "issue", "id": "bd-e5", "title": "Flaky test", "status": "blocked", "priority": 3,
         "issue_type": "bug", "created_at": T0, "updated_at": T0, "dependencies": [dep("bd-e5", "bd-a1b2")]},
        {"_type": "issue", "id": "bd-f6", "title": "Someday", "status": "deferred", "priority": 4,
         "issue_type": "chore", "created_at": T0, "updated_at": T0},
        # A blocking cycle in the source: x waits for y, y for x.
        {"id": "bd-x", "title": "Cycle X", "status": "open", "priority": 2, "created_at": T0, "updated_at": T0,
         "dependencies": [dep("bd-x", "bd-y")]},
        {"id": "bd-y", "title": "Cycle Y", "status": "open", "priority": 2, "created_at": T0, "updated_at": T0,
         "dependencies": [dep("bd-y", "bd-x")]},
        {"_type": "memory", "key": "style", "value": "terse"},
    ]


def test_beads_states_priorities_links_comments_and_idempotence(repo, tmp_path):
    source = tmp_path / "issues.jsonl"
    source.write_text(jsonl(*records()))
    planned = dry_run_writes_nothing(repo, "beads", source)
    assert len(planned["created"]) == 7
    first = import_twice(repo, "beads", source)
    assert len(first["created"]) == 7
    assert any("memory" in s["reason"] for s in first["skipped"])
    [cycle] = first["cycles"]
    assert set(cycle["cycle"]) == {"beads:bd-x", "beads:bd-y"} and cycle["dropped"] == ["beads:bd-y", "beads:bd-x"]
    got = by_origin(repo)
    epic, login, store, flaky, someday = (got[f"beads:{k}"] for k in ("bd-epic", "bd-a1b2", "bd-c3d4", "bd-e5", "bd-f6"))
    assert (login["state"], login["priority"], login["assignee"]) == ("in_progress", "critical", "human:bob")
    assert login["parent"] == epic["id"] and login["dependencies"] == [store["id"]]
    assert login["labels"] == ["type:feature", "tag:frontend", "tag:needs-review"]
    assert [c["text"] for c in login["comments"]] == ["first", "second"]
    assert login["comments"][0] == {"by": "human:ana", "at": "2025-10-15T09:00:00.000000Z", "text": "first"}
    assert login["context"]["beads"]["links"] == [{"type": "related", "target": "beads:bd-f6"}]
    assert "## Design\n\nUse the form lib" in login["description"]
    assert login["created_at"] == "2025-10-14T16:30:00.123456Z"
    assert (store["state"], store["resolution"]["kind"], store["resolution"]["text"]) == ("done", "done", "Done in PR 12")
    assert store["resolution"]["at"] == "2025-10-16T00:00:00.000000Z"
    assert (flaky["state"], flaky["priority"], flaky["dependencies"]) == ("backlog", "low", [login["id"]])
    assert (someday["state"], someday["priority"], someday["context"]["beads"]["status"]) == ("ready", "low", "deferred")
    assert (epic["priority"], epic["labels"]) == ("high", ["type:epic", "area:auth"])
    x, y = got["beads:bd-x"], got["beads:bd-y"]
    assert x["dependencies"] == [y["id"]] and y["dependencies"] == []
    assert y["context"]["beads"]["dropped_dependency"] == ["beads:bd-x"]


def test_a_changed_source_record_updates_its_issue_only(repo, tmp_path):
    source = tmp_path / "issues.jsonl"
    source.write_text(jsonl(*records()))
    repo.ok("import", "--from", "beads", source)
    before = by_origin(repo)
    changed = records()
    changed[4] = {**changed[4], "status": "closed", "close_reason": "won't do", "title": "Someday, maybe"}
    source.write_text(jsonl(*changed))
    summary = repo.ok("import", "--from", "beads", source)
    assert [u["origin"] for u in summary["updated"]] == ["beads:bd-f6"] and summary["created"] == []
    after = by_origin(repo)
    assert after["beads:bd-f6"]["id"] == before["beads:bd-f6"]["id"]
    assert (after["beads:bd-f6"]["title"], after["beads:bd-f6"]["state"]) == ("Someday, maybe", "done")
    assert repo.jit("validate").code == 0


def test_a_line_that_is_not_json_is_refused_naming_it(repo, tmp_path):
    source = tmp_path / "issues.jsonl"
    source.write_text(jsonl(*records()[:2]) + "{oops\n")
    before = repo.snapshot()
    r = repo.jit("import", "--from", "beads", source)
    assert r.code == 2 and "line 3:" in r.err, r
    assert repo.snapshot() == before
