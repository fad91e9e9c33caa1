"""The freshness tests run twice: checking the files, and through a `jit watch` watcher."""

import pytest
from jit_testing import Repo
from watcher_testing import start_watcher


@pytest.fixture(params=["files", "monitor"])
def checked_repo(request, tmp_path):
    """An initialised repository whose queries check freshness from the files, or through a watcher."""
    repo = Repo(tmp_path / "repo")
    repo.root.mkdir()
    assert repo.jit("init").code == 0
    watcher = start_watcher(repo) if request.param == "monitor" else None
    repo.watcher = watcher
    yield repo
    if watcher is not None:
        assert watcher.status()["running"], "the watcher died during the test"
        watcher.stop()
