"""Crash safety (issue 18): a crawl killed with SIGKILL at 10 points, each followed by a default rerun, loses no
committed article, duplicates none, leaves an intact database, and ends with exactly a clean run's articles."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time

import pytest

from newscrawler.demo import DemoServer
from tests.crawl_runs import crawl_command, query, run_crawl, write_sources

SETTINGS = ["DOWNLOAD_DELAY=0", "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS=0", "NEWSCRAWLER_PROGRESS_INTERVAL=0",
            "LOG_LEVEL=WARNING", "NEWSCRAWLER_MAX_PAGES_PER_SOURCE=0", "NEWSCRAWLER_EXTRACT_WORKERS=0",
            "NEWSCRAWLER_BATCH_SIZE=10"]
KILL_POINTS = 10


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crash")
    with DemoServer(articles_per_site=20, seed=4) as server:
        config = write_sources(server, tmp / "sources.toml")
        slow = write_sources(server, tmp / "slow.toml", delay=0.12)  # the crawl takes 5-6 s
        clean = tmp / "clean.db"
        run_crawl(config, clean, SETTINGS)
        yield {"config": config, "slow": slow, "tmp": tmp, "clean": {r[0] for r in query(clean,
                                                                                        "SELECT url FROM articles")}}


def test_kill_9_at_ten_points_then_rerun(demo):
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    points = sorted(rng.uniform(0.8, 4.0) for _ in range(KILL_POINTS))  # seconds after the start (Python starts ~1 s)
    cut_short = 0
    for i, after in enumerate(points):
        db = demo["tmp"] / f"killed-{i}.db"
        proc = subprocess.Popen(crawl_command(demo["slow"], db, SETTINGS), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(after)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            cut_short += 1
        proc.wait(timeout=30)
        before = {}
        if db.exists() and query(db, "SELECT count(*) FROM sqlite_master WHERE name = 'articles'")[0][0]:
            before = dict(query(db, "SELECT url, id FROM articles"))
        where = f"kill point {after:.2f} s (seed {seed})"
        rerun = run_crawl(demo["config"], db, SETTINGS, check=False)
        assert rerun.returncode == 0, f"{where}: {rerun.stderr[-2000:]}"
        after_rows = dict(query(db, "SELECT url, id FROM articles"))
        assert all(after_rows.get(url) == article_id for url, article_id in before.items()), where  # none lost
        assert len(after_rows) == len(set(after_rows.values())), where
        assert query(db, "SELECT count(*) FROM (SELECT url_key FROM articles GROUP BY url_key HAVING count(*) > 1)"
                     ) == [(0,)], where
        assert query(db, "PRAGMA integrity_check") == [("ok",)], where
        assert set(after_rows) == demo["clean"], f"{where}: missing {sorted(demo['clean'] - set(after_rows))[:5]}"
        assert "running" not in {r[0] for r in query(db, "SELECT status FROM crawl_runs")}, where
    assert cut_short >= KILL_POINTS // 2, f"most crawls finished before their kill point (seed {seed})"
