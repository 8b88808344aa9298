"""Adaptive polling (issue 18): each feed, sitemap and listing gets a next-due time from the share of its entries
already seen, and `crawl --due` fetches only what is due."""

from __future__ import annotations

import random
import sqlite3
import subprocess
from pathlib import Path

import pytest

from newscrawler.demo import DemoServer
from newscrawler.polling import PollRange, next_interval
from tests.crawl_runs import run_crawl, write_sources

SETTINGS = ["DOWNLOAD_DELAY=0", "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS=0", "NEWSCRAWLER_PROGRESS_INTERVAL=0",
            "LOG_LEVEL=WARNING", "NEWSCRAWLER_EXTRACT_WORKERS=0"]


def crawl(config: Path, db: Path, *args: str) -> subprocess.CompletedProcess:
    return run_crawl(config, db, SETTINGS, args)


def test_the_interval_follows_the_share_of_seen_entries():
    r = PollRange(600, 86400)
    assert r.start == pytest.approx(7200)  # the geometric middle of 10 min .. 24 h
    assert next_interval(3600, 0.9, poll_range=r) == 5400  # mostly seen: longer
    assert next_interval(3600, 0.67, poll_range=r) == 5400
    assert next_interval(3600, 0.5, poll_range=r) == 3600  # in between: kept
    assert next_interval(3600, 0.33, poll_range=r) == 2400  # mostly new: shorter
    assert next_interval(700, 0.0, poll_range=r) == 600  # never below the range ...
    assert next_interval(80000, 1.0, poll_range=r) == 86400  # ... nor above it
    assert next_interval(None, None, poll_range=r) == r.start
    rng = random.Random(1)
    backoffs = [next_interval(3600, None, failures=n, poll_range=r, rng=rng) for n in (1, 2, 3)]
    assert 0.8 * 7200 <= backoffs[0] <= 1.2 * 7200 and 0.8 * 14400 <= backoffs[1] <= 1.2 * 14400
    assert backoffs[2] <= 86400
    assert len({next_interval(3600, None, failures=1, poll_range=r, rng=rng) for _ in range(5)}) > 1  # jitter


@pytest.fixture()
def demo(tmp_path):
    with DemoServer(articles_per_site=10, seed=6) as server:
        config = write_sources(server, tmp_path / "sources.toml")
        yield server, config, tmp_path


def test_crawl_due_skips_what_is_not_due(demo):
    server, config, tmp = demo
    db = tmp / "news.db"
    crawl(config, db)
    conn = sqlite3.connect(db)
    schedule = {url: (interval, share) for url, interval, share in
                conn.execute("SELECT url, interval_seconds, seen_share FROM poll_schedule")}
    conn.close()
    starts = {s.split('"')[1] for s in config.read_text(encoding="utf-8").split()
              if s.startswith('"http') or s.startswith('["http')}
    assert starts and starts <= set(schedule)
    assert all(interval <= 7200 for interval, _ in schedule.values())  # a first poll finds everything new or so
    before = len(server.requests)
    second = crawl(config, db, "--due")  # nothing is due yet: no request at all, and that is healthy
    assert server.requests[before:] == []
    assert "unhealthy" not in second.stderr
    # one feed falls due
    feed = server.url("akhbar-demo", "/feed.xml")
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE poll_schedule SET next_due_at = '2000-01-01T00:00:00+00:00' WHERE url = ?", [feed])
    conn.close()
    before = len(server.requests)
    crawl(config, db, "--due")
    served = [(r.site, r.path, r.status) for r in server.requests[before:]]
    assert [(site, path) for site, path, _ in served if path != "/robots.txt"] == [("akhbar-demo", "/feed.xml")]
    assert served[-1][2] == 304
    conn = sqlite3.connect(db)
    interval, share, due = conn.execute("SELECT interval_seconds, seen_share, next_due_at FROM poll_schedule "
                                        "WHERE url = ?", [feed]).fetchone()
    conn.close()
    assert share == 1.0 and interval == pytest.approx(schedule[feed][0] * 1.5, abs=0.2)  # unchanged: polled less
    assert due > "2001"
    # without --due everything is fetched, as before
    before = len(server.requests)
    crawl(config, db)
    assert {r.site for r in server.requests[before:]} == set(server.base_urls)
