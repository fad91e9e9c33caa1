"""What holds for every command (SPEC section 9 and the repository rules of section 1):
global flags anywhere, repository discovery, short ids, the version."""

import json
import os
import pty
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from jit.service.context import open_repo
from jit.service.issues import create_issue


def test_global_flags_are_accepted_before_or_after_the_subcommand(repo, issue_shape):
    repo.create("One")
    placements = [
        ["--json", "query", "available"],
        ["query", "--json", "available"],
        ["query", "available", "--json"],
    ]
    outputs = [repo.jit(*args) for args in placements]
    assert all(r.code == 0 for r in outputs), outputs
    assert len({r.out for r in outputs}) == 1
    [issue] = outputs[0].json
    issue_shape(issue)

    quiet = [repo.jit(*args) for args in (["-q", "issue", "list"], ["issue", "-q", "list"],
                                          ["issue", "list", "--quiet"])]
    assert {r.out for r in quiet} == {issue["id"] + "\n"}


@pytest.mark.parametrize("where", ["front", "middle", "end", "equals"])
def test_actor_is_recorded_wherever_it_is_given(repo, where):
    args = {
        "front": ["--actor", "agent:a1", "issue", "create", "--title", "T"],
        "middle": ["issue", "--actor", "agent:a1", "create", "--title", "T"],
        "end": ["issue", "create", "--title", "T", "--actor", "agent:a1"],
        "equals": ["issue", "create", "--actor=agent:a1", "--title", "T"],
    }[where]
    assert repo.jit(*args).code == 0
    [event] = repo.ok("events", "tail", "-n", "1")
    assert event["type"] == "issue_created" and event["actor"] == "agent:a1"


def test_actor_falls_back_to_env_then_user(repo):
    repo.jit("issue", "create", "--title", "A", env={"JIT_ACTOR": "agent:env"})
    repo.jit("issue", "create", "--title", "B")
    events = repo.ok("events", "tail", "-n", "2")
    assert [e["actor"] for e in events] == ["agent:env", "human:tester"]


def test_actor_without_value_is_a_usage_error(repo, fails):
    fails(2, "issue", "list", "--actor", match="--actor")


def test_json_output_is_one_document_and_nothing_else(repo):
    repo.create("One")
    for args in (["issue", "list"], ["status"], ["query", "blocked"], ["events", "tail"], ["validate"],
                 ["graph", "export", "--format", "dot"], ["--version"]):
        r = repo.jit(*args, "--json")
        assert r.code == 0, r
        json.loads(r.out)  # raises on trailing garbage
        assert r.out.count("\n") == 1, r


def test_version(repo):
    human = repo.jit("--version")
    assert human.code == 0 and human.out.startswith("jit ") and human.out.strip().split()[1][0].isdigit()
    version = human.out.split()[1]
    assert repo.jit("--version", "--json").json == {"version": version}
    assert repo.jit("-q", "--version").out == version + "\n"


def test_unknown_command_is_a_usage_error_with_a_hint(repo, fails):
    error = fails(2, "isue", "list")
    assert "jit issue" in error["message"]
    fails(2, "issue", "frobnicate")
    fails(2, "issue", "create", "--title", "x", "--bogus-flag")
    fails(2, "issue")  # a group without its command


