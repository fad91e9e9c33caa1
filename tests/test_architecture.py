"""The layering rule of docs/decisions.md, enforced: adapters -> service -> storage -> domain."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    lint = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def test_no_undefined_names_or_unused_imports():
    ruff = Path(sys.executable).parent / "ruff"
    proc = subprocess.run([str(ruff), "check", "src", "--select", "F,E9", "--output-format", "concise"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1000:]


def test_domain_imports_nothing_but_the_standard_library_and_errors():
    for path in (ROOT / "src" / "jit" / "domain").glob("*.py"):
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith(("import ", "from ")) and "jit" in stripped.split()[1]:
                module = stripped.split()[1]
                assert module.startswith(("jit.domain", "jit.errors")), f"{path.name}: {stripped}"
