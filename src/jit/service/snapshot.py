"""`jit snapshot`: a point-in-time copy of `.jit/` as a .tar.gz with a SHA-256 manifest.

Taken under the repository lock, so no change is half in it. Runtime files
(index, lock, journal, temp files) are left out: they are rebuilt or meaningless
elsewhere. The manifest `SHA256SUMS` sits at the archive's root in the format of
`sha256sum`, so `tar -xzf FILE && sha256sum -c SHA256SUMS` checks a copy without
jit; `jit snapshot verify FILE` checks one without unpacking it.
"""

import hashlib
import io
import os

from jit.errors import NotFound, UsageError

MANIFEST = "SHA256SUMS"
PREFIX = ".jit"


def is_runtime(rel: str) -> bool:
    """Files a snapshot leaves out: the ones jit makes at run time and never commits (storage.journal.RUNTIME)."""
    import re

    from jit.storage.journal import RUNTIME

    return re.fullmatch(RUNTIME, rel) is not None


def _files(data_dir: str) -> list:
    found = []
    for folder, dirs, names in os.walk(data_dir):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, data_dir).replace(os.sep, "/")
            if os.path.isfile(path) and not os.path.islink(path) and not is_runtime(rel):
                found.append((rel, path))
    return found


def _add(tar, name: str, data: bytes, mtime: int) -> None:
    import tarfile

    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), mtime, 0o644
    tar.addfile(info, io.BytesIO(data))
    tar.members.clear()  # tarfile remembers every member it wrote; a snapshot streams instead


def take_snapshot(ctx, path: str) -> dict:
    """Write the snapshot to `path`, whole or not at all. Raises StorageFault for a disk or permission fault."""
    import gzip
    import tarfile

    from jit.service.outfile import output_file

    sums, total = [], 0
    with ctx.transaction(), output_file(path, "writing the snapshot to", binary=True) as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        for rel, full in _files(ctx.layout.data_dir):
            with open(full, "rb") as fh:
                data = fh.read()
            name = f"{PREFIX}/{rel}"
            sums.append(f"{hashlib.sha256(data).hexdigest()}  {name}\n")
            total += len(data)
            _add(tar, name, data, int(os.stat(full).st_mtime))
        _add(tar, MANIFEST, "".join(sums).encode(), 0)
    return {"path": os.path.abspath(path), "files": len(sums), "bytes": total}


def _parse_manifest(data: bytes) -> dict:
    expected = {}
    for line in data.decode("utf-8", "replace").splitlines():
        digest, sep, name = line.partition("  ")
        if sep and len(digest) == 64:
            expected[name] = digest
    return expected


def verify_snapshot(path: str) -> dict:
    """Check every file of a snapshot against its manifest.

    Raises NotFound (no such file) or UsageError (not a gzip tar archive); a damaged
    snapshot is a report with ok false, listing each problem.
    """
    import tarfile

    if not os.path.isfile(path):
        raise NotFound(f"no snapshot file {path}", {"path": path})
    actual, problems, manifest = {}, [], None
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            for member in tar:
                name = member.name
                if name.startswith("/") or ".." in name.split("/"):
                    problems.append(f"unsafe path in the archive: {name}")
                    continue
                if not member.isfile():
                    problems.append(f"not a regular file: {name}")
                    continue
                data = tar.extractfile(member).read()
                if name == MANIFEST:
                    manifest = data
                else:
                    actual[name] = hashlib.sha256(data).hexdigest()
    except (tarfile.TarError, OSError, EOFError) as exc:
        if not actual and manifest is None:
            raise UsageError(f"{path} is not a jit snapshot (a .tar.gz): {exc}", {"path": path}) from None
        problems.append(f"the archive is damaged after {len(actual)} file(s): {exc}")
    if manifest is None:
        problems.append(f"no {MANIFEST} manifest in the archive")
        expected = {}
    else:
        expected = _parse_manifest(manifest)
    for name in sorted(set(expected) | set(actual)):
        if name not in actual:
            problems.append(f"missing: {name}")
        elif name not in expected:
            problems.append(f"not in the manifest: {name}")
        elif expected[name] != actual[name]:
            problems.append(f"checksum mismatch: {name}")
    return {"ok": not problems, "path": os.path.abspath(path), "files": len(actual), "problems": problems}
