"""The news spider of a distributed worker (here, not in spiders/: Scrapy's spider loader imports every module
there, and a crawl without the [redis] extra must not need scrapy-redis): NewsSpider fed from Redis (scrapy-redis's RedisMixin).

`newscrawler seed` pushes one JSON entry per feed, sitemap, listing (and robots.txt) to ``keys.start_urls``:
``{"url": ..., "source_id": ..., "kind": "feed" | "sitemap" | "listing" | "robots"}``. A worker turns each into
the request NewsSpider would have made at its start (``_discovery``), so both crawl modes share one code path; the
articles they list go to the shared queue through scrapy-redis's scheduler. At its start the worker also resumes
the sources' pending frontier, as NewsSpider does (the shared duplicate filter keeps two workers starting
together from requesting one URL twice).

A worker runs until stopped (or NEWSCRAWLER_IDLE_EXIT seconds with nothing to do anywhere in the crawl), so the
per-run bounds of a single crawl are off by default (newscrawler.distributed.worker).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.spiders import RedisMixin

from newscrawler.distributed.lease_keeper import lease_outputs
from newscrawler.distributed.redis_url import RedisKeys
from newscrawler.items import PollSchedule, Reject
from newscrawler.spiders.news import NewsSpider
from newscrawler.urls import url_key

START_KINDS = ("feed", "sitemap", "listing", "robots")
# How often a worker moves start entries from keys.start_urls into the shared request queue (seconds).
START_FEED_INTERVAL = 1.0
# A worker runs for weeks: NewsSpider's per-run memory of the article keys it handled is forgotten past this size
# (the shared seen-set still drops a repeated request; a known article listed again is merely touched again).
HANDLED_KEYS_MAX = 200_000


def start_entry(url: str, source_id: str, kind: str) -> str:
    """The JSON a seeder pushes to keys.start_urls (the worker reads it with make_request_from_data)."""
    return json.dumps({"url": url, "source_id": source_id, "kind": kind}, ensure_ascii=False)


class NewsRedisSpider(RedisMixin, NewsSpider):
    name = "news_redis"
    idle_since: float | None = None  # monotonic time since which the whole crawl has had nothing to do
    idle_exit = 0.0

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsRedisSpider:
        spider: NewsRedisSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.keys = RedisKeys(crawler.settings.get("NEWSCRAWLER_REDIS_PREFIX"))
        spider.redis_key = spider.keys.start_urls
        spider.setup_redis(crawler)
        spider.idle_exit = crawler.settings.getfloat("NEWSCRAWLER_IDLE_EXIT")
        crawler.signals.connect(spider._busy, signal=signals.response_received)
        crawler.signals.connect(spider._feed_start_entries, signal=signals.spider_opened)
        crawler.signals.connect(spider._stop_feeding, signal=signals.spider_closed)
        return spider

    # -- start entries: into the shared queue as soon as they are seeded

    def _feed_start_entries(self, *args: Any, **kwargs: Any) -> None:
        """Move every start entry into the shared queue at once, and keep doing so while the worker runs.

        scrapy-redis's RedisMixin reads its start list only when the spider is idle, and a worker is idle only
        when the shared queue is empty: the feeds and listings of a few hosts came in, their articles filled the
        queue, and the other hosts waited for the queue to drain. On a politeness-bound crawl the workers then
        shared two or three hosts among them (bench/distributed.py: 2.1x with 4 workers). In the shared queue the
        feeds and listings outrank articles, so the work spreads over every seeded host at once."""
        from twisted.internet import task

        self._feeder = task.LoopingCall(self._pull_start_entries)
        self._feeder.start(START_FEED_INTERVAL, now=False)

    def _pull_start_entries(self) -> None:
        server = self.server
        try:
            while server is not None and server.llen(self.keys.start_urls):
                self.schedule_next_requests()
            if server is not None and server.zcard(self.keys.requests):
                self._wake_engine()
        except Exception:  # noqa: BLE001 - a Redis hiccup: the next tick, or the idle signal, tries again
            self.logger.warning("could not read the start list; trying again", exc_info=True)

    def _wake_engine(self) -> None:
        """Ask the engine for the next request now. An idle engine looks at its scheduler only every 5 s (Scrapy's
        slot heartbeat), and another worker's requests do not wake it: without this, a worker that found the
        shared queue empty left the next 5 s of work to the others. (Scrapy has no public call for it.)"""
        nextcall = getattr(getattr(self.crawler.engine, "_slot", None), "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def _stop_feeding(self, *args: Any, **kwargs: Any) -> None:
        feeder = getattr(self, "_feeder", None)
        if feeder is not None and feeder.running:
            feeder.stop()

    async def start(self) -> Any:
        self._open_state()
        for source in self.sources.values():
            for request in self._pending_requests(source):
                yield request
        for out in self.next_requests():
            yield out

    def next_requests(self) -> Iterator[Any]:
        """scrapy-redis's, without its INFO line for every start entry (a seed of a few thousand feeds and
        listings filled the worker's log with them): one DEBUG line per batch."""
        found = 0
        for data in self.fetch_data(self.redis_key, self.redis_batch_size):
            for request in self.make_request_from_data(data):
                found += 1
                yield request
        if found:
            self.logger.debug("took %d start entries from %s", found, self.redis_key)

    def make_request_from_data(self, data: bytes) -> list[Any]:
        try:
            entry = json.loads(data)
            url, source_id, kind = str(entry["url"]), str(entry["source_id"]), str(entry["kind"])
        except (ValueError, KeyError, TypeError):
            self.logger.warning("start entry is not {url, source_id, kind} JSON: %r", data[:200])
            return []
        source = self.sources.get(source_id)
        if source is None or kind not in START_KINDS:
            self.logger.warning("start entry for an unknown source or kind: %s %s %s", source_id, kind, url)
            return []
        # Seeded again when due: a new poll of the document, not a discovery cycle within one walk.
        self.discovery_seen.discard(url_key(url))
        if len(self.handled_keys) > HANDLED_KEYS_MAX:
            self.handled_keys.clear()
            self.known_keys.clear()
        return list(self._discovery(source, url, kind, None))

    def on_error(self, failure: Any) -> Iterator[Reject | PollSchedule | scrapy.Request]:
        # Errbacks do not pass the spider middlewares: the errback's output is followed here, and the lease ends
        # once all of it is through.
        yield from lease_outputs(self.crawler).follow(super().on_error(failure), failure.request)

    # -- when is a worker done -----------------------------------------------------------------

    def _busy(self, *args: Any, **kwargs: Any) -> None:
        self.idle_since = None

    def crawl_busy(self) -> bool:
        """Anything left anywhere in the crawl: start entries, queued requests, or requests some worker holds
        (whose callbacks may still list new articles)."""
        server = self.server
        if server is None:
            return False
        if server.llen(self.keys.start_urls) or server.zcard(self.keys.requests):
            return True
        return any(server.hlen(self.keys.inflight(w.decode() if isinstance(w, bytes) else w))
                   for w in server.hkeys(self.keys.workers))

    def spider_idle(self) -> None:
        """Called by Scrapy when this worker has nothing in hand: take start entries; with NEWSCRAWLER_IDLE_EXIT,
        close once the whole crawl has had nothing to do for that long, else wait for work for ever."""
        self.schedule_next_requests()
        if self.crawl_busy():
            self.idle_since = None
            raise DontCloseSpider
        if self.idle_since is None:
            self.idle_since = time.monotonic()
        if not self.idle_exit or time.monotonic() - self.idle_since < self.idle_exit:
            raise DontCloseSpider
        self.logger.info("nothing to do for %.0f s: the worker stops", self.idle_exit)
