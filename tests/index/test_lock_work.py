"""Work done while holding the repository lock must not grow with the store (issue 14).

The storage layer counts the issue files read or stat'ed while the lock is held
(JIT_PROBE names a file each process appends `pid reads stats` to). The same
claim-next -> done -> gate pass scenario runs in a store of 50 and of 500
issues; the counts must be the same, and small.
"""

import json


def _store(repo, n: int) -> str:
    """n filler issues plus one critical issue with a manual gate and three dependents; returns its id."""
    assert repo.jit("gate", "define", "review", "--title", "Review").code == 0
    lines = [{"title": "Key work", "key": "key", "priority": "critical", "gates": ["review"]}]
    lines += [{"title": f"Dependent {k}", "key": f"d{k}", "depends_on": ["key"]} for k in range(3)]
    lines += [{"title": f"Filler {k}", "key": f"f{k}", "priority": "low",
               **({"depends_on": [f"f{k - 1}"]} if k % 3 else {})} for k in range(n)]
    plan = repo.root / "plan.jsonl"
    plan.write_text("".join(json.dumps(line) + "\n" for line in lines))
    created = repo.ok("issue", "import", str(plan))
    repo.ok("query", "available", "--limit", "1")  # the index exists, as it would in use
    return created[0]["id"]


def _under_lock(repo, *args) -> tuple:
    probe = repo.root / "probe.txt"
    probe.write_text("")
    r = repo.jit(*args, env={"JIT_PROBE": str(probe)})
    assert r.code == 0, r
    counts = [tuple(map(int, line.split()[1:3])) for line in probe.read_text().splitlines()]
    return tuple(sum(c[k] for c in counts) for k in (0, 1))


def _scenario(repo, n) -> dict:
    key = _store(repo, n)
    claimed = _under_lock(repo, "issue", "claim-next", "agent:probe")
    done = _under_lock(repo, "issue", "done", key)
    passed = _under_lock(repo, "gate", "pass", key, "review")
    states = {i["title"]: i["state"] for i in repo.ok("issue", "list", "--filter", "NOT priority:low")}
    assert states == {"Key work": "done", **{f"Dependent {k}": "ready" for k in range(3)}}
    return {"claim-next": claimed, "done": done, "gate pass": passed}


def test_files_touched_under_the_lock_do_not_grow_with_the_store(repo, tmp_path_factory):
    from jit_testing import Repo

    small = Repo(tmp_path_factory.mktemp("small"))
    assert small.jit("init").code == 0
    at_50, at_500 = _scenario(small, 50), _scenario(repo, 500)
    assert at_500 == at_50, f"under the lock at 500 issues: {at_500}; at 50: {at_50}"
    assert all(reads + stats <= 20 for reads, stats in at_500.values()), at_500
