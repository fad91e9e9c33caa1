"""Comments and resolutions across clones: the merge rules (pure), then two real clones through git."""

from git_helpers import make_team
from hypothesis import given, settings
from hypothesis import strategies as st

from jit.domain.merge import merge_comments, merge_issue
from jit.domain.model import Issue

ID = "0a1b2c3d-0000-4000-8000-000000000001"
T0, T1, T2, T3 = (f"2030-01-01T00:00:0{i}.000000Z" for i in range(4))


def note(at, by, text):
    return {"by": by, "at": at, "text": text}


def issue(**fields):
    doc = Issue.new(ID, "Base", T0).to_dict()
    doc.update(fields)
    return doc


def test_both_sides_comments_survive_in_time_order():
    first = note(T1, "agent:a", "shared, before the split")
    base = issue(comments=[first])
    ours = issue(comments=[first, note(T3, "agent:a", "ours, later")], updated_at=T3)
    theirs = issue(comments=[first, note(T2, "agent:b", "theirs, earlier")], updated_at=T2)
    for a, b in ((ours, theirs), (theirs, ours)):
        merged, conflicts = merge_issue(base, a, b)
        assert [c["text"] for c in merged["comments"]] == ["shared, before the split", "theirs, earlier", "ours, later"]
        assert conflicts == []
        Issue.from_dict(merged)


def test_the_same_comment_on_both_sides_is_kept_once_and_ties_order_by_author_then_text():
    same = note(T1, "agent:a", "identical")
    merged = merge_comments([], [same, note(T2, "agent:b", "z")], [note(T2, "agent:a", "y"), same])
    assert merged == [same, note(T2, "agent:a", "y"), note(T2, "agent:b", "z")]


def test_a_resolution_travels_with_its_state():
    base = issue(state="in_progress", assignee="agent:a")
    done = issue(state="done", assignee="agent:a", updated_at=T1,
                 resolution={"kind": "done", "text": "shipped", "by": "agent:a", "at": T1})
    released = issue(state="ready", assignee=None, updated_at=T3)
    merged, _ = merge_issue(base, released, done)
    assert merged["state"] == "done" and merged["resolution"]["text"] == "shipped"


_comment = st.builds(note, st.sampled_from([T0, T1, T2, T3]), st.sampled_from(["agent:a", "agent:b"]),
                     st.text(max_size=3))


@settings(max_examples=200, deadline=None)
@given(st.lists(_comment, max_size=4), st.lists(_comment, max_size=4), st.lists(_comment, max_size=4))
def test_comment_union_is_symmetric_sorted_and_loses_nothing(base, ours, theirs):
    merged = merge_comments(base, ours, theirs)
    assert merged == merge_comments(base, theirs, ours)
    keys = [(c["at"], c["by"], c["text"]) for c in merged]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert {tuple(sorted(c.items())) for c in base + ours + theirs} == {tuple(sorted(c.items())) for c in merged}


def test_two_clones_commenting_on_one_issue_merge_through_git(tmp_path):
    a, b = make_team(tmp_path, ("a", "b"))
    issue = a.create("Shared work")
    a.ok("issue", "comment", issue, "a: plan written")
    a.sync()
    b.sync()
    a.ok("issue", "comment", issue, "a: first half done")
    b.ok("issue", "comment", issue, "b: found a bug in the plan")
    b.ok("issue", "update", issue, "--priority", "high")
    a.sync()
    report = b.sync()
    assert report["ok"], report
    a.sync()
    shown_a, shown_b = a.show(issue), b.show(issue)
    assert shown_a == shown_b
    assert len(shown_a["comments"]) == 3 and shown_a["comments"][0]["text"] == "a: plan written"
    assert {c["text"] for c in shown_a["comments"]} == {"a: plan written", "a: first half done",
                                                        "b: found a bug in the plan"}
    assert [c["at"] for c in shown_a["comments"]] == sorted(c["at"] for c in shown_a["comments"])
    assert shown_a["priority"] == "high"
    assert a.snapshot() == b.snapshot()
    for clone in (a, b):
        assert clone.jit("validate").code == 0
        assert "<<<<<<<" not in (clone.data / "issues" / f"{issue}.json").read_text()
