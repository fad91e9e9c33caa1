"""`jit gate ...`: the gate registry, gates on issues, verdicts and checker runs."""

import time

from jit.cli.holders import holder_flags, holder_note
from jit.cli.parser import command, group, positive_number
from jit.errors import GateFailed, UsageError
from jit.service import gates


def _gate_text(g) -> str:
    extra = f"  checker: {g['checker']} (timeout {g['timeout']}s)" if g.get("checker") else ""
    notes = [f"order {g['order']}" if g.get("order") else "", f"in {g['working_dir']}" if g.get("working_dir") else "",
             "with context" if g.get("pass_context") else ""]
    notes = ", ".join(n for n in notes if n)
    return f"{g['key']:<16} {g['mode']:<6} {g['stage']:<9} {g['title']}{extra}" + (f" [{notes}]" if notes else "")


def _prompt(ns):
    if ns.prompt_file is None:
        return ns.prompt
    try:
        with open(ns.prompt_file, encoding="utf-8") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read --prompt-file {ns.prompt_file}: {getattr(exc, 'strerror', None) or exc}",
                         {"file": ns.prompt_file}) from None


def _run_settings(ns) -> dict:
    env = {} if ns.no_env else (ns.env if ns.env is not None else None)
    return {"pass_context": ns.pass_context, "prompt": _prompt(ns), "working_dir": ns.working_dir, "env": env,
            "order": ns.order}


def define(ns, out, ctx):
    settings = {k: v for k, v in _run_settings(ns).items() if v is not None}
    g = gates.define_gate(ctx, ns.key, ns.title, description=ns.description, mode=ns.mode, checker=ns.checker,
                          timeout=ns.timeout, stage=ns.stage, **settings)
    out.emit(g, human=lambda: f"defined gate {_gate_text(g)}", quiet=g["key"])


def update(ns, out, ctx):
    g = gates.update_gate(ctx, ns.key, title=ns.title, description=ns.description, mode=ns.mode,
                          checker=ns.checker, timeout=ns.timeout, stage=ns.stage, **_run_settings(ns))
    out.emit(g, human=lambda: f"updated gate {_gate_text(g)}", quiet=g["key"])


def list_(ns, out, ctx):
    found = gates.list_gates(ctx)
    out.emit(found, human=lambda: "\n".join(_gate_text(g) for g in found) or "(no gates defined)",
             quiet=[g["key"] for g in found])


def show(ns, out, ctx):
    g = gates.show_gate(ctx, ns.key)
    out.emit(g, human=lambda: "\n".join(f"{k:<12} {v}" for k, v in g.items()), quiet=g["key"])


def remove(ns, out, ctx):
    g = gates.remove_gate(ctx, ns.key, force=ns.force)
    out.emit(g, human=f"removed gate {g['key']}", quiet=g["key"])


def add(ns, out, ctx):
    issue = gates.add_gates(ctx, ns.id, ns.keys)
    out.emit(issue, human=lambda: f"{issue.id[:8]} requires gates: {', '.join(issue.gates_required)}", quiet=issue.id)


def rm(ns, out, ctx):
    issue = gates.remove_gate_from_issue(ctx, ns.id, ns.key)
    out.emit(issue, human=lambda: f"{issue.id[:8]} no longer requires {ns.key} ({issue.state})", quiet=issue.id)


def pass_(ns, out, ctx):
    issue = gates.pass_gate(ctx, ns.id, ns.key, by=ns.by, force=ns.force, reason=ns.reason)
    out.emit(issue, human=lambda: f"gate {ns.key} passed on {issue.id[:8]} ({issue.state})", quiet=issue.id)


def fail(ns, out, ctx):
    issue = gates.fail_gate(ctx, ns.id, ns.key, reason=ns.reason, by=ns.by, force=ns.force)
    out.emit(issue, human=lambda: f"gate {ns.key} failed on {issue.id[:8]} ({issue.state})", quiet=issue.id)


class _Progress:
    """On a terminal, a one-line live view of a running checker: elapsed time and its last output line."""

    def __init__(self, out):
        self.enabled = not out.json and not out.quiet and out.stderr.isatty()
        self.stream = out.stderr
        self.last = 0.0

    def __call__(self, key, elapsed, line):
        if not self.enabled or time.monotonic() - self.last < 0.2:
            return
        self.last = time.monotonic()
        self.stream.write(f"\r\033[K  {key}: running {elapsed:5.1f}s  {line[:70]}")
        self.stream.flush()

    def done(self):
        if self.enabled and self.last:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _run_text(run) -> str:
    verdict = "passed" if run["status"] == "passed" else "FAILED"
    why = f" ({run['error']})" if run.get("error") else f" (exit {run['exit_code']})"
    text = f"gate {run['gate']}: {verdict}{'' if verdict == 'passed' else why} in {run['duration']:.2f}s"
    tail = run.get("output_tail", "").rstrip().splitlines()[-10:]
    if tail and verdict != "passed":
        text += "\n" + "\n".join("    " + line for line in tail)
    return text


