"""`jit issue import`: many issues from JSON Lines, all or nothing, in memory that does not grow
with the issues (SPEC section 8).

Pass one reads the input a line at a time and checks every line, keeping only the links between
lines (domain.import_plan); pass two reads it again and writes each issue and its event into a
stage no reader looks at (storage.staging), and each issue's JSON into an anonymous spool for
the answer. Then, under the lock, a short re-check (the existing issues referred to, the gates,
the new ids) and a journal naming the stage commit all of it. A file read twice must not change
in between (a digest of each pass); stdin and pipes are spooled to an anonymous file first.
"""

import json
import os

from jit.domain.import_plan import Plan
from jit.domain.model import BACKLOG, DONE, READY, Issue
from jit.errors import Conflict, JitError, NotFound, UsageError, storage_fault
from jit.service.import_lines import check_line, line_error
from jit.storage.events import encode_events
from jit.storage.issues import dump_issue


def import_stream(ctx, source, name: str = "-", on_checked=None, keep: str | None = "issues") -> "Imported":
    """Create every issue of a binary JSON Lines stream, or none. `on_checked(count)` is called
    once every line has passed. The result yields the created issues in file order (`keep`
    "issues"), or only their ids ("ids": `raw_json` is None), or nothing (None).
    Raises UsageError naming the line, Conflict when the file or the repository changed under
    the import, StorageFault (nothing changed)."""
    ctx.settle_crash_leftovers()
    registry = ctx.gate_files.load_registry()
    default_priority = ctx.config["defaults"].get("priority", "normal")
    source = _Input(source, name, ctx.layout)
    try:
        plan, gates = _check_all(ctx, source, registry, default_priority)
        if on_checked is not None:
            on_checked(len(plan))
        if not len(plan):
            return Imported(0, None)
        spool = _anonymous(ctx.layout) if keep else None
        ids_only = keep == "ids"
        try:
            _write_all(ctx, source, plan, gates, registry, default_priority, spool, ids_only)
        except BaseException:
            _close(spool)
            raise
        return Imported(len(plan), spool)
    finally:
        source.close()


def import_issues(ctx, text: str) -> list:
    """The in-memory form (the MCP tool's): the created issues of `text` as a list."""
    import io

    with import_stream(ctx, io.BytesIO(text.encode("utf-8"))) as created:
        return [Issue.from_dict(item.to_dict()) for item in created]


def _check_all(ctx, source, registry, default_priority) -> tuple:
    """Pass one. Returns the resolved plan and the gate keys the file uses."""
    plan, gates = Plan(), set()
    for n, raw in source.lines():
        line = check_line(n, raw, registry, default_priority)
        try:
            plan.add(n, line.key, line.depends_on, line.parent)
        except UsageError as exc:
            raise line_error(n, exc.message) from None
        gates.update(line.gates)
    try:
        plan.resolve(_existing_finder(ctx))
        plan.check_cycles()
    except UsageError as exc:
        raise line_error(exc.details["line"], exc.message) from None
    return plan, gates


def _existing_finder(ctx):
    """Full ids by one stat each; prefixes against one listing of the issues, made on first need."""
    from jit.domain.ids import is_full_id, resolve

    listing = []

    def find(ref: str) -> str:
        if is_full_id(ref):
            if ctx.files.exists(ref.lower()):
                return ref.lower()
            raise NotFound(f"no issue {ref}", {"id": ref})
        if not listing:
            listing.append(ctx.files.ids())
        return resolve(ref, listing[0])

    return find


def _write_all(ctx, source, plan, gates, registry, default_priority, spool, ids_only=False) -> None:
    """Pass two, then the commit. Raises what import_stream does."""
    from jit.storage.staging import Stage

    ids = [ctx.new_id() for _ in range(len(plan))]
    done = [_is_done(ctx, issue_id) if plan.depended_on[k] else False for k, issue_id in enumerate(plan.existing)]
    try:
        stage = Stage(ctx.layout, len(plan))
    except OSError as exc:
        raise fault(exc, ctx.layout) from None
    try:
        try:
            _stage_all(ctx, source, plan, ids, done, stage, registry, default_priority, spool, ids_only)
            stage.make_durable()
        except OSError as exc:
            raise fault(exc, ctx.layout) from None
        with ctx.transaction() as tx:
            _recheck(tx, plan, done, gates)
            tx.commit_stage(stage)
    except BaseException:
        stage.discard()
        raise
    stage.close()


def _stage_all(ctx, source, plan, ids, done, stage, registry, default_priority, spool, ids_only) -> None:
    from jit.service.serialize import dumps

    count, r = len(plan), -1
    anyone = ctx.actor(None)  # resolved once: without --actor or JIT_ACTOR it may ask the system
    for r, (n, raw) in enumerate(source.lines()):
        if r >= count:
            raise source.changed()
        line = check_line(n, raw, registry, default_priority)
        deps = plan.dependencies(r)
        parent = plan.parent(r)
        issue = Issue.new(ids[r], line.title, ctx.now(), description=line.description, priority=line.priority,
                          labels=line.labels, gates=line.gates, assignee=line.assignee, context=line.context,
                          dependencies=[ids[d] if d >= 0 else plan.existing[~d] for d in deps],
                          parent=None if line.parent is None else ids[parent] if parent >= 0 else plan.existing[~parent],
                          state=BACKLOG if any(d >= 0 or not done[~d] for d in deps) else READY)
        try:
            stage.add_issue(issue.id, dump_issue(issue))
        except UsageError as exc:
            raise line_error(n, exc.message) from None
        data = {"title": issue.title, "state": issue.state, "source": "import", "line": n}
        if issue.parent:
            data["parent"] = issue.parent
        stage.add_events(encode_events([ctx.event("issue_created", issue.id, data, actor=ctx.actor(issue.assignee) if issue.assignee else anyone)]))
        if spool is not None:
            spool.write(f"{issue.id}\n".encode("ascii") if ids_only else f"{issue.id} {dumps(issue)}\n".encode())
    if r + 1 != count or not source.unchanged():
        raise source.changed()


