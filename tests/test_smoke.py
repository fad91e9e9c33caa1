"""A first end-to-end walk through the CLI: create, depend, claim, finish."""


def test_walk_through(repo):
    base = repo.create("Base")
    top = repo.create("Top", "--dep", base)
    assert repo.ok("issue", "show", top)["state"] == "backlog"
    assert [i["id"] for i in repo.ok("query", "available")] == [base]
    claimed = repo.ok("issue", "claim", base[:6], "agent:w1")
    assert claimed["state"] == "in_progress" and claimed["assignee"] == "agent:w1"
    assert repo.jit("issue", "claim", base, "agent:w2").code == 4
    assert repo.ok("issue", "done", base)["state"] == "done"
    assert repo.ok("issue", "show", top)["state"] == "ready"
    assert repo.jit("validate").code == 0
