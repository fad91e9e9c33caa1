"""Property tests for the pure DAG, id and label rules (src/jit/domain), checked against
brute-force reference implementations."""

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from jit.domain import graph
from jit.domain.ids import normalise_prefix, resolve
from jit.domain.labels import check_label, label_matches
from jit.errors import NotFound, Refused, UsageError

NODES = [f"n{i}" for i in range(8)]
edges_st = st.lists(st.tuples(st.sampled_from(NODES), st.sampled_from(NODES)), max_size=30)


def reaches(deps, start, goal):
    """Reference: is there a path start ->* goal (plain DFS with a visited set)."""
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(deps.get(node, ()))
    return False


def is_path(deps, path):
    return all(b in deps.get(a, ()) for a, b in zip(path, path[1:]))


@given(edges_st)
@settings(max_examples=300)
def test_adding_edges_through_check_new_edge_never_makes_a_cycle(attempts):
    deps = {n: [] for n in NODES}
    for src, dst in attempts:
        would_cycle = src == dst or reaches(deps, dst, src)
        try:
            graph.check_new_edge(deps, src, dst)
        except Refused as exc:
            assert would_cycle
            cycle = exc.details["cycle"]
            assert cycle[0] == cycle[-1] == src
            # The cycle is real once the refused edge is added.
            assert is_path({**deps, src: deps[src] + [dst]}, cycle)
            continue
        assert not would_cycle
        deps[src].append(dst)
        assert graph.find_cycles(deps) == []


@given(edges_st)
@settings(max_examples=300)
def test_find_cycles_finds_a_real_cycle_exactly_when_there_is_one(edges):
    deps = {n: [] for n in NODES}
    for src, dst in edges:
        if dst not in deps[src]:
            deps[src].append(dst)
    cycles = graph.find_cycles(deps)
    cyclic = any(reaches(deps, d, n) for n in NODES for d in deps[n])
    assert bool(cycles) == cyclic
    for cycle in cycles:
        assert len(cycle) >= 2 and cycle[0] == cycle[-1] and is_path(deps, cycle)


@given(edges_st)
def test_topological_order_puts_prerequisites_first(edges):
    deps = {n: [] for n in NODES}
    for src, dst in edges:
        if dst not in deps[src] and src != dst and not reaches(deps, dst, src):
            deps[src].append(dst)
    order = graph.topological_order(deps)
    assert sorted(order) == sorted(NODES)
    position = {n: i for i, n in enumerate(order)}
    assert all(position[d] < position[n] for n in NODES for d in deps[n])


@given(edges_st, st.sampled_from(NODES))
def test_reachable_matches_the_reference(edges, start):
    deps = {n: [] for n in NODES}
    for src, dst in edges:
        deps[src].append(dst)
    found = graph.reachable(deps, start)
    assert len(found) == len(set(found)) and start not in found
    assert set(found) == {n for n in NODES if n != start and reaches(deps, start, n)}
    rev = graph.reverse(deps)
    assert set(graph.reachable(rev, start)) == {n for n in NODES if n != start and reaches(deps, n, start)}


def test_deep_chain_does_not_hit_the_recursion_limit():
    deps = {f"n{i}": [f"n{i + 1}"] for i in range(5000)}
    try:
        graph.check_new_edge(deps, "n5000", "n0")
    except Refused as exc:
        assert len(exc.details["cycle"]) == 5002
    else:
        raise AssertionError("closing edge accepted")
    assert graph.find_cycles(deps) == []
    # n5000 is not an issue here (no entry of its own), so n4999 is the first with nothing to wait for.
    assert graph.topological_order(deps)[0] == "n4999"


hexchar = st.sampled_from("0123456789abcdef")
uuid_st = st.lists(hexchar, min_size=32, max_size=32).map(
    lambda c: "".join(c)).map(lambda h: f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")


@given(st.lists(uuid_st, min_size=1, max_size=12, unique=True), st.data())
def test_resolve_finds_the_unique_match_or_says_why_not(ids, data):
    # Make shared prefixes likely: derive the ref from one of the ids.
    target = data.draw(st.sampled_from(ids))
    length = data.draw(st.integers(4, 36))
    ref = target[:length]
    if data.draw(st.booleans()):
        ref = ref.replace("-", "")
    if data.draw(st.booleans()):
        ref = ref.upper()
    compact = normalise_prefix(ref)
    matches = sorted(i for i in ids if i.replace("-", "").startswith(compact))
    assert target in matches
    if len(matches) == 1:
        assert resolve(ref, ids) == target
    else:
        try:
            resolve(ref, ids)
        except UsageError as exc:
            assert exc.details["candidates"] == matches
        else:
            raise AssertionError("ambiguous prefix resolved")


@given(st.lists(uuid_st, max_size=5, unique=True), st.text(alphabet="0123456789abcdefxyz-", max_size=40))
def test_resolve_never_crashes_on_any_reference(ids, ref):
    try:
        found = resolve(ref, ids)
    except (NotFound, UsageError):
        return
    assert found in ids


@given(st.text(alphabet=string.ascii_letters + string.digits + ":-_ *", max_size=15))
def test_labels_are_namespace_colon_value(label):
    ns, sep, value = label.partition(":")
    valid = bool(sep and ns.strip() and value.strip()) and " " not in label
    try:
        check_label(label)
    except UsageError:
        assert not valid
    else:
        assert valid
        assert label_matches(label, [label]) or any(c in label for c in "*?[")
        assert label_matches(f"{ns}:*", [label])
