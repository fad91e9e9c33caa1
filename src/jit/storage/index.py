"""A disposable SQLite cache of the issue files that makes whole-repository queries fast.

The JSON files are the truth. Before a query the index proves itself fresh the
way git proves its index: one directory listing and one `stat` per file, the
(mtime, ctime, size, inode) signatures compared in bulk with the list it stored
(one list comparison, no per-row Python work when nothing changed). ctime
catches a file copied in with `cp -p` (old mtime); files touched within two
seconds of a check are re-read until they settle (git's "racy clean" problem).
A hand edit, a `git pull`, a deletion or a rename shows in the next query.
Deleting `index.sqlite*` at any moment is harmless: it is rebuilt on demand.

With a watcher running (`jit watch`, storage/monitor.py) the check asks it what changed
since the last check instead, and reads only those files; without one, nothing differs.

Commands holding the repository lock never re-check all files: they use the
index as last checked plus the event log written since (every jit commit logs
the issues it touched), and verify what they rely on from the files.
"""

import marshal
import os
import sqlite3
import time

from jit.storage import index_query, index_sigs, monitor, probe
from jit.storage.index_rows import ALL_TABLES, FTS_TABLE, SCHEMA, TABLES, Rows, issue_json  # noqa: F401
from jit.storage.issues import CorruptFile, read_regular

RACY_NS = 2_000_000_000
CHUNK = 500  # ids per `IN (...)`, below SQLite's variable limit
RELATIONS = {"dependents": "SELECT src FROM deps WHERE dst=?", "children": "SELECT id FROM issues WHERE parent=?"}


