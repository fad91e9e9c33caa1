"""`jit events tail` (SPEC section 10)."""


def test_tail_last_n_oldest_first_with_filters(repo, fails):
    a = repo.create("A")
    b = repo.create("B", "--dep", a)
    repo.ok("issue", "done", a)
    everything = repo.ok("events", "tail", "-n", "0")
    assert [e["type"] for e in everything] == ["repo_initialized", "issue_created", "issue_created",
                                               "state_changed", "state_changed"]
    assert repo.ok("events", "tail", "-n", "2") == everything[-2:]
    assert len(repo.ok("events", "tail")) == 5  # default 20
    assert [e["issue_id"] for e in repo.ok("events", "tail", "--issue", b[:6])] == [b, b]
    created = repo.ok("events", "tail", "--type", "issue_created")
    assert [e["issue_id"] for e in created] == [a, b]
    both = repo.ok("events", "tail", "--type", "issue_created", "--type", "state_changed", "--issue", a)
    assert [e["type"] for e in both] == ["issue_created", "state_changed"]
    assert repo.jit("events", "tail", "-n", "1", "-q").out == everything[-1]["id"] + "\n"
    human = repo.jit("events", "tail").out
    assert "issue_created" in human and "ready -> done" in human
    fails(2, "events", "tail", "-n", "many")
    fails(2, "events", "tail", "--issue", "xyz")


def test_tail_skips_a_damaged_line_instead_of_failing(repo):
    repo.create("A")
    with open(repo.data / "events.jsonl", "a") as fh:
        fh.write('{"half a line\n')
    repo.create("B")
    events = repo.ok("events", "tail", "-n", "0")
    assert [e["type"] for e in events] == ["repo_initialized", "issue_created", "issue_created"]
