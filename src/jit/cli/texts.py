"""Text that issue commands take in (titles, descriptions, comments from stdin or a file) and
the human form of one issue with its parent, resolution, children and comments."""

import sys

from jit.errors import NotFound, UsageError


def read_stdin() -> str:
    """All of stdin as UTF-8. Raises UsageError for other bytes."""
    try:
        return sys.stdin.buffer.read().decode("utf-8")
    except ValueError:
        raise UsageError("stdin is not UTF-8 text") from None


def read_file(name: str) -> str:
    """A text file's contents. Raises NotFound (unreadable) or UsageError (not UTF-8)."""
    try:
        with open(name, encoding="utf-8") as fh:
            return fh.read()
    except OSError as exc:
        raise NotFound(f"cannot read {name!r}: {exc.strerror}", {"file": name}) from None
    except ValueError as exc:  # a NUL in the name, or bytes that are not UTF-8
        raise UsageError(f"cannot read {name!r}: {exc}; give a UTF-8 text file", {"file": name}) from None


def title(ns) -> str:
    """The title from the positional argument or --title (one of them). Raises UsageError."""
    if ns.title_arg is not None and ns.title is not None and ns.title_arg != ns.title:
        raise UsageError("give the title once: either `jit issue create \"TITLE\"` or --title TITLE",
                         {"field": "title"})
    value = ns.title if ns.title is not None else ns.title_arg
    if value is None:
        raise UsageError('a title is required, e.g. `jit issue create "Fix the parser"`', {"field": "title"})
    return value


def description(ns):
    """--description TEXT, --description - (stdin) or --description-file F; None when absent."""
    if ns.description_file is not None:
        if ns.description not in (None, ""):
            raise UsageError("give --description or --description-file, not both", {"field": "description"})
        return read_file(ns.description_file)
    if ns.description == "-":
        return read_stdin()
    return ns.description


def detail(out, ctx, issue) -> str:
    """`issue show` for people: the fields, then parent, resolution, children and comments."""
    from jit.service.hierarchy import family

    base = out.issue_detail(issue)
    extra = []
    if issue.parent:
        extra.append(f"  parent:    {issue.parent[:8]}")
    if issue.resolution:
        r = issue.resolution
        extra.append(f"  resolved:  {r.get('kind')} by {r.get('by')} at {r.get('at')}"
                     + (f": {r['text']}" if r.get("text") else ""))
    kids = family(ctx, issue)
    if kids["children"]:
        p = kids["progress"]
        extra.append(f"  children:  {p['done']} of {p['total']} done")
        extra += [f"    {k['id'][:8]}  {out.state(k['state'])} {k['title']}" for k in kids["children"]]
    if issue.comments:
        extra.append(f"  comments ({len(issue.comments)}):")
        for c in issue.comments:
            extra.append(f"    {c['at'][:19].replace('T', ' ')}  {c['by']}:")
            extra += [f"      {line}" for line in c["text"].splitlines() or [""]]
    # After the fields, before the description (which issue_detail puts last, after a blank line).
    head, sep, desc = base.partition("\n\n")
    return "\n".join([head, *extra]) + (sep + desc if sep else "")
