"""The one generic news spider, driven by `sources.toml`.

It only adapts Scrapy responses to the core: discovery (`newscrawler.discover`, `newscrawler.listing`)
turns feeds, sitemaps and listing pages into headlines (one HeadlineBatch per page) and article requests;
`extract_article` turns article pages into Article items. Every response and every failed request ends as an item
(Article, PageRecord or Reject), so the run's counts add up in the database.
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.python.failure import Failure

from newscrawler.dates import parse_date
from newscrawler.discover import DiscoveryError, read_discovery_page
from newscrawler.encoding import charset_from_content_type, decode_html
from newscrawler.items import Article, Headline, HeadlineBatch, PageRecord, Reject
from newscrawler.sources import Source, load_sources
from newscrawler.store import StoreReader
from newscrawler.urls import canonical_url, url_key
from newscrawler.workers import Extractor, default_workers

# Listing-type pages may answer 304 to our conditional GET; that is a normal, recorded outcome.
_LISTING_META = {"handle_httpstatus_list": [304]}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def recorded(callback: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    """A callback that fails on a page yields a `parse_error` reject instead of losing the page."""

    @functools.wraps(callback)
    def wrapper(self: NewsSpider, response: Response, **kwargs: Any) -> Iterator[Any]:
        try:
            yield from callback(self, response, **kwargs)
        except Exception as exc:  # noqa: BLE001 - any bug on one page must not stop the crawl
            self.logger.exception("failed on %s", response.url)
            yield self._reject(response.request, "parse_error", f"{type(exc).__name__}: {exc}",
                               status=response.status)

    return wrapper


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, sources: str | None = None, config: str | None = None, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.source_filter = [s.strip() for s in sources.split(",") if s.strip()] if sources else None
        self.config = config
        self.sources: dict[str, Source] = {}
        self.all_sources: list[Source] = []
        self.state: StoreReader | None = None
        self.articles_requested: Counter[str] = Counter()
        self.extractor = Extractor(0)  # replaced in from_crawler by the configured one

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        config = spider.config or settings.get("NEWSCRAWLER_SOURCES") or None
        spider.sources = {s.id: s for s in load_sources(config, only=spider.source_filter)}
        # Every configured source, crawled this run or not: an aggregator's copy may link to any of them.
        spider.all_sources = load_sources(config) if spider.source_filter else list(spider.sources.values())
        # One download slot per source: politeness is per source, with per-source overrides.
        slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
        for source in spider.sources.values():
            slots.setdefault(source.id, {
                "concurrency": int(source.politeness.get(
                    "concurrency", settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))),
                "delay": float(source.politeness.get("download_delay", settings.getfloat("DOWNLOAD_DELAY"))),
            })
        settings.set("DOWNLOAD_SLOTS", slots, priority="spider")
        spider.refetch_known = settings.getbool("NEWSCRAWLER_REFETCH_KNOWN")
        spider.sitemap_max_age = timedelta(days=settings.getfloat("NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS"))
        spider.max_articles = settings.getint("NEWSCRAWLER_MAX_ARTICLES_PER_SOURCE")
        spider.db_path = settings.get("NEWSCRAWLER_DB")
        workers = settings.get("NEWSCRAWLER_EXTRACT_WORKERS")
        spider.extractor = Extractor(default_workers() if workers in (None, "", "auto") else int(workers))
        return spider

    def closed(self, reason: str) -> None:
        self.extractor.close()

    # -- requests -------------------------------------------------------------------------------

    async def start(self) -> Any:
        # The store pipeline has created the database by now; read it for incremental decisions.
        self.state = StoreReader(self.db_path)
        for source in self.sources.values():
            if not source.sitemaps:
                yield self._request(source, source.homepage.rstrip("/") + "/robots.txt", "robots")
            for kind, url in source.start_urls:
                yield self._request(source, url, kind)

    def _request(self, source: Source, url: str, kind: str, **meta: Any) -> scrapy.Request:
        callback = self.parse_article if kind == "article" else self.parse_discovery
        meta = {"source_id": source.id, "kind": kind, "download_slot": source.id, **meta}
        if kind == "robots":
            meta["handle_httpstatus_list"] = [404, 410]  # a site without robots.txt is normal, not a reject
        elif kind != "article":
            meta.update(_LISTING_META)
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta=meta,
                              dont_filter=kind != "article", priority=0 if kind == "article" else 10)

    def _article_request(self, source: Source, url: str, *, headline: bool = False) -> scrapy.Request | None:
        """A request for an article URL, or None when it is off-site, known or over the limit."""
        if not source.allows(url):
            return None
        if not self.refetch_known and self.state is not None and self.state.known_article(url_key(url)):
            self.crawler.stats.inc_value("newscrawler/articles_known_skipped")
            return None
        if self.max_articles and self.articles_requested[source.id] >= self.max_articles:
            return None
        self.articles_requested[source.id] += 1
        # A URL the site lists as a headline (feed item, sitemap entry, listing link) is evidence of a story.
        return self._request(source, url, "article", linked_as_headline=headline)

    # -- callbacks ------------------------------------------------------------------------------

    def _source(self, response: Response) -> Source:
        self.crawler.stats.inc_value("newscrawler/pages_fetched")
        return self.sources[response.meta["source_id"]]

    def _page(self, response: Response, source: Source, kind: str, items: int) -> PageRecord:
        return PageRecord(
            url=response.url, source_id=source.id, kind=kind, http_status=response.status, items=items,
            etag=_header(response, b"ETag"), last_modified=_header(response, b"Last-Modified"),
            content_hash=hashlib.sha1(response.body).hexdigest() if response.body else None,
            fetched_at=now_iso(),
        )

    def _headlines(self, source: Source, listing_url: str, entries: list[dict]) -> Iterator[Any]:
        """The page's headlines as one batch, stored before the articles they link to arrive, then the requests."""
        seen_at = now_iso()
        headlines: list[Headline] = []
        requests: list[scrapy.Request] = []
        for entry in entries:
            url = entry.get("url")
            if not url or not source.allows(url):
                continue
            if entry.get("title"):
                headlines.append(Headline(source_id=source.id, listing_url=listing_url, title=entry["title"], url=url,
                                          position=int(entry.get("position") or 0), section=entry.get("section"),
                                          seen_at=seen_at))
            request = self._article_request(source, url, headline=True)
            if request is not None:
                requests.append(request)
        if headlines:
            yield HeadlineBatch(headlines)
        yield from requests

    @recorded
    def parse_discovery(self, response: Response) -> Iterator[Any]:
        """A feed, sitemap, robots.txt or listing page: headlines, article requests, child sitemaps."""
        source = self._source(response)
        kind = response.meta["kind"]
        if response.status == 304 or (kind == "robots" and response.status != 200):
            # Unchanged since our last fetch, or a site without robots.txt: recorded, nothing to read.
            yield self._page(response, source, kind, 0)
            return
        try:
            found = read_discovery_page(kind, response.body, response.url, selectors=source.selectors,
                                        encoding=_declared_charset(response, source))
        except DiscoveryError as exc:
            yield self._reject(response.request, "parse_error", f"not a {kind}: {exc}", status=response.status)
            return
        entries = [entry for entry in found.urls
                   if kind != "sitemap" or self._recent(entry.get("published_raw") or entry.get("lastmod"), source)]
        children = [url for url in found.sitemaps
                    if source.allows(url) and self._recent(found.sitemap_lastmod.get(url), source)]
        yield self._page(response, source, kind, len(entries) + len(children))
        for url in children:
            yield self._request(source, url, "sitemap")
        yield from self._headlines(source, response.url, entries)

    def _recent(self, raw_date: str | None, source: Source) -> bool:
        """Sitemap entries (and child sitemaps) dated before NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS are the
        archive: a scheduled run skips them. Undated entries are kept."""
        if not raw_date or not self.sitemap_max_age:
            return True
        when = parse_date(raw_date, tz=source.timezone)
        return when is None or datetime.now(UTC) - when <= self.sitemap_max_age

    async def parse_article(self, response: Response) -> AsyncIterator[Any]:
        # Async (not @recorded) because extraction may run in a worker process; same failure rule.
        try:
            source = self._source(response)
            text = self._decode(response, source)
            page = await self.extractor.extract(
                text, response.url, selectors=source.selectors, tz=source.timezone,
                source_name=source.name if source.kind == "publisher" else None,
                linked_as_headline=bool(response.meta.get("linked_as_headline")))
            items = list(self._article_items(response, source, page))
        except Exception as exc:  # noqa: BLE001 - any bug on one page must not stop the crawl
            self.logger.exception("failed on %s", response.url)
            items = [self._reject(response.request, "parse_error", f"{type(exc).__name__}: {exc}",
                                  status=response.status)]
        for item in items:
            yield item

    def _article_items(self, response: Response, source: Source, page: dict) -> Iterator[Any]:
        if not page.get("is_article"):
            reason = "blocked" if page.get("page_type") == "blocked" else "not_article"
            yield self._reject(response.request, reason, page.get("reason") or page.get("page_type") or "",
                               status=response.status)
            return
        url = page.get("canonical_url") or canonical_url(response.url)
        if not source.allows(url):
            url = canonical_url(response.url)
        method = dict(page.get("method") or {})
        source_url = page.get("source_url")
        if not source_url:
            # Every row links back to an origin: without a "read from source" link, that is this page.
            source_url, method["source_url"] = url, "fetched_url"
        # normalised in the worker; a page from an extractor that does not normalise is left to NormalisePipeline
        text = page.get("normalised") or {
            "title": page.get("title") or "", "body": page.get("body") or "", "summary": page.get("summary") or ""}
        yield Article(
            url=url, fetched_url=response.url, source_id=source.id, **text,
            source_url=source_url, source_name=self._source_name(page, source),
            authors=list(page.get("authors") or []), tags=list(page.get("tags") or []),
            section=page.get("section"), language=page.get("language") or source.language,
            image_url=page.get("image_url"), published_at=page.get("published_at"),
            published_raw=page.get("published_raw"), published_rule=page.get("published_rule"),
            modified_at=page.get("modified_at"), fetched_at=now_iso(), http_status=response.status,
            method=method,
        )

    def _source_name(self, page: dict, source: Source) -> str:
        """The outlet's name as the page shows it; when the page shows none (the extractor fell back to the link's
        host), the name of the configured source that the link belongs to; the host last."""
        name = page.get("source_name")
        if (page.get("method") or {}).get("source_name") == "host" and page.get("source_url"):
            owner = next((s for s in self.all_sources if s.allows(page["source_url"])), None)
            if owner is not None:
                return owner.name
        return name or source.name

    def _decode(self, response: Response, source: Source) -> str:
        return decode_html(response.body, _declared_charset(response, source))[0]

    # -- failures -------------------------------------------------------------------------------

    def on_error(self, failure: Failure) -> Iterator[Reject]:
        request = failure.request
        if failure.check(HttpError):
            response = failure.value.response
            self._source(response)  # counts the page as fetched
            yield self._reject(request, f"http_{response.status}", response.status and
                               f"HTTP {response.status}", status=response.status)
        elif failure.check(IgnoreRequest):
            reason = "robots" if "robots" in str(failure.value).lower() else "ignored"
            yield self._reject(request, reason, str(failure.value), fetched=False)
        elif failure.check(DNSLookupError):
            yield self._reject(request, "dns", str(failure.value), fetched=False)
        elif failure.check(TimeoutError, TCPTimedOutError):
            yield self._reject(request, "timeout", str(failure.value), fetched=False)
        else:
            detail = f"{failure.type.__name__}: {failure.value}"
            reason = "too_large" if "maxsize" in detail.lower() or "max size" in detail.lower() else "download_error"
            yield self._reject(request, reason, detail, fetched=False)

    def _reject(self, request: scrapy.Request, reason: str, detail: str, *, status: int | None = None,
                fetched: bool = True) -> Reject:
        return Reject(url=request.url, source_id=request.meta.get("source_id", ""), reason=reason,
                      detail=str(detail)[:500], http_status=status, at=now_iso(), fetched=fetched)


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _declared_charset(response: Response, source: Source) -> str | None:
    """The source's forced encoding, else the HTTP header's charset (decode_html verifies either)."""
    return source.encoding or charset_from_content_type(_header(response, b"Content-Type"))
