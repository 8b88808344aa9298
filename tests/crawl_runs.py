"""The real `newscrawler` command in a subprocess (this Python, this checkout), the demo sites' sources file, and
the crawl's SQLite file read back: the helpers of the tests that run the command (crash, run lock, resume, crawl
state, health, polling, revisits, politeness, the demo crawl, pagination, readers, cli). Each test file keeps its
own settings."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from newscrawler.demo import DemoServer


def newscrawler(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """``newscrawler ARGS`` run to the end; its output as text."""
    return subprocess.run([sys.executable, "-m", "newscrawler.cli", *args], capture_output=True, text=True,
                          timeout=timeout)


def crawl_command(config: Path, db: Path, settings: Sequence[str] = (), args: Sequence[str] = ()) -> list[str]:
    """``newscrawler crawl --config CONFIG --db DB ARGS``, each of ``settings`` (NAME=VALUE) as ``-s``."""
    return [sys.executable, "-m", "newscrawler.cli", "crawl", "--config", str(config), "--db", str(db), *args,
            *(a for s in settings for a in ("-s", s))]


def run_crawl(config: Path, db: Path, settings: Sequence[str] = (), args: Sequence[str] = (), *, check: bool = True,
              **kwargs: Any) -> subprocess.CompletedProcess:
    """The crawl run to the end (5 minutes at most); with ``check``, an exit code other than 0 fails the test with
    the end of its stderr."""
    result = subprocess.run(crawl_command(config, db, settings, args), capture_output=True, text=True, timeout=300,
                            **kwargs)
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """The rows of one query on the crawl's database (its own connection, closed after)."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def write_sources(server: DemoServer, path: Path, *, delay: float | None = None) -> Path:
    """The demo sites' sources file at ``path``. With ``delay``: one request at a time per site, ``delay`` seconds
    apart, so that a kill or an interrupt lands in mid-crawl."""
    text = server.sources_toml()
    if delay is not None:
        text = text.replace("download_delay = 0.0", f"download_delay = {delay}").replace("concurrency = 8",
                                                                                         "concurrency = 1")
    path.write_text(text, encoding="utf-8")
    return path
