"""Every expected failure is a JitError carrying a code string and an exit code.

Front ends map these to SPEC section 9: the CLI to exit codes and the JSON
error object, MCP to tool errors, the web API to HTTP statuses.
"""

OK = 0
UNEXPECTED = 1
USAGE = 2
NOT_FOUND = 3
CONFLICT = 4
REFUSED = 5
GATE_FAILED = 6


class JitError(Exception):
    code = "error"
    exit_code = UNEXPECTED

    def __init__(self, message: str, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}

    def to_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class UsageError(JitError):
    """Bad flag, bad value, ambiguous id: the caller must change the request."""

    code = "usage"
    exit_code = USAGE


class NotFound(JitError):
    """No repository, issue, gate or run by that name."""

    code = "not_found"
    exit_code = NOT_FOUND


class NothingAvailable(NotFound):
    """claim-next found no claimable issue (a normal end for agent loops)."""

    code = "nothing_available"


class Conflict(JitError):
    """Someone else got there first: claimed by another, lost a race, lock timeout."""

    code = "conflict"
    exit_code = CONFLICT


class Refused(JitError):
    """The rules forbid it: a cycle, a transition, gates not passed."""

    code = "refused"
    exit_code = REFUSED


class GateFailed(JitError):
    """A gate checker ran and failed; the verdict was recorded."""

    code = "gate_failed"
    exit_code = GATE_FAILED


class StorageFault(JitError):
    """The disk or the file system said no: full, read-only, permission denied (exit 1, named plainly)."""

    code = "io_error"


def storage_fault(exc: OSError, path: str | None = None, doing: str = "writing") -> StorageFault:
    """One plain line for an OSError that a user or the machine caused (ENOSPC, EROFS, EACCES, ...)."""
    import errno

    where = path or getattr(exc, "filename", None) or "the repository"
    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is exhausted",
        errno.EROFS: "the file system is read-only",
        errno.EACCES: "permission denied",
        errno.EPERM: "operation not permitted",
        errno.EIO: "an I/O error from the device",
    }
    reason = reasons.get(exc.errno, exc.strerror or type(exc).__name__)
    return StorageFault(f"{doing} {where} failed: {reason}; nothing was changed",
                        {"path": str(where), "errno": exc.errno})
