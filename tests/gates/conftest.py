"""Fixtures for the gate tests."""

import pytest


@pytest.fixture
def gated(repo):
    """A repository with a `tests` auto gate and a `review` manual gate."""
    repo.ok("gate", "define", "tests", "--title", "Tests pass", "--mode", "auto", "--checker", "exit 0",
            "--timeout", "10")
    repo.ok("gate", "define", "review", "--title", "Reviewed by a person")
    return repo