class Index(index_query.Queries):
    def __init__(self, layout, warn=None, verify="stat", use_monitor=True, no_monitor=None):
        self.layout = layout
        self.warn = warn or (lambda message: None)
        self.verify = verify
        self.use_monitor = use_monitor
        self.no_monitor = no_monitor  # called when no watcher answered (starts one if configured)
        self._conn = None
        self._fresh = False
        self.fts = True

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
                for table in ALL_TABLES:
                    conn.execute(f"DROP TABLE IF EXISTS {table}")
                for ddl in TABLES:
                    conn.execute(ddl)
                try:
                    conn.execute(FTS_TABLE)
                except sqlite3.OperationalError:
                    pass  # an sqlite3 built without FTS5: search falls back to scanning the JSON
                conn.execute(f"PRAGMA user_version={SCHEMA}")
            conn.execute("COMMIT")
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        self.fts = conn.execute("SELECT 1 FROM sqlite_master WHERE name='fts'").fetchone() is not None
        return conn

    def connection(self) -> sqlite3.Connection:
        """A connection whose contents match the files right now."""
        if self._conn is None:
            try:
                self._conn = self._open()
                self._refresh(self._conn)
            except sqlite3.DatabaseError:
                # A damaged cache is thrown away, never trusted or repaired.
                try:
                    self._discard()
                    self._conn = self._open()
                    self._refresh(self._conn)
                except (sqlite3.OperationalError, OSError):
                    # A full disk or a read-only .jit/: the cache is optional, so this command keeps
                    # it in memory (reads work on a read-only repository).
                    self.close()
                    self._conn = self._open(":memory:")
                    self._refresh(self._conn)
        elif not self._fresh:
            self._refresh(self._conn)
        self._fresh = True
        return self._conn

    def check_quietly(self) -> None:
        """Check against the files now without warning about files it skips: a command that checks
        ahead of taking the lock reports on the one file it needs itself, not on every other."""
        warn, self.warn = self.warn, lambda message: None
        try:
            self.connection()
        finally:
            self.warn = warn

    def as_checked(self) -> sqlite3.Connection:
        """The connection as last checked, without re-checking the files (for use under the lock,
        together with `touched_since_check`). A fresh or damaged cache falls back to a full check."""
        if self._conn is None:
            try:
                self._conn = self._open()
                if self._meta(self._conn, "mark") is not None:
                    return self._conn
            except sqlite3.DatabaseError:
                self._discard()
            return self.connection()
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
    def _inodes_unchanged(self, known_names: bytes, known_values: bytes) -> bool:
        """JIT_INDEX_VERIFY=inode: the directory listing alone (inodes come with it) decides.
        Sees every rename-based write (jit, git, most editors), not an in-place rewrite."""
        names, inodes = index_sigs.listing_with_inodes(self.layout.issues_dir)
        known = index_sigs.Signatures.unpacked(known_names, known_values)
        return names == known.names and inodes == known.inodes()

    def _meta(self, conn, key):
        row = conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def _events_mark(self) -> bytes:
        """Where the event log ends now, and which file it is: appends keep the inode, while a git
        checkout or merge writes a new file (its lines may then be anywhere)."""
        try:
            st = os.stat(self.layout.events_file)
            return marshal.dumps((st.st_size, st.st_ino))
        except FileNotFoundError:
            return marshal.dumps((0, 0))

    def _dir_sig(self):
        """The issues folder's own (mtime, ctime, inode): any file added, removed or renamed in it
        changes them, so while they hold still the index's set of ids is exact."""
        try:
            st = os.stat(self.layout.issues_dir)
        except FileNotFoundError:
            return None
        return [st.st_mtime_ns, st.st_ctime_ns, st.st_ino]

    def ids_for_prefix(self, compact: str) -> list | None:
        """Ids starting with a hyphen-free prefix, from the index without a full check when the
        issues folder has not changed since the last one; None when the caller must list the folder."""
        try:
            conn = self.as_checked()
            stored = self._meta(conn, "dir")
        except sqlite3.DatabaseError:
            return None
        if stored is None or marshal.loads(stored) != self._dir_sig():
            if not (self.use_monitor and monitor.present(self.layout)):
                return None
            conn = self.connection()  # a watcher makes the check cheap: answer from the index
        return self.ids_with_prefix(compact, conn=conn)

    def _ask_monitor(self, conn):
        if not self.use_monitor:
            return None
        answer = monitor.changes_since(self.layout, self._meta(conn, "monitor"))
        if answer is None and self.no_monitor is not None:
            self.no_monitor()
        return answer

    def _refresh_from_monitor(self, conn, names: list, token: str, mark: bytes) -> None:
        """Read only what the watcher saw change. The stored signatures are left as they were: a
        later full check compares against older ones and re-reads a few more files, never fewer."""
        rows, gone = Rows(), []
        for name in set(names):
            if not self._read_into(rows, name):
                gone.append(name[:-5])
        self._save(conn, rows, gone, {"mark": mark, "monitor": token})

    def _refresh(self, conn) -> None:
        # The event-log mark comes first: a commit racing with the scan logs after it.
        mark = self._events_mark()
        folder = self._dir_sig()  # before the listing: a later change gives a newer timestamp
        answer = self._ask_monitor(conn)  # before the listing too: later changes come in its next answer
        if answer is not None and answer.names is not None:
            self._refresh_from_monitor(conn, answer.names, answer.token, mark)
            return
        blob = self._meta(conn, "sigs")
        known_names, known_values, racy = marshal.loads(blob) if blob else (b"", b"", [])
        token = answer.token if answer is not None else None
        if self.verify == "inode" and blob and not racy and token is None and self._inodes_unchanged(known_names,
                                                                                                     known_values):
            return
        current = index_sigs.scan(self.layout.issues_dir)
        names_now, values_now = current.packed()
        if (names_now == known_names and values_now == known_values and not racy
                and token == self._meta(conn, "monitor")):
            self._note_folder(conn, folder)
            return
        names, known = current.names, index_sigs.Signatures.unpacked(known_names, known_values)
        if names_now == known_names:  # the usual case: files rewritten, none added or removed
            now = {n: current.of(k) for k, n in enumerate(names) if current.of(k) != known.of(k)}
            gone = []
        else:
            before = known.as_dict()
            now = {n: current.of(k) for k, n in enumerate(names) if before.get(n) != current.of(k)}
            gone = [n[:-5] for n in before.keys() - set(names)]
        changed = set(now)
        if racy:
            listed = current.as_dict()
            now.update((n, listed[n]) for n in racy if n in listed)
        # Only a changed or formerly racy file can be racy now: its signature is newer than the last check.
        racy_after = time.time_ns() - RACY_NS
        now_racy = [n for n, s in now.items() if max(s[0], s[1]) > racy_after]
        rows = Rows()
        for name in now:  # changed, or racy at the last check and still here
            self._read_into(rows, name)
        if racy:
            self._drop_unchanged(conn, rows, [n[:-5] for n in racy if n not in changed])
        self._save(conn, rows, gone, {"sigs": marshal.dumps((names_now, values_now, now_racy)), "mark": mark,
                                      "monitor": token, "dir": _folder_value(folder)})

    def _save(self, conn, rows: Rows, gone: list, meta: dict) -> None:
        """One transaction: the rows of changed and gone issues replaced, and `meta` recorded."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            if rows or gone:
                rows.write(conn, gone + [r[0] for r in rows.issues], self.fts)
            conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _note_folder(self, conn, folder) -> None:
        """Record the folder's signature for `ids_for_prefix` when it moved since it was recorded."""
        value = _folder_value(folder)
        if self._meta(conn, "dir") != value:
            self._save(conn, Rows(), [], {"dir": value})

    def _read_into(self, rows: Rows, name: str) -> bool:
        """False when the file is not there (any more)."""
        probe.count_read()
        try:  # only a regular file: a folder or FIFO named like an issue is reported, not read
            data = read_regular(os.path.join(self.layout.issues_dir, name), f".jit/issues/{name}")
        except FileNotFoundError:
            return False
        except CorruptFile as exc:
            rows.add_corrupt(name[:-5], exc, self.warn)
            return True
        rows.add_file(name[:-5], data, self.warn)
        return True

    def _drop_unchanged(self, conn, rows: Rows, recheck: list) -> None:
        """Racy files re-read only to be sure: keep the rows of those whose JSON did not change."""
        stored = {}
        for start in range(0, len(recheck), CHUNK):
            part = recheck[start:start + CHUNK]
            stored.update(conn.execute(
                f"SELECT id, json FROM docs WHERE id IN ({','.join('?' * len(part))})", part))
        fresh = dict(rows.docs)
        keep = [k for k, row in enumerate(rows.issues) if not (row[0] in stored and stored[row[0]] == fresh.get(row[0]))]
        if len(keep) == len(rows.issues):
            return
        kept_ids = {rows.issues[k][0] for k in keep}
        rows.issues = [rows.issues[k] for k in keep]
        rows.docs = [r for r in rows.docs if r[0] in kept_ids]
        rows.labels = [r for r in rows.labels if r[0] in kept_ids]
        rows.deps = [r for r in rows.deps if r[0] in kept_ids]
        rows.fts = [r for r in rows.fts if r[2] in kept_ids]

    def related_under_lock(self, relation: str, issue_id: str) -> set:
        """Ids that may be the `relation` ("dependents" or "children") of issue_id, for a caller holding
        the lock, without re-checking every file: the index as last checked plus every issue a jit
        commit touched since (commits log under the same lock, so none is missed). A superset: the
        caller verifies each from its file."""
        conn = self.as_checked()
        since = self.touched_since_check()
        if since is None:  # the event log was rewritten (a git merge): check every file, the slow way
            self.invalidate()
            conn, since = self.connection(), set()
        return {r[0] for r in conn.execute(RELATIONS[relation], (issue_id,))} | since

    def touched_since_check(self) -> set | None:
        """Ids named by events logged since the index was last checked (jit's own commits since then),
        or None when the log was rewritten (a git merge) and the caller must check everything."""
        stored = self._meta(self.as_checked(), "mark")
        if stored is None:
            return None
        mark, inode = marshal.loads(stored)
        try:
            with open(self.layout.events_file, "rb") as fh:
                st = os.fstat(fh.fileno())
                if st.st_size < mark or (mark and st.st_ino != inode):
                    return None
                fh.seek(mark)
                tail = fh.read()
        except FileNotFoundError:
            return None if mark else set()
        import json

        ids = set()
        for line in tail.splitlines():
            try:
                issue_id = json.loads(line).get("issue_id")
            except ValueError:
                continue
            if isinstance(issue_id, str):
                ids.add(issue_id)
        return ids


def _folder_value(folder):
    """The folder's signature as stored for `ids_for_prefix`, or None while it changed within the racy
    window (a change in the same timestamp tick would not show as a new signature)."""
    return marshal.dumps(folder) if folder and max(folder[:2]) < time.time_ns() - RACY_NS else None
