"""Hostile files in `.jit/`: whatever a clone, a merge, a hand edit or a full disk left there,
every command ends with a known exit code and a clean message, never touches a file
outside `.jit/`, and changes nothing when it refuses.

For every kind of file jit reads, a fixed corpus (empty, truncated, wrong JSON types at
every level, 100k-deep nesting, huge numbers, NUL bytes, invalid UTF-8, a BOM, a directory,
symlinks out of `.jit/`, a FIFO) is planted in a copy of a real repository, then reads and
writes run against it. The bulk runs in-process (`jit.cli.main`); a representative subset,
and every FIFO (which could block a process forever), runs the real console script.
"""

import json
import os
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# kind -> (path under .jit/, format, valid copy under outside/ or None)
KINDS = {
    "issue": ("issues/{A}.json", "json", "issue.json"),
    "new_issue": ("issues/{NEW}.json", "json", "issue.json"),
    "odd_name": ("issues/x.json", "json", "issue.json"),
    "gates": ("gates.json", "json", "gates.json"),
    "run": ("gate-runs/{A}/{RUN}.json", "json", "run.json"),
    "config": ("config.toml", "toml", "config.toml"),
    "events": ("events.jsonl", "jsonl", "events.jsonl"),
    "index": ("index.sqlite", "sqlite", None),
    "lock": (".lock", "lock", None),
    "journal": (".journal.json", "json", "journal.json"),
}
READS = [
    ["status"], ["issue", "list"], ["query", "available"], ["query", "blocked"], ["issue", "show", "{A}"],
    ["issue", "show", "{D}"], ["validate"], ["events", "tail", "-n", "5"], ["gate", "list"], ["gate", "runs", "{A}"],
]
WRITES = [
    ["issue", "create", "--title", "new"], ["issue", "claim", "{D}", "agent:x", "--ttl", "60"],
    ["gate", "pass", "{A}", "review"], ["validate", "--fix"],
]
# Wrong types deep inside a document: each example runs the commands that read that kind of file.
TYPED_COMMANDS = {
    "issue": [["status"], ["issue", "list"], ["issue", "show", "{A}"], ["issue", "show", "{D}"], ["validate"],
              ["gate", "pass", "{A}", "review"]],
    "gates": [["gate", "list"], ["query", "blocked"], ["validate"], ["gate", "pass", "{A}", "review"]],
    "run": [["gate", "runs", "{A}"], ["gate", "runs", "{A}", "tests"], ["validate"]],
    "events": [["events", "tail", "-n", "5"], ["events", "tail", "--issue", "{A}"], ["validate"],
               ["issue", "create", "--title", "new"]],
}
# Running a checker costs a shell: only where the gate's definition or its runs were damaged.
CHECK = ["gate", "check", "{A}", "tests"]
# People read too: the human rendering meets the same damaged values.
HUMAN_READS = [["status"], ["issue", "list"], ["issue", "show", "{A}"], ["events", "tail", "-n", "5"],
               ["gate", "runs", "{A}"], ["gate", "list"], ["query", "blocked"]]
SUBPROCESS_SUBSET = [["status"], ["issue", "show", "{D}"], ["issue", "create", "--title", "new"]]

TYPES = {"null": None, "zero": 0, "negative": -1, "huge": 10 ** 30, "float": 1e308, "infinity": float("inf"),
         "string": "x", "list": [], "object": {}, "true": True}
DEEP_LIST = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000


