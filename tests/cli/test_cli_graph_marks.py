"""`graph show` marks direct and indirect dependencies; `graph export` edges all point one way."""


def test_graph_show_marks_direct_and_indirect(repo):
    x = repo.create("X")
    y = repo.create("Y", "--dep", x)
    z = repo.create("Z", "--dep", y)
    lines = repo.jit("graph", "show", z).out.splitlines()
    assert lines[1].startswith("upstream")
    assert lines[2].split()[:2] == ["direct", y[:8]] and lines[3].split()[:2] == ["indirect", x[:8]]
    lines = repo.jit("graph", "show", x).out.splitlines()
    assert [line.split()[:2] for line in lines[4:]] == [["direct", y[:8]], ["indirect", z[:8]]]


def test_json_edges_point_like_the_dot_and_mermaid_arrows(repo):
    a = repo.create("A")
    b = repo.create("B", "--dep", a)  # b waits for a
    edges = repo.ok("graph", "export", "--format", "json")["edges"]
    assert edges == [{"from": a, "to": b}]
    assert f'"{a}" -> "{b}"' in repo.jit("graph", "export", "--format", "dot").out
    assert f"n{a[:8]} --> n{b[:8]}" in repo.jit("graph", "export", "--format", "mermaid").out
    assert repo.ok("graph", "show", b)["edges"] == [[a, b]]
