"""The pure three-way merge of one issue (jit.domain.merge): examples of each rule, then properties."""

from hypothesis import given, settings
from hypothesis import strategies as st

from jit.domain.merge import merge_issue, merge_registry, merge_set
from jit.domain.model import Issue

ID = "0a1b2c3d-0000-4000-8000-000000000001"
T0, T1, T2, T3 = (f"2030-01-01T00:00:0{i}.000000Z" for i in range(4))


def issue(**fields):
    doc = Issue.new(ID, "Base", T0).to_dict()
    doc.update(fields)
    return doc


def merged(base, ours, theirs):
    result, conflicts = merge_issue(base, ours, theirs)
    Issue.from_dict(result)  # always a readable issue
    return result, conflicts


def test_changes_to_different_fields_combine():
    base = issue()
    ours = issue(title="Ours", updated_at=T1)
    theirs = issue(priority="high", description="more", updated_at=T2)
    result, conflicts = merged(base, ours, theirs)
    assert (result["title"], result["priority"], result["description"]) == ("Ours", "high", "more")
    assert result["updated_at"] == T2 and conflicts == []


def test_lists_merge_as_sets():
    base = issue(labels=["a:1", "b:2"], dependencies=["d1", "d2"])
    ours = issue(labels=["a:1", "b:2", "c:3"], dependencies=["d2"], updated_at=T1)
    theirs = issue(labels=["b:2", "e:5"], dependencies=["d1", "d2", "d3"], updated_at=T2)
    result, conflicts = merged(base, ours, theirs)
    assert result["labels"] == ["b:2", "c:3", "e:5"]  # a:1 removed by theirs, both additions kept
    assert result["dependencies"] == ["d2", "d3"]
    assert conflicts == []


def test_real_conflict_later_change_wins_and_is_reported():
    base = issue()
    ours = issue(title="Ours, later", updated_at=T2)
    theirs = issue(title="Theirs, earlier", updated_at=T1)
    for a, b in ((ours, theirs), (theirs, ours)):
        result, conflicts = merged(base, a, b)
        assert result["title"] == "Ours, later"
        assert conflicts == [{"field": "title", "kept": "Ours, later", "dropped": "Theirs, earlier",
                              "rule": "later change wins"}]


def test_terminal_state_wins_even_when_earlier():
    base = issue(state="in_progress", assignee="agent:a")
    done = issue(state="done", assignee="agent:a", updated_at=T1)
    released = issue(state="ready", assignee=None, updated_at=T3)
    result, conflicts = merged(base, released, done)
    assert (result["state"], result["assignee"]) == ("done", "agent:a")
    assert {c["field"] for c in conflicts} == {"state", "assignee"}
    assert all(c["rule"] == "terminal state wins" for c in conflicts)


def test_claim_fields_move_together():
    # One side released (state, assignee, lease all change), the other renewed the lease later.
    lease = {"ttl": 60, "expires_at": T1}
    base = issue(state="in_progress", assignee="agent:a", lease=lease)
    released = issue(state="ready", assignee=None, lease=None, updated_at=T1)
    renewed = issue(state="in_progress", assignee="agent:a", lease={"ttl": 60, "expires_at": T3}, updated_at=T2)
    result, _ = merged(base, released, renewed)
    assert (result["state"], result["assignee"], result["lease"]) == ("in_progress", "agent:a", renewed["lease"])
    # Without the group, this would have been "ready, no assignee, a live lease".


def test_a_claim_already_on_the_remote_beats_a_later_unpushed_one():
    base = issue(state="ready")
    granted = issue(state="in_progress", assignee="agent:a", updated_at=T1)
    offline = issue(state="in_progress", assignee="agent:b", updated_at=T2)
    result, conflicts = merged_with_remote(base, offline, granted, "theirs")
    assert result["assignee"] == "agent:a"
    assert conflicts[0]["rule"] == "the claim already on the remote wins"
    assert merged(base, offline, granted)[0]["assignee"] == "agent:b"  # without a remote: later wins
    # A terminal state still wins over a held claim, remote or not.
    closed = issue(state="done", assignee="agent:b", updated_at=T1)
    assert merged_with_remote(base, closed, granted, "theirs")[0]["state"] == "done"


def merged_with_remote(base, ours, theirs, remote):
    result, conflicts = merge_issue(base, ours, theirs, remote=remote)
    Issue.from_dict(result)
    return result, conflicts


def test_gate_status_merges_per_gate():
    pending = {"status": "pending", "by": None, "at": None}
    base = issue(state="gated", gates_required=["g1", "g2"], gates_status={"g1": pending, "g2": pending})
    ours = issue(state="gated", gates_required=["g1", "g2"], updated_at=T1,
                 gates_status={"g1": {"status": "passed", "by": "a", "at": T1}, "g2": pending})
    theirs = issue(state="gated", gates_required=["g1", "g2"], updated_at=T2,
                   gates_status={"g1": pending, "g2": {"status": "passed", "by": "b", "at": T2}})
    result, conflicts = merged(base, ours, theirs)
    assert {k: v["status"] for k, v in result["gates_status"].items()} == {"g1": "passed", "g2": "passed"}
    assert conflicts == []


