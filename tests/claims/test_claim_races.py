"""Claims under real contention (SPEC section 6): many `jit` processes released together by a barrier."""

import json
import subprocess
import sys
from collections import Counter

from claim_helpers import JIT_BIN, STRESS_SCRIPT, events, import_issues, race, stored, stress_claims

# An agent loop: claim-next until nothing is left, printing each claimed id.
_WORKER = """
import json, subprocess, sys
jit, who = sys.argv[1], sys.argv[2]
while True:
    r = subprocess.run([jit, "issue", "claim-next", who, "--json"], capture_output=True, text=True)
    if r.returncode == 3:
        print("END " + r.stdout.strip())
        break
    if r.returncode != 0:
        print("ERROR", r.returncode, r.stderr.strip())
        break
    print(json.loads(r.stdout)["id"], flush=True)
"""


def test_thirty_two_processes_claim_one_issue_exactly_one_wins(repo):
    issue = repo.create("Contended")
    bystander = repo.create("Bystander")
    before = repo.snapshot()
    n_events = len(events(repo))
    results = race([[JIT_BIN, "issue", "claim", issue[:8], f"agent:racer-{k}", "--json"] for k in range(32)],
                   cwd=repo.root, env={**repo.env, "JIT_LOCK_TIMEOUT": "120"})
    codes = Counter(code for code, _, _ in results)
    assert codes == {0: 1, 4: 31}, [(c, e) for c, _, e in results if c not in (0, 4)]
    [winner] = [k for k, (code, _, _) in enumerate(results) if code == 0]
    holder = f"agent:racer-{winner}"
    claimed = json.loads(results[winner][1])
    assert claimed["id"] == issue and claimed["assignee"] == holder and claimed["state"] == "in_progress"
    for code, out, err in results:
        if code == 4:
            error = json.loads(out)["error"]
            assert error["code"] == "conflict" and error["details"]["assignee"] == holder
            assert err.strip().count("\n") == 0 and holder in err
    [event] = events(repo, "issue_claimed")
    assert event["issue_id"] == issue and event["data"]["assignee"] == holder
    assert len(events(repo)) == n_events + 1  # the 31 losers logged nothing
    after = repo.snapshot()
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed == {f"issues/{issue}.json", "events.jsonl"}
    assert stored(repo, bystander)["state"] == "ready"
    assert repo.jit("validate").code == 0


def test_racing_claim_next_callers_never_share_an_issue(repo):
    ids = import_issues(repo, [{"title": f"job {n}"} for n in range(5)])
    results = race([[JIT_BIN, "issue", "claim-next", f"agent:w{k}", "--json"] for k in range(16)],
                   cwd=repo.root, env=repo.env)
    won = [json.loads(out)["id"] for code, out, _ in results if code == 0]
    assert sorted(won) == sorted(ids)
    assert [out.strip() for code, out, _ in results if code != 0] == ["null"] * 11
    assert {code for code, _, _ in results} == {0, 3}
    assert Counter(e["issue_id"] for e in events(repo, "issue_claimed")) == {i: 1 for i in ids}


def test_eight_agents_drain_two_hundred_issues(repo):
    priorities = ["critical", "high", "normal", "low"]
    ids = import_issues(repo, [{"title": f"job {n}", "priority": priorities[n % 4]} for n in range(200)])
    results = race([[sys.executable, "-c", _WORKER, JIT_BIN, f"agent:w{k}"] for k in range(8)],
                   cwd=repo.root, env={**repo.env, "JIT_LOCK_TIMEOUT": "120"}, timeout=300)
    claimed_by = {}
    for k, (code, out, err) in enumerate(results):
        assert code == 0, err
        lines = out.split("\n")
        assert lines[-2] == "END null", out[-300:]  # each loop stopped on exit 3 with `null`
        for issue_id in lines[:-2]:
            assert issue_id not in claimed_by, f"{issue_id} claimed twice"
            claimed_by[issue_id] = f"agent:w{k}"
    assert sorted(claimed_by) == sorted(ids)  # none lost
    assert Counter(e["issue_id"] for e in events(repo, "issue_claimed")) == {i: 1 for i in ids}
    for issue_id, who in claimed_by.items():
        issue = stored(repo, issue_id)
        assert issue["state"] == "in_progress" and issue["assignee"] == who
    assert repo.jit("validate").code == 0


def test_stress_script_short_run(tmp_path):
    proc = subprocess.run([sys.executable, str(STRESS_SCRIPT), "--rounds", "3", "--procs", "30", "--json",
                           "--jit", JIT_BIN], check=False, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    assert report["rounds"] == 3 and report["processes"] == 30 and report["violations"] == []


def test_stress_round_check_catches_a_double_claim():
    check = stress_claims.check_round
    two_winners = [(0, "", ""), (0, "", ""), (4, "", "already claimed by agent:racer-0")]
    problems = check(two_winners, {"state": "in_progress", "assignee": "agent:racer-0"}, [{"data": {}}] * 2)
    assert any("2 processes won" in p for p in problems) and any("2 issue_claimed" in p for p in problems)
    ok = [(0, "", ""), (4, "", "already claimed by agent:racer-0")]
    event = {"data": {"assignee": "agent:racer-0"}}
    assert check(ok, {"state": "in_progress", "assignee": "agent:racer-0"}, [event]) == []
