"""One demo agent: a separate process that drives the real `jit` CLI, as agent frameworks do.

Loop: claim-next -> "work" (write a file) -> run the automated gates -> ask for done ->
pass the review gate as a peer when the issue waits on it. Exit when nothing is left.
Every line printed is one event for the parent's live trace.
"""

import json
import os
import subprocess
import sys
import time


def jit_command() -> list:
    script = os.path.join(os.path.dirname(sys.executable), "jit")
    return [script] if os.path.exists(script) else [sys.executable, "-m", "jit"]


def run(*args) -> tuple:
    proc = subprocess.run([*jit_command(), *args, "--json"], capture_output=True, text=True)
    data = json.loads(proc.stdout) if proc.stdout.strip() else None
    return proc.returncode, data


def say(name, verb, issue=None, extra=""):
    short = issue["id"][:8] if issue else ""
    title = issue["title"] if issue else ""
    print(json.dumps({"agent": name, "verb": verb, "id": short, "title": title, "extra": extra}), flush=True)


def main(name: str, workdir: str, idle_rounds: int = 40) -> int:
    idle = 0
    while idle < idle_rounds:
        code, issue = run("issue", "claim-next", name, "--ttl", "30")
        if code == 3:
            _, status = run("status")
            open_work = sum(status["by_state"][s] for s in ("backlog", "ready", "in_progress", "gated"))
            if open_work == 0:
                break
            idle += 1
            time.sleep(0.05)  # others still hold work that will unblock more; look again shortly
            continue
        if code != 0:
            say(name, "error", extra=f"claim-next exit {code}")
            return 1
        idle = 0
        say(name, "claimed", issue)
        with open(os.path.join(workdir, f"{issue['id']}.txt"), "w") as fh:
            fh.write(f"{issue['title']} done by {name}\n")
        time.sleep(0.05 + 0.1 * (hash(issue["id"]) % 3))
        code, result = run("gate", "check-all", issue["id"])
        if code == 6:
            say(name, "gate failed", issue)
            run("issue", "release", issue["id"])
            continue
        if result and result.get("runs"):
            say(name, "gates passed", issue, ", ".join(r["gate"] for r in result["runs"]))
        code, after = run("issue", "done", issue["id"])
        if after and after["state"] == "gated":
            for gate in after["gates_required"]:
                if after["gates_status"][gate]["status"] != "passed":
                    code, after = run("gate", "pass", issue["id"], gate, "--by", name.replace("agent:", "agent:peer-of-"))
            say(name, "reviewed", issue)
        say(name, "done", after or issue)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
