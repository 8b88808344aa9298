"""Downloader middlewares for incremental crawling."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import NotConfigured

from newscrawler.crawlstate import CrawlState, crawl_state

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
