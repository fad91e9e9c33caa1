"""`jit hooks install|uninstall`: an optional git pre-push hook that runs the automated gates
of the issues in progress, so a push carries work whose checks pass.

The hook is a short shell script marked as jit's. jit replaces or removes only a hook that
carries its mark; someone else's hook is never overwritten without `force` (then it is
kept beside it as `pre-push.jit-backup`). The checks skip what already passed at the
pushed commit, so a push after `jit gate check-all` costs almost nothing.
"""

import os
import shlex
import sys

from jit.errors import NotFound, Refused, UsageError, storage_fault

MARK = "# jit pre-push hook"
BACKUP_SUFFIX = ".jit-backup"


def hook_text() -> str:
    jit = f"{shlex.quote(sys.executable)} -m jit"  # this very jit, whatever PATH says at push time
    return f"""#!/bin/sh
{MARK}: installed by `jit hooks install`, removed by `jit hooks uninstall`.
# Runs the automated gates of every issue in progress before a push; a failing gate
# stops the push. Skip it once with `git push --no-verify`.
JIT="${{JIT:-{jit}}}"
ids=$($JIT query state in_progress -q) || exit 1
for id in $ids; do
    $JIT gate check-all "$id" >&2 || {{
        echo "jit: a gate of issue $id failed; fix it, or push with --no-verify" >&2
        exit 1
    }}
done
"""


def _hook_path(ctx) -> str:
    from jit.storage.git import Git, GitError

    try:
        found = Git(ctx.layout.root, env=ctx.env).run("rev-parse", "--git-path", "hooks", check=False)
    except GitError as exc:
        raise UsageError(f"{exc.message}; git hooks need git", {}) from None
    if found.returncode != 0:
        raise NotFound(f"{ctx.layout.root} is not in a git work tree; hooks are git's (run `git init` first)",
                       {"path": ctx.layout.root})
    return os.path.join(ctx.layout.root, found.stdout.strip(), "pre-push")


def _read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


def install_hooks(ctx, force=False) -> dict:
    """Write the pre-push hook. Raises Refused when a foreign hook exists (unless force), NotFound outside git."""
    from jit.storage.atomic import write_atomic

    path = _hook_path(ctx)
    current = _read(path)
    backup = None
    if current is not None and MARK not in current:
        if not force:
            raise Refused(f"{path} already exists and is not jit's; pass --force to replace it "
                          f"(it is kept as pre-push{BACKUP_SUFFIX})", {"path": path})
        backup = path + BACKUP_SUFFIX
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if backup:
            os.replace(path, backup)
        write_atomic(path, hook_text())
        os.chmod(path, 0o755)
    except OSError as exc:
        raise storage_fault(exc, path, "writing") from None
    action = "installed" if current is None or backup else ("unchanged" if current == hook_text() else "updated")
    return {"hook": "pre-push", "path": path, "action": action, "backup": backup}


def uninstall_hooks(ctx) -> dict:
    """Remove jit's pre-push hook (a foreign one is left alone: Refused). Raises NotFound outside git."""
    path = _hook_path(ctx)
    current = _read(path)
    if current is None:
        return {"hook": "pre-push", "path": path, "action": "absent", "backup": None}
    if MARK not in current:
        raise Refused(f"{path} is not jit's hook; remove it yourself if you want it gone", {"path": path})
    try:
        os.unlink(path)
        restored = None
        if os.path.exists(path + BACKUP_SUFFIX):
            os.replace(path + BACKUP_SUFFIX, path)
            restored = path
    except OSError as exc:
        raise storage_fault(exc, path, "removing") from None
    return {"hook": "pre-push", "path": path, "action": "removed", "backup": restored}
