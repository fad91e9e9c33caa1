"""`jit watch`: start, stop and ask the optional file-system monitor (storage/monitor_server.py).

The monitor only makes the index's freshness check cheaper; every command works,
with the same answers, when none runs. `[index] monitor = true` in config.toml
starts one in the background the first time a check finds none (it stops by
itself after an hour without questions).
"""

import json
import os
import sys
import time

from jit.errors import Conflict, JitError
from jit.storage import monitor

AUTOSTART_IDLE = 3600.0


class NoInotify(JitError):
    code = "monitor_unavailable"
    exit_code = 1


def status(layout) -> dict:
    reply = monitor.request(layout, "status")
    if reply:
        try:
            return json.loads(reply)
        except ValueError:
            pass
    return {"running": False, "folder": layout.issues_dir}


def run_foreground(layout, idle_timeout: float, log, ready=None) -> None:
    """Watch until stopped (Ctrl-C, `jit watch --stop`, idle timeout). Raises Conflict when one runs."""
    server = _server(layout, idle_timeout, log)
    _ignore_in_git(layout)
    from jit.storage.monitor_server import AlreadyRunning

    try:
        server.run(ready=ready)
    except AlreadyRunning as exc:
        raise Conflict(f"{exc}; see `jit watch --status`, stop it with `jit watch --stop`",
                       status(layout)) from None
    except KeyboardInterrupt:
        pass


def _ignore_in_git(layout) -> None:
    """A store made before the monitor existed: keep its socket and lock out of `git add .jit`."""
    from jit.service.gitfiles import ensure_ignores

    try:
        ensure_ignores(layout)
    except OSError:
        pass


def _server(layout, idle_timeout, log):
    try:
        import inotify_simple  # noqa: F401
    except (ImportError, OSError) as exc:
        raise NoInotify(f"the monitor needs Linux inotify ({exc}); jit works the same without it") from None
    from jit.storage.monitor_server import Watcher

    return Watcher(layout, idle_timeout=idle_timeout, log=log)


def start_detached(layout, idle_timeout: float, wait: float = 10.0) -> dict:
    """Start a watcher in the background and wait until it answers. Returns its status."""
    current = status(layout)
    if current["running"]:
        return {**current, "action": "already running"}
    _spawn(layout, idle_timeout)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        current = status(layout)
        if current["running"]:
            return {**current, "action": "started"}
        time.sleep(0.02)
    raise JitError(f"the watcher did not start within {wait:g} s; run `jit watch` in a terminal to see why")


def _spawn(layout, idle_timeout: float) -> None:
    import subprocess

    env = {**os.environ, "JIT_DATA_DIR": layout.data_dir}
    idle = ["--idle-timeout", repr(float(idle_timeout))] if idle_timeout else []
    subprocess.Popen([sys.executable, "-m", "jit", "watch", *idle],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     cwd=layout.data_dir, env=env, start_new_session=True, close_fds=True)


def stop(layout, wait: float = 5.0) -> dict:
    before = status(layout)
    if not before["running"]:
        return {**before, "action": "not running"}
    monitor.request(layout, "stop")
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and monitor.present(layout):
        time.sleep(0.02)
    return {**before, "running": False, "action": "stopped"}


def wanted(layout, warn=None) -> bool:
    """`[index] monitor = true` in config.toml (a broken config only warns: the monitor is optional)."""
    from jit.storage.config import load_config

    try:
        return load_config(layout).get("index", {}).get("monitor") is True
    except JitError as exc:
        if warn:
            warn(f"warning: no watcher started: {exc.message}")
        return False


def autostart(layout, warn=None) -> None:
    """Called when a check found no watcher: start one in the background when config asks for it,
    unless one is starting (it holds the monitor's lock before its socket exists)."""
    if not wanted(layout, warn) or _starting(layout):
        return
    try:
        _spawn(layout, AUTOSTART_IDLE)
    except OSError:
        pass  # the monitor is an optimisation: never fail a command over it


def _starting(layout) -> bool:
    import fcntl

    try:
        fd = os.open(layout.path(monitor.LOCK), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