def test_no_repository_exits_3_with_a_hint_to_init(repo, fails, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("norepo")
    for args in (["issue", "list"], ["issue", "create", "--title", "x"], ["status"], ["validate"],
                 ["query", "available"], ["events", "tail"], ["graph", "export"], ["dep", "add", "abcd", "bcde"]):
        error = fails(3, *args, cwd=elsewhere, code="not_found")
        assert "jit init" in error["message"]
    assert not (elsewhere / ".jit").exists()


def test_repository_is_found_from_a_subfolder(repo):
    deep = repo.root / "src" / "pkg" / "deep"
    deep.mkdir(parents=True)
    made = repo.ok("issue", "create", "--title", "from below", cwd=deep)
    assert (repo.data / "issues" / f"{made['id']}.json").exists()
    assert [i["id"] for i in repo.ok("issue", "list", cwd=deep)] == [made["id"]]


def test_nested_repository_wins_over_the_outer_one(repo):
    inner = repo.root / "inner"
    inner.mkdir()
    assert repo.jit("init", cwd=inner).code == 0
    made = repo.ok("issue", "create", "--title", "inner", cwd=inner / ".")
    assert (inner / ".jit" / "issues" / f"{made['id']}.json").exists()
    assert repo.ok("issue", "list") == []


def test_jit_data_dir_names_the_data_folder_and_overrides_discovery(repo, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("other")
    data = elsewhere / "store"
    env = {"JIT_DATA_DIR": str(data)}
    assert repo.jit("init", cwd=elsewhere, env=env).code == 0
    assert (data / "issues").is_dir() and not (elsewhere / ".jit").exists()
    # Run from inside the ordinary repository: the variable still wins.
    made = repo.ok("issue", "create", "--title", "in the store", env=env)
    assert (data / "issues" / f"{made['id']}.json").exists()
    assert repo.ok("issue", "list") == []
    assert [i["id"] for i in repo.ok("issue", "list", env=env)] == [made["id"]]


def test_jit_data_dir_without_a_repository_exits_3(repo, fails, tmp_path_factory):
    missing = tmp_path_factory.mktemp("empty") / "nothing-here"
    error = fails(3, "issue", "list", env={"JIT_DATA_DIR": str(missing)})
    assert "jit init" in error["message"]


def test_short_ids_any_unique_prefix_with_or_without_hyphens(repo):
    full = repo.create("Target")
    compact = full.replace("-", "")
    for ref in (full, full.upper(), full[:4], full[:8], full[:13], compact[:12], compact, f"  {full[:6]}  "):
        assert repo.ok("issue", "show", ref)["id"] == full, ref


def test_human_output_shows_the_first_8_characters(repo):
    full = repo.create("Target")
    listing = repo.jit("issue", "list").out
    assert full[:8] in listing and full not in listing


def test_prefix_shorter_than_4_is_a_usage_error(repo, fails):
    full = repo.create("Target")
    fails(2, "issue", "show", full[:3], match="at least 4")


def test_a_reference_no_id_could_match_is_not_found(repo, fails):
    full = repo.create("Target")
    fails(3, "issue", "show", "wxyz", code="not_found")
    fails(3, "issue", "show", "does-not-exist", code="not_found")
    fails(3, "issue", "show", full + "0", code="not_found")


def test_unknown_id_is_not_found(repo, fails):
    repo.create("Target")
    fails(3, "issue", "show", "00000000-0000-4000-8000-000000000000", code="not_found")
    missing = "ffff" if not repo.create("x").startswith("ffff") else "eeee"
    for args in (["issue", "show", missing], ["issue", "update", missing, "--title", "t"],
                 ["issue", "done", missing], ["issue", "reject", missing], ["issue", "delete", missing],
                 ["graph", "show", missing], ["events", "tail", "--issue", missing]):
        fails(3, *args, code="not_found")


def test_ambiguous_prefix_is_a_usage_error_listing_the_candidates(repo, fails):
    # Each create draws the issue id, then the event id.
    ids = iter(["abcd1234-0000-4000-8000-000000000001", str(uuid.uuid4()),
                "abcd1234-0000-4000-8000-000000000002", str(uuid.uuid4()),
                "abce0000-0000-4000-8000-000000000003", str(uuid.uuid4())])
    ctx = open_repo(str(repo.root), env=repo.env, new_id=lambda: next(ids))
    try:
        a = create_issue(ctx, "first").id
        b = create_issue(ctx, "second").id
        c = create_issue(ctx, "third").id
    finally:
        ctx.close()
    error = fails(2, "issue", "show", "abcd")
    assert error["details"]["candidates"] == [a, b]
    assert "abcd1234" in error["message"]
    fails(2, "issue", "update", "abcd-1234", "--title", "x")  # hyphens anywhere are ignored
    fails(2, "dep", "add", "abcd", c)
    # One more character settles it, and ids that share a prefix still resolve in full.
    assert repo.ok("issue", "show", "abce")["id"] == c
    assert repo.ok("issue", "show", "abcd123400004000800000000000000 2".replace(" ", ""))["id"] == b


def test_actor_must_have_a_real_value(repo, fails):
    fails(2, "issue", "list", "--actor=")
    # The value cannot be another option: `--actor --json` forgot the actor.
    fails(2, "issue", "list", "--actor", "-q")


def _run_on_a_terminal(repo, *args):
    """Run jit with stdout on a pseudo-terminal, as a person at a shell would."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([str(Path(sys.executable).parent / "jit"), *args], cwd=repo.root, env=repo.env,
                              stdout=follower, stderr=subprocess.PIPE, timeout=60)
        os.close(follower)
        follower = None
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
        return proc.returncode, b"".join(chunks).decode()
    finally:
        if follower is not None:
            os.close(follower)
        os.close(leader)


def test_colour_only_on_a_terminal(repo):
    repo.create("Colourful")
    code, shown = _run_on_a_terminal(repo, "issue", "list")
    assert code == 0 and "\x1b[" in shown and "Colourful" in shown
    assert "\x1b[" not in repo.jit("issue", "list").out
    code, shown = _run_on_a_terminal(repo, "issue", "list", "--json")
    assert code == 0 and "\x1b[" not in shown
    json.loads(shown)
