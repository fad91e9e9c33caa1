"""The optional file-system monitor (`jit watch`): O(changes) checks, and never a wrong answer.

With a watcher running, a query reads only the files it reports changed and stats
none in bulk (counted by the storage probe). Whatever happens to the watcher
(killed, restarted, impersonated by a stranger's socket or a lying server),
the next query still shows every change: it falls back to checking the files.
"""

import json
import os
import signal
import socket
import threading
import time

from watcher_testing import start_watcher


def _probe(repo, *args, env=None):
    """(answer, reads, stats) of one command, the whole command's counts."""
    probe = repo.root / "probe.txt"
    probe.write_text("")
    r = repo.jit(*args, "--json", env={"JIT_PROBE": str(probe), **(env or {})})
    assert r.code == 0, r
    fields = [line.split() for line in probe.read_text().splitlines()]
    return r.json, sum(int(f[4]) for f in fields), sum(int(f[5]) for f in fields)


def _edit(repo, issue_id, **changes):
    path = repo.data / "issues" / f"{issue_id}.json"
    data = json.loads(path.read_text())
    data.update(changes)
    with open(path, "r+") as fh:  # in place: same inode, as some editors and `echo >` do
        fh.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
        fh.truncate()


def _titles(answer):
    return [i["title"] for i in answer]


def test_with_a_watcher_a_query_reads_only_the_changed_files(repo):
    ids = [repo.create(f"Issue {k}") for k in range(30)]
    _, _, stats = _probe(repo, "query", "available")
    assert stats == 30  # no watcher: one stat per issue file
    watcher = start_watcher(repo)
    try:
        _probe(repo, "query", "available")  # a new watcher session: one full check
        _edit(repo, ids[3], title="Edited in place")
        answer, reads, stats = _probe(repo, "query", "available")
        assert "Edited in place" in _titles(answer)
        assert (reads, stats) == (1, 0)
        os.unlink(repo.data / "issues" / f"{ids[4]}.json")
        answer, reads, stats = _probe(repo, "query", "available")
        assert len(answer) == 29 and (reads, stats) == (1, 0)
        answer, reads, stats = _probe(repo, "query", "available", env={"JIT_MONITOR": "off"})
        assert len(answer) == 29 and stats == 29  # the monitor is optional, per command too
    finally:
        watcher.stop()


def test_a_killed_watcher_leaves_every_change_visible(repo):
    a, b = repo.create("A"), repo.create("B")
    watcher = start_watcher(repo)
    assert [i["id"] for i in repo.ok("query", "available")] == [a, b]
    os.kill(watcher.proc.pid, signal.SIGKILL)
    watcher.proc.wait()
    assert (repo.data / "monitor.sock").exists()  # a dead watcher's socket: connecting is refused
    _edit(repo, a, title="Edited after the watcher died")
    assert _titles(repo.ok("query", "available"))[0] == "Edited after the watcher died"
    assert repo.ok("watch", "--status")["running"] is False


def test_a_new_watcher_does_not_trust_an_old_watchers_token(repo):
    a = repo.create("A")
    first = start_watcher(repo)
    repo.ok("query", "available")
    first.stop()
    _edit(repo, a, title="Edited while nothing watched")
    second = start_watcher(repo)
    try:
        assert _titles(repo.ok("query", "available")) == ["Edited while nothing watched"]
        assert repo.ok("issue", "show", a[:8])["title"] == "Edited while nothing watched"
    finally:
        second.stop()


def test_a_second_watcher_is_refused_and_the_first_keeps_serving(repo):
    watcher = start_watcher(repo)
    try:
        r = repo.jit("watch", "--json")
        assert r.code == 4 and "already runs" in r.json["error"]["message"], r
        assert repo.ok("watch", "--detach")["action"] == "already running"
        assert watcher.status()["pid"] == watcher.proc.pid
    finally:
        watcher.stop()


