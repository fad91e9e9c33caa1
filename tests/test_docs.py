"""The docs keep up with the code: every command has help with an example, every
command group is documented, and the README's test command is what CI runs."""

import importlib
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from jit.cli import GROUPS
from jit.cli.parser import build_root

ROOT = Path(__file__).resolve().parent.parent
JIT = str(Path(sys.executable).parent / "jit")


def _module_ready(group):
    # Groups announced in GROUPS whose module is still being written are skipped, not hidden:
    # the moment the module lands, its commands are held to the same rules.
    return importlib.util.find_spec(f"jit.cli.{GROUPS[group][0]}") is not None


def _commands():
    """Every runnable command line, e.g. ("issue", "create"), ("status",)."""
    found = []
    for group in GROUPS:
        if not _module_ready(group):
            found.append(pytest.param((group,), marks=pytest.mark.skip(reason=f"jit.cli.{GROUPS[group][0]} not written yet")))
            continue
        root = build_root(group, importlib.import_module(f"jit.cli.{GROUPS[group][0]}"))
        top = root._subparsers._group_actions[0].choices[group]
        subs = [a for a in top._actions if a.__class__.__name__ == "_SubParsersAction"]
        found.append((group,))
        for action in subs:
            seen = set()
            for name, parser in action.choices.items():
                if id(parser) not in seen:  # aliases share a parser
                    seen.add(id(parser))
                    found.append((group, name))
    return found


COMMANDS = _commands()


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_every_command_has_help_with_an_example(command, tmp_path):
    r = subprocess.run([JIT, *command, "--help"], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "example" in r.stdout.lower(), f"`jit {' '.join(command)} --help` shows no example"
    assert "Traceback" not in r.stderr


def test_top_level_help_lists_every_group():
    r = subprocess.run([JIT, "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "example" in r.stdout.lower()
    for group in GROUPS:
        assert re.search(rf"^\s+{re.escape(group)}\s", r.stdout, re.M), group


def _readme_test_command():
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", text, re.S)
    lines = [line.strip() for block in blocks for line in block.splitlines() if "-m pytest" in line]
    assert len(lines) == 1, f"README should show exactly one test command, found {lines}"
    return lines[0]


def test_readme_test_command_is_what_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    last = [line.strip() for line in ci if line.strip() and not line.strip().startswith("#")][-1]
    assert last == _readme_test_command()


@pytest.mark.parametrize("group", list(GROUPS))
def test_every_command_group_is_documented(group):
    if not _module_ready(group):
        pytest.skip(f"jit.cli.{GROUPS[group][0]} not written yet")
    texts = [(ROOT / "README.md").read_text()] + [p.read_text() for p in sorted((ROOT / "docs").glob("*.md"))]
    assert any(re.search(rf"\bjit {re.escape(group)}\b", t) for t in texts), \
        f"`jit {group}` appears neither in README.md nor in docs/"


def _parser_of(command):
    root = build_root(command[0], importlib.import_module(f"jit.cli.{GROUPS[command[0]][0]}"))
    parser = root._subparsers._group_actions[0].choices[command[0]]
    for name in command[1:]:
        subs = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
        parser = subs[0].choices[name]
    return parser


def test_every_option_and_argument_has_help_text():
    missing = []
    for command in COMMANDS:
        if not isinstance(command, tuple):
            continue  # a skipped group (its module is not written yet)
        for action in _parser_of(command)._actions:
            if action.__class__.__name__ in ("_HelpAction", "_SubParsersAction"):
                continue
            if not (action.help or "").strip():
                missing.append(f"jit {' '.join(command)} {'/'.join(action.option_strings) or action.dest}")
    assert not missing, "options and arguments without help text:\n  " + "\n  ".join(missing)


def test_install_commands_work_from_a_clone():
    """The package is not published: no doc or message may send people to `pip install 'jit-tracker[...]'`;
    the README's first command is the one the quickstart and the fresh-venv test rely on."""
    texts = {p.name: p.read_text() for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]}
    texts.update({str(p.relative_to(ROOT)): p.read_text() for p in sorted((ROOT / "src").rglob("*.py"))})
    offenders = [name for name, text in texts.items()
                 if re.search(r"pip install[^\n`]*jit-tracker", text) and name != "decisions.md"]
    assert not offenders, offenders
    readme = texts["README.md"]
    assert "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/jit demo" in readme
    assert "python3 -m venv .venv && .venv/bin/pip install -q -e ." in texts["quickstart.md"]
    assert ".venv/bin" in readme and "source .venv/bin/activate" in readme
