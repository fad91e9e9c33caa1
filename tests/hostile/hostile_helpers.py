"""Sandboxes for hostile-input tests: a real repository next to files it must never touch.

The sandbox holds `outside/` (files a hostile repository may point symlinks at)
and `repo/.jit`. `Case` runs jit commands against one copy of it, in-process
for speed (`jit.cli.main`, the function the console script calls) or as the
real console script, and checks after every command what every command owes
the user whatever it met on disk: a known exit code, a clean one-line error,
no traceback, nothing outside `.jit/` touched, nothing inside changed by a
refusal.
"""

import contextlib
import io
import json
import os
import shutil
import stat
import subprocess

from jit_testing import JIT_BIN, clean_env

# Git-ignored runtime files (`.jit/.gitignore`): a refusal may rebuild or drop them.
RUNTIME = ("index.sqlite", ".lock", ".journal.json")
KNOWN_CODES = {0, 2, 3, 4, 5, 6}
# Exit 1 is allowed only for these: a named file jit cannot trust or read, or the system refused I/O.
NAMED_FAULTS = {"corrupt_file", "io_error", "untrusted_journal", "unsafe_path"}


def is_runtime(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return rel.startswith(RUNTIME) or (name.startswith(".") and name.endswith(".tmp"))


def tree(root: str, skip=None) -> dict:
    """Every entry under root (not following symlinks): kind and content, for "nothing changed"."""
    found = {}
    for folder, dirs, files in os.walk(root):
        rel_folder = os.path.relpath(folder, root)
        if skip and rel_folder.split(os.sep)[0] == skip:
            dirs[:] = []
            continue
        for name in sorted(dirs + files):
            path = os.path.join(folder, name)
            rel = os.path.normpath(os.path.join(rel_folder, name)).replace(os.sep, "/")
            if skip and rel == skip:
                continue
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                found[rel] = ("link", os.readlink(path))
            elif stat.S_ISREG(st.st_mode):
                with open(path, "rb") as fh:
                    found[rel] = ("file", fh.read())
            elif stat.S_ISDIR(st.st_mode):
                found[rel] = ("dir", None)
            else:
                found[rel] = ("other", stat.S_IFMT(st.st_mode))
    return found


def tracked(data_dir: str) -> dict:
    return {rel: v for rel, v in tree(data_dir).items() if not is_runtime(rel)}


def run_inprocess(argv, cwd, env) -> tuple:
    """(exit code, stdout, stderr) of jit.cli.main(argv) in this process."""
    import sys

    import jit.cli

    out, err = io.StringIO(), io.StringIO()
    saved_env, saved_cwd, saved_stdin = dict(os.environ), os.getcwd(), sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(b""))  # `-` arguments read an empty stdin
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = jit.cli.main(list(argv))
            except SystemExit as exc:
                code = exc.code or 0
    finally:
        sys.stdin = saved_stdin
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return code, out.getvalue(), err.getvalue()


def run_subprocess(argv, cwd, env, timeout=60) -> tuple:
    proc = subprocess.run([JIT_BIN, *argv], check=False, cwd=cwd, env=env, capture_output=True, timeout=timeout)
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def check_outcome(argv, code, out, err) -> None:
    """The promises of SPEC section 9 for one finished command run with --json."""
    where = (argv, code, out[-400:], err[-400:])
    assert "Traceback" not in err and "Traceback" not in out, where
    assert code in KNOWN_CODES or code == 1, where
    if code == 0 or (argv[0] == "validate" and code == 5 and "problem" in out):
        return  # validate's report of problems is its answer, not an error
    if code == 3 and out.strip() in ("null", "") and err.startswith("no issue is available"):
        return  # claim-next's normal end (SPEC 6): null on stdout, a message on stderr
    lines = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, where
    assert not lines[0].startswith("error: internal error"), where
    if code == 1:
        assert ".jit" in lines[0] or "JIT_" in lines[0], where  # the file or setting at fault is named
    if "--json" in argv and out.strip() and out.strip() != "null":
        error = json.loads(out)["error"]
        assert set(error) == {"code", "message", "details"}, where
        if code == 1:
            assert error["code"] in NAMED_FAULTS, where
            assert ".jit" in error["message"] or "JIT_" in error["message"], where


class Case:
    """One copy of the sandbox; `run` checks every command against the promises above."""

    def __init__(self, template: str, folder: str, ids: dict):
        shutil.copytree(template, folder, symlinks=True)
        self.sandbox = folder
        self.root = os.path.join(folder, "repo")
        self.data = os.path.join(self.root, ".jit")
        self.ids = ids
        self.env = clean_env(JIT_LOCK_TIMEOUT="5", JIT_ACTOR="agent:fuzz")
        self.outside_before = tree(folder, skip="repo")

    def fill(self, text: str) -> str:
        """Put the template's ids in for {A}, {D}, ... (literally: a hostile value may hold braces)."""
        for key, value in self.ids.items():
            text = text.replace("{" + key + "}", value)
        return text

    def path(self, rel: str) -> str:
        return os.path.join(self.data, self.fill(rel))

    def run(self, argv, subprocess_cli=False, as_json=True) -> tuple:
        argv = [self.fill(a) for a in argv] + (["--json"] if as_json else [])
        before = tracked(self.data)
        runner = run_subprocess if subprocess_cli else run_inprocess
        code, out, err = runner(argv, self.root, self.env)
        check_outcome(argv, code, out, err)
        assert tree(self.sandbox, skip="repo") == self.outside_before, (argv, "a file outside .jit/ changed")
        outside_repo = {k: v for k, v in tree(self.root).items() if not k.startswith(".jit")}
        assert not outside_repo, (argv, "jit wrote into the working tree", sorted(outside_repo))
        # validate --fix exits 5 after repairing what it could; exit 6 is a checker's recorded verdict.
        recorded = argv[:2] == ["validate", "--fix"] or code == 6
        if code != 0 and not recorded:
            assert tracked(self.data) == before, (argv, code, err, "a refused command changed .jit/")
        return code, out, err
