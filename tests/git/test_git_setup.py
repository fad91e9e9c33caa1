"""`jit init` in a git work tree, `jit git setup`, and the merge driver under a plain `git merge`."""

import json

from git_helpers import Clone, base_env, git


def _repo(tmp_path, name="r"):
    root = tmp_path / name
    root.mkdir()
    git(root, "init", "--quiet", "--initial-branch=main")
    return Clone(root, name)


def test_init_in_a_work_tree_writes_git_rules_and_registers_the_driver(tmp_path):
    r = _repo(tmp_path)
    res = r.jit("init")
    assert res.code == 0 and "merge driver" in res.out
    assert r.git("check-attr", "merge", ".jit/events.jsonl").endswith("merge: jit")
    assert r.git("check-attr", "merge", ".jit/issues/x.json").endswith("merge: jit")
    assert r.git("check-attr", "merge", ".jit/gates.json").endswith("merge: jit")
    r.create("Task")  # takes the lock
    r.ok("issue", "list")  # builds the index
    ignored = r.git("status", "--porcelain", "--ignored", "--untracked-files=all", ".jit").splitlines()
    assert {line[3:] for line in ignored if line.startswith("!!")} >= {".jit/index.sqlite", ".jit/.lock"}
    assert "jit git merge-driver" in r.git("config", "--get", "merge.jit.driver")


def test_init_outside_git_says_nothing_about_git(tmp_path):
    r = Clone(tmp_path, "plain")
    r.env = {**base_env(), "GIT_CEILING_DIRECTORIES": str(tmp_path.parent)}
    res = r.jit("init")
    assert res.code == 0 and "merge driver" not in res.out
    assert not (tmp_path / ".jit" / ".gitattributes").exists()
    assert r.jit("git", "setup").code == 2


def test_git_setup_restores_missing_rules_and_is_idempotent(tmp_path):
    r = _repo(tmp_path)
    assert r.jit("init").code == 0
    (r.data / ".gitattributes").unlink()
    r.git("config", "--unset", "merge.jit.driver")
    first = r.ok("git", "setup")
    assert first["written"] == [".jit/.gitattributes"] and first["registered"]
    assert r.ok("git", "setup")["written"] == []
    assert r.git("check-attr", "merge", ".jit/issues/x.json").endswith("merge: jit")


def test_plain_git_merge_of_one_issue_goes_through_the_driver(tmp_path):
    r = _repo(tmp_path)
    r.jit("init")
    issue = r.create("Shared", "--label", "area:a")
    r.git("add", "-A")
    r.git("commit", "--quiet", "-m", "base")
    r.git("checkout", "--quiet", "-b", "side")
    r.ok("issue", "update", issue, "--priority", "high", "--add-label", "area:side")
    r.git("commit", "--quiet", "-am", "side")
    r.git("checkout", "--quiet", "main")
    r.ok("issue", "update", issue, "--title", "Renamed on main", "--add-label", "area:main")
    r.git("commit", "--quiet", "-am", "main")
    r.git("merge", "--quiet", "--no-edit", "side")
    text = (r.data / "issues" / f"{issue}.json").read_text()
    assert "<<<<<<<" not in text
    merged = json.loads(text)
    assert (merged["title"], merged["priority"]) == ("Renamed on main", "high")
    assert sorted(merged["labels"]) == ["area:a", "area:main", "area:side"]
    events = r.events()
    assert len({e["id"] for e in events}) == len(events)  # union kept both sides' lines, once each
    assert r.jit("validate").code == 0


def test_driver_command_directly(tmp_path):
    r = _repo(tmp_path)
    r.jit("init")
    base = {"id": "i", "title": "t", "state": "ready", "labels": [], "updated_at": "2030-01-01T00:00:00.000000Z"}
    files = {}
    for name, doc in (("o", base), ("a", {**base, "title": "mine", "updated_at": "2030-01-01T00:00:01.000000Z"}),
                      ("b", {**base, "title": "theirs", "updated_at": "2030-01-01T00:00:02.000000Z"})):
        files[name] = tmp_path / name
        files[name].write_text(json.dumps(doc))
    res = r.jit("git", "merge-driver", files["o"], files["a"], files["b"], ".jit/issues/i.json")
    assert res.code == 0, res
    assert json.loads(files["a"].read_text())["title"] == "theirs"
    assert "later change wins" in res.err
    log = (r.root / ".git" / "jit-merge.log").read_text().splitlines()
    assert json.loads(log[-1])["field"] == "title"
    # Neither side readable: git must see a failure and keep the conflict.
    files["a"].write_text("{")
    files["b"].write_text("<<<<<<<")
    assert r.jit("git", "merge-driver", files["o"], files["a"], files["b"]).code != 0
