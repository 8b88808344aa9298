"""Writes every item to SQLite through `newscrawler.store.Store` and keeps the run's record."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from scrapy import signals

from newscrawler import runlock
from newscrawler.crawlstate import CrawlState, crawl_state
from newscrawler.store import Store
from newscrawler.store.item_writer import ItemWriter

logger = logging.getLogger(__name__)

# Scrapy stats copied into the crawl_runs row at the end of a run.
RUN_STATS = {
    "pages_fetched": "newscrawler/pages_fetched",
    "requests": "downloader/request_count",
    "responses": "downloader/response_count",
    "bytes": "downloader/response_bytes",
    "errors": "log_count/ERROR",
    "items_dropped": "item_dropped_count",
    "articles_known_skipped": "newscrawler/articles_known_skipped",
    "pages_capped": "newscrawler/pages_capped",
    "listing_pages_followed": "newscrawler/listing_pages_followed",
    "listing_walks_reached_since": "newscrawler/listing_walks_reached_since",
    "frontier_resumed": "newscrawler/frontier_resumed",
    "frontier_expired": "newscrawler/frontier_expired",
    "write_errors": "newscrawler/write_errors",
    "rejected_skipped": "newscrawler/rejected_skipped",
}


class StorePipeline:
    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.db_path = settings.get("NEWSCRAWLER_DB")
        self.batch_size = settings.getint("NEWSCRAWLER_BATCH_SIZE")
        self.store: Store | None = None
        self.state: CrawlState | None = None
        self.writer: ItemWriter | None = None  # the per-item storing, shared with the distributed ingest
        self.run_id = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        pipeline = cls(crawler)
        # The run's status is the spider's close reason, known only at spider_closed (after close_spider).
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self, spider: Any = None) -> None:
        spider = spider or self.crawler.spider
        settings = self.crawler.settings
        self.store = Store(
            self.db_path, batch_size=self.batch_size,
            near_duplicates=settings.getbool("NEWSCRAWLER_NEAR_DUPLICATES"),
            near_dup_window_days=settings.getfloat("NEWSCRAWLER_NEAR_DUP_WINDOW_DAYS"),
        )
        sources = getattr(spider, "sources", {})
        self.store.upsert_sources(source.as_row() for source in sources.values())
        if runlock.holds(self.db_path):
            # this process holds the run lock, so no other crawl of this database is alive: a run still
            # `running` died (kill -9, power loss, a second Ctrl-C) and is marked so, never left running
            aborted = self.store.abort_stale_runs()
            if aborted:
                logger.warning("runs %s never finished; marked aborted", ", ".join(map(str, aborted)))
                self.stats.set_value("newscrawler/runs_aborted", aborted)
        self.run_id = self.store.start_run(sources=sorted(sources), spider=spider.name)
        self.store.commit()  # the spider reads the database (incremental runs) from another connection
        self.stats.set_value("newscrawler/run_id", self.run_id)
        self.state = crawl_state(self.crawler)
        attach = getattr(self.state, "attach_writer", None)
        if attach is not None:  # a state kept in this database writes its marks through this one writer
            attach(self.store, self.run_id)
        self.writer = ItemWriter(self.store, self.run_id, self.stats, frontier=self.state)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        writer = self.writer
        assert writer is not None, "open_spider was not called"
        failed_before = writer.write_error is not None
        writer.write(item)
        if writer.write_error is not None and not failed_before:
            self._stop_crawl()
        return item

    def _stop_crawl(self) -> None:
        """The first failed write stops the run with status `store_error` (the writer said why, once)."""
        engine = self.crawler.engine
        if hasattr(engine, "close_spider_async"):  # Scrapy 2.14+
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(engine.close_spider_async(reason="store_error"))
        else:  # pragma: no cover - the floor version
            engine.close_spider(self.crawler.spider, "store_error")

    def close_spider(self, spider: Any = None) -> None:
        if self.writer is not None and self.writer.write_error is None and not self.writer.commit():
            self._stop_crawl()

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.store is None:
            return
        run_stats = {name: self.stats.get_value(key, 0) for name, key in RUN_STATS.items()}
        run_stats["pages_capped_by_source"] = self.stats.get_value("newscrawler/pages_capped_by_source", {})
        run_stats["runs_aborted"] = self.stats.get_value("newscrawler/runs_aborted", [])
        status = "store_error" if self.writer is not None and self.writer.write_error else reason or "finished"
        try:
            row = self.store.finish_run(self.run_id, status=status, stats=run_stats)
            self.stats.set_value("newscrawler/run", row)
            self.store.close()
        except (sqlite3.Error, OSError) as exc:
            # Not even the run record could be written (the disk is still full): the run row keeps the counts of
            # its last commit, which match the committed rows.
            logger.error("newscrawler: the run record of %s could not be closed: %s", self.db_path, exc)
            self.stats.set_value("newscrawler/run", {"id": self.run_id, "status": status})
            try:
                self.store.db.close()
            except sqlite3.Error:
                pass
        self.store = None
