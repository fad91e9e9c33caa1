"""The MCP tool table: one tool per CLI operation, each with a small, exact JSON schema.

A tool calls the same service function as its CLI command and returns the value
that command prints with `--json`, so both go through `jit.service.serialize.dumps` and
cannot drift. Every description and schema here is paid for in tokens on every
agent conversation, so they stay terse; `tests/mcp` keeps tools/list under 16 KB.
No SDK imports: the table can be measured and exercised without a client.
"""

from dataclasses import dataclass, field
from typing import Callable

from jit.domain.model import GATE_MODES, GATE_STAGES, PRIORITIES, STATES
from jit.errors import NothingAvailable
from jit.service import claims, deps, gates, issues, queries, remote_claims  # remote_claims: claims granted through a git remote when configured
from jit.service import comments, held, hierarchy, prime


def _t(kind, description=None, **extra):
    out = {"type": kind, **extra}
    if description:
        out["description"] = description
    return out


def _strs(description=None):
    return _t("array", description, items={"type": "string"})


ID = _t("string", "issue id or unique prefix")
PARENT = _t("string", "id of the parent issue (an epic)")
GATE_KEY = _t("string", "gate key")
ASSIGNEE = _t("string", "type:name, e.g. agent:worker-1")
PRIORITY = _t("string", enum=list(PRIORITIES))
LABELS = _strs("namespace:value; globs like epic:* match")
TTL = _t("number", "lease seconds; renew with issue_heartbeat")
BY = _t("string", "who gives the verdict (default: the actor)")
# Offered by the tools whose answers can be long (see `shape`).
FIELDS = _strs('keep only these issue keys, e.g. ["id","title","state"]')
FILTER = _t("string", "e.g. priority:high OR label:epic:*")
LIMIT = _t("integer", "at most N items; the result becomes {total, items}", minimum=0)


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    run: Callable  # (ctx, args) -> the value the CLI command prints with --json
    properties: dict = field(default_factory=dict)
    required: tuple = ()
    lists: str | None = None  # "issues" or "blocked": accepts fields/limit
    read_only: bool = False

    def schema(self) -> dict:
        props = dict(self.properties)
        if self.lists:
            props.update(fields=FIELDS, limit=LIMIT)
        out = {"type": "object", "properties": props}
        if self.required:
            out["required"] = list(self.required)
        return out


def _claim_next(ctx, a):
    try:
        return remote_claims.claim_next(ctx, a["assignee"], labels=a.get("labels", ()), priority=a.get("priority"),
                               ttl=a.get("ttl"), filter=a.get("filter"))
    except NothingAvailable:
        # The CLI prints `null` (exit 3) here; an empty queue is the normal end of an agent loop, not a failure.
        return None


def _list(ctx, a):
    return queries.list_issues(ctx, state=a.get("state"), labels=a.get("labels", ()), assignee=a.get("assignee"),
                               priority=a.get("priority"), parent=a.get("parent") or None, filter=a.get("filter"))


def _delete(ctx, a):
    return issues.delete_issue(ctx, a["id"], force=a.get("force", False))


def _import(ctx, a):
    import json

    from jit.service.importer import import_issues

    # Items become JSON Lines, so the importer's "line N" names the Nth item.
    return import_issues(ctx, "\n".join(json.dumps(item) for item in a["issues"]))


FORCE_RUN = _t("boolean")  # run even if it passed at this clean commit


def _gate_check(ctx, a):
    issue, run, skipped = gates.check_gate(ctx, a["id"], a["key"], force=a.get("force", False))
    return {"issue": issue, "run": run, "skipped": skipped}


def _gate_check_all(ctx, a):
    issue, runs, skipped = gates.check_all(ctx, a["id"], force=a.get("force", False),
                                           fail_fast=a.get("fail_fast", False))
    return {"issue": issue, "runs": runs, "skipped": skipped}


def _gate_pass_all(ctx, a):
    issue, keys = gates.pass_all(ctx, a["id"], by=a.get("by"))
    return {"issue": issue, "passed": keys}


def _graph_export(ctx, a):
    fmt = a.get("format", "json")
    data = deps.graph_export(ctx, fmt)
    return data if fmt == "json" else {"format": fmt, "text": data}


def _validate(ctx, a):
    from jit.service.validate import validate

    return validate(ctx, fix=a.get("fix", False))


