"""The YAML front matter Backlog.md writes, read without a YAML library.

Backlog.md writes a small subset: `key: value` scalars (plain, 'single' or "double"
quoted), flow lists (`[]`, `["a", "b"]`) and block lists (`  - item`). That subset
is all this reads; anything else is kept as its raw text. jit has no runtime
dependencies, and one YAML library for one importer would be a poor trade.
"""

import re

_KEY = re.compile(r"^([A-Za-z_][\w-]*):(?:\s+(.*))?$")


def scalar(text: str):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return re.sub(r'\\(.)', r"\1", text[1:-1])
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip()
        return [scalar(p) for p in _split_flow(inner)] if inner else []
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if text in ("true", "false"):
        return text == "true"
    if text in ("null", "~", ""):
        return None
    return text


def _split_flow(text: str) -> list:
    parts, current, quote = [], "", None
    for ch in text:
        if quote:
            current += ch
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            current += ch
        elif ch == ",":
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p for p in (x.strip() for x in parts) if p]


def parse_mapping(lines) -> dict:
    data, key = {}, None
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = re.match(r"^\s+-\s*(.*)$", line) or re.match(r"^-\s+(.*)$", line)
        if item and key is not None:
            if not isinstance(data.get(key), list):
                data[key] = []
            data[key].append(scalar(item.group(1)))
            continue
        match = _KEY.match(line)
        if match:
            key = match.group(1)
            data[key] = scalar(match.group(2) or "")
    return data


def split(text: str) -> tuple:
    """(front matter mapping, body) of a markdown file; ({}, text) when it has none."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}, text
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            return parse_mapping(lines[1:end]), "\n".join(lines[end + 1:])
    return {}, text
