"""The files `jit issue import` reads and answers through (service.importer): its input, read
twice with one line in memory at a time, and the spool the created issues are read back from.

Both spools are anonymous files in `.jit/` (O_TMPFILE): whatever kills the process, nothing
is left behind, and the answer never sits in memory whole.
"""

import json
import os

from jit.errors import Conflict, JitError, NotFound, storage_fault


def anonymous(layout):
    """A file with no name in `.jit/` (O_TMPFILE): nothing is left behind, whatever kills us."""
    import tempfile

    try:
        return tempfile.TemporaryFile(dir=layout.data_dir, prefix=".import-spool-", suffix=".tmp")
    except OSError as exc:
        raise fault(exc, layout) from None


class Input:
    """The input, readable twice: a regular file in place, a pipe or a terminal copied to an
    anonymous file by the first reading. The first reading keeps an 8-byte digest of each
    non-blank line and its number; the second raises Conflict at the first line that differs,
    so every line it yields is byte for byte one the first reading yielded (and pass one checked)."""

    def __init__(self, stream, name: str, layout):
        self.stream, self.name, self.layout = stream, name, layout
        self.marks = None  # the first reading's digests, 8 bytes a line
        self.copy = None
        self.start = stream.tell() if _rereadable(stream) else None

    def lines(self):
        """(line number, bytes) of every non-blank line, one line in memory at a time."""
        from hashlib import blake2b

        first = self.marks is None
        copying = first and self.start is None
        if copying:
            self.copy = anonymous(self.layout)
        if first:
            reader, self.marks = self.stream, bytearray()
        else:
            reader = self.copy or self.stream
            reader.seek(0 if self.copy else self.start)
        lines, n, at = iter(reader), 0, 0
        while True:
            try:
                raw = next(lines)
            except StopIteration:
                break
            except OSError as exc:
                raise NotFound(f"cannot read {self.name!r}: {exc.strerror}", {"file": self.name}) from None
            n += 1
            if copying:
                _write_or_fault(self.copy, raw, self.layout)
            if not raw.strip():
                continue
            mark = blake2b(raw, digest_size=8, person=n.to_bytes(8, "little")).digest()
            if first:
                self.marks += mark
            elif self.marks[at:at + 8] != mark:
                raise self.changed()
            at += 8
            yield n, raw
        if copying:
            _write_or_fault(self.copy, b"", self.layout)
        if not first and at != len(self.marks):
            raise self.changed()

    def changed(self) -> JitError:
        return Conflict(f"{self.name} changed while it was being imported; nothing was imported",
                        {"file": self.name})

    def close(self) -> None:
        close_spool(self.copy)


def close_spool(spool) -> None:
    """Drop an anonymous file. Its unwritten bytes can fail again (a full disk) and do not matter."""
    if spool is not None:
        try:
            spool.close()
        except OSError:
            pass


def _rereadable(stream) -> bool:
    """A regular file, or bytes in memory: what can be read again from where it starts now."""
    import io
    import stat

    try:
        if not stream.seekable():
            return False
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except io.UnsupportedOperation:  # no file descriptor: bytes in memory
        return True
    except (OSError, ValueError):
        return False


def _write_or_fault(spool, data: bytes, layout) -> None:
    try:
        spool.write(data) if data else spool.flush()
    except OSError as exc:
        raise fault(exc, layout) from None


def fault(exc: OSError, layout):
    """A disk or permission fault while staging: named like the lock's (nothing changed yet)."""
    return storage_fault(exc, layout.data_dir, "writing to")


class Created:
    """A created issue as the JSON `--json` prints (service.serialize joins it as is), or only its id."""

    __slots__ = ("id", "raw_json")

    def __init__(self, issue_id: str, raw_json: str):
        self.id, self.raw_json = issue_id, raw_json

    def to_dict(self) -> dict:
        return json.loads(self.raw_json)


class Imported:
    """The result: `count`, and the created issues in file order, read back from the spool one
    at a time (iterate once per need). Close it, or use it in a `with`, to drop the spool."""

    def __init__(self, count: int, spool):
        self.count, self._spool = count, spool

    def __iter__(self):
        if self._spool is None:
            return
        self._spool.seek(0)
        for line in self._spool:
            issue_id, _, raw = line.rstrip(b"\n").partition(b" ")
            yield Created(issue_id.decode("ascii"), raw.decode("utf-8") if raw else None)

    def close(self) -> None:
        close_spool(self._spool)
        self._spool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
