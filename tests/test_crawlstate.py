"""The crawl-state seam (newscrawler.crawlstate): the SQLite implementation in real crawls, the frontier marks, and
a class named in NEWSCRAWLER_CRAWL_STATE_CLASS used by both the spider and the conditional-GET middleware."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from newscrawler.crawlstate import CrawlState, PageValidators
from newscrawler.demo import DemoServer
from newscrawler.store import Store
from newscrawler.store.crawlstate import SqliteCrawlState
from tests.crawl_runs import query, run_crawl, write_sources

SETTINGS = ["DOWNLOAD_DELAY=0", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS=0",
            "NEWSCRAWLER_PROGRESS_INTERVAL=0", "LOG_LEVEL=WARNING"]


def crawl(config: Path, db: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_crawl(config, db, [*SETTINGS, *extra])


def outcomes(db: Path) -> set[str]:
    """URLs that ended as a stored article (as fetched) or a reject."""
    return {r[0] for r in query(db, "SELECT fetched_url FROM articles UNION SELECT url FROM rejects")}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crawlstate")
    with DemoServer(articles_per_site=8, seed=11) as server:
        config = write_sources(server, tmp / "sources.toml")
        yield {"server": server, "config": config, "tmp": tmp}


def test_every_scheduled_article_url_ends_done_in_the_frontier(demo):
    db = demo["tmp"] / "full.db"
    crawl(demo["config"], db)
    [(run_id,)] = query(db, "SELECT id FROM crawl_runs")
    frontier = dict((url, (state, run)) for url, state, run in query(db, "SELECT url, state, run_id FROM frontier"))
    assert frontier and set(frontier.values()) == {("done", run_id)}
    stored = {r[0] for r in query(db, "SELECT fetched_url FROM articles")}
    assert stored <= set(frontier)  # every article came from a scheduled request ...
    assert set(frontier) <= outcomes(db)  # ... and every scheduled request ended as an article or a reject
    # the article requests the site served are exactly the frontier's (robots-disallowed ones never reach it)
    served = {demo["server"].url(site, r.path) for site in demo["server"].manifest()["sites"]
              for r in demo["server"].requests_for(site)}
    robots = {r[0] for r in query(db, "SELECT url FROM rejects WHERE reason = 'robots'")}
    assert set(frontier) - robots <= served


def test_an_interrupted_run_leaves_exactly_the_unfinished_urls_pending(demo):
    db = demo["tmp"] / "cut.db"
    crawl(demo["config"], db, "CLOSESPIDER_ITEMCOUNT=12", "CONCURRENT_REQUESTS=2")
    [(status,)] = query(db, "SELECT status FROM crawl_runs")
    assert status == "closespider_itemcount"
    rows = query(db, "SELECT url, state FROM frontier")
    pending = {url for url, state in rows if state == "pending"}
    done = {url for url, state in rows if state == "done"}
    assert pending, "the run was cut before its article requests finished"
    ended = outcomes(db)
    assert not pending & ended  # nothing pending was stored ...
    assert done <= ended  # ... and everything done was


def test_frontier_marks_keep_done_within_a_run(tmp_path):
    with Store(tmp_path / "news.db") as store:
        run1 = store.start_run(sources=["pub"])
        state = SqliteCrawlState(tmp_path / "news.db")
        state.mark_pending("https://pub.ma/0", "pub")  # no writer attached yet: nowhere to keep it
        state.attach_writer(store, run1)
        state.mark_pending("https://pub.ma/1", "pub")
        state.mark_done("https://pub.ma/1", "pub")
        state.mark_pending("https://pub.ma/1", "pub")  # listed again later in the same run: the scheduler drops it
        state.mark_pending("https://pub.ma/2", "pub")
        rows = dict(store.db.execute("SELECT url, state FROM frontier").fetchall())
        assert rows == {"https://pub.ma/1": "done", "https://pub.ma/2": "pending"}
        run2 = store.start_run(sources=["pub"])
        state.attach_writer(store, run2)
        state.mark_pending("https://pub.ma/1", "pub")  # a new run may schedule it again
        assert store.db.execute("SELECT state, run_id FROM frontier WHERE url = 'https://pub.ma/1'").fetchone() == (
            "pending", run2)
        state.close()
        with pytest.raises(ValueError):
            store.mark_frontier("https://pub.ma/3", "pub", "lost", run_id=run2)


def test_the_sqlite_state_answers_from_committed_rows(tmp_path):
    db = tmp_path / "news.db"
    state = SqliteCrawlState(db)
    assert isinstance(state, CrawlState)
    assert not state.article_known("pub.ma/1") and state.page_validators("https://pub.ma/rss") is None  # no file yet
    with Store(db) as store:
        run = store.start_run(sources=["pub"])
        store.save_article({"url": "https://pub.ma/1", "fetched_url_key": "pub.ma/print/1", "source_id": "pub",
                            "title": "t", "title_key": "t", "body": "b", "body_key": "b"}, run_id=run)
        store.save_page({"url": "https://pub.ma/rss", "source_id": "pub", "kind": "feed", "http_status": 200,
                         "etag": '"v1"', "last_modified": "Wed, 08 Oct 2025 10:00:00 GMT"}, run_id=run)
        assert not state.article_known("pub.ma/1")  # not committed yet
    assert state.article_known("pub.ma/1") and state.article_known("pub.ma/print/1")
    assert state.page_validators("https://pub.ma/rss") == PageValidators(200, '"v1"', "Wed, 08 Oct 2025 10:00:00 GMT")
    state.close()


class RecordingState:
    """A crawl state that knows every article and no page, and writes each question to a JSON Lines file."""

    def __init__(self, log: str) -> None:
        self.log = open(log, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()

    @classmethod
    def from_crawler(cls, crawler) -> RecordingState:
        return cls(crawler.settings.get("RECORDING_STATE_LOG"))

    def _record(self, *call: str) -> None:
        self.log.write(json.dumps(call) + "\n")

    def article_known(self, url_key: str) -> bool:
        self._record("article_known", url_key)
        return True

    def page_validators(self, url: str) -> PageValidators | None:
        self._record("page_validators", url)
        return None

    def mark_pending(self, url: str, source_id: str) -> None:
        self._record("mark_pending", url)

    def mark_done(self, url: str, source_id: str, reason: str | None = None) -> None:
        self._record("mark_done", url)

    def rejected_reason(self, url: str) -> str | None:
        return None

    def pending(self, source_id: str, limit: int | None = None) -> list[str]:
        self._record("pending", source_id)
        return []

    def poll_state(self, url: str):
        self._record("poll_state", url)
        return None

    def expire(self, older_than, reason: str = "max_age") -> int:
        self._record("expire", reason)
        return 0

    def close(self) -> None:
        self._record("close")
        self.log.close()


def test_a_class_named_in_the_setting_is_the_crawl_state(demo):
    db, log = demo["tmp"] / "custom.db", demo["tmp"] / "calls.jsonl"
    crawl(demo["config"], db)  # the default state: articles stored, page validators kept
    articles = query(db, "SELECT count(*) FROM articles")
    served_before = len(demo["server"].requests)
    crawl(demo["config"], db, f"NEWSCRAWLER_CRAWL_STATE_CLASS={__name__}.{RecordingState.__name__}",
          f"RECORDING_STATE_LOG={log}")
    calls = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    names = [c[0] for c in calls]
    assert names.count("article_known") > 0 and names.count("page_validators") > 0  # spider and middleware
    assert "mark_pending" not in names and "mark_done" not in names  # every article was "known": none scheduled
    assert names[-1] == "close" and names.count("close") == 1  # one instance, shared, closed once
    assert query(db, "SELECT count(*) FROM articles") == articles
    [(run_stats,)] = query(db, "SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1")
    assert json.loads(run_stats)["articles_known_skipped"] == names.count("article_known")
    # the middleware asked the recording state, which has no validators: the SQLite ones would have drawn 304s
    assert 304 not in [r.status for r in demo["server"].requests[served_before:]]


def test_a_known_article_listed_again_is_touched_by_the_writer(demo):
    """Defect 4: the second crawl re-reads the listings (conditional GET off, as for a site that sends no
    validators), finds every article known and fetches none; the store moves their last_seen_at/last_run_id and
    counts each once as articles_touched."""
    db = demo["tmp"] / "touch.db"
    crawl(demo["config"], db)
    no_conditional_get = 'DOWNLOADER_MIDDLEWARES={"newscrawler.middlewares.ConditionalGetMiddleware": null}'
    crawl(demo["config"], db, no_conditional_get)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    first, second = [dict(r) for r in conn.execute("SELECT * FROM crawl_runs ORDER BY id")]
    assert first["articles_touched"] == 0  # a first crawl fetches what it lists: nothing is merely touched
    assert (second["articles_new"], second["articles_seen"], second["duplicates"]) == (0, 0, 0)
    touched = conn.execute("SELECT id, source_id, last_seen_at FROM articles WHERE last_run_id = ?",
                           [second["id"]]).fetchall()
    assert touched and second["articles_touched"] == len(touched)
    assert all(r["last_seen_at"] >= second["started_at"] for r in touched)
    # every stored article that a run-2 listing showed again is one of them
    relisted = {r[0] for r in conn.execute(
        "SELECT a.id FROM headlines h JOIN articles a ON a.id = h.article_id WHERE h.last_run_id = ?", [second["id"]])}
    assert relisted and relisted <= {r["id"] for r in touched}
    by_source = json.loads(second["by_source"])
    assert sum(s.get("articles_touched", 0) for s in by_source.values()) == len(touched)
    for source_id in {r["source_id"] for r in touched}:
        assert by_source[source_id]["articles_touched"] == sum(r["source_id"] == source_id for r in touched)
    assert second["unaccounted"] == 0  # touches are not pages: the accounting still adds up
    assert json.loads(second["stats"])["articles_known_skipped"] >= len(touched)
    conn.close()
