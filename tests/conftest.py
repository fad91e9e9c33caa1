"""Shared fixtures: every test gets its own temporary repository and runs the real `jit`."""

import pytest

from jit_testing import JIT_BIN, Repo, Result, clean_env  # noqa: F401 - re-exported for older imports


@pytest.fixture
def repo(tmp_path) -> Repo:
    r = Repo(tmp_path)
    res = r.jit("init")
    assert res.code == 0, res
    return r
