"""The unit of work: every change to `.jit/` goes through one Transaction.

Under the repository lock it re-reads what it needs, lets the service mutate
values, then commits in three steps: (1) write a journal of every new file
content and event atomically; (2) apply the files, each with the atomic write,
and append the events in one write; (3) delete the journal. A process killed
anywhere leaves either no journal (nothing or everything happened) or a
complete journal, which the next lock holder replays; replaying skips events
already in the log, so a multi-file change (an issue done and its dependents
released) and its events land together or not at all. A streaming import
(storage.staging) writes its files ahead of the lock and journals only the
name of the folder holding them: the same commit point, replayed the same way.

The durable journal is the commit point, and exit codes follow it (SPEC section 1):
a failure before it removes what was written and raises StorageFault ("nothing
was changed"); a failure after it leaves the change committed, so the command
succeeds and only warns that tidying up is left to the next command.
"""

import json
import os

from jit.errors import StorageFault, storage_fault
from jit.storage import journal as journals
from jit.storage.atomic import remove, sweep_temps, write_atomic_many
from jit.storage.events import EventLog, encode_events
from jit.storage.faults import reached
from jit.storage.gates import GateFiles, dump_json
from jit.storage.issues import IssueFiles, dump_issue
from jit.storage.lock import RepoLock


def replay_journal(layout) -> bool:
    """Finish a commit interrupted by a crash. Call only while holding the lock.

    Raises UntrustedJournal (nothing written or deleted) and OSError.
    """
    journal = journals.read(layout)
    if journal is None:
        return False
    if "staged" in journal:  # a streaming import's: the journal names its stage (storage.staging)
        from jit.storage.staging import apply_stage

        apply_stage(layout, journal["staged"])
    else:
        _apply(layout, journal, replaying=True)
        sweep_temps(layout.path(rel) for rel in journal["files"])
    remove(layout.journal_file)
    return True


def replay_fault(layout, exc: OSError) -> StorageFault:
    """Replay failed (a full disk, a read-only folder): the commit stays in the journal for later."""
    fault = storage_fault(exc, journals.display(layout), "finishing the interrupted commit in")
    fault.message = fault.message.replace("nothing was changed", "it is kept and will be finished "
                                          "once this is fixed; run the command again")
    return fault


def settle(layout, warn, lock_factory=None) -> None:
    """For readers: finish a crashed writer's commit first, so they never see half of it.

    A journal jit did not write is not replayed: the reader warns and answers from the files
    (writers refuse until a person removes it). Raises StorageFault when replay cannot write.
    `lock_factory` gives the lock to take (a caller already holding it passes a stand-in).
    """
    if not os.path.lexists(layout.journal_file):
        return
    lock = lock_factory() if lock_factory else RepoLock(layout.lock_file)
    try:
        lock.acquire()
    except OSError as exc:
        raise replay_fault(layout, exc) from None
    try:
        replay_journal(layout)
    except journals.UntrustedJournal as exc:
        warn(f"warning: {exc.message}; this answer ignores it")
    except OSError as exc:
        raise replay_fault(layout, exc) from None
    finally:
        lock.release()


def _apply(layout, journal: dict, replaying: bool = False) -> None:
    writes = []
    for rel, content in journal["files"].items():
        path = layout.path(rel)
        if content is None:
            remove(path)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            writes.append((path, content))
    write_atomic_many(writes, label="files")
    events = journal["events"]
    if events:
        log = EventLog(layout)
        # Only a replay can meet events that already landed (the crash came after the append).
        # They landed in one write at the end of the log: look back at least that far.
        seen = log.tail_ids(len(encode_events(events)) + (1 << 16)) if replaying else ()
        fresh = [e for e in events if e["id"] not in seen]
        if fresh:
            log.append(encode_events(fresh))
    reached("events.appended")


