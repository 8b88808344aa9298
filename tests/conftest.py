"""Fixtures shared by the test modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.services import RedisServer


@pytest.fixture
def redis_server(tmp_path: Path):
    """A fresh redis-server per test (an empty database each time)."""
    with RedisServer(tmp_path / "redis") as server:
        yield server
