"""Claims across machines through the branch (the fallback protocol, `[sync] claim_refs = false`, used when
a remote refuses custom refs): granted only once pushed; a lost race leaves nothing behind (SPEC 6 + 11).
The claim-ref protocol has its own tests in test_git_claim_refs.py."""

import stat
import subprocess

from git_helpers import JIT_BIN
from git_helpers import make_team as make_plain_team


def make_team(tmp_path, names=("a", "b", "c"), **sync):
    """A team whose clones claim through the branch push (the fallback protocol)."""
    clones = make_plain_team(tmp_path, names)
    settings = "".join(f"{key} = {value}\n" for key, value in {"claim_refs": "false", **sync}.items())
    config = clones[0].data / "config.toml"
    config.write_text(config.read_text() + "\n[sync]\n" + settings)
    for clone in clones:
        clone.sync()
    return clones


def _race_on_next_push(loser, winner, *winner_args):
    """Make `winner` run a command (a claim, pushed) from inside loser's next pre-push hook, so the loser's
    push is certain to be rejected: a lost race, staged deterministically."""
    hook = loser.root / ".git" / "hooks" / "pre-push"
    mark = loser.root.parent / f"raced-{loser.name}"
    out = loser.root.parent / f"winner-{winner.name}.json"
    hook.write_text(
        "#!/bin/sh\n"
        f"[ -e '{mark}' ] && exit 0\n"
        f"touch '{mark}'\n"
        "unset GIT_DIR GIT_INDEX_FILE GIT_WORK_TREE GIT_PREFIX\n"
        f"cd '{winner.root}' && JIT_ACTOR=agent:{winner.name} '{JIT_BIN}' {' '.join(winner_args)} --json > '{out}'\n"
        "exit 0\n")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    return out


def test_claim_is_granted_once_pushed(tmp_path):
    a, b = make_team(tmp_path, ("a", "b"))
    issue = a.create("Task")
    a.sync()
    claimed = b.ok("issue", "claim", issue, "agent:b", "--sync")
    assert claimed["assignee"] == "agent:b"
    assert b.git("status", "--porcelain", ".jit") == ""
    assert b.git("rev-parse", "HEAD") == b.git("rev-parse", "origin/main")  # on the remote already
    res = a.jit("issue", "claim", issue, "agent:a", "--sync", "--json")
    assert res.code == 4 and res.json["error"]["details"]["assignee"] == "agent:b"


def test_a_claim_that_loses_the_push_race_exits_4_and_leaves_nothing_behind(tmp_path):
    a, b = make_team(tmp_path, ("a", "b"))
    issue = a.create("Contested")
    a.sync()
    b.sync()
    out = _race_on_next_push(a, b, "issue", "claim", issue, "agent:b", "--sync")
    res = a.jit("issue", "claim", issue, "agent:a", "--sync", "--json")
    assert res.code == 4, res
    assert res.json["error"]["details"]["assignee"] == "agent:b"
    assert '"assignee": "agent:b"' in out.read_text()  # b's claim went through from inside a's push
    # a now holds exactly what the remote holds: no claim commit, no event, no file change of its own.
    a.git("fetch", "--quiet")
    assert a.git("rev-parse", "HEAD") == a.git("rev-parse", "origin/main")
    assert a.git("status", "--porcelain", ".jit") == ""
    assert not [e for e in a.events() if e["type"] == "issue_claimed" and e["data"]["assignee"] == "agent:a"]
    assert "agent:a" not in a.git("log", "--format=%s", "--all")
    assert a.show(issue)["assignee"] == "agent:b"


def test_claim_next_moves_on_to_the_next_issue_after_a_lost_race(tmp_path):
    a, b = make_team(tmp_path, ("a", "b"))
    first = a.create("First", "--priority", "high")
    second = a.create("Second")
    a.sync()
    b.sync()
    _race_on_next_push(a, b, "issue", "claim", first, "agent:b", "--sync")
    got = a.ok("issue", "claim-next", "agent:a", "--sync")
    assert got["id"] == second
    assert a.show(first)["assignee"] == "agent:b"
    b.sync()
    assert b.show(second)["assignee"] == "agent:a"
    assert a.jit("issue", "claim-next", "agent:a", "--sync").code == 3


def test_config_remote_makes_claims_go_through_the_remote(tmp_path):
    a, b = make_team(tmp_path, ("a", "b"), remote='"origin"')
    issue = a.create("Task")
    a.sync()
    b.sync()
    b.ok("issue", "claim", issue, "agent:b")  # no flag: config.toml says claims go through origin
    res = a.jit("issue", "claim", issue, "agent:a")
    assert res.code == 4
    local = a.jit("issue", "create", "--title", "Offline", "-q").out.strip()
    assert a.ok("issue", "claim", local, "agent:a", "--no-sync")["assignee"] == "agent:a"  # an explicit local claim
    assert a.git("status", "--porcelain", ".jit") != ""  # not pushed: still only local


def test_racing_claims_from_three_clones_grant_exactly_one(tmp_path):
    clones = make_team(tmp_path)
    issue = clones[0].create("Everyone wants this")
    clones[0].sync()
    for c in clones[1:]:
        c.sync()
    procs = [subprocess.Popen([JIT_BIN, "issue", "claim", issue, f"agent:{c.name}", "--sync", "--json"],
                              cwd=c.root, env=c.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for c in clones]
    try:
        codes = [p.wait(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    assert sorted(codes) == [0, 4, 4], [p.stderr.read() for p in procs]
    winner = clones[codes.index(0)]
    for c in clones:
        c.sync()
        assert c.show(issue)["assignee"] == f"agent:{winner.name}"
        claimed = [e for e in c.events() if e["type"] == "issue_claimed"]
        assert [e["data"]["assignee"] for e in claimed] == [f"agent:{winner.name}"]
    assert clones[0].snapshot() == clones[1].snapshot() == clones[2].snapshot()


def test_a_claim_that_cannot_be_pushed_is_not_granted(tmp_path):
    a, _ = make_team(tmp_path, ("a", "b"))
    issue = a.create("Task")
    a.sync()
    before = (a.git("rev-parse", "HEAD"), a.snapshot())
    hook = a.root / ".git" / "hooks" / "pre-push"
    hook.write_text("#!/bin/sh\necho 'push refused by policy' >&2\nexit 1\n")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    res = a.jit("issue", "claim", issue, "agent:a", "--sync", "--json")
    assert res.code == 1 and res.json["error"]["code"] == "git", res
    assert (a.git("rev-parse", "HEAD"), a.snapshot()) == before  # nothing of the attempt is left
    hook.unlink()
    a.git("remote", "set-url", "origin", str(tmp_path / "gone.git"))
    res = a.jit("issue", "claim", issue, "agent:a", "--sync", "--json")
    assert res.code == 1 and res.json["error"]["code"] == "git"
    assert a.show(issue)["assignee"] is None


def test_without_patience_a_lost_race_gives_up_cleanly(tmp_path):
    a, b = make_team(tmp_path, ("a", "b"), patience=0)
    issue = a.create("Task")
    other = a.create("Other")
    a.sync()
    b.sync()
    _race_on_next_push(a, b, "issue", "claim", other, "agent:b", "--sync")
    res = a.jit("issue", "claim", issue, "agent:a", "--sync", "--json")
    assert res.code == 4 and "lost races" in res.json["error"]["message"], res
    assert a.git("status", "--porcelain", ".jit") == ""
    assert a.show(issue)["assignee"] is None
    assert "agent:a" not in a.git("log", "--format=%s", "--all")
