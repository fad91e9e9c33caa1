"""How a checker runs (context, prompt, folder, environment, order) and when a run can be reused.

These are the optional fields of a gate definition beyond SPEC 5's basics. They are stored
only when set, so registries written before they existed read the same. Pure: the
service resolves paths on disk and asks git; this module only decides.
"""

import posixpath

from jit.errors import UsageError

EXTRA_FIELDS = ("pass_context", "prompt", "working_dir", "env", "order")
PROMPT_LIMIT = 64 * 1024  # characters; a prompt lives in gates.json, which every clone merges
# Set by jit for every checker; a gate's --env may not shadow them.
RESERVED_ENV = ("JIT_ISSUE_ID", "JIT_GATE_KEY", "JIT_STAGE", "JIT_REPO_ROOT", "JIT_CONTEXT_FILE")


def check_working_dir(value) -> str | None:
    """A folder relative to the repository root that cannot climb out of it (symlinks are the
    service's job). "" or "." means the root. Raises UsageError."""
    if value is None:
        return None
    if not isinstance(value, str) or "\0" in value:
        raise UsageError(f"working dir {value!r} must be a folder path", {"field": "working_dir"})
    if posixpath.isabs(value):
        raise UsageError(f"working dir {value!r} must be relative to the repository root", {"field": "working_dir"})
    norm = posixpath.normpath(value) if value else "."
    if norm == ".." or norm.startswith("../"):
        raise UsageError(f"working dir {value!r} leaves the repository; checkers run inside it",
                         {"field": "working_dir", "value": value})
    return None if norm == "." else norm


def parse_env(pairs) -> dict:
    """KEY=VALUE strings (or a dict) as a checked dict. Raises UsageError."""
    if isinstance(pairs, dict):
        items = list(pairs.items())
    else:
        items = []
        for pair in pairs or ():
            if not isinstance(pair, str) or "=" not in pair:
                raise UsageError(f"--env takes KEY=VALUE, got {pair!r}", {"field": "env", "value": pair})
            items.append(tuple(pair.split("=", 1)))
    env = {}
    for name, value in items:
        if not isinstance(name, str) or not name or not (name[0].isalpha() or name[0] == "_") \
                or not all(c.isalnum() or c == "_" for c in name) or not name.isascii():
            raise UsageError(f"environment variable name {name!r} must be letters, digits and '_'",
                             {"field": "env", "name": name})
        if name in RESERVED_ENV:
            raise UsageError(f"{name} is set by jit for every checker and cannot be overridden",
                             {"field": "env", "name": name})
        if not isinstance(value, str) or "\0" in value:
            raise UsageError(f"environment value of {name} must be text", {"field": "env", "name": name})
        env[name] = value
    return env


def gate_extras(*, pass_context=False, prompt=None, working_dir=None, env=None, order=None) -> dict:
    """The optional fields of a definition, validated; unset ones are left out. Raises UsageError."""
    extras = {}
    if not isinstance(pass_context, bool):
        raise UsageError("pass_context must be true or false", {"field": "pass_context"})
    if pass_context:
        extras["pass_context"] = True
    if prompt:
        if not isinstance(prompt, str):
            raise UsageError("prompt must be text", {"field": "prompt"})
        if len(prompt) > PROMPT_LIMIT:
            raise UsageError(f"prompt is {len(prompt)} characters; the limit is {PROMPT_LIMIT}", {"field": "prompt"})
        extras["prompt"] = prompt
    wd = check_working_dir(working_dir)
    if wd:
        extras["working_dir"] = wd
    env = parse_env(env)
    if env:
        extras["env"] = env
    if order is not None:
        if not isinstance(order, int) or isinstance(order, bool):
            raise UsageError(f"order must be a whole number, got {order!r}", {"field": "order"})
        if order:
            extras["order"] = order
    if prompt and not pass_context:
        raise UsageError("a prompt reaches the checker only through the context file; add --pass-context "
                         "(or clear the prompt with --prompt '')",
                         {"field": "prompt"})
    return extras


def ordered_keys(keys, registry) -> list:
    """Gate keys in check-all order: lower `order` first, then the order they were attached."""
    def order(key):
        value = (registry.get(key) or {}).get("order", 0)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0  # a hand-edited file

    return sorted(keys, key=order)


def run_fingerprint(gate: dict) -> dict:
    """What a run depends on besides the code: a changed definition must run again."""
    return {"command": gate.get("checker"), "working_dir": gate.get("working_dir"), "env": gate.get("env") or {},
            "prompt": gate.get("prompt")}


def reusable_run(runs, status: dict, gate: dict, head: str | None, clean: bool):
    """The passed run a check may stand on instead of running again, or None.

    Only when the tree is committed and clean (outside .jit/), the last run of the gate passed
    at this very commit on a clean tree with the same definition, and the issue's verdict is
    still that run's (a later manual fail or override wins).
    """
    if not head or not clean or not runs:
        return None
    last = runs[-1]
    if last.get("status") != "passed" or last.get("commit") != head or last.get("dirty") is not False:
        return None
    if (status or {}).get("status") != "passed" or (status or {}).get("run") != last.get("id"):
        return None
    if last.get("fingerprint", {"command": last.get("command")}) != run_fingerprint(gate):
        return None
    return last
