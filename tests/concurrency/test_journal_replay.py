"""A commit interrupted at its most awkward instants, reproduced exactly: the journal is on
disk and part (or all) of it already landed. The next jit command must finish it, once."""

import json

from jit.domain.model import Issue
from jit.storage.events import encode_events
from jit.storage.issues import dump_issue


def _journal(repo, count):
    """A journal as a big import would write it: `count` new issues and their events."""
    files, events = {}, []
    for n in range(count):
        issue_id = f"{n:08x}-0000-4000-8000-{n:012x}"
        issue = Issue.new(issue_id, f"imported {n} " + "x" * 100, f"2025-01-01T00:00:00.{n:06d}Z")
        files[f"issues/{issue_id}.json"] = dump_issue(issue)
        events.append({"id": f"e{n:07x}-0000-4000-8000-000000000000", "ts": issue.created_at,
                       "type": "issue_created", "issue_id": issue_id, "actor": "human:tester",
                       "data": {"title": issue.title, "state": issue.state, "source": "import"}})
    return {"files": files, "events": events}


def _crash_after(repo, journal, files_applied, events_applied):
    for rel, content in list(journal["files"].items())[:files_applied]:
        (repo.data / rel).write_text(content)
    if events_applied:
        with open(repo.data / "events.jsonl", "ab") as fh:
            fh.write(encode_events(journal["events"]))
    (repo.data / ".journal.json").write_text(json.dumps(journal))


def _created_events(repo):
    lines = (repo.data / "events.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if '"issue_created"' in line]


def test_a_crash_half_way_through_the_files_is_finished_by_the_next_command(repo):
    journal = _journal(repo, 30)
    _crash_after(repo, journal, files_applied=11, events_applied=False)
    assert len(repo.ok("issue", "list")) == 30  # a reader finishes the commit before answering
    assert not (repo.data / ".journal.json").exists()
    assert len(_created_events(repo)) == 30
    assert repo.jit("validate").code == 0


def test_a_crash_after_the_events_landed_does_not_log_them_twice(repo):
    journal = _journal(repo, 30)
    _crash_after(repo, journal, files_applied=30, events_applied=True)
    repo.create("next writer")
    assert len(_created_events(repo)) == 31


def test_a_large_interrupted_batch_is_not_logged_twice(repo):
    """The batch's events are bigger than any fixed look-back window over the log's tail."""
    journal = _journal(repo, 600)
    assert len(encode_events(journal["events"])) > 1 << 17
    _crash_after(repo, journal, files_applied=600, events_applied=True)
    repo.create("next writer")
    created = _created_events(repo)
    assert len(created) == 601, f"{len(created) - 601} events were appended twice"
    assert repo.jit("validate").code == 0


def test_readers_of_one_issue_or_the_log_see_the_finished_commit(repo):
    """`done A` released B in the same commit; the crash came after A's file landed, before B's."""
    a = repo.create("A")
    b = repo.create("B", "--dep", a)
    a_done = json.loads((repo.data / "issues" / f"{a}.json").read_text()) | {"state": "done"}
    b_ready = json.loads((repo.data / "issues" / f"{b}.json").read_text()) | {"state": "ready"}
    events = [{"id": f"e{n}-replay", "ts": "2025-01-01T00:00:00.000000Z", "type": "state_changed",
               "issue_id": i, "actor": "human:tester", "data": {"from": f, "to": t}}
              for n, (i, f, t) in enumerate([(a, "ready", "done"), (b, "backlog", "ready")])]
    journal = {"files": {f"issues/{a}.json": json.dumps(a_done, indent=2, sort_keys=True) + "\n",
                         f"issues/{b}.json": json.dumps(b_ready, indent=2, sort_keys=True) + "\n"},
               "events": events}
    _crash_after(repo, journal, files_applied=1, events_applied=False)
    assert repo.ok("issue", "show", b)["state"] == "ready"
    _crash_after(repo, {"files": {}, "events": [dict(events[0], id="e-late")]}, 0, False)
    assert repo.ok("events", "tail", "-n", "1")[0]["id"] == "e-late"
