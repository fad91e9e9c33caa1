"""`jit events tail` shows every event's essentials on one line, without cutting words."""

import pytest

from jit.service.summaries import event_summary, shorten

LONG_REASON = ("superseded by the plugin design that the architecture review chose last week, which also covers "
               "the storage side and the migration of every existing repository to the new layout")


def rows(repo, *args) -> list:
    lines = repo.jit("events", "tail", "-n", "0", *args).out.splitlines()
    assert lines[0].split()[:5] == ["time", "type", "issue", "actor", "what"]
    return lines[1:]


def row_of(lines, type_) -> str:
    found = [line for line in lines if f" {type_} " in line]
    assert found, (type_, lines)
    return found[-1]


def test_every_event_type_shows_its_essentials(repo):
    repo.ok("gate", "define", "review", "--title", "Code review by a person")
    repo.ok("gate", "define", "tests", "--title", "Tests pass", "--mode", "auto", "--checker", "true")
    a = repo.create("Alpha", "--gate", "review")
    b = repo.create("Beta", "--dep", a)
    repo.ok("issue", "update", a, "--title", "Alpha renamed", "--add-label", "type:x")
    repo.ok("issue", "reject", b, "--reason", "not needed")
    c = repo.create("Gamma")
    repo.ok("issue", "reject", c, "--reason", LONG_REASON)
    repo.ok("issue", "claim", a, "human:ana")
    repo.ok("issue", "done", a)
    repo.ok("gate", "pass", a, "review", "--by", "human:bob")
    lines = rows(repo)
    defined = [line for line in lines if " gate_defined " in line]
    assert defined[0].endswith('review: "Code review by a person" (manual, postcheck)')
    assert defined[1].endswith('tests: "Tests pass" (auto, postcheck, checker `true`)')
    assert [line.split("tester  ")[1] for line in lines if " issue_created " in line] == [
        '"Alpha" (ready)', '"Beta" (backlog)', '"Gamma" (ready)']
    assert 'title "Alpha" -> "Alpha renamed"' in row_of(lines, "issue_updated")
    assert "+type:x" in row_of(lines, "issue_updated")
    rejected = [line for line in lines if "-> rejected" in line]
    assert rejected[0].endswith("backlog -> rejected; reason: not needed")
    assert "ready -> in_progress by human:ana" in row_of(lines, "issue_claimed")
    assert "review passed by human:bob" in row_of(lines, "gate_passed")
    assert row_of(lines, "state_changed").endswith("gated -> done (gates)")
    # The long reason is shortened at a word boundary and says so with an ellipsis.
    shown = rejected[1].split("reason: ", 1)[1]
    assert shown.endswith("…") and shown != LONG_REASON
    kept = shown[:-1]
    assert LONG_REASON.startswith(kept) and LONG_REASON[len(kept)] == " ", "a word was cut"
    # --json keeps every field in full.
    full = repo.ok("events", "tail", "--issue", c, "--type", "state_changed")
    assert full[-1]["data"]["reason"] == LONG_REASON


@pytest.mark.parametrize("text,width,expected", [
    ("short", 10, "short"),
    ("one two three four", 12, "one two…"),
    ("a\nmulti   line\ttext", 100, "a multi line text"),
    ("x" * 30, 10, "x" * 9 + "…"),
])
def test_shorten(text, width, expected):
    assert shorten(text, width) == expected
    assert len(shorten(text, width)) <= width


def test_unknown_or_odd_events_still_read(repo):
    assert event_summary({"type": "something_new", "data": {"a": 1, "b": "two", "c": {"d": 3}}}) == \
        'a=1, b=two, c={"d":3}'
    assert event_summary({"type": "gate_defined", "data": {"gate": "not a dict"}}).startswith("?")
    assert event_summary({"type": "state_changed", "data": None}) == "None -> None"