def _report_failure(out, exc: GateFailed):
    if not out.json and not out.quiet:
        for run in exc.details.get("runs", []):
            out.stdout.write(_run_text(run) + "\n")
    raise exc


def _skip_text(run) -> str:
    return (f"gate {run['gate']}: already passed at {(run.get('commit') or '')[:7]} "
            f"(run {run['id']}); --force runs it again")


def check(ns, out, ctx):
    progress = _Progress(out)
    try:
        issue, run, skipped = gates.check_gate(ctx, ns.id, ns.key, on_progress=progress, force=ns.force, by=ns.by)
    except GateFailed as exc:
        progress.done()
        _report_failure(out, exc)
    progress.done()
    text = _skip_text(run) if skipped else _run_text(run)
    out.emit({"issue": issue, "run": run, "skipped": skipped}, human=lambda: text + f"\n{issue.id[:8]} is {issue.state}",
             quiet="skipped" if skipped else run["status"])


def check_all(ns, out, ctx):
    progress = _Progress(out)
    try:
        issue, runs, skipped = gates.check_all(ctx, ns.id, on_progress=progress, force=ns.force,
                                               fail_fast=ns.fail_fast, by=ns.by)
    except GateFailed as exc:
        progress.done()
        _report_failure(out, exc)
    progress.done()
    lines = [_skip_text(r) if r["gate"] in skipped else _run_text(r) for r in runs]
    out.emit({"issue": issue, "runs": runs, "skipped": skipped}, quiet=[r["status"] for r in runs],
             human=lambda: "\n".join(lines or ["(no automated gates on this issue)"])
             + f"\n{issue.id[:8]} is {issue.state}")


def pass_all(ns, out, ctx):
    issue, keys = gates.pass_all(ctx, ns.id, by=ns.by)
    out.emit({"issue": issue, "passed": keys}, quiet=keys,
             human=lambda: (f"passed {', '.join(keys)} on {issue.id[:8]}" if keys
                            else f"{issue.id[:8]} has no unpassed manual gates") + f" ({issue.state})")


def runs(ns, out, ctx):
    found = gates.list_runs(ctx, ns.id, ns.key)

    def human():
        if not found:
            return "(no runs)"
        rows = [[r["started_at"][:19].replace("T", " "), r["gate"], r["status"], r.get("exit_code"),
                 f"{r['duration']:.2f}s", r.get("by", "")] for r in found]
        latest = found[-1]
        tail = latest.get("output_tail", "").rstrip()
        return out.table(["started", "gate", "status", "exit", "duration", "by"], rows) + (
            f"\n\noutput tail of the latest run ({latest['gate']}):\n" + tail if tail else "")

    out.emit(found, human=human, quiet=[r["id"] for r in found])


def _run_options(p, verb):
    import argparse

    if not isinstance(p, argparse.ArgumentParser):  # a subcommand this call does not build
        return
    p.add_argument("--pass-context", action=argparse.BooleanOptionalAction, default=None,
                   help="hand the checker JIT_CONTEXT_FILE: the issue, this gate, its prompt, earlier runs, git changes")
    prompt = p.add_mutually_exclusive_group()
    prompt.add_argument("--prompt", help="instructions for a reviewing checker (needs --pass-context)")
    prompt.add_argument("--prompt-file", metavar="PATH", help="read the prompt from a file (stored in the registry)")
    p.add_argument("--working-dir", metavar="DIR", help="folder to run the checker in, relative to the repository root")
    p.add_argument("--env", action="append", metavar="KEY=VALUE",
                   help="environment variable for the checker (repeatable" + ("; replaces the set)" if verb == "update"
                                                                             else ")"))
    p.add_argument("--no-env", action="store_true", help="drop every --env variable" if verb == "update"
                   else argparse.SUPPRESS)
    p.add_argument("--order", type=int, help="position in check-all, lower first (default 0)")