def test_a_removed_gate_takes_its_status_along_and_added_gates_get_one():
    pending = {"status": "pending", "by": None, "at": None}
    base = issue(gates_required=["g1"], gates_status={"g1": pending})
    ours = issue(gates_required=[], gates_status={}, updated_at=T1)
    theirs = issue(gates_required=["g1", "g2"], updated_at=T2,
                   gates_status={"g1": {"status": "failed", "by": "b", "at": T2}, "g2": pending})
    result, _ = merged(base, ours, theirs)
    assert result["gates_required"] == ["g2"] and set(result["gates_status"]) == {"g2"}


def test_context_merges_per_key():
    base = issue(context={"a": 1, "b": 2})
    ours = issue(context={"a": 1, "b": 3}, updated_at=T1)
    theirs = issue(context={"a": 5, "b": 2, "c": 1}, updated_at=T2)
    assert merged(base, ours, theirs)[0]["context"] == {"a": 5, "b": 3, "c": 1}


def test_both_sides_created_the_file():
    ours = issue(title="x", labels=["a:1"], updated_at=T1)
    theirs = issue(title="y", labels=["b:1"], updated_at=T2)
    result, conflicts = merged(None, ours, theirs)
    assert result["title"] == "y" and result["labels"] == ["a:1", "b:1"]
    assert [c["field"] for c in conflicts] == ["title"]


def test_gate_registry_merges_per_key_and_both_orders_agree():
    base = {"lint": {"title": "Lint"}}
    ours = {"lint": {"title": "Lint!"}, "tests": {"title": "Tests"}}
    theirs = {"lint": {"title": "Lint?"}, "review": {"title": "Review"}}
    one, conflicts = merge_registry(base, ours, theirs)
    two, _ = merge_registry(base, theirs, ours)
    assert one == two and set(one) == {"lint", "tests", "review"}
    assert [c["field"] for c in conflicts] == ["lint"]


# -- properties ----------------------------------------------------------------------------------

pending = {"status": "pending", "by": None, "at": None}
GATES = ["g1", "g2", "g3"]
statuses = st.sampled_from([pending, {"status": "passed", "by": "x", "at": T1},
                            {"status": "failed", "by": "y", "at": T2}])
claims = st.sampled_from([("ready", None, None), ("backlog", None, None), ("in_progress", "agent:a", None),
                          ("in_progress", "agent:b", {"ttl": 5, "expires_at": T3}), ("gated", "agent:a", None),
                          ("done", "agent:a", None), ("rejected", None, None)])


@st.composite
def issues(draw):
    state, assignee, lease = draw(claims)
    gates = draw(st.lists(st.sampled_from(GATES), unique=True, max_size=3))
    return issue(
        title=draw(st.sampled_from(["A", "B", "C"])),
        description=draw(st.sampled_from(["", "d", "e"])),
        priority=draw(st.sampled_from(["critical", "high", "normal", "low"])),
        state=state, assignee=assignee, lease=lease,
        labels=draw(st.lists(st.sampled_from(["a:1", "b:2", "c:3", "d:4"]), unique=True, max_size=4)),
        dependencies=draw(st.lists(st.sampled_from(["x", "y", "z"]), unique=True, max_size=3)),
        gates_required=gates, gates_status={g: draw(statuses) for g in gates},
        context=draw(st.dictionaries(st.sampled_from(["k", "l"]), st.integers(0, 2), max_size=2)),
        updated_at=draw(st.sampled_from([T0, T1, T2, T3])),
    )


@settings(max_examples=100, deadline=None)
@given(issues(), issues(), issues())
def test_merge_is_symmetric_and_always_a_valid_issue(base, ours, theirs):
    one, _ = merged(base, ours, theirs)
    two, _ = merged(base, theirs, ours)
    assert one == two
    # With a remote side named, swapping the sides swaps the name too.
    assert merged_with_remote(base, ours, theirs, "theirs")[0] == merged_with_remote(base, theirs, ours, "ours")[0]


@settings(max_examples=100, deadline=None)
@given(issues(), issues())
def test_one_sided_changes_are_taken_verbatim(base, changed):
    changed = {**changed, "updated_at": max(base["updated_at"], changed["updated_at"])}  # time moves forward
    assert merged(base, changed, changed) == (changed, [])
    assert merged(base, base, changed) == (changed, [])
    assert merged(base, changed, base) == (changed, [])


@settings(max_examples=100, deadline=None)
@given(issues(), issues(), issues())
def test_set_fields_follow_set_semantics(base, ours, theirs):
    result, _ = merged(base, ours, theirs)
    for field in ("labels", "dependencies", "gates_required"):
        b, o, t = set(base[field]), set(ours[field]), set(theirs[field])
        if o == b or t == b or o == t:
            continue  # one side unchanged: the other side's list, verbatim (checked above)
        assert set(result[field]) == (b & o & t) | (o - b) | (t - b), field
        assert len(result[field]) == len(set(result[field]))


@settings(max_examples=100, deadline=None)
@given(issues(), issues(), issues())
def test_conflicts_go_to_one_side_only(base, ours, theirs):
    result, conflicts = merged(base, ours, theirs)
    claim = (result["state"], result["assignee"], result["lease"])
    sides = [(d["state"], d["assignee"], d["lease"]) for d in (base, ours, theirs)]
    assert claim in sides  # the claim group is never spliced from two versions
    for c in conflicts:
        field = c["field"]
        if "." not in field:
            assert result.get(field) == c["kept"]
    assert result["updated_at"] == max(ours["updated_at"], theirs["updated_at"])


def test_merge_set_keeps_order_of_an_unchanged_side():
    assert merge_set(["a", "b"], ["a", "b"], ["b", "a", "c"]) == ["b", "a", "c"]
