"""A cheap "has anything changed?" stamp for front ends that refresh live (the web UI).

Every jit write appends to `events.jsonl`, but a hand edit or a `git pull`
changes issue files without an event, and SPEC section 1 says those must show
up too. So the stamp covers the event log, the gate registry, every issue
file's (mtime, size, inode) and the gate-run folders: only `stat` calls, no
file is read, so a page can poll it every second. A `jit watch` watcher's token
replaces the per-file part: it moves with every change the watcher sees.
"""

import hashlib
import os


def _sig(path) -> str:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "-"
    return f"{st.st_mtime_ns}:{st.st_size}:{st.st_ino}"


def _folder_sigs(folder) -> list:
    try:
        entries = os.scandir(folder)
    except FileNotFoundError:
        return []
    sigs = []
    with entries:
        for entry in entries:
            try:
                st = entry.stat()
            except FileNotFoundError:
                continue
            sigs.append(f"{entry.name}:{st.st_mtime_ns}:{st.st_size}:{st.st_ino}")
    return sorted(sigs)


def change_stamp(ctx) -> str:
    """A short opaque string that differs whenever the repository's data may have changed.
    With a `jit watch` watcher running, its token stands for the issue files (no stat per file)."""
    from jit.storage.monitor import current_token

    layout = ctx.layout
    parts = [_sig(layout.events_file), _sig(layout.gates_file), _sig(layout.gate_runs_dir)]
    token = current_token(layout) if ctx.env.get("JIT_MONITOR") != "off" else None
    parts += [f"watcher {token}"] if token else _folder_sigs(layout.issues_dir)
    parts += _folder_sigs(layout.gate_runs_dir)
    return hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()[:16]
