"""One item -> its rows: what the crawl's store pipeline and the distributed ingest both do with every item.

``ItemWriter.write(item)`` saves an Article, HeadlineBatch/Headline, KnownArticles, PageRecord, PollSchedule or
Reject through the ``Store``, counts it in a Scrapy-style stats collector, and marks its frontier URL done after
the save. A write that fails (disk full, file-size limit, I/O error) fails for every item after it: the writer
logs one error line, undoes the uncommitted batch and keeps ``write_error``; the caller stops (the crawl closes
its spider, the ingest stops without acknowledging what was not committed). Validation and normalisation happen
before (pipelines/validate.py, pipelines/normalise.py), for the crawl and the ingest alike.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any, Protocol

from newscrawler.items import (
    Article,
    Headline,
    HeadlineBatch,
    KnownArticles,
    PageRecord,
    PollSchedule,
    Reject,
)
from newscrawler.store.dedup_sql import SaveResult
from newscrawler.store.writer import Store

logger = logging.getLogger(__name__)

# Rejects that do not finish a URL: the server asked us to come back later (429, 503), so it stays pending in
# the frontier for the next run (until NEWSCRAWLER_PENDING_MAX_AGE_DAYS expires it).
KEEP_PENDING_REASONS = frozenset({"http_429", "http_503"})

# what a failed write raises (sqlite3.OperationalError is a DatabaseError)
WRITE_ERRORS = (sqlite3.DatabaseError, OSError)


class Stats(Protocol):
    """The part of Scrapy's stats collector the writer uses (the ingest passes a ``CountStats``)."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None: ...


class DoneMarker(Protocol):
    """The part of a crawl state (newscrawler.crawlstate.CrawlState) the writer uses."""

    def mark_done(self, url: str, source_id: str, reason: str | None = None) -> None: ...


class CountStats:
    """A stats collector without Scrapy: ``inc_value`` / ``set_value`` / ``get_value`` / ``get_stats``."""

    def __init__(self) -> None:
        self._stats: dict[str, Any] = {}

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self._stats[key] = self._stats.get(key, start) + count

    def set_value(self, key: str, value: Any) -> None:
        self._stats[key] = value

    def get_value(self, key: str, default: Any = None) -> Any:
        return self._stats.get(key, default)

    def get_stats(self) -> dict[str, Any]:
        return dict(self._stats)


def finishes_frontier_url(item: Any) -> bool:
    """True when the item ends its frontier URL: a stored article or a reject, except one that asks to come back."""
    return (isinstance(item, (Article, Reject)) and bool(item.frontier_url)
            and not (isinstance(item, Reject) and item.reason in KEEP_PENDING_REASONS))


class ItemWriter:
    """Writes the items of one run (``run_id``) through ``store``; ``role`` names the process in the error line."""

    def __init__(self, store: Store, run_id: int, stats: Stats, *, frontier: DoneMarker | None = None,
                 role: str = "crawl") -> None:
        self.store = store
        self.run_id = run_id
        self.stats = stats
        self.frontier = frontier
        self.role = role
        self.write_error: str | None = None  # set by the first failed write: the caller stops

    def write(self, item: Any) -> SaveResult | None:
        """Store one item (the article's dedup result for an Article, else None). After a failed write nothing more
        is written: the item is counted as ``items_not_stored``."""
        if self.write_error is not None:
            self.stats.inc_value("newscrawler/items_not_stored")  # the run is stopping; said once already
            return None
        try:
            return self._store_item(item)
        except WRITE_ERRORS as exc:
            self.fail(exc)
            return None

    def commit(self) -> bool:
        """Commit what was written; False (and ``write_error`` set) when that fails or a write failed before."""
        if self.write_error is not None:
            return False
        try:
            self.store.commit()
        except (sqlite3.Error, OSError) as exc:
            self.fail(exc)
            return False
        return True

    def fail(self, exc: BaseException) -> None:
        """One error line, the uncommitted batch undone (the run's counters are reloaded, so they match what was
        stored), ``write_error`` set, instead of one traceback per item."""
        self.write_error = f"{type(exc).__name__}: {exc}"
        self.stats.inc_value("newscrawler/items_not_stored")
        self.stats.inc_value("newscrawler/write_errors")  # the crawl exits 1 (newscrawler.exitcodes)
        logger.error("newscrawler: cannot write to %s (%s); the %s stops. Free disk space (or raise the "
                     "file-size limit) and run it again: what was committed is kept.", self.store.path, exc,
                     self.role)
        try:
            self.store.rollback()
        except sqlite3.Error:
            pass  # the connection may be unusable; the committed rows are safe either way

    def _store_item(self, item: Any) -> SaveResult | None:
        store, run_id, stats = self.store, self.run_id, self.stats
        result = None
        if isinstance(item, Article):
            result = store.save_article(dict(vars(item)), run_id=run_id)
            stats.inc_value(f"newscrawler/articles_{result.status}")
        elif isinstance(item, (HeadlineBatch, Headline)):
            headlines = item.headlines if isinstance(item, HeadlineBatch) else [item]
            self._save_headlines([dict(vars(h)) for h in headlines])
        elif isinstance(item, KnownArticles):
            touched = store.touch_articles(item.url_keys, run_id=run_id, at=item.seen_at)
            stats.inc_value("newscrawler/articles_touched", touched)
        elif isinstance(item, PageRecord):
            if store.save_page(dict(vars(item)), run_id=run_id):  # False: this fetch was stored before
                stats.inc_value("newscrawler/pages")
        elif isinstance(item, PollSchedule):
            store.save_poll(dict(vars(item)))
        elif isinstance(item, Reject):
            if store.save_reject(dict(vars(item)), run_id=run_id):  # False: this reject was stored before
                stats.inc_value(f"newscrawler/rejects/{item.reason}")
                stats.inc_value("newscrawler/rejects")
        if self.frontier is not None and finishes_frontier_url(item):
            # after the save: a crash leaves it pending
            self.frontier.mark_done(item.frontier_url, item.source_id, item.reason if isinstance(item, Reject) else None)
        return result

    def _save_headlines(self, rows: list[dict[str, Any]]) -> None:
        """One write for a page's headlines. When one of them is refused the call is undone as a whole, so they are
        then saved one by one: a bad entry costs only itself, is logged and counted."""
        store, run_id = self.store, self.run_id
        try:
            new, stored = store.save_headlines(rows, run_id=run_id), len(rows)
        except ValueError:
            new = stored = 0
            for row in rows:
                try:
                    new += store.save_headlines([row], run_id=run_id)
                    stored += 1
                except ValueError as exc:
                    logger.warning("headline not stored: %s", exc)
                    self.stats.inc_value("newscrawler/headlines_invalid")
        self.stats.inc_value("newscrawler/headlines_new", new)
        self.stats.inc_value("newscrawler/headlines_seen", stored - new)
