"""The MCP tests are coroutines run by anyio's pytest plugin on asyncio."""

import pytest


@pytest.fixture
def anyio_backend():
    return "asyncio"
