"""The dependency DAG over issue ids (SPEC section 4).

`deps` maps an issue id to the ids it depends on (edges FROM -> TO mean FROM
waits for TO). Nothing here reads files: callers pass the mapping.
"""

from jit.errors import Refused


def find_path(deps: dict, start: str, goal: str) -> list | None:
    """A dependency path start -> ... -> goal, or None (iterative DFS, safe on deep graphs)."""
    if start == goal:
        return [start]
    parent = {start: None}
    stack = [start]
    while stack:
        node = stack.pop()
        for nxt in deps.get(node, ()):
            if nxt in parent:
                continue
            parent[nxt] = node
            if nxt == goal:
                path = [goal]
                while parent[path[-1]] is not None:
                    path.append(parent[path[-1]])
                return path[::-1]
            stack.append(nxt)
    return None


def check_new_edge(deps: dict, src: str, dst: str) -> None:
    """Refuse an edge src -> dst that is a self-edge or would close a cycle.

    Raises Refused with the cycle (as ids, first == last) in details.
    """
    if src == dst:
        raise Refused(f"an issue cannot depend on itself ({src[:8]})", {"cycle": [src, src]})
    back = find_path(deps, dst, src)
    if back is not None:
        cycle = [src] + back
        raise Refused(
            "dependency would create a cycle: " + " -> ".join(i[:8] for i in cycle),
            {"cycle": cycle},
        )


def reverse(deps: dict) -> dict:
    rev: dict = {}
    for src, targets in deps.items():
        for dst in targets:
            rev.setdefault(dst, []).append(src)
    return rev


def reachable(adjacency: dict, start: str) -> list:
    """Every node reachable from start (excluding it), in BFS order."""
    seen = {start}
    order = []
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for n in adjacency.get(node, ()):
                if n not in seen:
                    seen.add(n)
                    order.append(n)
                    nxt.append(n)
        frontier = nxt
    return order


def find_cycles(deps: dict) -> list:
    """Cycles present in a graph (e.g. after a git merge); one representative path each."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = {n: WHITE for n in deps}
    cycles = []
    for root in list(deps):
        if colour.get(root, WHITE) != WHITE:
            continue
        stack = [(root, iter(deps.get(root, ())))]
        path = [root]
        colour[root] = GREY
        while stack:
            node, it = stack[-1]
            advanced = False
            for nxt in it:
                c = colour.get(nxt, WHITE)
                if c == GREY:
                    cycles.append(path[path.index(nxt):] + [nxt])
                elif c == WHITE and nxt in deps:
                    colour[nxt] = GREY
                    stack.append((nxt, iter(deps.get(nxt, ()))))
                    path.append(nxt)
                    advanced = True
                    break
            if not advanced:
                colour[node] = BLACK
                stack.pop()
                path.pop()
    return cycles


def topological_order(deps: dict) -> list:
    """Ids ordered so every issue comes after what it depends on (cycle members last)."""
    indegree = {n: 0 for n in deps}
    rev = reverse(deps)
    for src, targets in deps.items():
        indegree[src] = sum(1 for t in targets if t in deps)
    ready = sorted(n for n, d in indegree.items() if d == 0)
    order = []
    while ready:
        node = ready.pop()
        order.append(node)
        for dependent in rev.get(node, ()):
            indegree[dependent] -= 1
            if indegree[dependent] == 0:
                ready.append(dependent)
    placed = set(order)
    order.extend(sorted(n for n in deps if n not in placed))
    return order