def _bytes_corpus() -> dict:
    """name -> function(valid bytes) -> hostile bytes, for every kind of file."""
    return {
        "empty": lambda v: b"",
        "truncated": lambda v: v[: len(v) // 2],
        "nul_bytes": lambda v: b"\0" * 64,
        "nul_inside": lambda v: v[: len(v) // 2] + b"\0" + v[len(v) // 2:],
        "invalid_utf8": lambda v: b"\xff\xfe" + v,
        "utf8_in_string": lambda v: v.replace(b'"', b'"\xc3\x28', 1),
        "bom": lambda v: b"\xef\xbb\xbf" + v,
        "deep_list": lambda v: DEEP_LIST,
        "deep_object": lambda v: DEEP_OBJECT,
        "huge_int": lambda v: b"1" * 5000,
        "huge_float": lambda v: b"1e400",
        "nan": lambda v: b"NaN",
        "garbage": lambda v: os.urandom(4096),
    }


SPECIAL = ("directory", "link_valid", "link_secret", "link_dangling", "link_folder")


def _replace(doc, dotted, replacement):
    copy = json.loads(json.dumps(doc))
    keys = dotted.split(".")
    target = copy
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = replacement
    return copy


def _outside(case, name):
    return os.path.join(case.sandbox, "outside", name)


def plant(case, kind, variant) -> None:
    rel, _, valid_copy = KINDS[kind]
    path = case.path(rel)
    valid = b""
    if os.path.isfile(path):
        with open(path, "rb") as fh:
            valid = fh.read()
    elif valid_copy:
        with open(_outside(case, valid_copy), "rb") as fh:
            valid = fh.read()
    if os.path.lexists(path):
        os.unlink(path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if variant == "directory":
        os.makedirs(os.path.join(path, "inner"))
    elif variant == "link_valid":
        os.symlink(_outside(case, valid_copy or "secret.txt"), path)
    elif variant == "link_secret":
        os.symlink(_outside(case, "secret.txt"), path)
    elif variant == "link_dangling":
        os.symlink(_outside(case, "created-by-jit"), path)
    elif variant == "link_folder":
        os.symlink(_outside(case, "folder"), path)
    elif variant == "fifo":
        os.mkfifo(path)
    elif isinstance(variant, bytes):
        with open(path, "wb") as fh:
            fh.write(variant)
    else:
        with open(path, "wb") as fh:
            fh.write(_bytes_corpus()[variant](valid))


def _valid_doc(case, kind):
    rel, fmt, _ = KINDS[kind]
    with open(case.path(rel), "rb") as fh:
        data = fh.read()
    if fmt == "jsonl":
        return json.loads(data.splitlines()[-1])
    return json.loads(data)


def _plant_types(case, kind, name):
    _plant_json(case, kind, TYPES[name[len("top_"):]])


def _plant_json(case, kind, content):
    encoded = json.dumps(content).encode()
    if KINDS[kind][1] == "jsonl":
        with open(case.path(KINDS[kind][0]), "rb") as fh:
            encoded = fh.read() + encoded + b"\n"
    plant(case, kind, encoded)


# Wrong JSON types are planted in these kinds (for events.jsonl: as a new last line).
TYPED_KINDS = ("issue", "gates", "run", "events")

TOML_CORPUS = {
    "schema_string": b'schema_version = "one"\n',
    "schema_future": b"schema_version = 99\n",
    "schema_huge": b"schema_version = 99999999999999999999\n",
    "defaults_scalar": b"schema_version = 1\ndefaults = 5\n",
    "defaults_list": b"schema_version = 1\ndefaults = [1, 2]\n",
    "priority_bad": b'[defaults]\npriority = "urgent"\n',
    "priority_int": b"[defaults]\npriority = 3\n",
    "ttl_string": b'[defaults]\nlease_ttl = "long"\n',
    "ttl_inf": b"[defaults]\nlease_ttl = inf\n",
    "ttl_nan": b"[defaults]\nlease_ttl = nan\n",
    "ttl_negative": b"[defaults]\nlease_ttl = -5\n",
    "ttl_huge": b"[defaults]\nlease_ttl = 1e308\n",
    "ttl_bool": b"[defaults]\nlease_ttl = true\n",
    "timeout_zero": b"[defaults]\ngate_timeout = 0\n",
    "timeout_table": b"[defaults.gate_timeout]\nx = 1\n",
    "sync_scalar": b'sync = "origin"\n',
    "sync_remote_int": b"[sync]\nremote = 5\npatience = -1\n",
    "not_toml": b"this is = = not toml\n",
}


def _kind_variants(kind, template=None):
    """The fixed corpus for one kind: damaged bytes, special files, and (JSON kinds) a top level
    of every wrong type; wrong types deeper down are drawn by hypothesis (test below)."""
    names = list(_bytes_corpus()) + list(SPECIAL)
    if kind == "config":
        names += [f"toml:{n}" for n in TOML_CORPUS]
    if kind in TYPED_KINDS:
        names += [f"types:top_{t}" for t in TYPES]
    return [(kind, n) for n in names]


def _paths(doc, prefix="", depth=0) -> list:
    """Dotted paths of every object member of doc, three levels deep."""
    found = []
    if isinstance(doc, dict) and depth < 3:
        for key, child in doc.items():
            found.append(prefix + key)
            found += _paths(child, f"{prefix}{key}.", depth + 1)
    return found


def apply(case, kind, variant):
    if variant.startswith("types:"):
        _plant_types(case, kind, variant[len("types:"):])
    elif variant.startswith("toml:"):
        plant(case, kind, TOML_CORPUS[variant[len("toml:"):]])
    else:
        plant(case, kind, variant)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_hostile_files_never_end_in_an_internal_error(cases, kind):
    """Every variant of one kind of file, every command, in-process."""
    failures = []
    for _, variant in _kind_variants(kind, cases()):
        case = cases()
        apply(case, kind, variant)
        commands = READS + WRITES + [argv + ["--human"] for argv in HUMAN_READS]
        if kind in ("run", "gates", "config", "lock"):
            commands = commands + [CHECK]
        for argv in commands:
            try:
                case.run([a for a in argv if a != "--human"], as_json="--human" not in argv)
            except AssertionError as exc:
                failures.append(f"{kind} / {variant}: {str(exc)[:600]}")
                break  # the state is unknown now; the next variant starts from a clean copy
        shutil.rmtree(case.sandbox)
    assert not failures, f"{len(failures)} variant(s) failed:\n" + "\n".join(failures)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_fifo_in_place_of_any_file_never_blocks_the_real_cli(cases, kind):
    """A FIFO opened for reading waits for a writer forever: jit must never open one. Run as the
    real console script with a timeout, so a hang fails the test instead of the test run."""
    case = cases()
    plant(case, kind, "fifo")
    for argv in SUBPROCESS_SUBSET:
        case.run(argv, subprocess_cli=True)


@pytest.mark.parametrize("variant", ["deep_list", "invalid_utf8", "directory", "link_dangling"])
def test_a_representative_subset_through_the_real_cli(cases, variant):
    """The in-process runs above stand for the console script; this checks they agree on a sample."""
    for kind in ("issue", "gates", "config", "events"):
        case = cases()
        plant(case, kind, variant)
        for argv in SUBPROCESS_SUBSET:
            case.run(argv, subprocess_cli=True)


JSON_VALUES = st.one_of(
    st.sampled_from(list(TYPES.values())),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                 lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                 max_leaves=6),
)


@pytest.mark.parametrize("kind", TYPED_KINDS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_wrong_json_types_at_any_depth(cases, kind, data):
    """Any member of a valid document (three levels deep) replaced by any JSON value;
    each run draws different ones, and hypothesis keeps the failures it finds."""
    case = cases()
    doc = _valid_doc(case, kind)
    if kind == "issue":
        doc["lease"] = {"ttl": 60, "expires_at": "2026-01-01T00:00:00.000000Z"}  # so its members are drawn too
    path = data.draw(st.sampled_from(_paths(doc)), label="path")
    _plant_json(case, kind, _replace(doc, path, data.draw(JSON_VALUES, label="value")))
    for argv in TYPED_COMMANDS[kind]:
        for as_json in (True, False):
            case.run(argv, as_json=as_json)
    shutil.rmtree(case.sandbox)
