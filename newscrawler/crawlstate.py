"""The crawl state seam: what the spider and the conditional-GET middleware ask, whatever keeps the answers.

The crawl asks three things, and nothing else, of the state it shares with earlier runs (and, later, with
other crawler processes):

- is this article known? (``article_known``: the spider then does not fetch it again);
- what validators does this page have? (``page_validators``: ETag / Last-Modified for a conditional GET);
- this article URL is scheduled / finished (``mark_pending`` / ``mark_done``: the frontier, so an interrupted
  run can be resumed);
- which URLs of a source are still pending from earlier runs, oldest first (``pending``: a run requests them
  before what is new), and which have waited too long (``expire``: recorded with a reason, no longer requested);
- when is this feed or listing next due? (``poll_state``: ``crawl --due`` skips what is not).

The implementation is chosen by the setting ``NEWSCRAWLER_CRAWL_STATE_CLASS`` (a dotted path, as Scrapy's
``DUPEFILTER_CLASS``), built with ``from_crawler(crawler)`` when the class has it, else ``cls()``. The default,
``newscrawler.store.crawlstate.SqliteCrawlState``, reads the crawl database read-only and writes its marks
through the run's single writer; a shared implementation (Redis, issue 21) can sit beside it without touching
the writer. One instance per crawler: ``crawl_state(crawler)`` builds it on first use and closes it when the
spider closes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable
from weakref import WeakKeyDictionary

DEFAULT_CRAWL_STATE_CLASS = "newscrawler.store.crawlstate.SqliteCrawlState"


@dataclass(frozen=True)
class PageValidators:
    """What an earlier fetch of a feed, sitemap or listing page left for the next conditional GET."""

    http_status: int | None  # of the latest fetch; validators are only sent after a 200 or a 304
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class PollState:
    """When a feed, sitemap or listing was last polled and is next due (newscrawler.polling)."""

    interval_seconds: float
    next_due_at: str  # ISO 8601 UTC
    failures: int = 0


@runtime_checkable
class CrawlState(Protocol):
    def article_known(self, url_key: str) -> bool:
        """True when an article is stored under this URL key (canonical or as fetched)."""
        ...

    def page_validators(self, url: str) -> PageValidators | None:
        """The validators of a feed, sitemap or listing page fetched before, else None."""
        ...

    def mark_pending(self, url: str, source_id: str) -> None:
        """An article request for ``url`` was scheduled. A URL already done in this run stays done (a second
        listing of it is dropped by the scheduler's duplicate filter and would never be marked done again)."""
        ...

    def mark_done(self, url: str, source_id: str, reason: str | None = None) -> None:
        """The request scheduled for ``url`` ended as a stored article or a reject (``reason``: the reject's)."""
        ...

    def rejected_reason(self, url: str) -> str | None:
        """The reject reason of an article URL an earlier run finished as a reject, else None; the spider does not
        request a URL again whose reject was permanent (a 404, not an article)."""
        ...

    def pending(self, source_id: str, limit: int | None = None) -> list[str]:
        """The source's URLs left pending by earlier runs (scheduled, never stored or rejected), oldest first;
        at most ``limit`` of them when it is given."""
        ...

    def expire(self, older_than: datetime, reason: str = "max_age") -> int:
        """Pending URLs that started waiting before ``older_than`` become ``expired`` with ``reason`` and are
        not requested again unless a listing shows them anew; returns how many."""
        ...

    def poll_state(self, url: str) -> PollState | None:
        """When this feed, sitemap or listing is next due, else None (never polled: due now)."""
        ...

    def close(self) -> None: ...


_STATES: WeakKeyDictionary[Any, CrawlState] = WeakKeyDictionary()


def crawl_state(crawler: Any) -> CrawlState:
    """The crawler's one crawl state (the spider, the middleware and the store pipeline share it)."""
    state = _STATES.get(crawler)
    if state is None:
        from scrapy import signals
        from scrapy.utils.misc import build_from_crawler, load_object

        path = crawler.settings.get("NEWSCRAWLER_CRAWL_STATE_CLASS") or DEFAULT_CRAWL_STATE_CLASS
        state = build_from_crawler(load_object(path), crawler)
        if not isinstance(state, CrawlState):
            raise TypeError(f"NEWSCRAWLER_CRAWL_STATE_CLASS {path} lacks the CrawlState methods")
        _STATES[crawler] = state

        def close(*args: Any, **kwargs: Any) -> None:
            _STATES.pop(crawler, None)
            state.close()

        # connected weak=False: the closure is referenced by nothing else
        crawler.signals.connect(close, signal=signals.spider_closed, weak=False)
    return state