class _FakeWatcher:
    """A server on `.jit/monitor.sock` run by this (trusted) user that answers whatever it is told."""

    def __init__(self, path, reply: bytes):
        self.reply, self.asked = reply, 0
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(8)
        self.server.settimeout(0.2)
        self.done = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.done:
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            with conn:
                conn.recv(256)
                self.asked += 1
                conn.sendall(self.reply)

    def close(self):
        self.done = True
        self.thread.join()
        self.server.close()


def test_a_lying_watcher_cannot_point_the_check_outside_the_issues_folder(repo, tmp_path):
    a = repo.create("A")
    repo.ok("query", "available")
    outside = tmp_path / "outside.json"
    outside.write_text("{}")
    _edit(repo, a, title="Edited")
    for reply in (b"ok abc:7\n../../outside.json\n", b"ok abc:7\n.hidden.json\n", b"nonsense\n",
                  b"ok abc:7", b"ok ../x:1\n", b"\xff\xfe\n"):
        fake = _FakeWatcher(repo.data / "monitor.sock", reply)
        try:
            assert _titles(repo.ok("query", "available")) == ["Edited"], reply
            assert fake.asked >= 1
        finally:
            fake.close()
            os.unlink(repo.data / "monitor.sock")
    # It claimed nothing changed: the file it did not name is still read, as a full check would.
    fake = _FakeWatcher(repo.data / "monitor.sock", b"full abc:1\n")
    try:
        _edit(repo, a, title="Edited again")
        assert _titles(repo.ok("query", "available")) == ["Edited again"]
    finally:
        fake.close()


def test_a_socket_link_that_came_with_a_clone_is_never_followed(repo, tmp_path):
    a = repo.create("A")
    elsewhere = tmp_path / "elsewhere.sock"
    fake = _FakeWatcher(elsewhere, b"ok abc:1\n")
    try:
        os.symlink(elsewhere, repo.data / "monitor.sock")
        _edit(repo, a, title="Edited")
        assert _titles(repo.ok("query", "available")) == ["Edited"]
        assert repo.ok("watch", "--status")["running"] is False
        time.sleep(0.3)
        assert fake.asked == 0
    finally:
        fake.close()


def test_config_starts_a_watcher_on_the_first_check(repo):
    a = repo.create("A")
    config = repo.data / "config.toml"
    config.write_text(config.read_text() + "\n[index]\nmonitor = true\n")
    assert _titles(repo.ok("query", "available")) == ["A"]  # answered by a full check; a watcher starts
    deadline = time.monotonic() + 10
    while not repo.ok("watch", "--status")["running"]:
        assert time.monotonic() < deadline, "no watcher started"
        time.sleep(0.05)
    try:
        repo.ok("query", "available")
        _edit(repo, a, title="Seen through the watcher")
        answer, reads, stats = _probe(repo, "query", "available")
        assert _titles(answer) == ["Seen through the watcher"] and stats == 0
        assert "monitor.sock" in (repo.data / ".gitignore").read_text()
    finally:
        assert repo.ok("watch", "--stop")["action"] == "stopped"
    config.write_text(config.read_text().replace("monitor = true", 'monitor = "yes"'))
    r = repo.jit("query", "available", "--json")  # the query needs no config: it answers, and warns
    assert r.code == 0 and "[index] monitor must be true or false" in r.err, r
    assert _titles(r.json) == ["Seen through the watcher"]
    r = repo.jit("validate", "--json")
    assert r.code == 5 and "[index] monitor must be true or false" in r.json["problems"][0]["message"], r


def test_the_web_pages_change_stamp_moves_with_an_edit_through_the_watcher(repo):
    from jit.service.watch import change_stamp

    a = repo.create("A")
    watcher = start_watcher(repo)
    try:
        ctx = repo.ctx()
        first = change_stamp(ctx)
        assert change_stamp(ctx) == first
        _edit(repo, a, title="Edited in place")
        assert change_stamp(ctx) != first
    finally:
        watcher.stop()
