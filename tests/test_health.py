"""`newscrawler health` on real crawled databases (issue 18): a healthy crawl raises no flag; a source turned into
challenge pages raises `blocked`; a source whose dates disappear raises `layout_changed`; a source that stops
answering is `down`; the Prometheus textfile carries the same figures."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

from newscrawler.demo import DemoServer
from newscrawler.demo.sitegen import DemoPage
from tests.crawl_runs import newscrawler, run_crawl, write_sources

SETTINGS = ["DOWNLOAD_DELAY=0", "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS=0", "NEWSCRAWLER_PROGRESS_INTERVAL=0",
            "LOG_LEVEL=WARNING", "NEWSCRAWLER_MAX_PAGES_PER_SOURCE=0", "NEWSCRAWLER_EXTRACT_WORKERS=0",
            "RETRY_TIMES=0"]

CHALLENGE = (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
             b"<div id='challenge-form'><h1>Checking your browser before accessing the site.</h1>"
             b"<p>Please enable JavaScript and cookies to continue.</p></div></body></html>")


def crawl(config: Path, db: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_crawl(config, db, [*SETTINGS, *extra], check=False)


def health(db: Path, *extra: str) -> tuple[int, dict[str, dict]]:
    result = newscrawler("health", "--db", str(db), "--json", *extra)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, {h["source_id"]: h for h in json.loads(result.stdout)}


@pytest.fixture()
def demo(tmp_path):
    with DemoServer(articles_per_site=24, seed=9) as server:
        config = write_sources(server, tmp_path / "sources.toml")
        yield server, config, tmp_path


def test_a_healthy_crawl_raises_no_flag_and_writes_a_textfile(demo):
    server, config, tmp = demo
    db = tmp / "news.db"
    assert crawl(config, db).returncode == 0
    metrics = tmp / "newscrawler.prom"
    code, report = health(db, "--prometheus", str(metrics))
    assert code == 0 and set(report) == set(server.base_urls)
    for h in report.values():
        assert h["flags"] == [] and h["consecutive_failures"] == 0 and h["last_success"]
        assert sum(h["new_per_day"]) > 0 and h["new_per_day"][-1] == sum(h["new_per_day"])  # all stored today
        assert h["completeness"]["body"] == 1.0
    text = metrics.read_text(encoding="utf-8")
    assert re.search(r'^newscrawler_source_flag\{source="akhbar-demo",flag="blocked"\} 0$', text, re.M)
    stored = sqlite3.connect(db).execute("SELECT count(*) FROM articles WHERE source_id = 'akhbar-demo'").fetchone()
    assert f'newscrawler_source_articles_new_7d{{source="akhbar-demo"}} {stored[0]}' in text


def test_a_source_turned_into_a_challenge_page_is_blocked(demo):
    server, config, tmp = demo
    db = tmp / "news.db"
    assert crawl(config, db).returncode == 0
    pages = server.world.sites["wadi-demo"].pages
    for path in list(pages):
        pages[path] = DemoPage(403, CHALLENGE, {"Content-Type": "text/html; charset=utf-8"})
    crawl(config, db)
    code, report = health(db)
    assert code == 1
    assert report["wadi-demo"]["flags"] == ["blocked"]
    assert report["wadi-demo"]["consecutive_failures"] == 1
    assert all(h["flags"] == [] for sid, h in report.items() if sid != "wadi-demo")
    table = newscrawler("health", "--db", str(db))
    assert table.returncode == 1 and "wadi-demo blocked:" in table.stdout


def test_a_source_whose_dates_disappear_has_its_layout_changed(demo):
    server, config, tmp = demo
    db = tmp / "news.db"
    # a first run takes some articles of each source (dated); the rest stay pending for the next run
    assert crawl(config, db, "NEWSCRAWLER_MAX_ARTICLES_PER_SOURCE=8").returncode == 0
    pages = server.world.sites["sahafa-demo"].pages
    undated = 0
    for path, page in list(pages.items()):
        html = page.body.decode("utf-8", "replace")
        if page.status != 200 or "article:published_time" not in html:
            continue
        html = re.sub(r'<meta property="article:(published|modified)_time"[^>]*>', "", html)
        html = re.sub(r'"date(Published|Modified)"\s*:\s*"[^"]*",?', "", html)
        html = re.sub(r"<time[^>]*>.*?</time>", "", html, flags=re.S)
        html = re.sub(r'<(span|div|p) class="[^"]*(date|time|meta)[^"]*">.*?</\1>', "", html, flags=re.S)
        pages[path] = DemoPage(page.status, html.encode("utf-8"),
                               {k: v for k, v in page.headers.items() if k != "Last-Modified"})
        undated += 1
    assert undated
    assert crawl(config, db).returncode == 0
    code, report = health(db)
    conn = sqlite3.connect(db)
    last = conn.execute("SELECT max(id) FROM crawl_runs").fetchone()[0]
    new_dated = conn.execute("SELECT count(*), count(published_at) FROM articles WHERE source_id = 'sahafa-demo' "
                             "AND first_run_id = ?", [last]).fetchone()
    conn.close()
    assert new_dated[0] >= 3 and new_dated[1] == 0, new_dated
    assert code == 1 and report["sahafa-demo"]["flags"] == ["layout_changed"]
    assert all(h["flags"] == [] for sid, h in report.items() if sid != "sahafa-demo")


def test_a_source_that_stops_answering_is_down(demo, tmp_path):
    server, config, tmp = demo
    db = tmp / "news.db"
    assert crawl(config, db).returncode == 0
    dead = tmp / "dead.toml"
    # the same sources file, with one site moved to a port where nothing listens
    host = server.base_urls["multaqa-demo"].removeprefix("http://")
    dead.write_text(config.read_text(encoding="utf-8").replace(host, "127.0.0.1:9"), encoding="utf-8")
    for _ in range(2):
        assert crawl(dead, db).returncode == 0  # the other sources answered
    code, report = health(db, "--down-after", "2")
    assert code == 1 and report["multaqa-demo"]["flags"] == ["down"]
    assert report["multaqa-demo"]["consecutive_failures"] == 2
    assert health(db)[1]["multaqa-demo"]["flags"] == []  # the default: 3 runs in a row


def test_health_usage_errors_exit_2(tmp_path):
    missing = newscrawler("health", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
    assert newscrawler("health", "--down-after", "0").returncode == 2


def test_due_runs_that_request_nothing_of_a_source_are_no_failures(demo):
    """Scheduled `crawl --due` runs every few minutes mostly find nothing due for a source: they did not ask it
    anything, so they neither fail nor succeed for it (else every quiet source would be `down` within 15 minutes)."""
    server, config, tmp = demo
    db = tmp / "news.db"
    assert crawl(config, db).returncode == 0
    before = len(server.requests)
    for _ in range(3):
        assert crawl(config, db, "NEWSCRAWLER_DUE_ONLY=1").returncode == 0
    assert server.requests[before:] == []  # nothing was due
    code, report = health(db)
    assert code == 0, {s: (h["flags"], h["why"], h["consecutive_failures"]) for s, h in report.items()}
    assert all(h["flags"] == [] and h["consecutive_failures"] == 0 for h in report.values())
