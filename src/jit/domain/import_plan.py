"""What `jit issue import` keeps of each line between its two passes: the links, not the issues.

SPEC section 8 lets a line depend on (or name as parent) a key defined later in the file, and
refuses cycles, so every line must be seen before any is written. Keeping whole issues for that
cost kilobytes a line; the plan keeps each line's number, its key and its references, resolved
to a line (its ordinal, in file order) or an existing id, in flat arrays of a few bytes a link.
Pure: existing ids are looked up through a function the service passes in.
"""

from array import array

from jit.errors import JitError, UsageError

NO_PARENT = -(1 << 62)


class Plan:
    """Built line by line with add(), then resolve() once the file has been read."""

    def __init__(self):
        self.lines = array("L")          # the line number of each issue, in file order
        self.keys: dict = {}             # key -> ordinal
        self._dep_end = array("L")       # record r's links are _deps[_dep_end[r - 1]:_dep_end[r]]
        self._deps = array("q")          # >= 0: an ordinal; < 0: ~k, the kth existing id
        self._parent = array("q")        # the same encoding, NO_PARENT for none
        self.existing: list = []         # existing ids referred to, each once
        self._existing_at: dict = {}     # existing id -> its index in `existing`
        self.depended_on = bytearray()   # 1 where existing[k] is a dependency (its state matters)
        self._waiting: list = []         # (field, slot, ref, ordinal): refs to keys not seen yet

    def __len__(self) -> int:
        return len(self.lines)

    def add(self, n: int, key, depends_on, parent) -> None:
        """Record one checked line. Raises UsageError (details: line) for a key used before."""
        r = len(self.lines)
        if key is not None:
            if key in self.keys:
                raise UsageError(f"key {key!r} is already used on line {self.lines[self.keys[key]]}", {"line": n})
            self.keys[key] = r
        self.lines.append(n)
        for ref in depends_on:
            self._deps.append(self._link("depends_on", len(self._deps), ref, r))
        self._dep_end.append(len(self._deps))
        self._parent.append(NO_PARENT if parent is None else self._link("parent", r, parent, r))

    def _link(self, field, slot, ref, r) -> int:
        if ref in self.keys:
            return self.keys[ref]
        self._waiting.append((field, slot, ref, r))
        return NO_PARENT

    def resolve(self, find_existing) -> None:
        """Give every reference to a later key or an existing issue its target, in file order.
        `find_existing(ref)` returns the full id or raises a JitError.
        Raises UsageError (details: line) for a reference that names neither."""
        for field, slot, ref, r in self._waiting:
            if ref in self.keys:
                target = self.keys[ref]
            else:
                try:
                    found = find_existing(ref)
                except JitError:
                    raise UsageError(f"{field} {ref!r} is neither a key in this file nor an existing issue",
                                     {"line": self.lines[r]}) from None
                target = ~self._existing(found, field == "depends_on")
            (self._deps if field == "depends_on" else self._parent)[slot] = target
        self._waiting = []

    def _existing(self, issue_id: str, dependency: bool) -> int:
        k = self._existing_at.get(issue_id)
        if k is None:
            k = self._existing_at[issue_id] = len(self.existing)
            self.existing.append(issue_id)
            self.depended_on.append(0)
        if dependency:
            self.depended_on[k] = 1
        return k

    def dependencies(self, r: int) -> array:
        """Record r's dependencies: ordinals (>= 0) and ~k for the kth existing id."""
        return self._deps[self._dep_end[r - 1] if r else 0:self._dep_end[r]]

    def parent(self, r: int) -> int:
        return self._parent[r]

    def check_cycles(self) -> None:
        """Raises UsageError (details: line) naming the lines of the first cycle among the new
        issues, of dependencies first, then of parents."""
        for field, successors in (("depends_on", self._new_dependencies), ("parent", self._new_parent)):
            cycle = first_cycle(len(self), successors)
            if cycle:
                raise UsageError(f"{field} forms a cycle through lines "
                                 + " -> ".join(str(self.lines[r]) for r in cycle), {"line": self.lines[cycle[0]]})

    def _new_dependencies(self, r: int):
        return [d for d in self.dependencies(r) if d >= 0]

    def _new_parent(self, r: int):
        p = self._parent[r]
        return (p,) if p >= 0 else ()


def first_cycle(count: int, successors) -> list | None:
    """The first cycle found walking nodes 0..count-1 in order (its nodes, closing on the first),
    or None. Iterative, with one byte of colour a node: a file may chain 100,000 lines."""
    colour = bytearray(count)  # 0 unseen, 1 on the current path, 2 finished
    for root in range(count):
        if colour[root]:
            continue
        colour[root] = 1
        stack = [(root, iter(successors(root)))]
        while stack:
            node, pending = stack[-1]
            for nxt in pending:
                if colour[nxt] == 1:
                    path = [entry[0] for entry in stack]
                    return path[path.index(nxt):] + [nxt]
                if colour[nxt] == 0:
                    colour[nxt] = 1
                    stack.append((nxt, iter(successors(nxt))))
                    break
            else:
                colour[node] = 2
                stack.pop()
    return None
