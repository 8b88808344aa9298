"""The pending frontier across runs (issue 18): an interrupted or capped run is finished by the next one, which
requests what is pending before anything new, and a URL that waited too long expires with a reason."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from newscrawler.demo import DemoServer
from tests.crawl_runs import crawl_command, query, run_crawl, write_sources

SETTINGS = ["DOWNLOAD_DELAY=0", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS=0",
            "NEWSCRAWLER_PROGRESS_INTERVAL=0", "LOG_LEVEL=WARNING", "NEWSCRAWLER_MAX_PAGES_PER_SOURCE=0",
            "NEWSCRAWLER_EXTRACT_WORKERS=0"]


def crawl(config: Path, db: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_crawl(config, db, [*SETTINGS, *extra])


def articles(db: Path) -> set[str]:
    return {r[0] for r in query(db, "SELECT url FROM articles")}


def article_requests(demo: dict, since: int = 0) -> list[str]:
    """The article URLs (those a clean run scheduled) the demo sites served with a 200 from request number ``since``
    on (a 500 is retried by design)."""
    server = demo["server"]
    urls = [server.url(r.site, r.path) for r in server.requests[since:] if r.status == 200]
    return [url for url in urls if url in demo["scheduled"]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("resume")
    with DemoServer(articles_per_site=40, seed=5) as server:
        config = write_sources(server, tmp / "sources.toml")
        clean = tmp / "clean.db"
        crawl(config, clean)
        # the same sites, slower, so an interrupt finds the crawl in mid-flight
        slow = write_sources(server, tmp / "slow-sources.toml", delay=0.03)
        yield {"server": server, "config": config, "slow": slow, "tmp": tmp, "clean": articles(clean),
               "scheduled": {r[0] for r in query(clean, "SELECT url FROM frontier")}}


def test_a_capped_run_is_finished_by_the_next_uncapped_run(demo):
    db = demo["tmp"] / "capped.db"
    crawl(demo["config"], db, "NEWSCRAWLER_MAX_ARTICLES_PER_SOURCE=3")
    first = articles(db)
    sources = {r[0] for r in query(db, "SELECT id FROM sources")}
    assert 0 < len(first) <= 3 * len(sources) < len(demo["clean"])
    pending = {r[0] for r in query(db, "SELECT url FROM frontier WHERE state = 'pending'")}
    assert len(pending) >= len(demo["clean"]) - len(first) - 10  # the capped URLs wait, they are not forgotten
    before = len(demo["server"].requests)
    second = crawl(demo["config"], db)
    assert articles(db) == demo["clean"]
    # the second run fetched every article once and none of the first run's again
    fetched = article_requests(demo, before)
    assert len(fetched) == len(set(fetched)), sorted(u for u in set(fetched) if fetched.count(u) > 1)
    assert not set(fetched) & {r[0] for r in query(db, "SELECT fetched_url FROM articles WHERE first_run_id = 1")}
    [(resumed,)] = query(db, "SELECT json_extract(stats, '$.frontier_resumed') FROM crawl_runs ORDER BY id DESC "
                             "LIMIT 1")
    assert resumed == len(pending), second.stderr[-2000:]
    assert query(db, "SELECT count(*) FROM frontier WHERE state = 'pending'") == [(0,)]


def test_an_interrupted_run_is_finished_by_the_next_run(demo):
    db = demo["tmp"] / "interrupted.db"
    seed = random.randrange(1 << 30)
    wait = random.Random(seed).uniform(0.3, 1.0)  # after the first articles are stored: a random point
    proc = subprocess.Popen(crawl_command(demo["slow"], db, SETTINGS),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists() and query(db, "SELECT count(*) FROM sqlite_master WHERE name = 'articles'")[0][0]:
            if query(db, "SELECT count(*) FROM articles")[0][0] > 0:
                break
        time.sleep(0.05)
    time.sleep(wait)
    assert proc.poll() is None, f"the crawl ended before the interrupt (seed {seed})"
    os.kill(proc.pid, signal.SIGINT)
    proc.communicate(timeout=120)
    first = articles(db)
    assert first < demo["clean"], f"seed {seed}"
    [(status,)] = query(db, "SELECT status FROM crawl_runs")
    assert status == "shutdown"
    # the listings answer 304 now; the pending frontier alone brings the rest
    before = len(demo["server"].requests)
    crawl(demo["config"], db)
    assert articles(db) == demo["clean"], f"seed {seed}"
    assert 304 in [r.status for r in demo["server"].requests[before:]]
    fetched = article_requests(demo, before)
    assert len(fetched) == len(set(fetched)), sorted(u for u in set(fetched) if fetched.count(u) > 1)
    assert query(db, "SELECT count(*) FROM frontier WHERE state = 'pending'") == [(0,)]


def test_pending_urls_expire_after_the_configured_age(demo):
    db = demo["tmp"] / "expire.db"
    crawl(demo["config"], db, "NEWSCRAWLER_MAX_ARTICLES_PER_SOURCE=2")
    [(waiting,)] = query(db, "SELECT count(*) FROM frontier WHERE state = 'pending'")
    assert waiting > 0
    conn = sqlite3.connect(db)
    with conn:  # they have waited eight days
        conn.execute("UPDATE frontier SET pending_since = '2000-01-01T00:00:00+00:00' WHERE state = 'pending'")
    conn.close()
    before = len(demo["server"].requests)
    crawl(demo["config"], db, "NEWSCRAWLER_MAX_ARTICLES_PER_SOURCE=2", "NEWSCRAWLER_PENDING_MAX_AGE_DAYS=7")
    expired = query(db, "SELECT url, reason FROM frontier WHERE state = 'expired'")
    assert len(expired) == waiting and {r[1] for r in expired} == {"max_age"}
    # an expired URL is not requested: the listings answer 304 and nothing else is fetched
    assert article_requests(demo, before) == []
    [(stats_expired,)] = query(db, "SELECT json_extract(stats, '$.frontier_expired') FROM crawl_runs "
                                   "ORDER BY id DESC LIMIT 1")
    assert stats_expired == waiting


def test_a_permanent_reject_is_not_requested_again_but_a_server_error_is(demo):
    db = demo["tmp"] / "rejects.db"
    crawl(demo["config"], db)
    first = dict(query(db, "SELECT url, reason FROM rejects WHERE run_id = 1 AND fetched = 1"))
    gone = {url for url, reason in first.items() if reason in ("http_404", "not_article")}
    failing = {url for url, reason in first.items() if reason == "http_500"}
    assert gone and failing
    before = len(demo["server"].requests)
    # the listings are read again (no conditional GET), as after a site's front page changed
    crawl(demo["config"], db, 'DOWNLOADER_MIDDLEWARES={"newscrawler.middlewares.ConditionalGetMiddleware": null}')
    server = demo["server"]
    asked = {server.url(r.site, r.path) for r in server.requests[before:]}
    assert not asked & gone  # a 404 or a page that is no article stays so
    assert failing <= asked  # a server error may be over
    [(skipped,)] = query(db, "SELECT json_extract(stats, '$.rejected_skipped') FROM crawl_runs WHERE id = 2")
    assert skipped >= len(gone)
