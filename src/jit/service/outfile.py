"""Files jit writes outside `.jit/` for a person (an export, a snapshot): whole or not at all.

The content goes to a temp file beside the target, is flushed to disk, then renamed
over it, so a full disk or an interrupted command never leaves a file that looks whole.
"""

import os
from contextlib import contextmanager

from jit.errors import storage_fault


@contextmanager
def output_file(path: str, doing: str, binary: bool = False):
    """`with output_file(path, "writing the export to") as fh:`. Raises StorageFault for a disk or permission fault."""
    tmp = f"{path}.{os.getpid()}.partial"
    try:
        with open(tmp, "wb") if binary else open(tmp, "w", encoding="utf-8") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _discard(tmp)
        raise storage_fault(exc, path, doing) from None
    except BaseException:
        _discard(tmp)
        raise


def _discard(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
