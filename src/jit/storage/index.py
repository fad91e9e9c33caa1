"""A disposable SQLite cache of the issue files that makes whole-repository queries fast.

The JSON files are the truth. Before every use the index compares each file's
(mtime, size, inode) signature with what it recorded and re-reads what
changed, so a jit write, a hand edit, a `git pull` or a deleted file shows up
in the next query. Files touched within the last two seconds are re-read
until they settle, which closes the window where an in-place edit keeps its
size and lands in the same timestamp tick (git's "racy clean" problem).
Deleting `index.sqlite*` at any moment is harmless: it is rebuilt on demand.
"""

import json
import marshal
import os
import sqlite3
import time

from jit.storage.issues import CorruptFile, parse_issue

SCHEMA = 5
RACY_NS = 2_000_000_000
# The SQL twin of jit.domain.queries.available (tests check that the two agree).
AVAILABLE_SQL = (
    "SELECT json FROM issues i WHERE state='ready' AND assignee IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM deps d LEFT JOIN issues t ON t.id=d.dst "
    "WHERE d.src=i.id AND (t.state IS NULL OR t.state!='done'))"
)
CACHED_AVAILABLE_SQL = (
    "SELECT (SELECT value FROM meta WHERE key='gen'), (SELECT value FROM meta WHERE key='available')"
)
PRIORITY_SQL = "CASE priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END"


def issue_json(issue) -> str:
    """The compact form of an issue used by `--json`, MCP and the API (and cached here)."""
    return json.dumps(issue.to_dict(), sort_keys=True, ensure_ascii=False)


