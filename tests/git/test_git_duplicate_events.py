"""`jit validate` reports events repeated by an old union merge, and `--fix` keeps one of each."""

import json


def test_validate_reports_and_fix_removes_repeated_events(repo):
    repo.create("one")
    repo.create("two")
    log = repo.data / "events.jsonl"
    lines = log.read_bytes().splitlines()
    log.write_bytes(b"\n".join([*lines, lines[1], lines[0]]) + b"\n")  # what git's union driver can leave
    before = repo.jit("validate", "--json")
    assert before.code == 5
    found = [p for p in before.json["problems"] if p["kind"] == "duplicate_events"]
    assert found and found[0]["lines"] == [len(lines) + 1, len(lines) + 2]
    fixed = repo.ok("validate", "--fix")
    assert fixed["ok"] and any("repeated event" in f for f in fixed["fixed"])
    assert log.read_bytes().splitlines() == lines
    ids = [json.loads(line)["id"] for line in log.read_bytes().splitlines()]
    assert len(ids) == len(set(ids))