def _is_done(ctx, issue_id: str) -> bool:
    return ctx.files.load(issue_id).state == DONE


def _recheck(tx, plan, done, gates) -> None:
    """Under the lock: what pass one found in the repository still holds. Raises Conflict."""
    registry = tx.gates()
    for key in sorted(gates):
        if key not in registry:
            raise Conflict(f"gate {key!r} was removed while importing; nothing was imported", {"gate": key})
    for k, issue_id in enumerate(plan.existing):
        try:
            state = tx.load(issue_id).state
        except NotFound:
            raise Conflict(f"issue {issue_id[:8]}, which the file refers to, was deleted while importing; "
                           "nothing was imported", {"id": issue_id}) from None
        if plan.depended_on[k] and (state == DONE) != done[k]:
            raise Conflict(f"issue {issue_id[:8]}, which the file depends on, changed state while importing; "
                           "nothing was imported; run the import again", {"id": issue_id})


def _anonymous(layout):
    """A file with no name in `.jit/` (O_TMPFILE): nothing is left behind, whatever kills us."""
    import tempfile

    try:
        return tempfile.TemporaryFile(dir=layout.data_dir, prefix=".import-spool-", suffix=".tmp")
    except OSError as exc:
        raise fault(exc, layout) from None


class _Input:
    """The input, readable twice: a regular file in place (a digest proves the second reading
    saw the first one's bytes), a pipe or a terminal copied to an anonymous file by pass one."""

    def __init__(self, stream, name: str, layout):
        import hashlib

        self.stream, self.name, self.layout = stream, name, layout
        self._digest = hashlib.blake2b
        self.first = self.second = self.copy = None
        self.start = stream.tell() if _rereadable(stream) else None

    def lines(self):
        """(line number, bytes) of every non-blank line, one line in memory at a time."""
        copying = self.first is None and self.start is None
        if copying:
            self.copy = _anonymous(self.layout)
        if self.first is None:
            reader = self.stream
        else:
            reader = self.copy or self.stream
            reader.seek(0 if self.copy else self.start)
        digest, lines, n = self._digest(), iter(reader), 0
        while True:
            try:
                raw = next(lines)
            except StopIteration:
                break
            except OSError as exc:
                raise NotFound(f"cannot read {self.name!r}: {exc.strerror}", {"file": self.name}) from None
            n += 1
            digest.update(raw)
            if copying:
                _write_or_fault(self.copy, raw, self.layout)
            if raw.strip():
                yield n, raw
        if self.first is None:
            self.first = digest.digest()
            if copying:
                _write_or_fault(self.copy, b"", self.layout)
        else:
            self.second = digest.digest()

    def unchanged(self) -> bool:
        return self.second == self.first

    def changed(self) -> JitError:
        return Conflict(f"{self.name} changed while it was being imported; nothing was imported",
                        {"file": self.name})

    def close(self) -> None:
        _close(self.copy)


def _close(spool) -> None:
    """Drop an anonymous file. Its unwritten bytes can fail again (a full disk) and do not matter."""
    if spool is not None:
        try:
            spool.close()
        except OSError:
            pass


def _rereadable(stream) -> bool:
    """A regular file, or bytes in memory: what can be read again from where it starts now."""
    import io
    import stat

    try:
        if not stream.seekable():
            return False
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except io.UnsupportedOperation:  # no file descriptor: bytes in memory
        return True
    except (OSError, ValueError):
        return False


def _write_or_fault(spool, data: bytes, layout) -> None:
    try:
        spool.write(data) if data else spool.flush()
    except OSError as exc:
        raise fault(exc, layout) from None


def fault(exc: OSError, layout):
    """A disk or permission fault while staging: named like the lock's (nothing changed yet)."""
    return storage_fault(exc, layout.data_dir, "writing to")


class Created:
    """A created issue as the JSON `--json` prints (service.serialize joins it as is), or only its id."""

    __slots__ = ("id", "raw_json")

    def __init__(self, issue_id: str, raw_json: str):
        self.id, self.raw_json = issue_id, raw_json

    def to_dict(self) -> dict:
        return json.loads(self.raw_json)


class Imported:
    """The result: `count`, and the created issues in file order, read back from the spool one
    at a time (iterate once per need). Close it, or use it in a `with`, to drop the spool."""

    def __init__(self, count: int, spool):
        self.count, self._spool = count, spool

    def __iter__(self):
        if self._spool is None:
            return
        self._spool.seek(0)
        for line in self._spool:
            issue_id, _, raw = line.rstrip(b"\n").partition(b" ")
            yield Created(issue_id.decode("ascii"), raw.decode("utf-8") if raw else None)

    def close(self) -> None:
        _close(self._spool)
        self._spool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
