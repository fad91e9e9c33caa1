"""The filter language (SPEC section 7): one parser for the CLI, the web filter box and MCP.

    state:ready AND (priority:high OR label:epic:auth) NOT assignee:agent:*

Terms are `field:value` (state, priority, label and assignee with globs,
parent and id by prefix) and the keywords `unassigned` and `blocked`; `AND`,
`OR`, `NOT` and parentheses combine them and adjacent terms mean AND. A parsed
expression becomes both a Python predicate over issues and a SQL WHERE over
the index's columns, so a list filtered in SQL and one filtered in memory agree.
"""

from jit.errors import UsageError

FIELDS = ("state", "priority", "label", "assignee", "parent", "id")
KEYWORDS = ("unassigned", "blocked")
_OPERATORS = {"and": "AND", "or": "OR", "not": "NOT"}
_HEX = frozenset("0123456789abcdef")


class _Node:
    """A value compared by its fields (plain slotted classes: `dataclasses` costs every query's start-up)."""

    __slots__ = ()

    def _key(self) -> tuple:
        return tuple(getattr(self, f) for f in self.__slots__)

    def __eq__(self, other):
        return type(other) is type(self) and other._key() == self._key()

    def __hash__(self):
        return hash((type(self).__name__, self._key()))

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(repr(v) for v in self._key())})"


class Term(_Node):
    """`field:value`, or a keyword (`unassigned`, `blocked`) with value ""."""

    __slots__ = ("field", "value")

    def __init__(self, field: str, value: str = ""):
        self.field, self.value = field, value


class Not(_Node):
    __slots__ = ("arg",)

    def __init__(self, arg):
        self.arg = arg


class BoolOp(_Node):
    """op is "AND" or "OR"; args a tuple of two or more nodes."""

    __slots__ = ("args", "op")

    def __init__(self, op: str, args: tuple):
        self.op, self.args = op, tuple(args)


def _tokens(text: str) -> list:
    """(kind, text, position) tuples; kind is "(", ")", "op" or "word"."""
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "()":
            out.append((c, c, i))
            i += 1
        else:
            start = i
            while i < len(text) and not text[i].isspace() and text[i] not in "()":
                i += 1
            word = text[start:i]
            op = _OPERATORS.get(word.lower())
            out.append(("op", op, start) if op else ("word", word, start))
    return out


def bad(text: str, position: int, why: str) -> UsageError:
    """A usage error that shows the expression with a caret under the offending token."""
    return UsageError(f"bad filter at position {position + 1}: {why}",
                      {"filter": text, "position": position, "problem": why,
                       "pointer": f"  {text}\n  {' ' * position}^"})


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = _tokens(text)
        self.k = 0

    def peek(self):
        return self.toks[self.k] if self.k < len(self.toks) else ("end", "", len(self.text))

    def take(self):
        tok = self.peek()
        self.k += 1
        return tok

    def parse(self):
        if not self.toks:
            raise bad(self.text, 0, "the expression is empty")
        node = self.or_expr()
        kind, word, pos = self.peek()
        if kind != "end":
            raise bad(self.text, pos, f"unexpected {word!r}")
        return node

    def or_expr(self):
        args = [self.and_expr()]
        while self.peek()[:2] == ("op", "OR"):
            self.take()
            args.append(self.and_expr())
        return args[0] if len(args) == 1 else BoolOp("OR", tuple(args))

    def and_expr(self):
        args = [self.not_expr()]
        while True:
            kind, word, _ = self.peek()
            if (kind, word) == ("op", "AND"):
                self.take()
            elif not (kind in ("word", "(") or (kind, word) == ("op", "NOT")):
                break
            args.append(self.not_expr())
        return args[0] if len(args) == 1 else BoolOp("AND", tuple(args))

    def not_expr(self):
        if self.peek()[:2] == ("op", "NOT"):
            self.take()
            return Not(self.not_expr())
        return self.primary()

    def primary(self):
        kind, word, pos = self.take()
        if kind == "(":
            node = self.or_expr()
            kind2, word2, pos2 = self.take()
            if kind2 != ")":
                raise bad(self.text, pos2 if kind2 != "end" else pos, "unclosed '('" if kind2 == "end"
                          else f"expected ')' but found {word2!r}")
            return node
        if kind == "word":
            return _term(self.text, word, pos)
        if kind == "end":
            raise bad(self.text, pos, "the expression ends too early")
        raise bad(self.text, pos, f"unexpected {word!r}")


