"""Downloader middlewares: conditional GET (incremental crawling), guarded redirects, per-source deadlines."""

from __future__ import annotations

from typing import Any

from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured

from newscrawler.crawlstate import CrawlState, crawl_state
from newscrawler.urls import is_loopback_or_private, url_key

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
