"""`jit issue search`: words in titles, descriptions and comments, title hits first (SPEC section 7).

Words must all appear (whole words; `word*` for a prefix), "quoted text" is a
phrase, and an id matches only when the query itself looks like an id prefix
(so `search bad` no longer finds ids containing "bad"). Served by the index's
FTS5 table; `--regex` scans every issue's text instead.
"""

import json

from jit.errors import UsageError


def _words(text: str) -> list:
    """("phrase"|"word"|"prefix", text) pieces of a query; quotes make a phrase."""
    pieces, rest = [], text
    while rest:
        rest = rest.lstrip()
        if not rest:
            break
        if rest[0] == '"':
            end = rest.find('"', 1)
            phrase, rest = (rest[1:], "") if end < 0 else (rest[1:end], rest[end + 1:])
            if phrase.strip():
                pieces.append(("phrase", phrase.strip()))
            continue
        word, _, rest = rest.partition(" ")
        kind = "prefix" if word.endswith("*") and len(word) > 1 else "word"
        pieces.append((kind, word.rstrip("*") if kind == "prefix" else word))
    return pieces


def fts_query(pieces) -> str:
    """An FTS5 MATCH string in which the user's text is always quoted (never FTS syntax)."""
    out = []
    for kind, text in pieces:
        # SQLite reads the query as a C string: a NUL (possible through MCP or the API) would end it early.
        quoted = '"' + text.replace('"', '""').replace("\x00", " ") + '"'
        out.append(quoted + "*" if kind == "prefix" else quoted)
    return " ".join(out)


def _id_prefix(text: str):
    from jit.domain.ids import normalise_prefix
    from jit.errors import JitError

    text = text.strip()
    if " " in text or len(text.replace("-", "")) < 8:
        return None
    try:
        return normalise_prefix(text)
    except JitError:  # not hexadecimal: not an id
        return None


def search(ctx, text, limit=None, offset=0, regex=False, filter=None):
    """Issues matching the query, title hits first, then work order; a Page when `limit` is given.
    Raises UsageError for an empty query or a bad regular expression."""
    from jit.service.queries import Page, RawIssue, _prepare, check_page, compile_filter, parse_filter

    if not isinstance(text, str) or not text.strip():
        raise UsageError("give words to search for, e.g. jit issue search login", {"text": text})
    check_page(limit, offset)
    node = parse_filter(filter)
    index = _prepare(ctx)
    where, args = compile_filter(ctx, node)
    if regex or not index.fts:
        found = _scan(index, text, regex, where, args)
        total, found = len(found), found[offset or 0:None if limit is None else (offset or 0) + limit]
    else:
        pieces = _words(text)
        if not pieces:
            raise UsageError("give words to search for, e.g. jit issue search login", {"text": text})
        match = fts_query(pieces)
        found, total = index.search_fts(match, f"title : ({match})", where, args, limit, offset)
        prefix = _id_prefix(text)
        if prefix and not offset:
            ids = index.ids_with_prefix(prefix)
            hits = [r[0] for r in index.select(f"i.id IN ({','.join('?' * len(ids))}) AND ({where})",
                                               [*ids, *args])] if ids else []
            found = hits + [j for j in found if j not in hits]
            total += len(hits)
    items = [RawIssue(j) for j in found]
    return items if limit is None else Page(items[:limit], total, limit, offset or 0)


def _scan(index, text, regex, where, args) -> list:
    """Every issue's text, matched in Python: a regular expression, or words without FTS5."""
    import re

    if regex:
        try:
            pattern = re.compile(text, re.IGNORECASE)
        except re.error as exc:
            raise UsageError(f"bad regular expression {text!r}: {exc}", {"text": text}) from None
        test = pattern.search
    else:
        words = [w.lower() for _, w in _words(text)]
        def test(s):
            return all(w in s.lower() for w in words)
    title_hits, other_hits = [], []
    for (raw,) in index.select(where, args):
        data = json.loads(raw)
        body = " ".join([data.get("description") or "", *(c.get("text", "") for c in data.get("comments") or [])])
        if test(data.get("title", "")):
            title_hits.append(raw)
        elif test(body):
            other_hits.append(raw)
    return title_hits + other_hits
