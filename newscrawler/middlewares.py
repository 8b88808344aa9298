"""Downloader middlewares for incremental crawling."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import NotConfigured

from newscrawler.store import StoreReader

CONDITIONAL_KINDS = ("feed", "sitemap", "listing")


class ConditionalGetMiddleware:
    """Sends If-None-Match / If-Modified-Since for feeds, sitemaps and listings fetched before.

    A 304 answer costs the site almost nothing and tells us there is nothing new; the spider records
    it as a page with no items. The validators come from the `pages` table of earlier runs.
    """

    def __init__(self, db_path: str):
        self.db_path = db_path
        self._reader: StoreReader | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ConditionalGetMiddleware:
        if crawler.settings.getbool("NEWSCRAWLER_REFETCH_KNOWN") or crawler.settings.get("NEWSCRAWLER_SINCE"):
            # A refresh run wants every article again, and a backfill every page of every listing and sitemap
            # index: a 304 has no links to follow, so both must see every page, changed or not.
            raise NotConfigured
        return cls(crawler.settings.get("NEWSCRAWLER_DB"))

    def process_request(self, request: Any, spider: Any = None) -> None:
        if request.meta.get("kind") not in CONDITIONAL_KINDS:
            return None
        if self._reader is None:
            # Opened on first use: the store pipeline creates the database when the spider opens.
            self._reader = StoreReader(self.db_path)
        state = self._reader.page_state(request.url)
        if not state or state.get("http_status") not in (200, 304):
            return None
        if state.get("etag") and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = state["etag"]
        if state.get("last_modified") and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = state["last_modified"]
        return None
