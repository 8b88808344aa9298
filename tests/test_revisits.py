"""Revisits and revisions (issue 18): young articles are fetched again on a schedule, and an edited title or body is
stored as a revision row while the article keeps its id."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newscrawler.demo import DemoServer
from newscrawler.revisits import RevisitPlan, parse_hours
from tests.crawl_runs import run_crawl, write_sources

# The demo's articles are dated 2025: a window of 100,000 hours keeps them "young" for the test. The first revisit
# falls due about a second after the first sighting, the second an hour later.
SETTINGS = ["DOWNLOAD_DELAY=0", "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS=0", "NEWSCRAWLER_PROGRESS_INTERVAL=0",
            "LOG_LEVEL=WARNING", "NEWSCRAWLER_EXTRACT_WORKERS=0", "AUTOTHROTTLE_ENABLED=0",
            "NEWSCRAWLER_REVISIT_HOURS=0.0003,1", "NEWSCRAWLER_REVISIT_WINDOW_HOURS=100000"]
NEW_TITLE = "عنوان مصحح بعد النشر"
NEW_PARAGRAPH = "وأضافت الوزارة في بيان لاحق أن الأشغال ستنتهي قبل نهاية السنة."


def crawl(config: Path, db: Path, *args: str) -> subprocess.CompletedProcess:
    return run_crawl(config, db, SETTINGS, ["--sources", "akhbar-demo", *args])


@pytest.fixture()
def demo(tmp_path):
    with DemoServer(articles_per_site=5, seed=4) as server:
        config = write_sources(server, tmp_path / "sources.toml")
        yield server, config, tmp_path


def _edit(server: DemoServer, path: str) -> tuple[str, str]:
    """Give the article at ``path`` a new title and one more paragraph; returns its old title and first paragraph."""
    site = server.world.sites["akhbar-demo"]
    truth = server.manifest()["sites"]["akhbar-demo"]["articles"][path]
    page = site.pages[path]
    html = page.body.decode("utf-8")
    first = truth["body"].split("\n\n")[0]
    assert truth["title"] in html and first in html
    html = html.replace(truth["title"], NEW_TITLE).replace(first, first + "</p>\n<p>" + NEW_PARAGRAPH)
    site.pages[path] = replace(page, body=html.encode("utf-8"))
    return truth["title"], first


def test_an_edited_article_is_revisited_and_its_revision_stored(demo):
    server, config, tmp = demo
    db = tmp / "news.db"
    crawl(config, db)
    conn = sqlite3.connect(db)
    articles = {url: (i, first_seen, due, revisits) for i, url, first_seen, due, revisits in conn.execute(
        "SELECT id, fetched_url, first_seen_at, next_revisit_at, revisits FROM articles WHERE duplicate_of IS NULL")}
    conn.close()
    assert articles and all(due is not None and revisits == 0 for _, _, due, revisits in articles.values())
    path = next(p for p in server.manifest()["sites"]["akhbar-demo"]["articles"]
                if server.url("akhbar-demo", p) in articles)
    url = server.url("akhbar-demo", path)
    old_title, _ = _edit(server, path)
    time.sleep(1.5)  # the first revisit falls due
    before = len(server.requests)
    crawl(config, db, "--due")  # nothing else is due: only the revisits are fetched
    fetched = {r.path for r in server.requests[before:] if r.path != "/robots.txt"}
    assert fetched == {u.removeprefix(server.url("akhbar-demo", "")) for u in articles}
    conn = sqlite3.connect(db)
    revisions = conn.execute("SELECT article_id, fields, old_title, new_title, old_body, new_body, revised_at "
                             "FROM article_revisions").fetchall()
    (article_id, fields, was, now, old_body, new_body, revised_at), = revisions  # only the edited page
    assert article_id == articles[url][0]  # the article keeps its id
    assert json.loads(fields) == ["title", "body"] and (was, now) == (old_title, NEW_TITLE)
    assert NEW_PARAGRAPH not in old_body and NEW_PARAGRAPH in new_body
    assert revised_at > articles[url][1]
    title, body, count = conn.execute("SELECT title, body, (SELECT count(*) FROM articles) FROM articles WHERE id = ?",
                                      [article_id]).fetchone()
    assert title == NEW_TITLE and NEW_PARAGRAPH in body and count == len(articles) + conn.execute(
        "SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL").fetchone()[0]
    # the search index follows the new text
    assert conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?",
                        [f'"{NEW_TITLE.split()[1]}"']).fetchall() == [(article_id,)]
    # one revisit done, the next due an hour after the first sighting
    for i, first_seen, _, _ in articles.values():
        revisits, due = conn.execute("SELECT revisits, next_revisit_at FROM articles WHERE id = ?", [i]).fetchone()
        assert revisits == 1
        assert datetime.fromisoformat(due) == datetime.fromisoformat(first_seen) + timedelta(hours=1)
    stats = json.loads(conn.execute("SELECT stats FROM crawl_runs ORDER BY id DESC").fetchone()[0])
    assert stats["revisits"] == len(articles) and stats["articles_revised"] == 1
    conn.close()
    before = len(server.requests)
    crawl(config, db, "--due")  # the second revisit is an hour away: nothing to fetch
    assert server.requests[before:] == []


def test_the_revisit_plan():
    first = datetime(2026, 1, 1, 12, tzinfo=UTC)
    plan = RevisitPlan((1.0, 6.0, 24.0), 48.0)
    assert plan.due(first, 0, first - timedelta(hours=2)) == first + timedelta(hours=1)
    assert plan.due(first, 2, first - timedelta(hours=2)) == first + timedelta(hours=24)
    assert plan.due(first, 3, first) is None  # all done
    assert plan.due(first, 2, first - timedelta(hours=30)) is None  # past 48 h of publication
    assert plan.due(first, 0, first - timedelta(days=30)) is None  # found old: never revisited
    assert plan.due(first, 2, None) == first + timedelta(hours=24)  # undated: young from its first sighting
    assert parse_hours("24, 1,6") == (1.0, 6.0, 24.0) and parse_hours("") == ()
    with pytest.raises(ValueError):
        parse_hours("1,soon")


def test_a_bad_revisit_setting_is_a_usage_error(tmp_path):
    result = subprocess.run([sys.executable, "-m", "newscrawler.cli", "crawl", "--db", str(tmp_path / "x.db"), "-s",
                             "NEWSCRAWLER_REVISIT_HOURS=1,-6"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "revisit hours" in result.stderr
