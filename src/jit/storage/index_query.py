"""The index's read side: every list is a WHERE over the `issues` table (alias `i`) in work order.

Pages come straight from SQL (`LIMIT`/`OFFSET` over an index in work order), so
a command costs what its answer costs. WHERE clauses come from here or from
`jit.domain.filter` (which compiles the filter language to the same columns).
"""

# Ready, unassigned, dependencies done. SPEC 6's "available" adds the prechecks: always go through
# jit.service.queries.available_where (the SQL twin of jit.domain.queries.is_available).
# `undone` counts unfinished dependencies, kept by index_rows.Rows.write (a partial index serves the rest).
AVAILABLE_WHERE = "i.state='ready' AND i.assignee IS NULL AND i.undone=0"


def prechecks_passed_where(precheck_keys) -> tuple:
    """(WHERE, args): no precheck gate of the issue is unpassed. SPEC 6's "available" is
    AVAILABLE_WHERE AND this (SQL twin of jit.domain.states.unpassed_prechecks)."""
    keys = sorted(precheck_keys)
    if not keys:
        return "1", []
    return f"NOT EXISTS (SELECT 1 FROM json_each(i.unpassed) WHERE value IN ({','.join('?' * len(keys))}))", keys


UNDONE_DEP = "i.undone>0"
ORDER = "i.prank, i.created, i.id"


def blocked_where(precheck_keys) -> tuple:
    """Unfinished issues held back by a dependency or a gate (SQL twin of domain.queries.blockers)."""
    keys = sorted(precheck_keys)
    gate = (f" OR (i.state IN ('backlog','ready') AND EXISTS (SELECT 1 FROM json_each(i.unpassed) "
            f"WHERE value IN ({','.join('?' * len(keys))})))") if keys else ""
    where = (f"(i.state NOT IN ('done','rejected') AND ({UNDONE_DEP} "
             f"OR (i.state='gated' AND i.unpassed!='[]'){gate}))")
    return where, keys


def _from_where(where: str, columns: str = "") -> str:
    """FROM and WHERE over the issues that parse (a corrupt file's row has no state), joined to
    their JSON (`d.json`) only when the columns ask for it, row by row in the issues' order (a
    CROSS JOIN keeps SQLite from driving the loop from `docs`).
    An "available" WHERE names the partial index of available issues itself: SQLite's planner
    picks the (state, ...) index instead and then reads every ready row to count them (16 ms at
    10,000 issues instead of 1). Its state='ready' already excludes corrupt rows."""
    join = " CROSS JOIN docs d ON d.id=i.id" if "d.json" in columns else ""
    if where.startswith(AVAILABLE_WHERE):
        return f"FROM issues i INDEXED BY issues_avail{join} WHERE ({where})"
    return f"FROM issues i{join} WHERE i.state IS NOT NULL AND ({where})"


def _select_sql(where: str, columns: str) -> str:
    return f"SELECT {columns} {_from_where(where, columns)} ORDER BY {ORDER}"


class _StateTitle:
    __slots__ = ("state", "title")

    def __init__(self, state, title):
        self.state, self.title = state, title


