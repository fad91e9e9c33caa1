"""The event log heals (issue 11 item 4): a torn last line never swallows the next event, readers
skip unreadable lines, `jit validate` names them by line number, and `--fix` sets them aside in
`.jit/events.unreadable.log` keeping every whole event, even one glued to a fragment."""

import json

from jit_testing import events


def _raw(repo) -> bytes:
    return (repo.data / "events.jsonl").read_bytes()


def test_an_append_after_a_torn_tail_starts_on_a_fresh_line_and_keeps_the_fragment_aside(repo):
    repo.create("first")
    with open(repo.data / "events.jsonl", "ab") as fh:
        fh.write(b'{"id": "torn", "ts": "2025-01-01T00:00:00Z", "ty')  # what a full disk leaves
    issue = repo.create("second")
    created = [e["issue_id"] for e in events(repo, "issue_created")]
    assert issue in created, "the event appended after a torn tail was lost"
    assert _raw(repo).endswith(b"\n") and b'"ty{' not in _raw(repo)
    assert (repo.data / "events.unreadable.log").read_bytes() == b'{"id": "torn", "ts": "2025-01-01T00:00:00Z", "ty\n'
    assert repo.jit("validate").code == 0
    assert repo.ok("events", "tail", "-n", "1")[0]["issue_id"] == issue


def test_a_whole_last_event_missing_only_its_newline_is_kept(repo):
    repo.create("first")
    whole = {"id": "hand-made", "ts": "2025-01-01T00:00:00Z", "type": "note", "issue_id": None,
             "actor": "human:x", "data": {}}
    with open(repo.data / "events.jsonl", "ab") as fh:
        fh.write(json.dumps(whole).encode())
    repo.create("second")
    ids = [e["id"] for e in events(repo)]
    assert "hand-made" in ids and len(events(repo, "issue_created")) == 2
    assert not (repo.data / "events.unreadable.log").exists()


def test_validate_names_unreadable_lines_and_fix_sets_them_aside_keeping_whole_events(repo):
    repo.create("one")
    lines = _raw(repo).split(b"\n")
    glued = {"id": "glued", "ts": "2025-01-01T00:00:00Z", "type": "note", "issue_id": None,
             "actor": "human:x", "data": {"text": "{not a brace}"}}
    planted = lines[:-1] + [b"<<<<<<< HEAD", b'{"id": "half", "ty' + json.dumps(glued).encode(), b"[1, 2]"]
    (repo.data / "events.jsonl").write_bytes(b"\n".join(planted) + b"\n")
    before = [e["id"] for e in events_lenient(repo)]
    assert "glued" not in before  # readers skip the glued line as a whole
    listed = repo.jit("events", "tail", "--json")
    assert listed.code == 0

    report = repo.jit("validate", "--json")
    assert report.code == 5
    [problem] = [p for p in report.json["problems"] if p["kind"] == "unreadable_events"]
    n = len(lines) - 1
    assert problem["lines"] == [n + 1, n + 2, n + 3] and f"{n + 1}, {n + 2}, {n + 3}" in problem["message"]

    fixed = repo.jit("validate", "--fix", "--json")
    assert fixed.code == 0, fixed.out
    aside = (repo.data / "events.unreadable.log").read_bytes().split(b"\n")
    assert aside == [b"<<<<<<< HEAD", b'{"id": "half", "ty', b"[1, 2]", b""]
    kept = events(repo)  # every line parses again
    assert [e["id"] for e in kept] == [e["id"] for e in events_lenient(repo)]
    assert kept[-1] == glued and len(events(repo, "issue_created")) == 1
    assert repo.jit("validate").code == 0


def events_lenient(repo):
    found = []
    for line in _raw(repo).split(b"\n"):
        try:
            found.append(json.loads(line))
        except ValueError:
            continue
    return [e for e in found if isinstance(e, dict)]
