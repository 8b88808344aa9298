"""The CrawlState protocol (newscrawler.crawlstate), one set of tests for both implementations: SqliteCrawlState
(the crawl database, written through the run's Store) and RedisCrawlState (a real redis-server, written by the
ingest after its commit). A `Backend` plays the writer's part: what the store pipeline or the ingest records."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from newscrawler.crawlstate import CrawlState, PageValidators, PollState
from newscrawler.distributed.crawlstate import RedisCrawlState
from newscrawler.distributed.redis_url import RedisKeys, redis_client
from newscrawler.store import Store
from newscrawler.store.crawlstate import SqliteCrawlState
from newscrawler.urls import url_key


class SqliteBackend:
    def __init__(self, tmp_path: Any) -> None:
        self.store = Store(tmp_path / "news.db")
        self.run = self.store.start_run(sources=["pub", "other"])
        self.store.commit()
        self.state = SqliteCrawlState(tmp_path / "news.db")
        self.state.attach_writer(self.store, self.run)

    def article(self, url: str, fetched_key: str) -> None:
        self.store.save_article({"url": url, "fetched_url_key": fetched_key, "source_id": "pub", "title": "t",
                                 "title_key": "t", "body": "b", "body_key": "b"}, run_id=self.run)

    def page(self, url: str, status: int, etag: str, last_modified: str) -> None:
        self.store.save_page({"url": url, "source_id": "pub", "kind": "feed", "http_status": status, "etag": etag,
                              "last_modified": last_modified}, run_id=self.run)

    def poll(self, url: str, state: PollState) -> None:
        self.store.save_poll({"url": url, "source_id": "pub", "kind": "feed", "interval_seconds": state.interval_seconds,
                              "next_due_at": state.next_due_at, "failures": state.failures})

    def backdate(self, url: str, source_id: str, days: float) -> None:
        since = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
        self.store.db.execute("UPDATE frontier SET pending_since = ? WHERE url = ?", [since, url])

    def commit(self) -> None:
        self.store.commit()

    def close(self) -> None:
        self.state.close()
        self.store.close()


class RedisBackend:
    def __init__(self, url: str) -> None:
        self.client = redis_client(url)
        self.keys = RedisKeys("proto")
        self.state = RedisCrawlState(redis_client(url), self.keys)

    def article(self, url: str, fetched_key: str) -> None:
        self.client.sadd(self.keys.known_articles, url_key(url), fetched_key)

    def page(self, url: str, status: int, etag: str, last_modified: str) -> None:
        self.client.hset(self.keys.validators, url,
                         json.dumps({"http_status": status, "etag": etag, "last_modified": last_modified}))

    def poll(self, url: str, state: PollState) -> None:
        self.client.hset(self.keys.polls, url, json.dumps({"interval_seconds": state.interval_seconds,
                                                           "next_due_at": state.next_due_at,
                                                           "failures": state.failures}))

    def backdate(self, url: str, source_id: str, days: float) -> None:
        since = (datetime.now(UTC) - timedelta(days=days)).timestamp()
        self.client.zadd(self.keys.frontier_by_source(source_id), {url: since}, xx=True)

    def commit(self) -> None:
        """Redis has no batch: a write is seen at once."""

    def close(self) -> None:
        self.state.close()
        self.client.close()


@pytest.fixture(params=["sqlite", "redis"])
def backend(request, tmp_path):
    if request.param == "sqlite":
        found: Any = SqliteBackend(tmp_path)
    else:
        found = RedisBackend(request.getfixturevalue("redis_server").url)
    yield found
    found.close()


def test_it_is_a_crawl_state(backend):
    assert isinstance(backend.state, CrawlState)


def test_known_articles_validators_and_polls_are_read_after_the_writer_commits(backend):
    state = backend.state
    assert not state.article_known("pub.ma/1") and state.page_validators("https://pub.ma/rss") is None
    assert state.poll_state("https://pub.ma/rss") is None
    poll = PollState(1200.0, "2026-01-01T00:00:00+00:00", 1)
    backend.article("https://pub.ma/1", "pub.ma/print/1")
    backend.page("https://pub.ma/rss", 200, '"v1"', "Wed, 08 Oct 2025 10:00:00 GMT")
    backend.poll("https://pub.ma/rss", poll)
    backend.commit()
    assert state.article_known("pub.ma/1") and state.article_known("pub.ma/print/1")
    assert not state.article_known("pub.ma/2")
    assert state.page_validators("https://pub.ma/rss") == PageValidators(200, '"v1"', "Wed, 08 Oct 2025 10:00:00 GMT")
    assert state.poll_state("https://pub.ma/rss") == poll


def test_pending_oldest_first_within_its_limit(backend):
    state = backend.state
    for n in (1, 2, 3):
        state.mark_pending(f"https://pub.ma/{n}", "pub")
    state.mark_pending("https://other.ma/1", "other")
    backend.commit()
    backend.backdate("https://pub.ma/3", "pub", 2)
    backend.backdate("https://pub.ma/2", "pub", 1)
    backend.commit()
    assert state.pending("pub") == ["https://pub.ma/3", "https://pub.ma/2", "https://pub.ma/1"]
    assert state.pending("pub", 2) == ["https://pub.ma/3", "https://pub.ma/2"]
    assert state.pending("other") == ["https://other.ma/1"] and state.pending("none") == []


def test_a_done_url_listed_again_stays_done_and_keeps_its_reason(backend):
    state = backend.state
    state.mark_pending("https://pub.ma/1", "pub")
    state.mark_pending("https://pub.ma/404", "pub")
    backend.commit()
    backend.article("https://pub.ma/1", "pub.ma/1")
    state.mark_done("https://pub.ma/1", "pub")
    state.mark_done("https://pub.ma/404", "pub", reason="http_404")
    state.mark_pending("https://pub.ma/1", "pub")  # the scheduler's duplicate filter drops the repeat
    state.mark_pending("https://pub.ma/404", "pub")
    backend.commit()
    assert state.pending("pub") == []
    assert state.rejected_reason("https://pub.ma/404") == "http_404"
    assert state.rejected_reason("https://pub.ma/1") is None


def test_expire_ends_only_what_waited_too_long(backend):
    state = backend.state
    for url, source in (("https://pub.ma/old", "pub"), ("https://other.ma/old", "other"), ("https://pub.ma/new", "pub")):
        state.mark_pending(url, source)
    backend.commit()
    backend.backdate("https://pub.ma/old", "pub", 8)
    backend.backdate("https://other.ma/old", "other", 8)
    backend.commit()
    assert state.expire(datetime.now(UTC) - timedelta(days=7)) == 2
    assert state.pending("pub") == ["https://pub.ma/new"] and state.pending("other") == []
