"""The index's tables and how one issue file becomes rows in them.

Columns are the fields queries filter and sort on (state, priority rank, age,
assignee, parent, labels, dependencies), plus the compact JSON that `--json`
prints and the words that `issue search` matches (an FTS5 table). Everything
here is derived from one file's bytes, so a row can always be rebuilt.
"""

import json

from jit.storage.issues import CorruptFile, parse_issue

# 7: columns for filters and paging, labels and FTS tables, ctime in signatures; 8: event-log mark with inode;
# 9: `undone`, the number of unfinished dependencies, kept up to date so "available" needs no join;
# 10: a partial index of corrupt rows (status lists them on every call); 11: the JSON in its own
# table and the title as a column, so counts and scans read small rows (see docs/decisions.md);
# 12: signatures stored packed (storage/index_sigs.py)
SCHEMA = 12
PRIORITY_RANK = {"critical": 0, "high": 1, "normal": 2, "low": 3}

TABLES = (
    # Small rows: everything a WHERE, an ORDER BY or a count reads. A corrupt file's row has only
    # its id and error (state NULL). The JSON `--json` prints lives in `docs`, read for a page only.
    ("CREATE TABLE issues (id TEXT PRIMARY KEY, state TEXT, priority TEXT, prank INTEGER, created TEXT, "
     "assignee TEXT, lease_exp TEXT, parent TEXT, unpassed TEXT, labels TEXT, title TEXT, error TEXT, "
     "undone INTEGER NOT NULL DEFAULT 0)"),
    "CREATE TABLE docs (id TEXT PRIMARY KEY, json TEXT NOT NULL)",
    "CREATE TABLE labels (id TEXT, label TEXT)",
    "CREATE TABLE deps (src TEXT, dst TEXT)",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB)",
    "CREATE INDEX deps_src ON deps(src)",
    "CREATE INDEX deps_dst ON deps(dst)",
    "CREATE INDEX labels_id ON labels(id)",
    "CREATE INDEX labels_label ON labels(label)",
    # Work order everywhere is (priority rank, age, id): these let a LIMIT stop after K rows.
    "CREATE INDEX issues_order ON issues(prank, created, id)",
    "CREATE INDEX issues_state ON issues(state, prank, created, id)",
    "CREATE INDEX issues_avail ON issues(prank, created, id) WHERE state='ready' AND assignee IS NULL AND undone=0",
    "CREATE INDEX issues_parent ON issues(parent)",
    "CREATE INDEX issues_corrupt ON issues(id) WHERE error IS NOT NULL",
    "CREATE INDEX issues_lease ON issues(lease_exp) WHERE lease_exp IS NOT NULL",
)
# The FTS rowid is the issues rowid: deleting by an unindexed id column would scan the whole table.
FTS_TABLE = "CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='unicode61')"
ALL_TABLES = ("issues", "docs", "labels", "deps", "meta", "fts")

INSERT_ISSUE = ("INSERT INTO issues (id, state, priority, prank, created, assignee, lease_exp, parent, unpassed, "
                "labels, title, error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")
# A dependency counts as unfinished when its issue is not done, missing or unreadable (SPEC section 6).
COUNT_UNDONE = ("UPDATE issues SET undone=(SELECT COUNT(*) FROM deps d LEFT JOIN issues t ON t.id=d.dst "
                "WHERE d.src=issues.id AND (t.state IS NULL OR t.state!='done')) WHERE id IN (SELECT id FROM touched)")


def issue_json(issue) -> str:
    """The compact form of an issue used by `--json`, MCP and the API (and cached here)."""
    return json.dumps(issue.to_dict(), sort_keys=True, ensure_ascii=False)


class Rows:
    """Rows for a batch of changed files, ready for executemany."""

    def __init__(self):
        self.issues, self.docs, self.labels, self.deps, self.fts = [], [], [], [], []

    def add_file(self, issue_id: str, data: bytes, warn) -> None:
        where = f".jit/issues/{issue_id}.json"
        try:
            issue = parse_issue(data, where)
            if issue.id != issue_id:
                raise CorruptFile(f"{where} holds id {issue.id}; rename the file or fix its id")
        except CorruptFile as exc:
            self.add_corrupt(issue_id, exc, warn)
            return
        self.add_issue(issue)

    def add_corrupt(self, issue_id: str, exc: CorruptFile, warn) -> None:
        """A row that only says why the file cannot be read: listings skip it, status counts it."""
        warn(f"warning: skipping {exc.message}")
        self.issues.append((issue_id, None, None, None, None, None, None, None, None, None, None, exc.message))

    def add_issue(self, issue) -> None:
        lease = issue.lease if isinstance(issue.lease, dict) else {}
        unpassed = [g for g in issue.gates_required if issue.gate_state(g) != "passed"]
        self.issues.append((
            issue.id, issue.state, issue.priority, PRIORITY_RANK.get(issue.priority, 2), issue.created_at or "",
            issue.assignee or None, lease.get("expires_at"), getattr(issue, "parent", None) or None,
            json.dumps(unpassed), json.dumps(issue.labels), issue.title, None,
        ))
        self.docs.append((issue.id, issue_json(issue)))
        self.labels.extend((issue.id, label) for label in issue.labels)
        self.deps.extend((issue.id, d) for d in issue.dependencies)
        comments = " ".join(c.get("text", "") for c in (getattr(issue, "comments", None) or []))
        self.fts.append((issue.title, f"{issue.description or ''} {comments}", issue.id))

    def __bool__(self):
        return bool(self.issues)

    def write(self, conn, stale_ids, fts: bool) -> None:
        """Replace the rows of `stale_ids` (changed or gone) with this batch."""
        gone = [(i,) for i in stale_ids]
        if fts:
            conn.executemany("DELETE FROM fts WHERE rowid IN (SELECT rowid FROM issues WHERE id=?)", gone)
        conn.executemany("DELETE FROM issues WHERE id=?", gone)
        conn.executemany("DELETE FROM docs WHERE id=?", gone)
        conn.executemany("DELETE FROM labels WHERE id=?", gone)
        conn.executemany("DELETE FROM deps WHERE src=?", gone)
        conn.executemany(INSERT_ISSUE, self.issues)
        conn.executemany("INSERT INTO docs VALUES (?,?)", self.docs)
        conn.executemany("INSERT INTO labels VALUES (?,?)", self.labels)
        conn.executemany("INSERT INTO deps VALUES (?,?)", self.deps)
        if fts:
            conn.executemany("INSERT INTO fts(rowid, title, body) SELECT rowid, ?, ? FROM issues WHERE id=?",
                             self.fts)
        _recount_undone(conn, gone + [(r[0],) for r in self.issues])


def _recount_undone(conn, changed) -> None:
    """`undone` of the changed issues and of every issue depending on one of them: nothing else's
    can have moved. A first build touches every row once; a later change costs its dependents."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS touched (id TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM touched")
    conn.executemany("INSERT OR IGNORE INTO touched VALUES (?)", changed)
    conn.execute("INSERT OR IGNORE INTO touched SELECT src FROM deps WHERE dst IN (SELECT id FROM touched)")
    conn.execute(COUNT_UNDONE)