def _gate_fields(define):
    return {
        "title": _t("string"), "description": _t("string"),
        "mode": _t("string", "auto runs the checker" if define else None, enum=list(GATE_MODES)),
        "checker": _t("string", "shell command run in the repo root; exit 0 passes" if define else None),
        "timeout": _t("number", "seconds" if define else None),
        "stage": _t("string", "precheck: before start; postcheck: before done" if define else None,
                    enum=list(GATE_STAGES)),
    }


def _define(ctx, a):
    return gates.define_gate(ctx, a["key"], a["title"], description=a.get("description", ""),
                             mode=a.get("mode", "manual"), checker=a.get("checker"), timeout=a.get("timeout"),
                             stage=a.get("stage", "postcheck"))


def _update_gate(ctx, a):
    return gates.update_gate(ctx, a["key"], **{k: a.get(k) for k in _gate_fields(False)})


TOOLS = [
    # -- issues ------------------------------------------------------------------------------
    Tool("issue_create", "Create an issue (backlog while a dependency is unfinished, else ready).",
         lambda ctx, a: issues.create_issue(
             ctx, a["title"], description=a.get("description", ""), priority=a.get("priority"),
             labels=a.get("labels", ()), gates=a.get("gates", ()), deps=a.get("deps", ()),
             assignee=a.get("assignee"), context=a.get("context"), parent=a.get("parent")),
         {"title": _t("string"), "description": _t("string", "markdown"), "priority": PRIORITY,
          "labels": _strs("namespace:value"), "gates": _strs("required gate keys"),
          "deps": _strs("ids this issue depends on"), "assignee": ASSIGNEE,
          "context": _t("object", "free metadata for agents"), "parent": PARENT}, ("title",)),
    Tool("issue_import", "Create many issues at once, all or nothing. Items may name a local `key` and "
         "`depends_on` (keys or ids).",
         _import,
         {"issues": _t("array", "objects: title, description, priority, labels, gates, assignee, key, depends_on, parent",
                       items={"type": "object"})}, ("issues",)),
    Tool("issue_show", "One issue with its gates, dependencies and lease.",
         lambda ctx, a: issues.show_issue(ctx, a["id"]), {"id": ID}, ("id",), read_only=True),
    Tool("issue_list", "Issues filtered by state, labels, assignee, priority, parent (ANDed), in work order.",
         _list, {"state": _t("string", enum=list(STATES)), "labels": LABELS, "assignee": _t("string"),
                 "priority": PRIORITY, "parent": _t("string", "children of this id"), "filter": FILTER},
         lists="issues", read_only=True),
    Tool("issue_search", "Issues whose title, description or comments hold these words (\"a phrase\", pre*), "
         "title hits first.",
         lambda ctx, a: queries.search(ctx, a["text"]), {"text": _t("string")}, ("text",), lists="issues",
         read_only=True),
    Tool("issue_update", "Change fields or request a state; done becomes gated until every gate passes.",
         lambda ctx, a: issues.update_issue(
             ctx, a["id"], title=a.get("title"), description=a.get("description"), priority=a.get("priority"),
             state=a.get("state"), add_labels=a.get("add_labels", ()), remove_labels=a.get("remove_labels", ()),
             context=a.get("context"), parent=a.get("parent") or None, no_parent=a.get("parent") == ""),
         {"id": ID, "title": _t("string"), "description": _t("string"), "priority": PRIORITY,
          "state": _t("string", enum=list(STATES)), "add_labels": _strs(), "remove_labels": _strs(),
          "context": _t("object", "merged into the issue's context"),
          "parent": _t("string", 'parent id; "" clears')}, ("id",)),
    Tool("issue_done", "Finish your issue: done if every gate passed, else gated (then pass its gates).",
         lambda ctx, a: issues.done_issue(ctx, a["id"], a.get("summary")),
         {"id": ID, "summary": _t("string", "what was done")}, ("id",)),
    Tool("issue_reject", "Close an issue as rejected (any open state; bypasses gates).",
         lambda ctx, a: issues.reject_issue(ctx, a["id"], a.get("reason")),
         {"id": ID, "reason": _t("string")}, ("id",)),
    Tool("issue_reopen", "Bring a done or rejected issue back to ready/backlog.",
         lambda ctx, a: issues.reopen_issue(ctx, a["id"], a.get("reason")),
         {"id": ID, "reason": _t("string")}, ("id",)),
    Tool("issue_comment", "Add a note for the next agent (hand-off, findings).",
         lambda ctx, a: comments.comment_issue(ctx, a["id"], a["text"]), {"id": ID, "text": _t("string")},
         ("id", "text")),
    Tool("issue_delete", "Delete an issue; refused while others depend on it unless force.",
         _delete, {"id": ID, "force": _t("boolean", "also drop others' dependencies on it")}, ("id",)),
    # -- claims --------------------------------------------------------------------------------
    Tool("issue_claim", "Atomically claim one specific ready issue; conflict error if someone holds it.",
         lambda ctx, a: remote_claims.claim(ctx, a["id"], a["assignee"], ttl=a.get("ttl")),
         {"id": ID, "assignee": ASSIGNEE, "ttl": TTL}, ("id", "assignee")),
    Tool("issue_claim_next", "Claim the best available issue (priority, then age). Returns null when none "
         "is available. Start every work loop here.",
         _claim_next, {"assignee": ASSIGNEE, "labels": LABELS, "priority": PRIORITY, "filter": FILTER, "ttl": TTL},
         ("assignee",)),
    Tool("issue_release", "Give a claimed issue back (ready, unassigned).",
         lambda ctx, a: claims.release(ctx, a["id"]), {"id": ID}, ("id",)),
    Tool("issue_assign", "A person's override: assign without a race check; a ready issue starts.",
         lambda ctx, a: claims.assign(ctx, a["id"], a["assignee"]), {"id": ID, "assignee": ASSIGNEE},
         ("id", "assignee")),
    Tool("issue_unassign", "Clear the assignee; in_progress goes back to ready.",
         lambda ctx, a: claims.unassign(ctx, a["id"]), {"id": ID}, ("id",)),
    Tool("issue_heartbeat", "Renew the lease of your claim.",
         lambda ctx, a: remote_claims.heartbeat(ctx, a["id"], ttl=a.get("ttl")), {"id": ID, "ttl": TTL}, ("id",)),
    # -- dependencies and graph -----------------------------------------------------------------
    Tool("dep_add", "Make id depend on depends_on; cycles are refused.",
         lambda ctx, a: deps.add_dependency(ctx, a["id"], a["depends_on"]), {"id": ID, "depends_on": ID},
         ("id", "depends_on")),
    Tool("dep_rm", "Remove the dependency of id on depends_on.",
         lambda ctx, a: deps.remove_dependency(ctx, a["id"], a["depends_on"]), {"id": ID, "depends_on": ID},
         ("id", "depends_on")),
    Tool("graph_show", "What an issue waits for (upstream) and what waits for it (downstream).",
         lambda ctx, a: deps.graph_show(ctx, a["id"]), {"id": ID}, ("id",), read_only=True),
    Tool("graph_tree", "Parent/child tree from id (default: all top parents).",
         lambda ctx, a: hierarchy.tree(ctx, a.get("id")), {"id": ID}, read_only=True),
    Tool("graph_export", "The whole dependency graph: json (nodes, edges), dot or mermaid.",
         _graph_export, {"format": _t("string", enum=["json", "dot", "mermaid"])}, read_only=True),
    # -- gates ---------------------------------------------------------------------------------
    Tool("gate_define", "Add a quality gate to the registry.", _define,
         {"key": _t("string", "letters, digits, - _ ."), **_gate_fields(True)}, ("key", "title")),
    Tool("gate_update", "Change a gate definition.", _update_gate, {"key": GATE_KEY, **_gate_fields(False)},
         ("key",)),
    Tool("gate_list", "All gate definitions.", lambda ctx, a: gates.list_gates(ctx), read_only=True),
    Tool("gate_show", "One gate definition.", lambda ctx, a: gates.show_gate(ctx, a["key"]), {"key": GATE_KEY},
         ("key",), read_only=True),
    Tool("gate_remove", "Delete a gate definition; refused while issues require it unless force.",
         lambda ctx, a: gates.remove_gate(ctx, a["key"], force=a.get("force", False)),
         {"key": GATE_KEY, "force": _t("boolean")}, ("key",)),
    Tool("gate_add", "Require gates on an issue (pending).",
         lambda ctx, a: gates.add_gates(ctx, a["id"], a["keys"]), {"id": ID, "keys": _strs()}, ("id", "keys")),
    Tool("gate_rm", "Stop requiring a gate on an issue.",
         lambda ctx, a: gates.remove_gate_from_issue(ctx, a["id"], a["key"]), {"id": ID, "key": GATE_KEY},
         ("id", "key")),
    Tool("gate_pass", "Record a passing verdict (manual gates); the last gate of a gated issue makes it done.",
         lambda ctx, a: gates.pass_gate(ctx, a["id"], a["key"], by=a.get("by")),
         {"id": ID, "key": GATE_KEY, "by": BY}, ("id", "key")),
    Tool("gate_fail", "Record a failing verdict.",
         lambda ctx, a: gates.fail_gate(ctx, a["id"], a["key"], reason=a.get("reason"), by=a.get("by")),
         {"id": ID, "key": GATE_KEY, "reason": _t("string"), "by": BY}, ("id", "key")),
    Tool("gate_check", "Run an auto gate's checker and record the verdict (gate_failed error with the "
         "output tail on failure).", _gate_check, {"id": ID, "key": GATE_KEY, "force": FORCE_RUN}, ("id", "key")),
    Tool("gate_check_all", "Run every auto gate of an issue.", _gate_check_all,
         {"id": ID, "force": FORCE_RUN, "fail_fast": _t("boolean")}, ("id",)),
    Tool("gate_pass_all", "Pass every unpassed manual gate of an issue.", _gate_pass_all, {"id": ID, "by": BY},
         ("id",)),
    Tool("gate_runs", "Checker run history of an issue, optionally for one gate.",
         lambda ctx, a: gates.list_runs(ctx, a["id"], a.get("key")), {"id": ID, "key": GATE_KEY}, ("id",),
         read_only=True),
    # -- queries -------------------------------------------------------------------------------
    Tool("query_available",
         "Claimable issues (ready, unassigned, dependencies done), best first; look before claiming.",
         lambda ctx, a: queries.available(ctx, labels=a.get("labels", ()), priority=a.get("priority"),
                                          filter=a.get("filter")),
         {"labels": LABELS, "priority": PRIORITY, "filter": FILTER}, lists="issues", read_only=True),
    Tool("query_blocked", "Issues held back, each with its blocking dependencies or gates.",
         lambda ctx, a: queries.blocked(ctx, filter=a.get("filter")), {"filter": FILTER}, lists="blocked",
         read_only=True),
    Tool("query_claimed", "Held issues with holder, since, lease expiry, last activity.",
         lambda ctx, a: held.claimed(ctx, stale=a.get("stale")), {"stale": _t("string", "e.g. 30m, 2h, 1d")},
         read_only=True),
    Tool("prime", "Session briefing: workflow, your claims, top ready work. Call first.",
         lambda ctx, a: prime.briefing(ctx, actor=a.get("actor")), {"actor": ASSIGNEE}, read_only=True),
    Tool("status", "Issue counts per state, total and available.", lambda ctx, a: queries.status(ctx),
         read_only=True),
    Tool("events_tail", "The latest audit-log events, oldest first.",
         lambda ctx, a: queries.events_tail(ctx, a.get("n", 20), issue_ref=a.get("issue"), types=a.get("types", ())),
         {"n": _t("integer", "how many (default 20, 0 = all)", minimum=0), "issue": ID, "types": _strs("event types")},
         read_only=True),
    Tool("validate", "Check repository integrity; fix repairs what is safe. Result has ok and problems.",
         _validate, {"fix": _t("boolean")}),
]

BY_NAME = {t.name: t for t in TOOLS}

# CLI operations without a tool of their own, and why (tests/mcp checks this table is complete).
COVERED_ELSEWHERE = {
    "gate preset": "a person's set-up step; agents see its gates through gate_list",
    "query state": "issue_list (state)",
    "query label": "issue_list (labels)",
}
NOT_TOOLS = {
    "init": "set-up, done once by a person",
    "mcp": "this server",
    "serve": "starts the web UI",
    "demo": "a demonstration in a temporary repository",
    "git": "clone set-up",
    "sync": "git remote synchronisation, a person's call",
    "export": "a whole-store backup written to a file, a person's call",
    "import": "restore or migration of a whole store, a person's call",
    "watch": "a long-running file-system monitor, set up by a person (or [index] monitor = true)",
    "snapshot": "a backup archive of .jit/, a person's call",
    "hooks": "clone set-up (a git pre-push hook)",
}
