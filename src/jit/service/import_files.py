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
    """The input, readable twice: a regular file in place (a digest proves the second reading
    saw the first one's bytes), a pipe or a terminal copied to an anonymous file by pass one."""

    def __init__(self, stream, name: str, layout):
        import hashlib

        self.stream, self.name, self.layout = stream, name, layout
        self._digest = hashlib.blake2b
        self.first = self.second = self.copy = None
        self.start = stream.tell() if _rereadable(stream) else None

    def lines(self):
        """(line number, bytes) of every non-blank line, one line in memory at a time."""
        copying = self.first is None and self.start is None
        if copying:
            self.copy = anonymous(self.layout)
        if self.first is None:
            reader = self.stream
        else:
            reader = self.copy or self.stream
            reader.seek(0 if self.copy else self.start)
        digest, lines, n = self._digest(), iter(reader), 0
        while True:
            try:
                raw = next(lines)
            except StopIteration:
                break
            except OSError as exc:
                raise NotFound(f"cannot read {self.name!r}: {exc.strerror}", {"file": self.name}) from None
            n += 1
            digest.update(raw)
            if copying:
                _write_or_fault(self.copy, raw, self.layout)
            if raw.strip():
                yield n, raw
        if self.first is None:
            self.first = digest.digest()
            if copying:
                _write_or_fault(self.copy, b"", self.layout)
        else:
            self.second = digest.digest()

    def unchanged(self) -> bool:
        return self.second == self.first

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
