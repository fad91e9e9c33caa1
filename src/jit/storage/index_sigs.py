"""Every issue file's signature, kept compactly: what the index's freshness check compares.

A signature is (mtime_ns, ctime_ns, size, inode). They are held as one array of
64-bit integers and the names as one NUL-separated byte string, so the usual
answer ("nothing changed") is two byte-string comparisons: no Python object per
file beyond the listing itself (at 100,000 issues a list of tuples cost about
100 MB and a fifth of a second to build and compare). Per-file tuples are made
only when something did change.
"""

import os
from array import array

from jit.storage import probe

INODE_BITS = (1 << 63) - 1  # inodes are unsigned 64-bit: fold them into the signed array


def _is_issue_name(name: str) -> bool:
    return name[-5:] == ".json" and name[0] != "."


class Signatures:
    __slots__ = ("names", "values")

    def __init__(self, names=None, values=None):
        self.names = names if names is not None else []
        self.values = values if values is not None else array("q")

    # -- stored form -------------------------------------------------------------------
    def packed(self) -> tuple:
        return "\0".join(self.names).encode("utf-8", "surrogateescape"), self.values.tobytes()

    @classmethod
    def unpacked(cls, names_bytes: bytes, values_bytes: bytes) -> "Signatures":
        values = array("q")
        values.frombytes(values_bytes)
        names = names_bytes.decode("utf-8", "surrogateescape").split("\0") if names_bytes else []
        return cls(names, values)

    # -- per file, for the slow path -----------------------------------------------------
    def of(self, k: int) -> tuple:
        return tuple(self.values[4 * k:4 * k + 4])

    def as_dict(self) -> dict:
        return {n: self.of(k) for k, n in enumerate(self.names)}

    def inodes(self) -> array:
        return self.values[3::4]


def scan(folder: str) -> Signatures:
    """The signature of every issue file in `folder`, in directory order, by one stat each."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except FileNotFoundError:
        return Signatures()
    try:
        names = [n for n in os.listdir(fd) if n[-5:] == ".json" and n[0] != "."]  # _is_issue_name, inlined
        probe.count_stats(len(names))
        stat, values = os.stat, array("q")
        add = values.extend
        try:
            for n in names:
                s = stat(n, dir_fd=fd)
                add((s.st_mtime_ns, s.st_ctime_ns, s.st_size, s.st_ino & INODE_BITS))
        except FileNotFoundError:  # deleted between the listing and its stat: the slow way
            return _scan_slowly(fd, names)
        return Signatures(names, values)
    finally:
        os.close(fd)


def _scan_slowly(fd, names) -> Signatures:
    found = Signatures()
    for name in names:
        try:
            s = os.stat(name, dir_fd=fd)
        except FileNotFoundError:
            continue
        found.names.append(name)
        found.values.extend((s.st_mtime_ns, s.st_ctime_ns, s.st_size, s.st_ino & INODE_BITS))
    return found


def listing_with_inodes(folder: str) -> tuple:
    """(names, inodes) from the directory listing alone (JIT_INDEX_VERIFY=inode)."""
    names, inodes = [], array("q")
    try:
        with os.scandir(folder) as entries:
            for e in entries:
                if _is_issue_name(e.name):
                    names.append(e.name)
                    inodes.append(e.inode() & INODE_BITS)
    except FileNotFoundError:
        pass
    return names, inodes
