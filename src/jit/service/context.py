"""The injected environment of every service call: repository, clock, ids, actor.

Environment variables and the working directory are read here once (httpie's
`Environment` idea), so tests can fake time and ids and nothing else reaches
for `os.environ`.
"""

import os
import time

from jit.domain.ids import format_uuid4, is_full_id, resolve
from jit.domain.leases import rfc3339
from jit.errors import NotFound, UsageError
from jit.storage.events import EventLog
from jit.storage.gates import GateFiles
from jit.storage.issues import IssueFiles
from jit.storage.layout import Layout, discover, for_init
from jit.storage.unit import UnitOfWork, replay_journal, settle


class SystemClock:
    """Wall-clock RFC 3339 UTC with microseconds, strictly increasing within a process
    so that issues created in one burst (an import) keep their order by age."""

    def __init__(self):
        self._last = 0

    def now_ns(self) -> int:
        ns = time.time_ns()
        if ns // 1000 <= self._last // 1000:
            ns = self._last + 1000
        self._last = ns
        return ns

    def now(self) -> str:
        return rfc3339(self.now_ns())


def _login_name() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return "unknown"


def random_id() -> str:
    return format_uuid4(os.urandom(16))


class Context:
    def __init__(self, layout: Layout, *, env=None, clock=None, new_id=None, actor=None, warn=None):
        self.layout = layout
        self.env = dict(os.environ if env is None else env)
        self.clock = clock or SystemClock()
        self.new_id = new_id or random_id
        self.explicit_actor = actor or self.env.get("JIT_ACTOR") or None
        self.warn = warn or (lambda message: None)
        self.files = IssueFiles(layout)
        self.gate_files = GateFiles(layout)
        self.events = EventLog(layout)
        self._index = None
        self._config = None
        self._one_view = False

    # -- time, ids, actors --------------------------------------------------------------
    def now(self) -> str:
        return self.clock.now()

    def actor(self, assignee: str | None = None) -> str:
        """--actor, else JIT_ACTOR, else the assignee involved, else human:$USER."""
        if self.explicit_actor:
            return self.explicit_actor
        if assignee:
            return assignee
        return "human:" + (self.env.get("USER") or self.env.get("LOGNAME") or _login_name())

    def event(self, type_: str, issue_id: str | None, data: dict | None = None, *, actor=None, ts=None) -> dict:
        """A new event; without an explicit actor it is resolved at commit from the issue's assignee."""
        return {
            "id": self.new_id(), "ts": ts or self.now(), "type": type_, "issue_id": issue_id,
            "actor": actor or self.explicit_actor, "data": data or {},
        }

    def _resolve_actors(self, tx) -> None:
        touched = tx.touched
        for event in tx.events:
            if event["actor"] is None:
                issue = touched.get(event["issue_id"])
                event["actor"] = self.actor(issue.assignee if issue is not None else None)

    # -- storage access -------------------------------------------------------------------
    def transaction(self) -> UnitOfWork:
        return UnitOfWork(self.layout, before_commit=self._resolve_actors, warn=self.warn)

    @property
    def config(self) -> dict:
        if self._config is None:
            from jit.storage.config import load_config

            self._config = load_config(self.layout)
        return self._config

    def index(self):
        """The query index, to be re-checked against the files on its next query.
        Call once per operation and keep the reference for that operation."""
        if self._index is None:
            from jit.storage.index import Index

            verify = "inode" if self.env.get("JIT_INDEX_VERIFY") == "inode" else "stat"
            self._index = Index(self.layout, warn=self.warn, verify=verify,
                                use_monitor=self.env.get("JIT_MONITOR") != "off", no_monitor=self._no_monitor)
        if not self._one_view:
            self._index.invalidate()
        return self._index

    def _no_monitor(self) -> None:
        """No watcher answered the index: start one when config.toml asks (`[index] monitor = true`)."""
        from jit.errors import JitError
        from jit.storage.issues import read_regular

        try:  # never open() it: a FIFO in its place would block the command
            if b"monitor" not in read_regular(self.layout.config_file, ".jit/config.toml"):
                return  # the usual case costs one small read, no import
        except (OSError, JitError):
            return
        from jit.service.watching import autostart

        autostart(self.layout, self.warn)

    def one_view(self, on: bool = True) -> None:
        """While on, index() re-checks the files only once: a read made of several queries (jit prime)
        answers from one view of the store instead of stat-ing every file per query (400,000 stats
        at 100,000 issues). Writes in between still invalidate it themselves."""
        self._one_view = False
        if on:
            self.index()
        self._one_view = on

    def settle_crash_leftovers(self) -> None:
        """Readers finish a crashed writer's journal first, so they never see half a change
        (a journal jit did not write is only warned about: storage.unit.settle)."""
        settle(self.layout, self.warn, lambda: self.transaction().lock)

    def resolve(self, ref: str) -> str:
        """Full id for a user's id or prefix. Raises NotFound or UsageError (ambiguous)."""
        if not isinstance(ref, str) or not ref.strip():
            raise UsageError("an issue id is required", {"id": ref})
        ref = ref.strip()
        if is_full_id(ref):
            ref = ref.lower()
            if self.files.exists(ref):
                return ref
            raise NotFound(f"issue {ref[:8]} not found; see `jit issue list`", {"id": ref})
        candidates = None
        if os.path.exists(self.layout.index_file):  # the index answers from its id column (issue 14)
            from jit.domain.ids import normalise_prefix

            candidates = self.index().ids_for_prefix(normalise_prefix(ref))
        return resolve(ref, self.files.ids() if candidates is None else candidates)

    def close(self) -> None:
        if self._index is not None:
            self._index.close()


def open_repo(cwd: str | None = None, env=None, **options) -> Context:
    """The repository for cwd (or JIT_DATA_DIR). Raises NotFound with a hint to run `jit init`."""
    return Context(discover(cwd, env), env=env, **options)


def init_repo(cwd: str | None = None, env=None, **options) -> tuple:
    """Create `.jit/` (idempotent). Returns (context, created: bool)."""
    from jit.storage.atomic import write_atomic
    from jit.storage.config import default_text

    layout = for_init(cwd, env)
    created = not layout.exists()
    os.makedirs(layout.issues_dir, exist_ok=True)
    os.makedirs(layout.gate_runs_dir, exist_ok=True)
    for path, content in ((layout.config_file, default_text()), (layout.gates_file, "{}\n"),
                          (layout.events_file, b""), (layout.gitignore_file, DERIVED_IGNORES)):
        if not os.path.exists(path):
            write_atomic(path, content)
    ctx = Context(layout, env=env, **options)
    with ctx.transaction() as tx:
        replay_journal(layout)
        if created:
            tx.event(ctx.event("repo_initialized", None, {"path": str(layout.data_dir)}))
    return ctx, created


DERIVED_IGNORES = """# Runtime files, never committed: caches rebuilt from the JSON, the lock, crash leftovers.
index.sqlite*
.lock
.journal.json
events.unreadable.log
monitor.sock
monitor.lock
.*.tmp
issues/.*.tmp
gate-runs/*/.*.tmp
"""
