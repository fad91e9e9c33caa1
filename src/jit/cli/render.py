"""Output for every command: exact JSON (`--json`), bare values (`--quiet`), or short aligned text.

One JSON document on stdout and nothing else in JSON mode; errors become the
`{"error": {...}}` envelope. Colour only when stdout is a terminal.
"""

import sys

from jit.service.serialize import dumps, jsonable  # noqa: F401 - re-exported for the commands

STATE_COLOUR = {"backlog": "90", "ready": "32", "in_progress": "34", "gated": "33", "done": "2", "rejected": "31"}
PRIORITY_COLOUR = {"critical": "1;31", "high": "33"}


class Output:
    def __init__(self, json_mode=False, quiet=False, stdout=None, stderr=None):
        self.json = json_mode
        self.quiet = quiet
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self.colour = self.stdout.isatty() and not self.json

    def emit(self, data, human=None, quiet=None):
        """Print one result: JSON of `data`, or `quiet` (a value, a list, or a callable giving one), or `human()` text."""
        if self.json:
            self.stdout.write(dumps(data) + "\n")
        elif self.quiet:
            if callable(quiet):
                quiet = quiet()
            if quiet is None:
                return
            for line in quiet if isinstance(quiet, list) else [quiet]:
                self.stdout.write(f"{line}\n")
        elif human is not None:
            text = human() if callable(human) else human
            if text:
                self.stdout.write(text if text.endswith("\n") else text + "\n")

    def emit_each(self, items, human=None, quiet=None):
        """Print a list too long to hold: the JSON array `emit` would print, written an item at a
        time; or `quiet(item)` a line; or `human()` text. `items` is iterated once."""
        write = self.stdout.write
        if self.json:
            write("[")
            for k, item in enumerate(items):
                write(", " + dumps(item) if k else dumps(item))
            write("]\n")
        elif self.quiet:
            for item in items:
                write(f"{quiet(item)}\n")
        else:
            self.emit(None, human=human)

    def note(self, message: str):
        """Progress and hints for people: stderr, never in JSON or quiet mode."""
        if not self.json and not self.quiet:
            self.stderr.write(message + "\n")
            self.stderr.flush()

    def warn(self, message: str):
        """Warnings (e.g. a corrupt file skipped) go to stderr in every mode; stdout stays exact."""
        self.stderr.write(message + "\n")
        self.stderr.flush()

    def error(self, exc) -> None:
        # One line, always: a value echoed back (an unknown argument, a title) may hold a newline.
        message = exc.message.replace("\r", "\\r").replace("\n", "\\n")
        if self.json:
            envelope = exc.to_dict()
            envelope["error"]["message"] = message
            self.stdout.write(dumps(envelope) + "\n")
        self.stderr.write(f"error: {message}\n")
        pointer = (getattr(exc, "details", None) or {}).get("pointer")
        if isinstance(pointer, str):  # where in the user's text the problem is (a filter expression)
            self.stderr.write(pointer.replace("\r", " ") + "\n")

    # -- human formatting ----------------------------------------------------------------
    def paint(self, text, code):
        return f"\033[{code}m{text}\033[0m" if self.colour and code else text

    def state(self, state):
        return self.paint(f"{state:<11}", STATE_COLOUR.get(state))

    def issue_rows(self, issues) -> str:
        if not issues:
            return "(none)"
        lines = []
        for i in issues:
            who = i.assignee or ""
            labels = " ".join(i.labels)
            priority = self.paint(f"{i.priority:<8}", PRIORITY_COLOUR.get(i.priority))
            lines.append(f"{i.id[:8]}  {self.state(i.state)} {priority}  {i.title}"
                         + (f"  @{who}" if who else "") + (f"  [{labels}]" if labels else ""))
        return "\n".join(lines)

    def issue_detail(self, issue) -> str:
        gates = ", ".join(f"{g} ({issue.gate_state(g)})" for g in issue.gates_required) or "-"
        lease = issue.lease or {}
        lines = [
            f"{self.paint(issue.id[:8], '1')}  {issue.title}",
            f"  id:        {issue.id}",
            f"  state:     {self.state(issue.state).rstrip()}",
            f"  priority:  {issue.priority}",
            f"  assignee:  {issue.assignee or '-'}" + (f"  (lease until {lease['expires_at']})" if lease else ""),
            f"  labels:    {' '.join(issue.labels) or '-'}",
            f"  depends:   {' '.join(d[:8] for d in issue.dependencies) or '-'}",
            f"  gates:     {gates}",
            f"  created:   {issue.created_at}   updated: {issue.updated_at}",
        ]
        if issue.context:
            lines.append(f"  context:   {dumps(issue.context)}")
        if issue.description:
            lines += ["", *("  " + line for line in issue.description.splitlines())]
        return "\n".join(lines)

    def table(self, headers, rows) -> str:
        rows = [[str(c) for c in r] for r in rows]
        widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        out = [self.paint(fmt.format(*headers).rstrip(), "1")]
        out += [fmt.format(*r).rstrip() for r in rows]
        return "\n".join(out)
