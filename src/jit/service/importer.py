"""`jit issue import`: many issues from JSON Lines, all or nothing, in memory that does not grow
with the issues (SPEC section 8).

Pass one reads the input a line at a time and checks every line, keeping only the links between
lines (domain.import_plan); pass two reads it again and writes each issue and its event into a
stage no reader looks at (storage.staging), and each issue's JSON into an anonymous spool for
the answer. Then, under the lock, a short re-check (the existing issues referred to, the gates,
the new ids) and a journal naming the stage commit all of it. A file read twice must not change
in between (a digest of each line); stdin and pipes are spooled to an anonymous file first.
"""

from jit.domain.import_plan import Plan
from jit.domain.model import BACKLOG, DONE, READY, Issue
from jit.errors import Conflict, NotFound, UsageError
from jit.service.import_files import Imported, Input, anonymous, close_spool, fault
from jit.service.import_lines import check_line, line_error, read_line
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
    source = Input(source, name, ctx.layout)
    try:
        plan, gates = _check_all(ctx, source, registry, default_priority)
        if on_checked is not None:
            on_checked(len(plan))
        if not len(plan):
            return Imported(0, None)
        spool = anonymous(ctx.layout) if keep else None
        try:
            _write_all(ctx, source, plan, gates, _Builder(ctx, plan, registry, default_priority), spool, keep == "ids")
        except BaseException:
            close_spool(spool)
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


def _write_all(ctx, source, plan, gates, builder, spool, ids_only) -> None:
    """Pass two, then the commit. Raises what import_stream does."""
    from jit.service.serialize import dumps
    from jit.storage.staging import Stage

    try:
        stage = Stage(ctx.layout, len(plan))
    except OSError as exc:
        raise fault(exc, ctx.layout) from None
    try:
        try:
            # The lines come back byte for byte as pass one checked them (else Conflict): read, not re-checked.
            for r, (n, raw) in enumerate(source.lines()):
                issue, event = builder.build(r, read_line(n, raw, builder.default_priority))
                try:
                    stage.add_issue(issue.id, dump_issue(issue))
                except UsageError as exc:  # a value JSON cannot store, met only when written
                    raise line_error(n, exc.message) from None
                stage.add_events(encode_events([event]))
                if spool is not None:
                    spool.write(f"{issue.id}\n".encode() if ids_only else f"{issue.id} {dumps(issue)}\n".encode())
            stage.make_durable()
        except OSError as exc:
            raise fault(exc, ctx.layout) from None
        with ctx.transaction() as tx:
            _recheck(tx, plan, builder.done, gates)
            tx.commit_stage(stage)
    except BaseException:
        stage.discard()
        raise
    stage.close()


class _Builder:
    """Builds each line's issue and event in pass two, from the line and what pass one resolved."""

    def __init__(self, ctx, plan, registry, default_priority):
        self.ctx, self.plan, self.registry, self.default_priority = ctx, plan, registry, default_priority
        self.ids = [ctx.new_id() for _ in range(len(plan))]
        self.done = [_is_done(ctx, issue_id) if plan.depended_on[k] else False
                     for k, issue_id in enumerate(plan.existing)]
        self.anyone = ctx.actor(None)  # resolved once: without --actor or JIT_ACTOR it may ask the system

    def _target(self, link: int) -> str:
        return self.ids[link] if link >= 0 else self.plan.existing[~link]

    def build(self, r: int, line) -> tuple:
        ctx, deps, parent = self.ctx, self.plan.dependencies(r), self.plan.parent(r)
        issue = Issue.new(self.ids[r], line.title, ctx.now(), description=line.description, priority=line.priority,
                          labels=line.labels, gates=line.gates, assignee=line.assignee, context=line.context,
                          dependencies=[self._target(d) for d in deps],
                          parent=None if line.parent is None else self._target(parent),
                          state=BACKLOG if any(d >= 0 or not self.done[~d] for d in deps) else READY)
        data = {"title": issue.title, "state": issue.state, "source": "import", "line": line.n}
        if issue.parent:
            data["parent"] = issue.parent
        actor = ctx.actor(issue.assignee) if issue.assignee else self.anyone
        return issue, ctx.event("issue_created", issue.id, data, actor=actor)


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


