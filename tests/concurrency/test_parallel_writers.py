"""Many real `jit` processes writing at once (SPEC section 1: serialised read-modify-write,
events that never interleave; section 4: no cycle even when two edges race)."""

import shlex
import sys
from pathlib import Path

import pytest

JIT = shlex.quote(str(Path(sys.executable).parent / "jit"))
WORKERS = 12
ROUNDS = 3


@pytest.mark.slow
def test_parallel_creates_and_label_appends_lose_nothing(repo, procs, storage_sound):
    shared = repo.create("Shared")
    script = """
        for k in {rounds}; do
          id=$({jit} issue create --title "w{n}-$k" --label worker:w{n} -q) || exit 11
          {jit} issue update "$id" --priority high --add-label round:r$k -q >/dev/null || exit 12
          {jit} issue update {shared} --add-label w{n}:r$k -q >/dev/null || exit 13
        done
    """
    workers = [procs.start(shell=script.format(jit=JIT, n=n, shared=shared, rounds=" ".join(map(str, range(ROUNDS)))))
               for n in range(WORKERS)]
    results = procs.wait_all(workers)
    assert [code for code, _, _ in results] == [0] * WORKERS, results

    events = storage_sound(repo.data)
    issues = repo.ok("issue", "list")
    assert len(issues) == 1 + WORKERS * ROUNDS
    labels = set(repo.ok("issue", "show", shared)["labels"])
    assert labels == {f"w{n}:r{k}" for n in range(WORKERS) for k in range(ROUNDS)}, "a label update was lost"
    for n in range(WORKERS):
        mine = [i for i in issues if f"worker:w{n}" in i["labels"]]
        assert len(mine) == ROUNDS
        assert all(i["priority"] == "high" and len(i["labels"]) == 2 for i in mine)
    kinds = [e["type"] for e in events]
    assert kinds.count("issue_created") == 1 + WORKERS * ROUNDS
    assert kinds.count("issue_updated") == 2 * WORKERS * ROUNDS
    assert len({e["id"] for e in events}) == len(events)
    assert repo.jit("validate").code == 0


@pytest.mark.slow
def test_racing_opposite_edges_never_close_a_cycle(repo, procs, storage_sound):
    pairs = [(repo.create(f"A{i}"), repo.create(f"B{i}")) for i in range(6)]
    racers = []
    for a, b in pairs:
        racers.append(procs.start("dep", "add", a, b, "--json"))
        racers.append(procs.start("dep", "add", b, a, "--json"))
    results = procs.wait_all(racers)
    for i, (a, b) in enumerate(pairs):
        codes = sorted([results[2 * i][0], results[2 * i + 1][0]])
        assert codes == [0, 5], results[2 * i: 2 * i + 2]
        a_deps = repo.ok("issue", "show", a)["dependencies"]
        b_deps = repo.ok("issue", "show", b)["dependencies"]
        assert (a_deps, b_deps) in (([b], []), ([], [a]))
    storage_sound(repo.data)
    assert repo.jit("validate").code == 0


@pytest.mark.slow
def test_finishing_two_dependencies_at_once_releases_the_dependent(repo, procs, storage_sound):
    triples = []
    for i in range(6):
        a, b = repo.create(f"A{i}"), repo.create(f"B{i}")
        triples.append((a, b, repo.create(f"C{i}", "--dep", a, "--dep", b)))
    finishers = [procs.start("issue", "done", x) for a, b, _ in triples for x in (a, b)]
    assert [code for code, _, _ in procs.wait_all(finishers)] == [0] * len(finishers)
    for _, _, c in triples:
        assert repo.ok("issue", "show", c)["state"] == "ready", "a dependent was left in backlog"
    storage_sound(repo.data)
    assert repo.jit("validate").code == 0


@pytest.mark.slow
def test_claims_and_creates_racing_on_one_repository(repo, procs, storage_sound):
    """Twelve agents: each creates work and claims whatever is next; no issue is claimed twice."""
    for i in range(6):
        repo.create(f"seed {i}")
    script = """
        {jit} issue create --title "extra {n}" -q >/dev/null || exit 11
        {jit} issue claim-next agent:w{n} -q; rc=$?
        [ $rc -eq 0 ] || [ $rc -eq 3 ] || exit 12
    """
    workers = [procs.start(shell=script.format(jit=JIT, n=n)) for n in range(WORKERS)]
    results = procs.wait_all(workers)
    assert [code for code, _, _ in results] == [0] * WORKERS, results
    claimed = [out.strip() for _, out, _ in results if out.strip()]
    assert len(claimed) == len(set(claimed)) == WORKERS  # 18 issues, 12 claimers: everyone gets one
    in_progress = repo.ok("issue", "list", "--state", "in_progress")
    assert sorted(i["id"] for i in in_progress) == sorted(claimed)
    assert len({i["assignee"] for i in in_progress}) == WORKERS
    storage_sound(repo.data)
    assert repo.jit("validate").code == 0


@pytest.mark.slow
def test_creating_a_dependent_while_its_dependency_is_deleted_leaves_no_dangling_edge(repo, procs, storage_sound):
    targets = [repo.create(f"doomed {i}") for i in range(8)]
    racers = []
    for target in targets:
        racers.append(procs.start("issue", "create", "--title", "dependent", "--dep", target, "-q"))
        racers.append(procs.start("issue", "delete", target, "--force", "-q"))
    results = procs.wait_all(racers)
    for i in range(len(targets)):
        (create_code, _, create_err), (delete_code, _, _) = results[2 * i], results[2 * i + 1]
        assert delete_code == 0
        assert create_code in (0, 3), create_err  # created first (then the edge was dropped), or not found
    storage_sound(repo.data)
    for issue in repo.ok("issue", "list"):
        assert issue["dependencies"] == [] and issue["state"] == "ready"
    assert repo.jit("validate").code == 0