def _term(text: str, word: str, pos: int) -> Term:
    if word.lower() in KEYWORDS:
        return Term(word.lower())
    field, sep, value = word.partition(":")
    field = field.lower()
    if not sep:
        raise bad(text, pos, f"{word!r} is not a term: use field:value ({', '.join(FIELDS)}) "
                             f"or {' / '.join(KEYWORDS)}")
    if field not in FIELDS:
        raise bad(text, pos, f"unknown field {field!r} (known: {', '.join(FIELDS)})")
    if not value:
        raise bad(text, pos, f"{field}: needs a value")
    from jit.domain.model import PRIORITIES, STATES

    if field == "state" and value not in STATES:
        raise bad(text, pos, f"unknown state {value!r} (one of {', '.join(STATES)})")
    if field == "priority" and value not in PRIORITIES:
        raise bad(text, pos, f"unknown priority {value!r} (one of {', '.join(PRIORITIES)})")
    if field in ("parent", "id"):
        value = value.lower().replace("-", "")
        if not value or not set(value) <= _HEX or len(value) > 32:
            raise bad(text, pos, f"{field}: takes a hexadecimal id or id prefix")
    return Term(field, value)


def parse(text: str):
    """The expression's syntax tree. Raises UsageError pointing at the offending token."""
    if not isinstance(text, str):
        raise UsageError("a filter must be a string", {"filter": text})
    return _Parser(text).parse()


# -- evaluation ---------------------------------------------------------------------------------
def _glob(pattern: str, value) -> bool:
    if value is None:
        return False
    if any(c in pattern for c in "*?["):
        from fnmatch import fnmatchcase

        return fnmatchcase(value, pattern)
    return value == pattern


def matches(node, issue, is_blocked=lambda issue: False) -> bool:
    """Does the issue satisfy the expression? `is_blocked` answers the `blocked` keyword."""
    if isinstance(node, BoolOp):
        results = (matches(a, issue, is_blocked) for a in node.args)
        return all(results) if node.op == "AND" else any(results)
    if isinstance(node, Not):
        return not matches(node.arg, issue, is_blocked)
    field, value = node.field, node.value
    if field == "unassigned":
        return not issue.assignee
    if field == "blocked":
        return bool(is_blocked(issue))
    if field in ("state", "priority"):
        return getattr(issue, field) == value
    if field == "assignee":
        return _glob(value, issue.assignee or None)
    if field == "label":
        return any(_glob(value, label) for label in issue.labels)
    target = issue.id if field == "id" else getattr(issue, "parent", None)
    return bool(target) and target.replace("-", "").startswith(value)


def _sql_glob(pattern: str) -> str:
    return pattern.replace("[!", "[^")


def to_sql(node, blocked_sql=("0", ())) -> tuple:
    """(WHERE text, parameters) over the index's `issues i` (and its labels table)."""
    if isinstance(node, BoolOp):
        parts = [to_sql(a, blocked_sql) for a in node.args]
        return (f" {node.op} ".join(f"({p[0]})" for p in parts), [x for p in parts for x in p[1]])
    if isinstance(node, Not):
        inner, args = to_sql(node.arg, blocked_sql)
        return f"NOT ({inner})", args
    field, value = node.field, node.value
    glob = any(c in value for c in "*?[")
    if field == "unassigned":
        return "i.assignee IS NULL", []
    if field == "blocked":
        return blocked_sql[0], list(blocked_sql[1])
    if field in ("state", "priority"):
        return f"i.{field} = ?", [value]
    if field == "assignee":
        test = "i.assignee GLOB ?" if glob else "i.assignee = ?"
        return f"i.assignee IS NOT NULL AND {test}", [_sql_glob(value) if glob else value]
    if field == "label":
        # IN (list subquery) is computed once; a correlated EXISTS re-ran a label search per issue.
        test = "l.label GLOB ?" if glob else "l.label = ?"
        return f"i.id IN (SELECT l.id FROM labels l WHERE {test})", [_sql_glob(value) if glob else value]
    column = "i.id" if field == "id" else "i.parent"
    return f"{column} IS NOT NULL AND replace({column}, '-', '') GLOB ?", [value + "*"]


def conjunction(*nodes):
    """AND of the given trees (None ones skipped); None when there are none."""
    kept = [n for n in nodes if n is not None]
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else BoolOp("AND", tuple(kept))