class Transaction:
    """Collects new file contents and events; nothing touches disk before commit()."""

    def __init__(self, layout):
        self.layout = layout
        self.issue_files = IssueFiles(layout)
        self.gate_files = GateFiles(layout)
        self._issues: dict = {}
        self._files: dict = {}
        self.events: list = []
        self._gates = None
        self._stage = None

    # -- reads that see this transaction's own writes ------------------------------
    def load(self, issue_id: str):
        if issue_id in self._issues:
            issue = self._issues[issue_id]
            if issue is None:
                from jit.errors import NotFound

                raise NotFound(f"issue {issue_id[:8]} was deleted", {"id": issue_id})
            return issue
        return self.issue_files.load(issue_id)

    def exists(self, issue_id: str) -> bool:
        if issue_id in self._issues:
            return self._issues[issue_id] is not None
        return self.issue_files.exists(issue_id)

    def gates(self) -> dict:
        if self._gates is None:
            self._gates = self.gate_files.load_registry()
        return self._gates

    # -- writes ---------------------------------------------------------------------------
    def save(self, issue) -> None:
        self._issues[issue.id] = issue
        self._files[f"issues/{issue.id}.json"] = dump_issue(issue)

    def delete(self, issue_id: str) -> None:
        self._issues[issue_id] = None
        self._files[f"issues/{issue_id}.json"] = None

    def save_gates(self, registry: dict) -> None:
        self._gates = registry
        self._files["gates.json"] = dump_json(registry)

    def save_run(self, issue_id: str, run_id: str, record: dict) -> None:
        self._files[f"gate-runs/{issue_id}/{run_id}.json"] = dump_json(record)

    def save_preset(self, name: str, preset: dict) -> None:
        """A custom preset under presets/; `name` was checked by jit.domain.presets.check_name."""
        self._files[f"presets/{name}.json"] = dump_json(preset)

    def replace_whole(self, rel: str, text: str) -> None:
        """A restore (`jit import`) replacing the event log or config.toml of a repository it recreates."""
        if rel not in ("events.jsonl", "config.toml"):
            raise ValueError(f"replace_whole writes only events.jsonl or config.toml, not {rel!r}")
        self._files[rel] = text

    def event(self, event: dict) -> None:
        self.events.append(event)

    def commit_stage(self, stage) -> None:
        """Commit a storage.staging.Stage (new issue files and their events, written ahead of the
        lock) instead of contents held here: a streaming import. It is the whole change."""
        if self._files or self.events:
            raise ValueError("a staged commit cannot carry other changes")
        self._stage = stage

    @property
    def touched(self) -> dict:
        return dict(self._issues)

    def commit(self, warn=None) -> None:
        """Raises StorageFault (nothing changed) or UnsafePath before the commit point; after
        it, a failure only warns (the change is committed; the next command finishes it)."""
        if self._stage is not None:
            from jit.storage.staging import commit_stage

            commit_stage(self.layout, self._stage, warn or _ignore)
            return
        if not self._files and not self.events:
            return
        journals.check_paths(self.layout, self._files, events=bool(self.events))
        journal = {"files": self._files, "events": self.events}
        write_journal(self.layout, json.dumps(journal, ensure_ascii=False))
        try:
            reached("journal.durable")
            _apply(self.layout, journal)
            # No folder fsync for the removal: if it is lost in a power cut, replay is idempotent.
            os.unlink(self.layout.journal_file)
            reached("journal.removed")
        except Exception as exc:  # noqa: BLE001 - committed: anything left is the next command's to finish
            unfinished(exc, warn or _ignore)


def write_journal(layout, text: str) -> None:
    """Make the journal durable: the commit point. Raises StorageFault (nothing changed)."""
    try:
        write_atomic_many([(layout.journal_file, text)], label="journal")
    except OSError as exc:
        # Renamed but the folder not synced: without removing it, a later replay would
        # commit the change this command is about to report as failed.
        try:
            os.unlink(layout.journal_file)
        except OSError:
            pass
        raise storage_fault(exc, journals.display(layout), "writing") from None


def unfinished(exc: Exception, warn) -> None:
    """After the commit point a failure is a warning: the change is saved, the next command finishes it."""
    why = os.strerror(exc.errno) if isinstance(exc, OSError) and exc.errno else type(exc).__name__
    warn(f"warning: the change is saved, but finishing it failed ({why}); the next jit command completes it")


def _ignore(message: str) -> None:
    pass


def sweep_stages(layout) -> None:
    """Remove the stages of importers that died before their commit point (storage.staging);
    one listing of `.jit/` when there are none."""
    if any(name.startswith(".import-") for name in os.listdir(layout.data_dir)):
        from jit.storage.staging import sweep_abandoned

        sweep_abandoned(layout)


class UnitOfWork:
    """`with UnitOfWork(layout) as tx:` holds the lock, replays any journal, commits on success."""

    def __init__(self, layout, lock_timeout: float | None = None, before_commit=None, warn=None):
        self.layout = layout
        self.lock = RepoLock(layout.lock_file, lock_timeout)
        self.before_commit = before_commit
        self.warn = warn
        self.tx = None

    def __enter__(self) -> Transaction:
        self.lock.acquire()
        try:
            replay_journal(self.layout)
            sweep_temps([self.layout.journal_file])  # a writer killed while writing its journal
            sweep_stages(self.layout)  # an importer killed before its commit point
        except OSError as exc:
            self.lock.release()
            fault = replay_fault(self.layout, exc)
            fault.message += " (this command changed nothing)"
            raise fault from None
        except BaseException:
            self.lock.release()
            raise
        self.tx = Transaction(self.layout)
        return self.tx

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                if self.before_commit is not None:
                    self.before_commit(self.tx)
                self.tx.commit(self.warn)
        finally:
            self.lock.release()
        return False
