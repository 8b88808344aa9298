"""What the tests need beside the core packages: a real redis-server on 127.0.0.1, Debian's chromium, the
[test] extra's optional packages (pyarrow, datasette, playwright), and root's powers (namespaces, chattr).

When one is missing (`make test` installs the services through scripts/test-services.sh and the packages through
the [test] extra), its tests skip, except in CI, where NEWSCRAWLER_REQUIRE_SERVICES=1 makes it a failure: a skip
must not pass for a test run.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest

from newscrawler.distributed.local_redis import LocalRedis, RedisNotInstalled, free_port

__all__ = ["RedisServer", "free_port", "missing_service", "require_module"]


def missing_service(what: str, why: str = "") -> None:
    """Skip the test, or fail it in CI (NEWSCRAWLER_REQUIRE_SERVICES=1)."""
    message = f"{what}: {why}" if why else f"{what} is not installed (scripts/test-services.sh installs it)"
    if os.environ.get("NEWSCRAWLER_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


def require_module(name: str) -> ModuleType:
    """The module, or a skip (a failure in CI) when the [test] extra that brings it is not installed."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        missing_service(name, f"cannot import it ({exc}); pip install -e '.[test]' brings it")
        raise  # not reached: missing_service skips or fails


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
