"""`jit query available/blocked/state/label` and `jit status` (SPEC section 7)."""


def test_available_is_ready_unassigned_and_ordered_by_priority_then_age(repo, issue_shape):
    low = repo.create("low", "--priority", "low")
    normal1 = repo.create("normal 1")
    crit = repo.create("crit", "--priority", "critical")
    normal2 = repo.create("normal 2", "--label", "epic:a")
    repo.create("assigned", "--assignee", "agent:w9")
    repo.create("waiting", "--dep", low)
    claimed = repo.create("claimed", "--priority", "critical")
    repo.ok("issue", "claim", claimed, "agent:w1")
    available = repo.ok("query", "available")
    for issue in available:
        issue_shape(issue)
    assert [i["id"] for i in available] == [crit, normal1, normal2, low]
    assert [i["id"] for i in repo.ok("query", "available", "--priority", "normal")] == [normal1, normal2]
    assert [i["id"] for i in repo.ok("query", "available", "--label", "epic:*")] == [normal2]
    assert repo.jit("query", "available", "-q").out.split() == [crit, normal1, normal2, low]
    human = repo.jit("query", "available").out
    assert crit[:8] in human and "crit" in human


def test_available_is_empty_array_when_nothing(repo):
    assert repo.ok("query", "available") == []
    assert repo.jit("query", "available", "-q").out == ""


def test_available_sees_a_hand_edit_at_once(repo):
    """The index is never trusted over the files (SPEC 1): a hand edit shows up in the next query."""
    a = repo.create("A")
    assert [i["id"] for i in repo.ok("query", "available")] == [a]
    path = repo.data / "issues" / f"{a}.json"
    path.write_text(path.read_text().replace('"state": "ready"', '"state": "done"'))
    assert repo.ok("query", "available") == []
    assert repo.ok("issue", "list", "--state", "done")[0]["id"] == a


def test_blocked_lists_dependencies_and_gates_with_reasons(repo, issue_shape):
    assert repo.jit("gate", "define", "review", "--title", "Reviewed").code == 0
    base = repo.create("Base")
    waiting = repo.create("Waiting", "--dep", base)
    gated = repo.create("Gated", "--gate", "review")
    repo.ok("issue", "done", gated)
    free = repo.create("Free")
    blocked = repo.ok("query", "blocked")
    by_id = {entry["issue"]["id"]: entry["blocked_by"] for entry in blocked}
    assert set(by_id) == {waiting, gated} and free not in by_id
    for entry in blocked:
        issue_shape(entry["issue"])
    [dep] = by_id[waiting]
    assert dep["kind"] == "dependency" and dep["id"] == base and dep["reason"]
    [gate] = by_id[gated]
    assert gate["kind"] == "gate" and gate["gate"] == "review" and gate["reason"]
    human = repo.jit("query", "blocked").out
    assert waiting[:8] in human and base[:8] in human and "review" in human
    assert set(repo.jit("query", "blocked", "-q").out.split()) == {waiting, gated}


def test_state_and_label_queries(repo, fails):
    a = repo.create("A", "--label", "epic:auth")
    b = repo.create("B", "--label", "epic:pay", "--dep", a)
    assert [i["id"] for i in repo.ok("query", "state", "backlog")] == [b]
    assert [i["id"] for i in repo.ok("query", "state", "ready")] == [a]
    assert repo.ok("query", "state", "done") == []
    assert [i["id"] for i in repo.ok("query", "label", "epic:*")] == [a, b]
    assert [i["id"] for i in repo.ok("query", "label", "epic:pay")] == [b]
    assert repo.ok("query", "label", "type:*") == []
    fails(2, "query", "state", "open")
    fails(2, "query", "label", "nocolon")
    fails(2, "query", "label", "epic*")
    fails(2, "query", "available", "--priority", "p0")
    # A label filter that could never match a namespace:value label is a mistake worth saying so.
    fails(2, "query", "available", "--label", "nocolon")
    fails(2, "issue", "list", "--label", "auth")
    fails(2, "issue", "list", "--label", "epic?")
    assert [i["id"] for i in repo.ok("query", "label", "epic:[ap]*")] == [a, b]
    fails(2, "query", "frob")


def test_status_counts_per_state(repo):
    a = repo.create("A")
    repo.create("B", "--dep", a)
    repo.create("C")
    repo.ok("issue", "reject", repo.create("D"))
    data = repo.ok("status")
    assert data["by_state"] == {"backlog": 1, "ready": 2, "in_progress": 0, "gated": 0, "done": 0, "rejected": 1}
    assert data["total"] == 4 and data["available"] == 2
    human = repo.jit("status").out
    assert "backlog" in human and "total 4" in human
    assert "ready 2" in repo.jit("status", "-q").out.splitlines()


def test_status_on_an_empty_repository(repo):
    data = repo.ok("status")
    assert data["total"] == 0 and set(data["by_state"].values()) == {0}


def test_available_limit_gives_the_best_n(repo):
    low = repo.create("Low", "--priority", "low")
    crit = repo.create("Critical", "--priority", "critical")
    normal = repo.create("Normal")
    page = repo.ok("query", "available", "--limit", "2")  # a cut list says what it cut (SPEC 7)
    assert [i["id"] for i in page["items"]] == [crit, normal] and (page["total"], page["limit"]) == (3, 2)
    assert [i["id"] for i in repo.ok("query", "available", "-n", "5")["items"]] == [crit, normal, low]
    assert repo.jit("query", "available", "--limit", "0").code == 2