def register(subs, name):
    g = group(subs, "gate", "quality gates: define them, attach them to issues, record verdicts, run checkers",
              "jit gate define tests --title 'Tests pass' --mode auto --checker 'pytest -q'")
    for verb, fn, text, example in (
        ("define", define, "add a gate to the registry", ("jit gate define tests --title 'Tests pass' --mode auto "
                                                          "--checker 'pytest -q' --timeout 600")),
        ("update", update, "change a gate definition", "jit gate update tests --timeout 900"),
    ):
        p = command(g, verb, text, example, fn)
        p.add_argument("key", help="gate key, e.g. tests or review")
        p.add_argument("--title", required=verb == "define", help="what the gate checks, in a few words")
        p.add_argument("--description", default="" if verb == "define" else None, help="longer explanation (markdown)")
        p.add_argument("--mode", choices=("manual", "auto"), default="manual" if verb == "define" else None,
                       help="manual: a verdict by gate pass/fail; auto: a --checker command decides")
        p.add_argument("--checker", help="shell command run in the repository root; exit 0 passes")
        p.add_argument("--timeout", type=positive_number, help="seconds before the checker is killed")
        p.add_argument("--stage", choices=("precheck", "postcheck"), default="postcheck" if verb == "define" else None,
                       help="precheck: must pass before work starts; postcheck (default): before done")
        _run_options(p, verb)
    command(g, "list", "list defined gates", "jit gate list --json", list_)
    p = command(g, "show", "show one gate definition", "jit gate show tests", show)
    p.add_argument("key", help="gate key, e.g. tests or review")
    p = command(g, "remove", "delete a gate definition (refused while issues require it)",
                "jit gate remove tests --force", remove)
    p.add_argument("key", help="gate key, e.g. tests or review")
    p.add_argument("--force", action="store_true", help="also remove it from the issues that require it")
    p = command(g, "add", "require gates on an issue", "jit gate add 0a1b tests review", add)
    p.add_argument("id", help="the issue: its id or a unique prefix (4+ hex characters)")
    p.add_argument("keys", nargs="+", metavar="KEY", help="gate keys from the registry (jit gate list)")
    p = command(g, "rm", "stop requiring a gate on an issue", "jit gate rm 0a1b review", rm)
    p.add_argument("id", help="the issue: its id or a unique prefix (4+ hex characters)")
    p.add_argument("key", help="gate key, e.g. tests or review")
    p = command(g, "pass", "record a passing verdict (the last one finishes a gated issue)",
                "jit gate pass 0a1b review --by human:ana", pass_)
    p.add_argument("id", help="the issue: its id or a unique prefix (4+ hex characters)")
    p.add_argument("key", help="gate key, e.g. tests or review")
    p.add_argument("--by", help="who gives the verdict: the actor of the gate_passed event")
    holder_flags(p, "record it", verdict=True)
    p = command(g, "fail", "record a failing verdict", "jit gate fail 0a1b review --reason 'missing tests'", fail)
    p.add_argument("id", help="the issue: its id or a unique prefix (4+ hex characters)")
    p.add_argument("key", help="gate key, e.g. tests or review")
    p.add_argument("--reason", help="why it failed (recorded with the verdict)")
    p.add_argument("--by", help="who gives the verdict: the actor of the gate_failed event")
    holder_flags(p, "record it", reason=False, verdict=True)
    p = command(g, "pass-all", "pass every manual gate of an issue that has not passed yet",
                "jit gate pass-all 0a1b --by human:ana", pass_all)
    p.add_argument("id", help="the issue: its id or a unique prefix (4+ hex characters)")
    p.add_argument("--by", help="who gives the verdicts (default: the actor), e.g. human:ana")
    holder_note(p)
    p = command(g, "check", "run an automated gate's checker and record the verdict (exit 6 on failure); "
                "skipped when its last run passed at the same clean git commit",
                "jit gate check 0a1b tests --force", check)
    p.add_argument("id", help="the issue: its id or a unique prefix (4+ hex characters)")
    p.add_argument("key", help="gate key, e.g. tests or review")
    p.add_argument("--force", action="store_true", help="run even if it already passed at this commit")
    p.add_argument("--by", help="who gives the verdict, e.g. ci:github (default: the actor rule)")
    holder_note(p)
    p = command(g, "check-all", "run every automated gate of an issue, lower --order first",
                "jit gate check-all 0a1b --fail-fast", check_all)
    p.add_argument("id", help="the issue: its id or a unique prefix (4+ hex characters)")
    p.add_argument("--force", action="store_true", help="run even the gates that already passed at this commit")
    p.add_argument("--fail-fast", action="store_true", help="stop at the first failing gate")
    p.add_argument("--by", help="who gives the verdicts, e.g. ci:github (default: the actor rule)")
    holder_note(p)
    from jit.cli.gate_presets import register_presets

    register_presets(g)
    p = command(g, "runs", "history of checker runs, with the output tail of the latest",
                "jit gate runs 0a1b tests", runs)
    p.add_argument("id", help="the issue: its id or a unique prefix (4+ hex characters)")
    p.add_argument("key", nargs="?", help="only this gate's runs")
