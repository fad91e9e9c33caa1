"""`jit export`: the whole store as one deterministic JSON Lines stream (SPEC section 11).

The stream is a header (format, version, config, gate registry, presets), one
`{"issue": ...}` line per issue in id order, `{"gate_run": ...}` lines, optionally
`{"event": ...}` lines in log order, and an `{"end": counts}` line, so a
truncated copy is recognisable. Lines are written as they are read: memory stays
bounded however many issues the store holds. Issues travel as `Issue.to_dict()`,
so a field added to the model travels without a change here.
"""

import json
import os

from jit.storage.issues import CorruptFile

FORMAT = "jit-export"
VERSION = 1
KINDS = ("issue", "gate_run", "event")


def encode(record: dict) -> str:
    """The one line format of an export: compact, sorted keys, UTF-8 kept as is."""
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def header(ctx) -> dict:
    from jit import __version__
    from jit.storage.config import load_config
    from jit.storage.issues import read_regular

    load_config(ctx.layout)  # a config.toml jit cannot read is named (CorruptFile) before any line is written
    try:
        config = read_regular(ctx.layout.config_file, ".jit/config.toml").decode("utf-8")
    except FileNotFoundError:
        config = None
    return {"format": FORMAT, "version": VERSION, "jit": __version__, "config": config,
            "gates": ctx.gate_files.load_registry(), "presets": read_presets(ctx.layout)}


def read_presets(layout) -> dict:
    """The repository's own gate presets (`.jit/presets/<name>.json`), name -> definition."""
    folder = layout.path("presets")
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".json") and not n.startswith("."))
    except FileNotFoundError:
        return {}
    presets = {}
    for name in names:
        with open(os.path.join(folder, name), encoding="utf-8") as fh:
            text = fh.read()
        try:
            presets[name[:-5]] = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise CorruptFile(f".jit/presets/{name} is corrupt ({exc}); fix or delete it, then export again",
                              {"file": f".jit/presets/{name}"}) from None
    return presets


def _gate_runs(ctx, issue_ids):
    root = ctx.layout.gate_runs_dir
    try:
        folders = set(os.listdir(root))
    except FileNotFoundError:
        return
    for issue_id in issue_ids:
        if issue_id not in folders:
            continue
        folder = os.path.join(root, issue_id)
        for name in sorted(os.listdir(folder)):
            if name.startswith(".") or not name.endswith(".json"):
                continue
            rel = f".jit/gate-runs/{issue_id}/{name}"
            with open(os.path.join(folder, name), encoding="utf-8") as fh:
                text = fh.read()
            try:
                record = json.loads(text)
            except (ValueError, RecursionError) as exc:
                raise CorruptFile(f"{rel} is corrupt ({exc}); fix or delete it, then export again",
                                  {"file": rel}) from None
            yield {"issue_id": issue_id, "run_id": name[:-5], "record": record}


def _events(ctx):
    if not os.path.exists(ctx.layout.events_file):
        return
    with open(ctx.layout.events_file, "rb") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                event = json.loads(line)
            except (ValueError, RecursionError):
                continue  # the log's own readers skip a half-merged line; so does the export
            if isinstance(event, dict):
                yield event


def export_lines(ctx, events: bool = False, progress=None):
    """Yield the export line by line. `progress(done, total)` is called every 1,000 issues.

    Raises CorruptFile naming an issue or run file jit cannot read: an export never skips data.
    """
    ctx.settle_crash_leftovers()
    yield encode(header(ctx))
    ids = sorted(ctx.files.ids())
    for n, issue_id in enumerate(ids, 1):
        yield encode({"issue": ctx.files.load(issue_id).to_dict()})
        if progress is not None and n % 1000 == 0:
            progress(n, len(ids))
    runs = 0
    for run in _gate_runs(ctx, ids):
        runs += 1
        yield encode({"gate_run": run})
    count = 0
    if events:
        for event in _events(ctx):
            count += 1
            yield encode({"event": event})
    yield encode({"end": {"issues": len(ids), "gate_runs": runs, "events": count if events else None}})


def write_export(ctx, stream, events: bool = False, progress=None) -> dict:
    """Write the export to a text stream; returns the counts of the closing line."""
    last = None
    for line in export_lines(ctx, events, progress):
        stream.write(line)
        last = line
    return json.loads(last)["end"]


def export_to_path(ctx, path: str, events: bool = False, progress=None) -> dict:
    """Write the export to `path`, whole or not at all. Raises StorageFault for a full disk or a refused folder."""
    from jit.service.outfile import output_file

    with output_file(path, "writing the export to") as fh:
        return write_export(ctx, fh, events, progress)
