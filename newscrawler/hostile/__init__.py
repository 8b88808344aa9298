"""Hostile test sites on 127.0.0.1 (issue 20): over 40 bad cases among good Arabic articles, each with its expected
outcome (`cases.py`), served by `HostileServer` (`server.py`). Used by tests/test_hostile.py and bench/reliability.py."""

from newscrawler.hostile.cases import Case, cases
from newscrawler.hostile.server import HostileServer

__all__ = ["Case", "HostileServer", "cases"]
