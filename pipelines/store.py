"""Writes every item to SQLite through `newscrawler.store.Store` and keeps the run's record."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from scrapy import signals

from newscrawler import runlock
from newscrawler.crawlstate import CrawlState, crawl_state
from newscrawler.items import (
    Article,
    Headline,
    HeadlineBatch,
    KnownArticles,
    PageRecord,
    PollSchedule,
    Reject,
)
from newscrawler.revisits import RevisitPlan, parse_hours
from newscrawler.store import Store

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
    "revisits": "newscrawler/revisits",
    "articles_revised": "newscrawler/articles_revised",
    "retry_after_waits": "newscrawler/retry_after_waits",
    "retry_after_too_long": "newscrawler/retry_after_too_long",
    "retry_after_source_pauses": "newscrawler/retry_after_source_pauses",
    "retry_after_paused_requests": "newscrawler/retry_after_paused_requests",
}


# Rejects that do not finish a URL: the server asked us to come back later (429, 503), so it stays pending in
# the frontier for the next run (until NEWSCRAWLER_PENDING_MAX_AGE_DAYS expires it).
KEEP_PENDING_REASONS = frozenset({"http_429", "http_503"})


def revisit_plan(settings: Any) -> RevisitPlan | None:
    """The revisit schedule of new articles (NEWSCRAWLER_REVISIT_HOURS, _WINDOW_HOURS); None when off."""
    hours = parse_hours(settings.get("NEWSCRAWLER_REVISIT_HOURS"))
    return RevisitPlan(hours, settings.getfloat("NEWSCRAWLER_REVISIT_WINDOW_HOURS")) if hours else None


class StorePipeline:
    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.db_path = settings.get("NEWSCRAWLER_DB")
        self.batch_size = settings.getint("NEWSCRAWLER_BATCH_SIZE")
        self.store: Store | None = None
        self.state: CrawlState | None = None
        self.run_id = 0
        self.write_error: str | None = None  # set by the first failed write (a full disk): the run stops

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
            revisit_plan=revisit_plan(settings),
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

    def process_item(self, item: Any, spider: Any = None) -> Any:
        store = self.store
        assert store is not None, "open_spider was not called"
        if self.write_error is not None:
            self.stats.inc_value("newscrawler/items_not_stored")  # the run is stopping; said once already
            return item
        try:
            return self._store_item(store, item)
        except (sqlite3.OperationalError, sqlite3.DatabaseError, OSError) as exc:
            self._stop_on_write_error(store, exc)
            return item

    def _stop_on_write_error(self, store: Store, exc: BaseException) -> None:
        """A write that fails (disk full, file-size limit, I/O error) fails for every item after it: one error line,
        the uncommitted batch undone (the run's counters are reloaded, so they match what was stored), and the run
        stopped with status `store_error` instead of one traceback per item."""
        self.write_error = f"{type(exc).__name__}: {exc}"
        self.stats.inc_value("newscrawler/items_not_stored")
        self.stats.inc_value("newscrawler/write_errors")  # the crawl exits 1 (newscrawler.exitcodes)
        logger.error("newscrawler: cannot write to %s (%s); the crawl stops. Free disk space (or raise the "
                     "file-size limit) and run it again: what was committed is kept.", self.db_path, exc)
        try:
            store.rollback()
        except sqlite3.Error:
            pass  # the connection may be unusable; the committed rows are safe either way
        engine = self.crawler.engine
        if hasattr(engine, "close_spider_async"):  # Scrapy 2.14+
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(engine.close_spider_async(reason="store_error"))
        else:  # pragma: no cover - the floor version
            engine.close_spider(self.crawler.spider, "store_error")

    def _store_item(self, store: Store, item: Any) -> Any:
        if isinstance(item, Article):
            result = store.save_article(dict(vars(item)), run_id=self.run_id)
            self.stats.inc_value(f"newscrawler/articles_{result.status}")
            if result.revised:
                self.stats.inc_value("newscrawler/articles_revised")
        elif isinstance(item, (HeadlineBatch, Headline)):
            headlines = item.headlines if isinstance(item, HeadlineBatch) else [item]
            self._save_headlines(store, [dict(vars(h)) for h in headlines])
        elif isinstance(item, KnownArticles):
            touched = store.touch_articles(item.url_keys, run_id=self.run_id, at=item.seen_at)
            self.stats.inc_value("newscrawler/articles_touched", touched)
        elif isinstance(item, PageRecord):
            store.save_page(dict(vars(item)), run_id=self.run_id)
            self.stats.inc_value("newscrawler/pages")
        elif isinstance(item, PollSchedule):
            store.save_poll(dict(vars(item)))
        elif isinstance(item, Reject):
            store.save_reject(dict(vars(item)), run_id=self.run_id)
            self.stats.inc_value(f"newscrawler/rejects/{item.reason}")
            self.stats.inc_value("newscrawler/rejects")
        if (isinstance(item, (Article, Reject)) and item.frontier_url and self.state is not None
                and not (isinstance(item, Reject) and item.reason in KEEP_PENDING_REASONS)):
            # after the save: a crash leaves it pending
            self.state.mark_done(item.frontier_url, item.source_id, item.reason if isinstance(item, Reject) else None)

    def _save_headlines(self, store: Store, rows: list[dict]) -> None:
        """One write for a page's headlines. When one of them is refused the call is undone as a whole, so they are
        then saved one by one: a bad entry costs only itself, is logged and counted."""
        try:
            new, stored = store.save_headlines(rows, run_id=self.run_id), len(rows)
        except ValueError:
            new = stored = 0
            for row in rows:
                try:
                    new += store.save_headlines([row], run_id=self.run_id)
                    stored += 1
                except ValueError as exc:
                    logger.warning("headline not stored: %s", exc)
                    self.stats.inc_value("newscrawler/headlines_invalid")
        self.stats.inc_value("newscrawler/headlines_new", new)
        self.stats.inc_value("newscrawler/headlines_seen", stored - new)

    def close_spider(self, spider: Any = None) -> None:
        if self.store is not None and self.write_error is None:
            try:
                self.store.commit()
            except (sqlite3.Error, OSError) as exc:
                self._stop_on_write_error(self.store, exc)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.store is None:
            return
        run_stats = {name: self.stats.get_value(key, 0) for name, key in RUN_STATS.items()}
        run_stats["pages_capped_by_source"] = self.stats.get_value("newscrawler/pages_capped_by_source", {})
        run_stats["runs_aborted"] = self.stats.get_value("newscrawler/runs_aborted", [])
        status = "store_error" if self.write_error is not None else reason or "finished"
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
