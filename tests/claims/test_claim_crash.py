"""SIGKILL of claiming processes inside their commits: never a half-claimed issue, `validate` stays clean.

A claim writes the issue file and appends an event. A kill between the two must
not leave an issue claimed without its event (or the reverse): the journal in
storage/unit.py makes the pair all-or-nothing, replayed by the next lock holder.
The claimers stop themselves at a random step of the commit (JIT_STOP_AT), so every
round is known to kill one of them inside it; no round is decided by a sleep.
"""

import os
import random
import signal
import subprocess
import time
from collections import Counter

from claim_helpers import JIT_BIN, events, import_issues, stored
from jit_testing import wait_for_stop

STOPS = ("journal.temps-written", "journal.renamed", "journal.durable", "files.temps-written",
         "files.renamed", "events.appended")


def _spawn(repo, argv, stop):
    return subprocess.Popen([JIT_BIN, *argv], cwd=repo.root, env={**repo.env, "JIT_STOP_AT": stop},
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_killed_claimers_leave_each_issue_claimed_or_not(repo):
    rng = random.Random(os.environ.get("JIT_TEST_SEED", "claims-crash"))
    ids = import_issues(repo, [{"title": f"job {n}"} for n in range(24)])
    in_commit = journals = 0
    rounds = 16
    for round_ in range(rounds):
        targets = rng.sample(ids, 3)
        stop = rng.choice(STOPS)
        procs = [_spawn(repo, ["issue", "claim", t, f"agent:k{round_}-{n}", "--ttl", "600"], stop)
                 for n, t in enumerate(targets)]
        procs.append(_spawn(repo, ["issue", "claim-next", f"agent:k{round_}-next"], stop))
        holder = wait_for_stop(procs)
        if holder is not None:
            os.kill(holder.pid, signal.SIGCONT)
            time.sleep(rng.uniform(0, 0.002))
        for proc in procs:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
        for proc in procs:
            proc.wait()
        in_commit += holder is not None and holder.returncode == -9
        journals += (repo.data / ".journal.json").exists()
    print(f"killed inside a commit {in_commit}/{rounds}, journals left {journals}")
    # Claims of fresh issues always have work to do: most rounds must have killed inside a commit.
    assert in_commit >= rounds // 2 and journals >= 2, (in_commit, journals)

    report = repo.ok("validate")  # as the next process, it also finishes any interrupted commit
    assert report["ok"], report["problems"]
    claims = Counter(e["issue_id"] for e in events(repo, "issue_claimed"))
    for issue_id in ids:
        issue = stored(repo, issue_id)
        if issue["state"] == "in_progress":
            assert issue["assignee"].startswith("agent:k"), issue
            assert claims[issue_id] == 1, (issue, claims[issue_id])
        else:
            assert issue["state"] == "ready" and issue["assignee"] is None and issue["lease"] is None, issue
            assert claims[issue_id] == 0, (issue, claims[issue_id])
    # The repository still works for everyone else.
    free = [i for i in ids if stored(repo, i)["state"] == "ready"]
    if free:
        assert repo.ok("issue", "claim", free[0], "agent:survivor")["assignee"] == "agent:survivor"


def test_leftovers_of_a_writer_killed_mid_commit_are_finished_and_swept(repo):
    """What a SIGKILL can leave, planted by hand: a temp journal (killed while writing it), and a
    complete journal whose issue file was being replaced (killed while applying it)."""
    import json

    issue_id, other = import_issues(repo, [{"title": "half-claimed"}, {"title": "other"}])
    claimed = {**stored(repo, issue_id), "state": "in_progress", "assignee": "agent:ghost"}
    event = {"id": "e-ghost", "ts": claimed["updated_at"], "type": "issue_claimed", "issue_id": issue_id,
             "actor": "agent:ghost", "data": {"assignee": "agent:ghost", "from": "ready", "to": "in_progress"}}
    body = json.dumps(claimed, indent=2, sort_keys=True) + "\n"
    (repo.data / ".journal.json").write_text(json.dumps({"files": {f"issues/{issue_id}.json": body},
                                                          "events": [event]}))
    (repo.data / "issues" / f".{issue_id}.json.4242.a1b2c3.tmp").write_text(body[:40])  # torn temp file
    (repo.data / "..journal.json.4343.d4e5f6.tmp").write_text('{"files": {')  # a journal never committed
    assert repo.ok("validate")["ok"]
    assert sorted(p.name for p in repo.data.rglob(".*.tmp")) == []
    assert stored(repo, issue_id)["assignee"] == "agent:ghost"  # the committed claim was finished
    assert [e["id"] for e in events(repo, "issue_claimed")] == ["e-ghost"]
    # A writer sweeps them too: plant again, claim the other issue.
    (repo.data / "..journal.json.4444.aaaaaa.tmp").write_text("{")
    repo.ok("issue", "claim", other, "agent:w1")
    assert sorted(p.name for p in repo.data.rglob(".*.tmp")) == []
