"""Downloader middlewares: conditional GET (incremental crawling), guarded redirects, per-source deadlines,
and ``Retry-After`` on 429/503."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future

from newscrawler.crawlstate import CrawlState, crawl_state
from newscrawler.politeness import retry_after_seconds
from newscrawler.urls import is_loopback_or_private, url_key

logger = logging.getLogger(__name__)

CONDITIONAL_KINDS = ("feed", "sitemap", "listing")


class ConditionalGetMiddleware:
    """Sends If-None-Match / If-Modified-Since for feeds, sitemaps and listings fetched before.

    A 304 answer costs the site almost nothing and tells us there is nothing new; the spider records
    it as a page with no items. The validators come from the crawl state (`newscrawler.crawlstate`; by default
    the `pages` table of earlier runs).
    """

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self._state: CrawlState | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ConditionalGetMiddleware:
        if crawler.settings.getbool("NEWSCRAWLER_REFETCH_KNOWN") or crawler.settings.get("NEWSCRAWLER_SINCE"):
            # A refresh run wants every article again, and a backfill every page of every listing and sitemap
            # index: a 304 has no links to follow, so both must see every page, changed or not.
            raise NotConfigured
        return cls(crawler)

    def process_request(self, request: Any, spider: Any = None) -> None:
        if request.meta.get("kind") not in CONDITIONAL_KINDS:
            return None
        if self._state is None:
            # Asked on first use: the store pipeline creates the database (and attaches its writer) when the spider opens.
            self._state = crawl_state(self.crawler)
        page = self._state.page_validators(request.url)
        if page is None or page.http_status not in (200, 304):
            return None
        if page.etag and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = page.etag
        if page.last_modified and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = page.last_modified
        return None


class Refused(IgnoreRequest):
    """A request the crawl refuses on purpose; ``reason`` is its reject reason (or ``time_cap``: not a reject)."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


class GuardedRedirectMiddleware(RedirectMiddleware):
    """Scrapy's redirects, refused when they leave the source: a loop (`redirect_loop`), a loopback, link-local or
    private address the source does not allow (`private_address`), or another site (`offsite_redirect`).
    Scrapy's own limit (REDIRECT_MAX_TIMES) gives `too_many_redirects`. A loop is refused here because
    Scrapy's duplicate filter would otherwise drop its second lap in silence, and the page would leave no record."""

    def _redirect(self, redirected: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        seen = [*request.meta.get("redirect_urls", []), request.url]
        source = _source_of(self.crawler, request)
        if url_key(redirected.url) in {url_key(url) for url in seen}:
            raise Refused("redirect_loop", f"redirect loop back to {redirected.url}")
        if source is not None:
            if is_loopback_or_private(redirected.url) and not (source.allow_loopback and source.allows(redirected.url)):
                raise Refused("private_address", f"redirect to a private address: {redirected.url}")
            if not source.allows(redirected.url):
                raise Refused("offsite_redirect", f"redirect off the source: {redirected.url}")
        try:
            return super()._redirect(redirected, request, *args, **kwargs)
        except Refused:
            raise
        except IgnoreRequest as exc:
            raise Refused("too_many_redirects", str(exc)) from None


class SourceDeadlineMiddleware:
    """The source's `download_timeout` on requests Scrapy makes for it (robots.txt), and its deadline: requests of a
    source still queued when its wall-time cap (NEWSCRAWLER_MAX_SECONDS_PER_SOURCE) has passed
    are not made: they stay pending for the next run, and are counted as capped (the spider's `past_deadline`)."""

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> SourceDeadlineMiddleware:
        return cls(crawler)

    def process_request(self, request: Any, spider: Any = None) -> None:
        spider = self.crawler.spider
        source_id = request.meta.get("source_id")
        if not source_id and "download_timeout" not in request.meta:
            # Scrapy's own robots.txt request carries no source: the source's download_timeout applies to it too,
            # so a silent host costs its seconds, not DOWNLOAD_TIMEOUT's minutes.
            owner = next((s for s in (getattr(spider, "sources", None) or {}).values()
                          if "download_timeout" in s.politeness and s.allows(request.url)), None)
            if owner is not None:
                request.meta["download_timeout"] = float(owner.politeness["download_timeout"])
        if source_id and hasattr(spider, "past_deadline") and spider.past_deadline(source_id):
            raise Refused("time_cap", f"source {source_id} is past its wall-time cap")
        return None


def _source_of(crawler: Any, request: Any) -> Any:
    sources = getattr(crawler.spider, "sources", None) or {}
    return sources.get(request.meta.get("source_id"))


class RetryAfterMiddleware:
    """A 429 or 503 with ``Retry-After`` is retried after the server's delay, not Scrapy's next slot.

    Up to ``NEWSCRAWLER_RETRY_AFTER_MAX`` seconds the request waits (without holding its source's download slot:
    the wait happens after the response) and is retried, within ``RETRY_TIMES``. A longer delay is not waited
    for in this run: the answer becomes an ``http_429``/``http_503`` reject, which leaves an article URL pending in
    the frontier for the next run. Without the header, Scrapy's RetryMiddleware retries as usual. Sits before it
    (a higher number: responses pass middlewares from high to low).
    """

    STATUSES = (429, 503)

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("NEWSCRAWLER_RETRY_AFTER_MAX")

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryAfterMiddleware:
        if not crawler.settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        return cls(crawler)

    async def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        if response.status not in self.STATUSES or request.meta.get("dont_retry"):
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if wait is None:
            return response
        stats = self.crawler.stats
        if wait > self.max_wait:
            stats.inc_value("newscrawler/retry_after_too_long")
            logger.info("%s asks to wait %.0f s (over NEWSCRAWLER_RETRY_AFTER_MAX %.0f s): left for the next run",
                        request.url, wait, self.max_wait)
            request.meta["dont_retry"] = True  # nor an immediate retry by Scrapy's RetryMiddleware
            return response
        retry = get_retry_request(request, spider=self.crawler.spider, reason=f"retry_after_{response.status}")
        if retry is None:
            return response  # retries used up: Scrapy's middleware gives up on it the same way
        stats.inc_value("newscrawler/retry_after_waits")
        # imported here: importing the reactor at module level would install Twisted's default one before Scrapy
        # installs the asyncio reactor it is configured with (this module is imported with the spider)
        from twisted.internet import reactor, task

        await maybe_deferred_to_future(task.deferLater(reactor, wait, lambda: None))
        return retry