class Index:
    def __init__(self, layout, warn=None, verify="stat"):
        self.layout = layout
        self.warn = warn or (lambda message: None)
        self.verify = verify
        self._conn = None
        self._fresh = False

    def invalidate(self) -> None:
        """Forget that the cache was checked; the next query re-checks every file."""
        self._fresh = False

    # -- connection and schema -------------------------------------------------
    def _open(self, where: str | None = None):
        from jit.storage.atomic import drop_links

        if where is None:
            drop_links(self.layout.index_file + suffix for suffix in ("", "-wal", "-shm", "-journal"))
        conn = sqlite3.connect(where or self.layout.index_file, timeout=30, isolation_level=None)
        conn.execute("PRAGMA busy_timeout=30000")
        if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA:
            conn.execute("BEGIN IMMEDIATE")
            if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA:
                for table in ("issues", "deps", "meta"):
                    conn.execute(f"DROP TABLE IF EXISTS {table}")
                conn.execute(
                    "CREATE TABLE issues (id TEXT PRIMARY KEY, state TEXT, priority TEXT, "
                    "created TEXT, assignee TEXT, lease_exp TEXT, labels TEXT, json TEXT, error TEXT)"
                )
                conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB)")
                conn.execute("CREATE TABLE deps (src TEXT, dst TEXT)")
                conn.execute("CREATE INDEX deps_src ON deps(src)")
                conn.execute("CREATE INDEX deps_dst ON deps(dst)")
                conn.execute("CREATE INDEX issues_state ON issues(state)")
                conn.execute(f"PRAGMA user_version={SCHEMA}")
            conn.execute("COMMIT")
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        return conn

    def connection(self) -> sqlite3.Connection:
        """A connection whose contents match the files right now."""
        if self._conn is None:
            try:
                self._conn = self._open()
                self._refresh(self._conn)
            except sqlite3.DatabaseError:
                # A damaged cache is thrown away, never trusted or repaired.
                self._discard()
                try:
                    self._conn = self._open()
                    self._refresh(self._conn)
                except sqlite3.OperationalError:
                    # A full disk: the cache is optional, so this command keeps it in memory.
                    self.close()
                    self._conn = self._open(":memory:")
                    self._refresh(self._conn)
        elif not self._fresh:
            self._refresh(self._conn)
        self._fresh = True
        return self._conn

    def _discard(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        for suffix in ("", "-wal", "-shm"):
            try:
                os.unlink(f"{self.layout.index_file}{suffix}")
            except FileNotFoundError:
                pass

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # -- freshness ------------------------------------------------------------------
    def _scan(self) -> dict:
        """{id: (mtime_ns, size, inode)} for every issue file, by one stat each (relative to a dir fd).

        With verify="inode" (JIT_INDEX_VERIFY=inode) only the directory listing is read: inode numbers
        come with it for free and change on every rename-based write (jit itself, git, sed -i, most
        editors), but not on an in-place rewrite of the same file. An opt-in trade: about 25 ms
        less per query at 10,000 issues, and in-place hand edits go unseen until the file is renamed.
        """
        if self.verify == "inode":
            try:
                with os.scandir(self.layout.issues_dir) as entries:
                    return {e.name[:-5]: (0, 0, e.inode()) for e in entries
                            if e.name[-5:] == ".json" and e.name[0] != "."}
            except FileNotFoundError:
                return {}
        try:
            fd = os.open(self.layout.issues_dir, os.O_RDONLY)
        except FileNotFoundError:
            return {}
        try:
            stat = os.stat
            found = {}
            for name in os.listdir(fd):
                if name[-5:] != ".json" or name[0] == ".":
                    continue
                try:
                    st = stat(name, dir_fd=fd)
                except FileNotFoundError:
                    continue
                found[name[:-5]] = (st.st_mtime_ns, st.st_size, st.st_ino)
            return found
        finally:
            os.close(fd)

    def _meta(self, conn, key):
        row = conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def _refresh(self, conn) -> None:
        racy_after = time.time_ns() - RACY_NS
        on_disk = self._scan()
        blob = self._meta(conn, "sigs")
        known, racy = marshal.loads(blob) if blob else ({}, [])
        now_racy = [i for i, sig in on_disk.items() if sig[0] > racy_after]
        if on_disk == known and not racy and not now_racy:
            return
        suspects = set(racy)
        changed = [i for i, sig in on_disk.items() if known.get(i) != sig or i in suspects]
        gone = [i for i in known if i not in on_disk]
        rows, edges = [], []
        cached = dict(conn.execute(
            f"SELECT id, json FROM issues WHERE id IN ({','.join('?' * len(suspects))})", list(suspects)
        )) if suspects and len(suspects) < 900 else {}
        for issue_id in changed:
            row = self._read_row(issue_id)
            if row is None:
                continue
            if issue_id in cached and known.get(issue_id) == on_disk[issue_id] and cached[issue_id] == row[0][7]:
                continue  # re-read because it was recently written, and it has not changed
            rows.append(row[0])
            edges.extend(row[1])
        conn.execute("BEGIN IMMEDIATE")
        try:
            if rows or gone:
                stale = gone + [r[0] for r in rows]
                conn.executemany("DELETE FROM issues WHERE id=?", [(i,) for i in stale])
                conn.executemany("DELETE FROM deps WHERE src=?", [(i,) for i in stale])
                conn.executemany("INSERT INTO issues VALUES (?,?,?,?,?,?,?,?,?)", rows)
                conn.executemany("INSERT INTO deps VALUES (?,?)", edges)
                # A new generation voids cached answers computed from older rows.
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('gen', COALESCE("
                             "(SELECT value FROM meta WHERE key='gen'), 0) + 1)")
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('sigs', ?)", (marshal.dumps((on_disk, now_racy)),))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _read_row(self, issue_id):
        where = f".jit/issues/{issue_id}.json"
        try:
            with open(self.layout.issue_file(issue_id), "rb") as fh:
                text = fh.read()
        except FileNotFoundError:
            return None
        try:
            issue = parse_issue(text, where)
            if issue.id != issue_id:
                raise CorruptFile(f"{where} holds id {issue.id}; rename the file or fix its id")
        except CorruptFile as exc:
            self.warn(f"warning: skipping {exc.message}")
            return (issue_id, None, None, None, None, None, None, None, exc.message), []
        lease_exp = (issue.lease or {}).get("expires_at") if isinstance(issue.lease, dict) else None
        row = (issue_id, issue.state, issue.priority, issue.created_at or "", issue.assignee or None,
               lease_exp, json.dumps(issue.labels), issue_json(issue), None)
        return row, [(issue_id, d) for d in issue.dependencies]

    # -- queries ----------------------------------------------------------------------
    def available_json(self) -> str:
        """The JSON array of all available issues, cached until the files change."""
        conn = self.connection()
        gen, blob = conn.execute(CACHED_AVAILABLE_SQL).fetchone()
        if blob is not None:
            cached_gen, text = marshal.loads(blob)
            if cached_gen == gen:
                return text
        conn.execute("BEGIN IMMEDIATE")  # compute and store against one generation, never a mix
        try:
            gen = self._meta(conn, "gen")
            rows = [r[0] for r in conn.execute(AVAILABLE_SQL + f" ORDER BY {PRIORITY_SQL}, created, id")]
            text = "[" + ", ".join(rows) + "]"
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('available', ?)", (marshal.dumps((gen, text)),))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return text

    def available_rows(self, priority=None, limit=None, with_json=True) -> list:
        """(id, labels_json, issue_json) of ready, unassigned issues whose dependencies are all done;
        without the JSON when only the order is wanted (claim-next reads the winner's file anyway)."""
        sql = AVAILABLE_SQL.replace("SELECT json", "SELECT id, labels, json" if with_json else "SELECT id, labels")
        args = []
        if priority:
            sql += " AND priority=?"
            args.append(priority)
        sql += f" ORDER BY {PRIORITY_SQL}, created, id"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return self.connection().execute(sql, args).fetchall()

    def available_count(self) -> int:
        sql = AVAILABLE_SQL.replace("SELECT json", "SELECT COUNT(*)")
        return self.connection().execute(sql).fetchone()[0]

    def issue_jsons(self, state=None) -> list:
        sql = "SELECT json FROM issues WHERE json IS NOT NULL"
        args = []
        if state:
            sql += " AND state=?"
            args.append(state)
        return [r[0] for r in self.connection().execute(sql, args)]

    def deps_map(self) -> dict:
        graph: dict = {}
        for src, dst in self.connection().execute("SELECT src, dst FROM deps"):
            graph.setdefault(src, []).append(dst)
        return graph

    def dependents(self, issue_id: str) -> list:
        return [r[0] for r in self.connection().execute("SELECT src FROM deps WHERE dst=?", (issue_id,))]

    def expired_leases(self, now: str) -> list:
        return [r[0] for r in self.connection().execute(
            "SELECT id FROM issues WHERE state='in_progress' AND lease_exp IS NOT NULL AND lease_exp < ?",
            (now,),
        )]

    def corrupt(self) -> list:
        return self.connection().execute("SELECT id, error FROM issues WHERE error IS NOT NULL").fetchall()

    def counts(self) -> dict:
        return dict(self.connection().execute("SELECT state, COUNT(*) FROM issues WHERE state IS NOT NULL GROUP BY state"))
