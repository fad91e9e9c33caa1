"""The marked jit section of AGENTS.md (`jit init --agents`): tells any agent to run `jit prime`.

AGENTS.md is the file coding agents read first. jit owns only the text between
its two markers: running it again replaces that text in place (idempotent) and
leaves everything else in the file byte for byte as it was.
"""

import os

BEGIN_PREFIX = "<!-- jit:begin"
BEGIN = "<!-- jit:begin (written by `jit init --agents`; edits inside are replaced) -->"
END = "<!-- jit:end -->"
SECTION = f"""{BEGIN}
## Work tracking: jit

This repository tracks its work with jit (`.jit/`). At the start of every session run
`jit prime` (set `JIT_ACTOR=agent:NAME` first): it prints the workflow, your claims, the
best ready issues and what is blocked. Then claim with `jit issue claim-next agent:NAME`,
leave hand-off notes with `jit issue comment ID "..."` and finish with
`jit issue done ID --summary "..."`. More: `jit --help`, docs/agents.md in jit's repository.
{END}
"""


def upsert_section(text: str) -> str:
    """`text` with jit's section replaced, or appended when it has none."""
    start = text.find(BEGIN_PREFIX)  # any jit version's marker, whatever its comment says
    stop = text.find(END, start) if start >= 0 else -1
    if start >= 0 and stop >= 0:
        tail = text[stop + len(END):]
        return text[:start] + SECTION.rstrip("\n") + (tail if tail.startswith("\n") else "\n" + tail)
    if not text:
        return SECTION
    return text + ("\n" if text.endswith("\n") else "\n\n") + SECTION


def install_agents_section(ctx) -> dict:
    """Write or update the section in AGENTS.md beside `.jit/`: {path, action: created|updated|unchanged}.
    Raises StorageFault when the file cannot be written."""
    from jit.errors import storage_fault
    from jit.storage.atomic import write_atomic

    path = os.path.join(ctx.layout.root, "AGENTS.md")
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            before = fh.read()
    except FileNotFoundError:
        before = None
    except OSError as exc:
        raise storage_fault(exc, path, "reading") from None
    except ValueError:  # not UTF-8
        from jit.errors import UsageError

        raise UsageError(f"{path} is not UTF-8 text; fix it, then run `jit init --agents` again",
                         {"path": path}) from None
    after = upsert_section(before or "")
    if after == before:
        return {"path": path, "action": "unchanged"}
    try:
        write_atomic(path, after)
    except OSError as exc:
        raise storage_fault(exc, path, "writing") from None
    return {"path": path, "action": "created" if before is None else "updated"}
