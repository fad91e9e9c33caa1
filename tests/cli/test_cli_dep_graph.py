"""`jit dep add/rm` and `jit graph show/export` (SPEC section 4)."""

import json


def chain(repo, n):
    ids = [repo.create("I0")]
    for i in range(1, n):
        ids.append(repo.create(f"I{i}", "--dep", ids[-1]))
    return ids


def test_dep_add_makes_from_wait_for_to(repo, issue_shape):
    a, b = repo.create("A"), repo.create("B")
    after = repo.ok("dep", "add", b[:6], a[:6])
    issue_shape(after)
    assert after["id"] == b and after["dependencies"] == [a] and after["state"] == "backlog"
    added, moved = repo.ok("events", "tail", "-n", "2")
    assert added["type"] == "dependency_added" and added["issue_id"] == b and added["data"]["on"] == a
    assert moved["type"] == "state_changed" and (moved["data"]["from"], moved["data"]["to"]) == ("ready", "backlog")
    assert repo.jit("dep", "add", b, a, "-q").out == b + "\n"  # idempotent
    assert repo.ok("issue", "show", b)["dependencies"] == [a]


def test_dep_on_a_done_issue_keeps_ready(repo):
    a, b = repo.create("A"), repo.create("B")
    repo.ok("issue", "done", a)
    assert repo.ok("dep", "add", b, a)["state"] == "ready"


def test_dep_on_unfinished_issue_does_not_move_a_started_issue(repo):
    a, b = repo.create("A"), repo.create("B")
    repo.ok("issue", "claim", b, "agent:w1")
    assert repo.ok("dep", "add", b, a)["state"] == "in_progress"


def test_self_dependency_is_refused(repo, fails):
    a = repo.create("A")
    error = fails(5, "dep", "add", a, a[:5])
    assert error["details"]["cycle"] == [a, a]


def test_a_closing_edge_is_refused_and_the_cycle_printed(repo, fails):
    a, b, c = chain(repo, 3)
    error = fails(5, "dep", "add", a, c)
    cycle = error["details"]["cycle"]
    assert cycle[0] == cycle[-1] == a and set(cycle) == {a, b, c}
    for issue_id in cycle:
        assert issue_id[:8] in error["message"]
    # Each consecutive pair is an edge once the new one is added: it really is the cycle.
    deps = {i["id"]: i["dependencies"] for i in repo.ok("issue", "list")}
    deps[a] = deps[a] + [c]
    assert all(nxt in deps[cur] for cur, nxt in zip(cycle, cycle[1:]))


def test_dep_add_errors(repo, fails):
    a = repo.create("A")
    missing = "0000" if not a.startswith("0000") else "1111"
    fails(3, "dep", "add", a, missing)
    fails(3, "dep", "add", missing, a)
    fails(2, "dep", "add", a)
    fails(2, "dep", "add", a, "xyz")
    repo.ok("issue", "done", a)
    b = repo.create("B")
    error = fails(5, "dep", "add", a, b)  # a finished issue does not grow new prerequisites
    assert "done" in error["message"]


def test_dep_rm_frees_a_backlog_issue(repo):
    a, b = repo.create("A"), repo.create("B")
    c = repo.create("C", "--dep", a, "--dep", b)
    repo.ok("issue", "done", a)
    after = repo.ok("dep", "rm", c, b)
    assert after["dependencies"] == [a] and after["state"] == "ready"
    assert repo.ok("events", "tail", "-n", "2", "--issue", c)[0]["type"] == "dependency_removed"
    assert repo.jit("dep", "remove", c, a, "-q").out == c + "\n"


def test_dep_rm_of_a_missing_edge_changes_nothing(repo, fails):
    a, b = repo.create("A"), repo.create("B")
    fails(5, "dep", "rm", a, b)


def test_graph_show_up_and_down_stream(repo, issue_shape):
    a, b, c, d = chain(repo, 4)
    other = repo.create("Unrelated")
    view = repo.ok("graph", "show", b)
    assert set(view) >= {"issue", "upstream", "downstream"}
    issue_shape(view["issue"])
    assert view["issue"]["id"] == b
    assert [i["id"] for i in view["upstream"]] == [a]
    assert [i["id"] for i in view["downstream"]] == [c, d]
    for issue in view["upstream"] + view["downstream"]:
        issue_shape(issue)
    assert other not in json.dumps(view)
    human = repo.jit("graph", "show", b).out
    assert "upstream" in human and "downstream" in human and a[:8] in human and d[:8] in human
    assert repo.jit("graph", "show", b, "-q").out.split() == [a, c, d]


def test_graph_export_formats(repo):
    a, b = chain(repo, 2)
    lone = repo.create('Quote "me"')
    data = repo.ok("graph", "export", "--format", "json")
    assert {n["id"] for n in data["nodes"]} == {a, b, lone}
    assert data["edges"] == [{"from": a, "to": b}]  # b depends on a: the arrow a -> b, as in dot
    ids = [n["id"] for n in data["nodes"]]
    assert ids.index(a) < ids.index(b)  # prerequisites first

    dot = repo.jit("graph", "export", "--format", "dot")
    assert dot.code == 0 and dot.out.startswith("digraph") and dot.out.rstrip().endswith("}")
    assert f'"{a}" -> "{b}"' in dot.out and '\\"me\\"' in dot.out
    as_json = repo.ok("graph", "export", "--format", "dot")
    assert as_json == {"format": "dot", "text": dot.out}

    mermaid = repo.jit("graph", "export", "-f", "mermaid").out
    assert mermaid.startswith("graph") and f"n{a[:8]} --> n{b[:8]}" in mermaid
    assert repo.jit("graph", "export").out == dot.out  # dot by default


def test_the_cli_writes_graph_export_json_byte_for_byte_as_the_api_and_mcp_build_it(repo):
    """The CLI writes the JSON a node at a time; web and MCP encode graph_export()'s dict: one text."""
    from jit.service.deps import graph_export
    from jit.service.serialize import dumps

    a, b = chain(repo, 2)
    repo.create('Quote "me" \\ and ünïcode', "--label", "area:x")
    repo.ok("issue", "claim", a, "agent:one")
    printed = {mode: repo.jit("graph", "export", "--format", "json", *flag).out
               for mode, flag in (("text", ()), ("json", ("--json",)), ("quiet", ("-q",)))}
    expected = dumps(graph_export(repo.ctx(), "json")) + "\n"
    assert printed == {"text": expected, "json": expected, "quiet": expected}


def test_graph_export_refuses_an_unknown_format(repo, fails):
    fails(2, "graph", "export", "--format", "svg")
