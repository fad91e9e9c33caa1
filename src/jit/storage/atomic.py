"""The one write primitive every file under `.jit/` goes through.

Temp file in the same folder, fsync, rename over the target, fsync the folder:
a process killed at any instant leaves the old file or the new one, never a
torn one (SPEC section 1). Temp files left by a killed writer are harmless; the
next lock holder sweeps them (storage.unit), and `jit validate --fix` any others.
"""

import os

from jit.storage.faults import reached, write_with_points

TMP_SUFFIX = ".tmp"
BULK_THRESHOLD = 64


def _fsync_dir(folder) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path, data: bytes | str) -> None:
    """Replace one file atomically (the single-item case of write_atomic_many)."""
    write_atomic_many([(path, data)])


def write_atomic_many(items, label: str | None = None) -> None:
    """Atomically replace many files: each is written to a temp file and made durable, then all
    are renamed, then each folder is fsynced once. Each file is old or new at every instant;
    cross-file all-or-nothing is the journal's job (storage.unit). Large batches (an import)
    make their temp files durable with one sync(2) instead of one fsync each: the same
    guarantee, thousands of disk flushes fewer. `label` names the crash points (storage.faults)
    of a commit's steps: "journal" or "files"."""
    items = list(items)
    bulk = len(items) >= BULK_THRESHOLD
    staged = []
    try:
        for path, data in items:
            if isinstance(data, str):
                data = data.encode("utf-8")
            path = os.fspath(path)
            folder, name = os.path.split(path)
            tmp = os.path.join(folder, f".{name}.{os.getpid()}.{os.urandom(3).hex()}{TMP_SUFFIX}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            staged.append((tmp, path))
            try:
                write_with_points(fd, data, label and f"{label}.mid-write")
                if not bulk:
                    os.fsync(fd)
            finally:
                os.close(fd)
        if bulk:
            os.sync()
        if label:
            reached(f"{label}.temps-written")
    except BaseException:
        for tmp, _ in staged:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        raise
    folders = set()
    for tmp, path in staged:
        os.replace(tmp, path)
        folders.add(os.path.dirname(path) or ".")
        if label:
            reached(f"{label}.renamed")
    for folder in folders:
        _fsync_dir(folder)


def sweep_temps(targets) -> None:
    """Delete the temp files writers killed mid-write left for `targets`. Call only under the
    repository lock and only for files written under it: then no live writer owns them."""
    by_folder: dict = {}
    for target in targets:
        folder, name = os.path.split(os.fspath(target))
        by_folder.setdefault(folder or ".", set()).add(name)
    for folder, names in by_folder.items():
        try:
            entries = os.listdir(folder)
        except FileNotFoundError:
            continue
        for entry in entries:
            if entry.startswith(".") and entry.endswith(TMP_SUFFIX) and \
                    entry[1:].rsplit(".", 3)[0] in names:
                try:
                    os.unlink(os.path.join(folder, entry))
                except FileNotFoundError:
                    pass


def remove(path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        return
    _fsync_dir(os.path.dirname(os.fspath(path)) or ".")


def drop_links(paths) -> None:
    """Remove each of `paths` that is a symbolic link (or not a regular file): a clone can carry
    a link named like a runtime file, and opening it would write wherever it points."""
    import stat

    for path in paths:
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(mode):
            if stat.S_ISDIR(mode):
                raise IsADirectoryError(path)
            os.unlink(path)
