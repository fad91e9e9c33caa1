"""The event log merges as a union by event id: never a line twice, same file on both clones."""

import json
import subprocess

from git_helpers import git, make_team
from hypothesis import given
from hypothesis import strategies as st

from jit.domain.event_merge import duplicate_lines, merge_events


def ev(name, ts="2026-01-01T00:00:00.000000Z"):
    return json.dumps({"id": name, "ts": ts, "type": "t", "issue_id": None, "actor": "a", "data": {}}).encode()


def lines(*names):
    return b"".join(ev(n) + b"\n" for n in names)


def test_the_pattern_that_makes_gits_union_driver_copy_a_line_twice(tmp_path):
    base, ours, theirs = lines("a", "L"), lines("a", "X", "L", "Y"), lines("a", "Z", "L", "W")
    for name, data in (("b", base), ("o", ours), ("t", theirs)):
        (tmp_path / name).write_bytes(data)
    union = subprocess.run(["git", "merge-file", "-p", "--union", "o", "b", "t"], cwd=tmp_path,
                           capture_output=True, check=False).stdout
    assert union.count(ev("L")) == 2  # the fault this module exists for
    merged = merge_events(base, ours, theirs)
    ids = [json.loads(line)["id"] for line in merged.splitlines()]
    assert sorted(ids) == sorted({"a", "L", "X", "Y", "Z", "W"}) and len(ids) == 6
    assert ids[:2] == ["a", "L"]


event_ids = st.lists(st.sampled_from("abcdefghij"), max_size=12)


@given(event_ids, event_ids, event_ids)
def test_merge_keeps_every_event_once_whichever_side_is_ours(base, ours, theirs):
    b, o, t = lines(*base), lines(*base, *ours), lines(*base, *theirs)
    merged = merge_events(b, o, t)
    assert merged == merge_events(b, t, o)
    ids = [json.loads(line)["id"] for line in merged.splitlines()]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(base) | set(ours) | set(theirs)
    assert duplicate_lines(merged.splitlines()) == []


def test_lines_that_are_not_events_are_kept_once():
    merged = merge_events(b"", b"torn {\n" + ev("a") + b"\n", b"torn {\n")
    assert merged.splitlines() == [ev("a"), b"torn {"]


def test_two_clones_claiming_and_commenting_converge_without_duplicate_events(tmp_path):
    a, b = make_team(tmp_path, names=("a", "b"))
    first = a.create("one")
    second = a.create("two")
    a.sync()
    b.sync()
    # Both sides append around a shared event, then merge twice over.
    a.ok("issue", "update", first, "--priority", "high")
    b.ok("issue", "update", second, "--priority", "low")
    a.sync()
    b.sync()
    a.ok("issue", "update", first, "--add-label", "x:y")
    b.ok("issue", "update", second, "--add-label", "x:z")
    b.sync()
    a.sync()
    b.sync()
    for clone in (a, b):
        ids = [e["id"] for e in clone.events()]
        assert len(ids) == len(set(ids)), clone.name
    assert (a.data / "events.jsonl").read_bytes() == (b.data / "events.jsonl").read_bytes()
    attributes = (a.data / ".gitattributes").read_text()
    assert "events.jsonl merge=jit" in attributes and "merge=union" not in attributes
    assert git(a.root, "status", "--porcelain") == ""


def test_git_setup_moves_an_old_union_rule_to_the_event_merge(tmp_path):
    a, = make_team(tmp_path, names=("a",))
    attributes = a.data / ".gitattributes"
    attributes.write_text(attributes.read_text().replace("events.jsonl merge=jit", "events.jsonl merge=union"))
    assert a.jit("git", "setup").code == 0
    text = attributes.read_text()
    assert "events.jsonl merge=jit" in text and "merge=union" not in text
