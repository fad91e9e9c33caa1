"""Flags and output shared by every list command: --limit/--offset, --filter, honest cut lists.

A list cut by `--limit` says so (SPEC section 7): text ends with "10 of 4,195
shown" and `--json` gives `{"items": [...], "total": N, "limit": K}`; without
`--limit` lists stay JSON arrays.
"""


def page_flags(p, limit_help="only the first N (the best N to work on)") -> None:
    p.add_argument("--limit", "-n", type=int, help=limit_help)
    p.add_argument("--offset", type=int, default=0, help="skip the first N (with --limit: the next page)")


def filter_flag(p) -> None:
    p.add_argument("--filter", "-f", metavar="EXPR",
                   help="filter expression, e.g. 'priority:high OR label:epic:*' (see docs/filter.md)")


def emit_list(out, found, human_rows=None) -> None:
    """Print a list or a Page; `human_rows(items)` renders the text lines (issue rows by default)."""
    items = list(found)
    render = human_rows or out.issue_rows
    total = getattr(found, "total", None)

    def human():
        text = render(items)
        return text if total is None else f"{text}\n{found.shown()}"

    out.emit(found, human=human, quiet=lambda: [i["issue"].id if isinstance(i, dict) and "issue" in i else
                                                i["id"] if isinstance(i, dict) else i.id for i in items])
