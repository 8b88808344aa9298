"""Services the tests start for themselves: a real redis-server on 127.0.0.1, Debian's chromium.

When one is missing (`make test` installs both through scripts/test-services.sh), its tests skip, except in CI,
where NEWSCRAWLER_REQUIRE_SERVICES=1 makes the missing service a failure: a skip must not pass for a test run.
"""

from __future__ import annotations

import os

import pytest

from newscrawler.distributed.local_redis import LocalRedis, RedisNotInstalled, free_port

__all__ = ["RedisServer", "free_port", "missing_service"]


def missing_service(what: str) -> None:
    """Skip the test, or fail it in CI (NEWSCRAWLER_REQUIRE_SERVICES=1)."""
    message = f"{what} is not installed (scripts/test-services.sh installs it)"
    if os.environ.get("NEWSCRAWLER_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


class RedisServer(LocalRedis):
    """`LocalRedis` (shared with bench/distributed.py) that skips the test, or fails it in CI, when
    redis-server is not installed."""

    def start(self) -> RedisServer:
        try:
            super().start()
        except RedisNotInstalled:
            missing_service("redis-server")
        return self

    def __enter__(self) -> RedisServer:
        return self.start()