class Queries:
    """Mixed into Index: `self.connection()` is fresh, `self.as_checked()` is as last checked."""

    def select(self, where="1", args=(), limit=None, offset=0, columns="d.json", conn=None) -> list:
        sql = _select_sql(where, columns)
        args = list(args)
        if limit is not None or offset:
            sql += " LIMIT ? OFFSET ?"
            args += [-1 if limit is None else limit, offset or 0]
        return (conn or self.connection()).execute(sql, args).fetchall()

    def each_row(self, where="1", args=(), columns="d.json"):
        """A cursor over every matching row in work order, for callers that read it in chunks."""
        return self.connection().execute(_select_sql(where, columns), list(args))

    def count(self, where="1", args=()) -> int:
        sql = f"SELECT COUNT(*) {_from_where(where)}"
        return self.connection().execute(sql, list(args)).fetchone()[0]

    def issue_jsons(self, state=None) -> list:
        if state:
            return [r[0] for r in self.select("i.state=?", [state])]
        return [r[0] for r in self.connection().execute("SELECT json FROM docs")]

    def jsons_of(self, ids) -> dict:
        """{id: json} for the given ids (missing ones left out)."""
        ids, found = list(ids), {}
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            found.update(self.connection().execute(
                f"SELECT id, json FROM docs WHERE id IN ({','.join('?' * len(part))})", part))
        return found

    def states_of(self, ids) -> dict:
        ids, found = list(ids), {}
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            found.update(self.connection().execute(
                f"SELECT id, state FROM issues WHERE id IN ({','.join('?' * len(part))})", part))
        return found

    def states_titles(self, ids) -> dict:
        """{id: object with .state and .title} for the given ids: what a blocking reason names."""
        ids, found = list(ids), {}
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            for issue_id, state, title in self.connection().execute(
                    f"SELECT id, state, title FROM issues WHERE state IS NOT NULL "
                    f"AND id IN ({','.join('?' * len(part))})", part):
                found[issue_id] = _StateTitle(state, title)
        return found

    def deps_map(self) -> dict:
        graph: dict = {}
        for src, dst in self.connection().execute("SELECT src, dst FROM deps"):
            graph.setdefault(src, []).append(dst)
        return graph

    def deps_of(self, ids) -> dict:
        ids, graph = list(ids), {}
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            for src, dst in self.connection().execute(
                    f"SELECT src, dst FROM deps WHERE src IN ({','.join('?' * len(part))})", part):
                graph.setdefault(src, []).append(dst)
        return graph

    def dependents(self, issue_id: str, conn=None) -> list:
        return [r[0] for r in (conn or self.connection()).execute("SELECT src FROM deps WHERE dst=?", (issue_id,))]

    def expired_leases(self, now: str, conn=None) -> list:
        return [r[0] for r in (conn or self.connection()).execute(
            "SELECT id FROM issues WHERE state='in_progress' AND lease_exp IS NOT NULL AND lease_exp < ?", (now,))]

    def children(self, parent_id: str) -> list:
        """Ids of the issues whose `parent` is parent_id."""
        return [r[0] for r in self.connection().execute("SELECT id FROM issues WHERE parent=?", (parent_id,))]

    def ids_with_prefix(self, compact: str, limit: int = 11, conn=None) -> list:
        """Ids starting with a hyphen-free hex prefix (a range scan on the primary key)."""
        dashed = compact
        for cut in (20, 16, 12, 8):
            if len(dashed) > cut:
                dashed = dashed[:cut] + "-" + dashed[cut:]
        upper = dashed + "\uffff"
        return [r[0] for r in (conn or self.connection()).execute(
            "SELECT id FROM issues WHERE id >= ? AND id < ? ORDER BY id LIMIT ?", (dashed, upper, limit))]

    def corrupt(self) -> list:
        return self.connection().execute(
            "SELECT id, error FROM issues INDEXED BY issues_corrupt WHERE error IS NOT NULL").fetchall()

    def counts(self) -> dict:
        return dict(self.connection().execute(
            "SELECT state, COUNT(*) FROM issues WHERE state IS NOT NULL GROUP BY state"))

    def search_fts(self, match: str, title_match: str, where="1", args=(), limit=None, offset=0) -> tuple:
        """(json rows, total) of FTS hits: title hits first, then work order."""
        hits = f"i.state IS NOT NULL AND i.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?) AND ({where})"
        conn = self.connection()
        total = conn.execute(f"SELECT COUNT(*) FROM issues i WHERE {hits}", [match, *args]).fetchone()[0]
        sql = (f"SELECT d.json FROM issues i CROSS JOIN docs d ON d.id=i.id WHERE {hits} ORDER BY "
               f"(i.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?)) DESC, {ORDER}")
        params = [match, *args, title_match]
        if limit is not None or offset:
            sql += " LIMIT ? OFFSET ?"
            params += [-1 if limit is None else limit, offset or 0]
        return [r[0] for r in conn.execute(sql, params)], total
