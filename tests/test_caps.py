"""Per-source bounds of one run (issue 20): the discovery-documents cap and the wall-time cap, in real crawls of the
demo sites. What a cap leaves behind stays pending in the frontier and is counted in crawl_runs.pages_capped."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time

import pytest

from newscrawler.demo import DemoServer

pytestmark = pytest.mark.slow


def crawl(tmp_path, *settings: str, slow: bool = False) -> tuple[sqlite3.Connection, float, DemoServer]:
    with DemoServer(articles_per_site=30) as server:
        config = tmp_path / "sources.toml"
        text = server.sources_toml()
        if slow:  # the source's own politeness: one request at a time, 0.2 s apart (~20 s for the whole site)
            text = text.replace("download_delay = 0.0\nconcurrency = 8", "download_delay = 0.2\nconcurrency = 1")
        config.write_text(text, encoding="utf-8")
        db = tmp_path / "news.db"
        args = ["DOWNLOAD_DELAY=0", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS=0",
                "NEWSCRAWLER_MAX_PAGES_PER_SOURCE=0", "NEWSCRAWLER_EXTRACT_WORKERS=0", "LOG_LEVEL=WARNING", *settings]
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "newscrawler.cli", "crawl", "--config", str(config), "--db",
                                 str(db), "--sources", "akhbar-demo", *[a for s in args for a in ("-s", s)]],
                                capture_output=True, text=True, timeout=180)
        elapsed = time.monotonic() - started
        assert result.returncode == 0, result.stderr[-3000:]
        return sqlite3.connect(db), elapsed, server


def test_the_discovery_cap_bounds_feeds_sitemaps_and_listings(tmp_path):
    conn, _elapsed, server = crawl(tmp_path, "NEWSCRAWLER_MAX_DISCOVERY_PER_SOURCE=2")
    discovery = [r for r in server.requests_for("akhbar-demo") if not r.path.startswith(("/news/", "/article"))
                 and r.path != "/robots.txt" and ".html" not in r.path]
    pages = conn.execute("SELECT count(*) FROM pages").fetchone()[0]
    assert pages <= 2
    assert len(discovery) <= 2 + 1  # robots.txt middleware fetches aside
    assert conn.execute("SELECT pages_capped FROM crawl_runs").fetchone()[0] > 0


def test_the_wall_time_cap_stops_a_source_and_leaves_the_rest_pending(tmp_path):
    # A 0.2 s delay makes the source take ~20 s; the cap ends it after 2 s.
    conn, elapsed, _server = crawl(tmp_path, "NEWSCRAWLER_MAX_SECONDS_PER_SOURCE=2", slow=True)
    assert elapsed < 20
    capped = conn.execute("SELECT pages_capped FROM crawl_runs").fetchone()[0]
    pending = conn.execute("SELECT count(*) FROM frontier WHERE state = 'pending'").fetchone()[0]
    stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert capped > 0 and stored > 0
    assert pending > 0  # left for the next run, not rejected
    assert conn.execute("SELECT count(*) FROM rejects WHERE reason = 'time_cap'").fetchone()[0] == 0
