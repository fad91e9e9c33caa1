"""A real `jit watch` process for tests (import as `from watcher_testing import start_watcher`)."""

import subprocess
import time

from jit_testing import JIT_BIN, Repo


class Watcher:
    """`jit watch` in the foreground, as a person would run it in a terminal."""

    def __init__(self, repo: Repo):
        self.repo = repo
        self.proc = subprocess.Popen([JIT_BIN, "watch"], cwd=repo.root, env=repo.env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.wait_running(True)

    def status(self) -> dict:
        return self.repo.ok("watch", "--status")

    def wait_running(self, running: bool, seconds: float = 10) -> None:
        deadline = time.monotonic() + seconds
        while self.status()["running"] != running:
            assert self.proc.poll() is None or not running, self.proc.communicate()
            assert time.monotonic() < deadline, f"the watcher is not {'up' if running else 'down'}"
            time.sleep(0.02)

    def stop(self) -> None:
        if self.proc.poll() is None:
            assert self.repo.ok("watch", "--stop")["action"] == "stopped"
            out, err = self.proc.communicate(timeout=10)
            assert self.proc.returncode == 0, (out, err)


def start_watcher(repo) -> Watcher:
    return Watcher(repo)
