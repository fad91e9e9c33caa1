"""SIGKILL at random instants during writes (SPEC section 1): every file stays old or new,
never torn, and the next jit command finishes an interrupted commit so that
`jit validate` passes. The kill lands in the real process doing the write."""

import json
import random
import time

import pytest

KILLS = 90
PARALLEL = 3


def _plan(n):
    lines = [{"title": f"imported {n}-0", "key": "k0"}]
    lines += [{"title": f"imported {n}-{k}", "key": f"k{k}", "depends_on": [f"k{k - 1}"]} for k in range(1, 12)]
    return "".join(json.dumps(line) + "\n" for line in lines)


def _commands(repo, rng, tmp_path):
    """One random writing command, chosen so that most of them have real work to do."""
    issues = repo.ok("issue", "list")
    ready = [i["id"] for i in issues if i["state"] == "ready"]
    anyone = [i["id"] for i in issues]
    kind = rng.choice(["create", "create_dep", "update", "done", "done", "import", "dep", "reject", "claim"])
    if kind == "create" or not anyone:
        return ["issue", "create", "--title", f"t{rng.random():.6f}", "--label", "kind:crash"]
    if kind == "create_dep":
        return ["issue", "create", "--title", "dependent", "--dep", rng.choice(anyone)]
    if kind == "update":
        return ["issue", "update", rng.choice(anyone), "--add-label", f"n:{rng.randrange(10**6)}",
                "--description", "x" * rng.randrange(1, 4000)]
    if kind in ("done", "claim") and ready:
        target = rng.choice(ready)
        return ["issue", "done", target] if kind == "done" else ["issue", "claim", target, "agent:crash"]
    if kind == "import":
        plan = tmp_path / f"plan{rng.randrange(10**6)}.jsonl"
        plan.write_text(_plan(plan.stem))
        return ["issue", "import", plan]
    if kind == "dep" and len(anyone) > 1:
        a, b = rng.sample(anyone, 2)
        return ["dep", "add", a, b]
    if kind == "reject":
        return ["issue", "reject", rng.choice(anyone), "--reason", "crash test"]
    return ["issue", "create", "--title", "fallback"]


@pytest.mark.slow
def test_sigkill_during_writes_leaves_no_torn_file_and_validate_passes(repo, procs, storage_sound, tmp_path):
    rng = random.Random(20240601)
    # A base graph with dependents, so that `done` rewrites several files in one commit.
    base = [repo.create(f"base {i}") for i in range(4)]
    for i in range(8):
        repo.create(f"waits {i}", "--dep", base[i % 4], "--dep", base[(i + 1) % 4])
    # How long a batch of concurrent writers runs here, so kills land inside the commands (start-up,
    # then the writes) however fast or slow the machine is.
    t0 = time.monotonic()
    for proc in [procs.start("issue", "update", base[0], "--add-label", f"n:{i}") for i in range(PARALLEL)]:
        proc.communicate(timeout=60)
    batch_time = time.monotonic() - t0
    killed = finished = 0
    for _ in range(KILLS // PARALLEL):
        commands = [_commands(repo, rng, tmp_path) for _ in range(PARALLEL)]
        batch = [procs.start(*command) for command in commands]
        # Start-up comes first, the writes follow: spread kills across both.
        time.sleep(rng.uniform(0.1, 0.9) * batch_time)
        for proc in batch:
            if rng.random() < 0.85:
                procs.kill(proc)
        for proc in batch:
            proc.communicate(timeout=60)
            if proc.returncode == -9:
                killed += 1
            else:
                finished += 1
                assert proc.returncode in (0, 2, 3, 4, 5), proc.returncode
        # Files must be whole right after the kill, before anyone repairs anything.
        storage_sound(repo.data)
    assert killed >= KILLS // 2, (killed, finished, batch_time)

    report = repo.jit("validate", "--json")
    assert report.code == 0, report.json["problems"]
    assert not (repo.data / ".journal.json").exists()
    events = storage_sound(repo.data)
    assert len({e["id"] for e in events}) == len(events), "a replayed commit logged its events twice"
    # The repository is still fully usable.
    survivor = repo.create("after the storm")
    assert repo.ok("issue", "done", survivor)["state"] == "done"
