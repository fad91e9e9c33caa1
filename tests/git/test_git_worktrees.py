"""All git worktrees of one clone are one repository for claims (SPEC sections 1 and 6).

Real `git worktree add` checkouts, the real CLI, many real processes racing from
different worktrees: of N claims on one issue exactly one wins, whatever the checkout.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest
from git_helpers import JIT_BIN, base_env, git, make_team, race

WORKTREES = ("w1", "w2", "w3")


def run(cwd, *args, env=None, timeout=60):
    proc = subprocess.run([JIT_BIN, *map(str, args)], cwd=cwd, env=env or base_env(), capture_output=True,
                          text=True, timeout=timeout, check=False)
    return proc


def ok(cwd, *args, env=None):
    proc = run(cwd, *args, "--json", env=env)
    assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    return json.loads(proc.stdout)


@pytest.fixture
def clone(tmp_path) -> Path:
    """A main worktree `m` holding a committed store, and three linked worktrees beside it."""
    main = tmp_path / "m"
    git(tmp_path, "init", "--quiet", "--initial-branch=main", str(main))
    ok(main, "init")
    ok(main, "issue", "create", "--title", "first")
    git(main, "add", "-A")
    git(main, "commit", "--quiet", "-m", "init")
    for name in WORKTREES:
        git(main, "worktree", "add", "--quiet", str(tmp_path / name), "-b", name)
    return main


def repo_without_jit(tmp_path, worktree: str) -> Path:
    """A main worktree `m` with one commit and no store yet, and a linked worktree beside it."""
    main = tmp_path / "m"
    git(tmp_path, "init", "--quiet", "--initial-branch=main", str(main))
    (main / "README").write_text("x\n")
    git(main, "add", "-A")
    git(main, "commit", "--quiet", "-m", "before jit")
    git(main, "worktree", "add", "--quiet", str(tmp_path / worktree), "-b", worktree)
    return main


def test_the_reported_double_claim_has_one_winner(clone):
    codes = [run(clone.parent / name, "issue", "claim-next", f"agent:{name}").returncode
             for name in ("w1", "w2")]
    codes.append(run(clone, "issue", "claim-next", "agent:c").returncode)
    assert sorted(codes) == [0, 3, 3]


def test_a_claim_in_one_worktree_is_seen_at_once_in_every_other(clone):
    w1, w2, w3 = (clone.parent / n for n in WORKTREES)
    extra = ok(w2, "issue", "create", "--title", "made in w2")["id"]
    assert {i["title"] for i in ok(w3, "query", "available")} == {"first", "made in w2"}
    ok(w1, "issue", "claim", extra, "agent:one")
    assert [i["title"] for i in ok(w3, "query", "available")] == ["first"]
    assert ok(clone, "issue", "show", extra)["assignee"] == "agent:one"
    assert run(w2, "issue", "claim", extra, "agent:two").returncode == 4
    # The worktrees' own checked-out copies of .jit/ are left alone: jit writes to one store.
    assert not list((w1 / ".jit" / "issues").glob(f"{extra}.json"))


def _race(argv_by_process):
    return race([(cwd, argv, base_env()) for cwd, argv in argv_by_process])


def test_racing_claims_across_worktrees_have_exactly_one_winner(clone):
    checkouts = [clone] + [clone.parent / n for n in WORKTREES]
    for round_ in range(4):
        issue = ok(clone, "issue", "create", "--title", f"contested {round_}")["id"]
        racers = [(checkouts[k % 4], ["issue", "claim", issue, f"agent:r{k}", "--json"]) for k in range(12)]
        results = _race(racers)
        codes = sorted(code for code, _, _ in results)
        assert codes == [0] + [4] * 11, results
        winner = next(json.loads(out)["assignee"] for code, out, _ in results if code == 0)
        assert ok(checkouts[3], "issue", "show", issue)["assignee"] == winner


def test_claim_next_from_many_worktrees_never_hands_out_one_issue_twice(clone):
    for n in range(5):
        ok(clone, "issue", "create", "--title", f"job {n}")
    checkouts = [clone] + [clone.parent / n for n in WORKTREES]
    racers = [(checkouts[k % 4], ["issue", "claim-next", f"agent:n{k}", "--json"]) for k in range(12)]
    results = _race(racers)
    won = [json.loads(out)["id"] for code, out, _ in results if code == 0]
    assert len(won) == 6 and len(set(won)) == 6  # "first" and five jobs
    assert sorted(code for code, _, _ in results) == [0] * 6 + [3] * 6


def test_a_worktree_whose_branch_predates_the_store_uses_the_main_store(tmp_path):
    main = repo_without_jit(tmp_path, worktree="old")
    ok(main, "init")
    made = ok(main, "issue", "create", "--title", "shared")["id"]
    sub = tmp_path / "old" / "deep" / "er"
    sub.mkdir(parents=True)
    assert ok(sub, "issue", "show", made[:8])["title"] == "shared"
    assert not (tmp_path / "old" / ".jit").exists()


def test_jit_data_dir_pointing_into_a_worktree_joins_the_shared_store(clone):
    env = base_env(JIT_DATA_DIR=str(clone.parent / "w1" / ".jit"))
    issue = ok(clone, "query", "available")[0]["id"]
    ok(clone.parent / "w2", "issue", "claim", issue, "agent:x")
    assert run(clone.parent, "issue", "claim", issue, "agent:y", env=env).returncode == 4


def test_init_in_a_linked_worktree_shares_the_main_store(tmp_path):
    main = repo_without_jit(tmp_path, worktree="w")
    ok(tmp_path / "w", "init")
    assert (main / ".jit" / "issues").is_dir() and not (tmp_path / "w" / ".jit").exists()
    made = ok(tmp_path / "w", "issue", "create", "--title", "from w")["id"]
    assert ok(main, "issue", "show", made)["title"] == "from w"


def test_checkers_run_in_the_worktree_the_command_came_from(clone):
    w2 = clone.parent / "w2"
    ok(clone, "gate", "define", "where", "--title", "where", "--mode", "auto",
       "--checker", 'pwd > "$JIT_REPO_ROOT/where.txt"')
    issue = ok(clone, "query", "available")[0]["id"]
    ok(clone, "gate", "add", issue, "where")
    ok(w2, "gate", "check", issue, "where")
    assert (w2 / "where.txt").read_text().strip() == str(w2)
    assert not (clone / "where.txt").exists()


def test_a_forged_git_file_cannot_point_jit_at_another_store(tmp_path):
    """Only a link git itself would accept (the worktree's git folder points back) is followed."""
    victim = tmp_path / "victim"
    git(tmp_path, "init", "--quiet", str(victim))
    ok(victim, "init")
    fake_gitdir = victim / ".git" / "worktrees" / "evil"
    fake_gitdir.mkdir(parents=True)
    (fake_gitdir / "commondir").write_text("../..\n")
    (fake_gitdir / "gitdir").write_text(str(tmp_path / "elsewhere" / ".git") + "\n")
    box = tmp_path / "box"
    box.mkdir()
    (box / ".git").write_text(f"gitdir: {fake_gitdir}\n")
    ok(box, "init")
    made = ok(box, "issue", "create", "--title", "mine")["id"]
    assert (box / ".jit" / "issues" / f"{made}.json").exists()
    assert not (victim / ".jit" / "issues" / f"{made}.json").exists()


def test_a_claim_from_a_worktree_branch_syncs_through_the_shared_branch(tmp_path):
    a, b = make_team(tmp_path, names=("a", "b"))
    issue = a.create("shared work")
    a.sync()
    b.sync()
    a.git("worktree", "add", "--quiet", str(tmp_path / "a-wt"), "-b", "feature")
    env = {**a.env, "JIT_ACTOR": "agent:wt"}
    got = ok(tmp_path / "a-wt", "issue", "claim", issue, "agent:wt", "--sync", env=env)
    assert got["assignee"] == "agent:wt"
    remote = tmp_path / "remote.git"
    assert git(remote, "for-each-ref", "--format=%(refname)", "refs/heads").split() == ["refs/heads/main"]  # no branch named after the worktree
    assert b.jit("issue", "claim", issue, "agent:b", "--sync").code == 4
    assert os.path.exists(tmp_path / "a-wt" / ".git")


def test_worktrees_of_a_bare_repository_share_the_first_store_used(tmp_path):
    seed = tmp_path / "seed"
    git(tmp_path, "init", "--quiet", "--initial-branch=main", str(seed))
    ok(seed, "init")
    ok(seed, "issue", "create", "--title", "only")
    git(seed, "add", "-A")
    git(seed, "commit", "--quiet", "-m", "init")
    bare = tmp_path / "project.git"
    git(tmp_path, "clone", "--quiet", "--bare", str(seed), str(bare))
    for name in ("one", "two", "three"):
        git(bare, "worktree", "add", "--quiet", str(tmp_path / name), "-b", name)
    codes = [run(tmp_path / name, "issue", "claim-next", f"agent:{name}").returncode
             for name in ("one", "two", "three")]
    assert sorted(codes) == [0, 3, 3]
    lead = (bare / "jit-lead-worktree").read_text().strip()
    assert lead == str(tmp_path / "one")
    git(bare, "worktree", "remove", "--force", str(tmp_path / "one"))
    # The lead is gone: the next worktree to use its store becomes the lead.
    assert run(tmp_path / "two", "issue", "claim-next", "agent:two").returncode == 0
    assert run(tmp_path / "three", "issue", "claim-next", "agent:three").returncode == 3
