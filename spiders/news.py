"""The one generic news spider, driven by `sources.toml`.

It only adapts Scrapy responses to the core: discovery (`newscrawler.discover`, `newscrawler.listing`)
turns feeds, sitemaps and listing pages into headlines (one HeadlineBatch per page) and article requests;
`extract_article` turns article pages into Article items. Every response and every failed request ends as an item
(Article, PageRecord or Reject), so the run's counts add up in the database.

Listing pagination: a scheduled run follows each listing's next page (`newscrawler.pagination`) up to the source's
`listing_pages`; a backfill (`NEWSCRAWLER_SINCE`) follows it until a page's dated entries are all older than the
date (`newscrawler.backfill`). Every request of a source passes one budget (`_budget`): the per-source caps
NEWSCRAWLER_MAX_PAGES_PER_SOURCE (all requests) and NEWSCRAWLER_MAX_ARTICLES_PER_SOURCE (article requests); what
they refuse is counted as `pages_capped`.

Bounded by design (docs/reliability.md): every discovery document (feed, sitemap, robots.txt, listing page) is
requested at most once per run whatever links to it, a second link to it being recorded as a `discovery_cycle`
reject; NEWSCRAWLER_MAX_DISCOVERY_PER_SOURCE caps a source's discovery documents and
NEWSCRAWLER_MAX_SECONDS_PER_SOURCE its wall time (both counted as `pages_capped`).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import scrapy
from scrapy import exceptions as scrapy_exceptions
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Response
from scrapy.settings import get_settings_priority as settings_priority
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import defer
from twisted.internet import error as tx_error
from twisted.python.failure import Failure

from newscrawler.backfill import PageWalk, archive_period_end, parse_since, since_moment
from newscrawler.crawlstate import CrawlState, crawl_state
from newscrawler.dates import FUTURE_TOLERANCE, date_from_url, parse_date
from newscrawler.discover import DiscoveryError, read_discovery_page
from newscrawler.encoding import charset_from_content_type, decode_html
from newscrawler.items import (
    Article,
    Headline,
    HeadlineBatch,
    KnownArticles,
    PageRecord,
    PollSchedule,
    Reject,
)
from newscrawler.middlewares import Refused
from newscrawler.politeness import user_agent
from newscrawler.polling import PollRange, due_at, next_interval
from newscrawler.setting_names import unknown_setting_warnings
from newscrawler.sources import Source, SourceConfigError, load_sources
from newscrawler.urls import canonical_url, url_key
from newscrawler.workers import Extractor, ExtractTimeout, WorkerCrash, default_workers


def _error_types(scrapy_names: tuple[str, ...], *twisted: type[BaseException]) -> tuple[type[BaseException], ...]:
    """Recent Scrapy (2.19 does) wraps Twisted's download errors in its own exceptions (``DownloadTimeoutError``); the
    floor version (2.13) raises Twisted's. A failure is classified by type against both, never by its text."""
    return tuple(getattr(scrapy_exceptions, name) for name in scrapy_names
                 if hasattr(scrapy_exceptions, name)) + twisted


# Failure classes of requests that got no response, each filed as its own reject reason (fetched = False).
DNS_ERRORS = _error_types(("CannotResolveHostError",), tx_error.DNSLookupError)
TIMEOUT_ERRORS = _error_types(("DownloadTimeoutError",), tx_error.TimeoutError, tx_error.TCPTimedOutError)
CONNECTION_ERRORS = _error_types(("DownloadConnectionRefusedError",), tx_error.ConnectionRefusedError,
                                 tx_error.ConnectError)
# Scrapy cancels a download when the body passes DOWNLOAD_MAXSIZE (announced by Content-Length or counted while
# a chunked body arrives); nothing else in a crawl cancels a download, so a cancelled download is `too_large`.
CANCELLED_ERRORS = _error_types(("DownloadCancelledError",), defer.CancelledError)

# Reject reasons that will not change on the next run: such a URL is not requested again (NEWSCRAWLER_REFETCH_KNOWN
# does). Server errors, timeouts and parse errors are retried by later runs when a listing shows the URL again.
PERMANENT_REJECTS = frozenset({"http_404", "http_410", "not_article", "robots", "too_large"})

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
            yield self._reject(_request_of(response), "parse_error", f"{type(exc).__name__}: {exc}",
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
        self.state: CrawlState | None = None
        self.articles_requested: Counter[str] = Counter()
        self.requests_made: Counter[str] = Counter()  # every request of a source, for the page cap
        self.capped: Counter[str] = Counter()  # requests the caps refused, per source
        self.discovery_made: Counter[str] = Counter()  # discovery documents requested, per source
        self.discovery_seen: set[str] = set()  # URL keys of the discovery documents requested in this run
        self.source_started: dict[str, float] = {}  # monotonic time of each source's first request
        self.max_discovery = 0
        self.max_seconds = 0.0
        self.walks: dict[int, PageWalk] = {}  # backfill: listing pages waiting for their articles' dates
        self.listed: set[str] = set()  # backfill: entry URLs of the listing pages read so far
        self.since: Any = None
        self.max_pages = 0
        self.max_articles = 0
        self.pending_max_age = timedelta(0)
        self.due_only = False
        self.poll_min, self.poll_max = 600.0, 86400.0
        self.max_revisits = 0
        # All replaced in from_crawler by the crawl's settings.
        self.extractor = Extractor(0)
        self.refetch_known = False
        self.sitemap_max_age = timedelta(0)
        # URL keys requested or touched in this run: an article listed on several pages is requested (and counted
        # against the caps) once, a known article is touched once, and an article fetched in this run is not
        # "known from an earlier run" when another page lists it after it was stored
        self.handled_keys: set[str] = set()
        self.last_seen_counts = (0, 0)  # (already seen, listed) entries of the page _headlines read last
        self.known_keys: set[str] = set()  # keys of handled_keys found stored by an earlier run

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        for line in unknown_setting_warnings(name for name, _ in settings.items()):
            spider.logger.warning(line)
        config = spider.config or settings.get("NEWSCRAWLER_SOURCES") or None
        try:
            spider.sources = {s.id: s for s in load_sources(config, only=spider.source_filter)}
        except SourceConfigError as exc:
            # `scrapy crawl news -a sources=nope`: one error line and an empty run, not an asyncio traceback
            # (`newscrawler crawl` checks the sources before Scrapy starts: exit code 2).
            spider.logger.error("newscrawler: %s", exc)
            spider.sources = {}
        # Every configured source, crawled this run or not: an aggregator's copy may link to any of them.
        try:
            spider.all_sources = load_sources(config) if spider.source_filter else list(spider.sources.values())
        except SourceConfigError:
            spider.all_sources = list(spider.sources.values())
        # One download slot per source: politeness is per source, with per-source overrides.
        slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
        for source in spider.sources.values():
            slots.setdefault(source.id, {
                "concurrency": int(source.politeness.get(
                    "concurrency", settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))),
                "delay": float(source.politeness.get("download_delay", settings.getfloat("DOWNLOAD_DELAY"))),
            })
        settings.set("DOWNLOAD_SLOTS", slots, priority="spider")
        contact = settings.get("NEWSCRAWLER_CONTACT_URL") or ""
        if contact:
            settings.set("USER_AGENT", user_agent(settings.get("USER_AGENT"), contact),
                         priority=max(settings.getpriority("USER_AGENT") or 0, settings_priority("spider")))
        spider.refetch_known = settings.getbool("NEWSCRAWLER_REFETCH_KNOWN")
        spider.sitemap_max_age = timedelta(days=settings.getfloat("NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS"))
        spider.max_articles = settings.getint("NEWSCRAWLER_MAX_ARTICLES_PER_SOURCE")
        spider.max_pages = settings.getint("NEWSCRAWLER_MAX_PAGES_PER_SOURCE")
        spider.max_discovery = settings.getint("NEWSCRAWLER_MAX_DISCOVERY_PER_SOURCE")
        spider.max_seconds = settings.getfloat("NEWSCRAWLER_MAX_SECONDS_PER_SOURCE")
        spider.since = parse_since(settings.get("NEWSCRAWLER_SINCE"))
        spider.pending_max_age = timedelta(days=settings.getfloat("NEWSCRAWLER_PENDING_MAX_AGE_DAYS"))
        spider.due_only = settings.getbool("NEWSCRAWLER_DUE_ONLY")
        spider.poll_min = settings.getfloat("NEWSCRAWLER_POLL_MIN_MINUTES") * 60
        spider.poll_max = settings.getfloat("NEWSCRAWLER_POLL_MAX_HOURS") * 3600
        spider.max_revisits = settings.getint("NEWSCRAWLER_MAX_REVISITS_PER_SOURCE")
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        workers = settings.get("NEWSCRAWLER_EXTRACT_WORKERS")
        spider.extractor = Extractor(default_workers() if workers in (None, "", "auto") else int(workers),
                                     timeout=settings.getfloat("NEWSCRAWLER_EXTRACT_TIMEOUT"))
        return spider

    def closed(self, reason: str) -> None:
        self.extractor.close()

    # -- requests -------------------------------------------------------------------------------

    def _open_state(self) -> CrawlState:
        """Known articles, page validators and the frontier: the crawl state of NEWSCRAWLER_CRAWL_STATE_CLASS, with
        what waited too long expired (NewsRedisSpider starts the same way)."""
        self.state = crawl_state(self.crawler)
        if self.pending_max_age:
            expired = self.state.expire(datetime.now(UTC) - self.pending_max_age)
            self.crawler.stats.set_value("newscrawler/frontier_expired", expired)
        return self.state

    async def start(self) -> Any:
        self._open_state()
        for source in self.sources.values():
            due = [(kind, url) for kind, url in source.start_urls if self._due(url)]
            if due or not self.due_only:
                # robots.txt only finds the sitemaps; with --due it goes with the first due page
                starts = [("robots", source.homepage.rstrip("/") + "/robots.txt")] if not source.sitemaps else []
                due = starts + due
            for kind, url in due:
                for out in self._discovery(source, url, kind, None):
                    yield out
            # What earlier runs scheduled and never finished (an interrupt, a cap, a crash, a server asking us to
            # wait) comes before anything the feeds list now: it takes the article budget first, oldest first.
            # The feeds and listings above go first only because they are a handful and without them nothing new
            # would ever be found while a backlog lasts.
            for request in self._pending_requests(source):
                yield request
            for request in self._revisit_requests(source):
                yield request

    def _due(self, url: str) -> bool:
        """With --due (NEWSCRAWLER_DUE_ONLY), whether a feed, sitemap or listing is due (never polled: due)."""
        if not self.due_only or self.state is None:
            return True
        poll = self.state.poll_state(url)
        if poll is None or poll.next_due_at <= now_iso():
            return True
        self.crawler.stats.inc_value("newscrawler/polls_not_due")
        return False

    def _poll_range(self, source: Source) -> PollRange:
        return PollRange(float(source.politeness.get("poll_min_minutes", self.poll_min / 60)) * 60,
                         float(source.politeness.get("poll_max_hours", self.poll_max / 3600)) * 3600)

    def _polled(self, source: Source, url: str, kind: str, seen_share: float | None,
                failed: bool = False) -> PollSchedule | None:
        """The next due time of a feed, sitemap or listing after this poll (newscrawler.polling)."""
        if kind not in ("feed", "sitemap", "listing") or self.state is None:
            return None
        previous = self.state.poll_state(url)
        failures = (previous.failures + 1 if previous else 1) if failed else 0
        interval = next_interval(previous.interval_seconds if previous else None, seen_share, failures=failures,
                                 poll_range=self._poll_range(source))
        now = datetime.now(UTC)
        return PollSchedule(url=url, source_id=source.id, kind=kind, interval_seconds=round(interval, 1),
                            next_due_at=due_at(now, interval), failures=failures, seen_share=seen_share,
                            polled_at=now.isoformat(timespec="seconds"))

    def _pending_requests(self, source: Source) -> Iterator[scrapy.Request]:
        assert self.state is not None
        limit = self.max_articles or self.max_pages or None
        for url in self.state.pending(source.id, limit):
            key = url_key(url)
            if key in self.handled_keys or not source.allows(url):
                continue  # a URL the config no longer allows waits for its expiry, with the reason max_age
            self.handled_keys.add(key)
            if not self.refetch_known and self.state.article_known(key):
                self.state.mark_done(url, source.id)  # stored under another URL's key meanwhile
                continue
            # it was listed as a headline when it was first scheduled
            request = self._budgeted(source, url, "article", frontier_url=url, linked_as_headline=True)
            if request is None:
                return  # over the cap: the rest stays pending, in order, for the next run
            request.priority = 5  # before the new articles the listings bring, after the listings themselves
            self.crawler.stats.inc_value("newscrawler/frontier_resumed")
            self.state.mark_pending(url, source.id)
            yield request

    def _revisit_requests(self, source: Source) -> Iterator[scrapy.Request]:
        """Stored articles due for a revisit (newscrawler.revisits), after the pending ones: fetched again to catch
        edits, within the article budget and NEWSCRAWLER_MAX_REVISITS_PER_SOURCE. Optional in a crawl state."""
        due = getattr(self.state, "revisits_due", None)
        if due is None or self.refetch_known or self.since is not None:
            return  # a refresh or a backfill run fetches what it fetches anyway
        for article_id, url in due(source.id, self.max_revisits or None):
            key = url_key(url)
            if key in self.handled_keys or not source.allows(url):
                continue
            request = self._budgeted(source, url, "article", revisit=article_id, linked_as_headline=True)
            if request is None:
                return  # over the cap: still due, for the next run
            self.handled_keys.add(key)
            self.known_keys.add(key)  # stored by an earlier run: a listing showing it again counts it as seen
            request.priority = 4  # after the pending URLs, before the new articles the listings bring
            self.crawler.stats.inc_value("newscrawler/revisits")
            self.state.mark_revisited(article_id)  # type: ignore[union-attr]  # with revisits_due
            yield request

    def _budget(self, source: Source, kind: str) -> bool:
        """True when one more request of this kind fits the source's caps (and counts it); else counts it
        as capped. One mechanism for both caps, so both are reported the same way."""
        over_articles = kind == "article" and 0 < self.max_articles <= self.articles_requested[source.id]
        over_discovery = kind != "article" and 0 < self.max_discovery <= self.discovery_made[source.id]
        self.source_started.setdefault(source.id, time.monotonic())
        if over_articles or over_discovery or self.past_deadline(source.id) or (
                self.max_pages and self.requests_made[source.id] >= self.max_pages):
            self.capped[source.id] += 1
            stats = self.crawler.stats
            stats.inc_value("newscrawler/pages_capped")
            stats.set_value("newscrawler/pages_capped_by_source", dict(sorted(self.capped.items())))
            return False
        self.requests_made[source.id] += 1
        if kind == "article":
            self.articles_requested[source.id] += 1
        else:
            self.discovery_made[source.id] += 1
        return True

    def past_deadline(self, source_id: str) -> bool:
        """True once the source has run for NEWSCRAWLER_MAX_SECONDS_PER_SOURCE (SourceDeadlineMiddleware asks)."""
        started = self.source_started.get(source_id)
        return bool(self.max_seconds and started is not None and time.monotonic() - started > self.max_seconds)

    def _discovery(self, source: Source, url: str, kind: str, referer: str | None,
                   **meta: Any) -> Iterator[scrapy.Request | Reject]:
        """The request for a discovery document, unless this run already requested it: then a `discovery_cycle`
        reject (a sitemap index listing itself, two indexes listing each other, a pagination loop)."""
        key = url_key(url)
        if key in self.discovery_seen:
            self.crawler.stats.inc_value("newscrawler/discovery_cycles")
            yield Reject(url=url, source_id=source.id, reason="discovery_cycle",
                         detail=f"{kind} already requested in this run; linked again from {referer or 'the start'}",
                         http_status=None, at=now_iso(), fetched=False, frontier_url="")
            return
        request = self._budgeted(source, url, kind, **meta)
        if request is not None:
            self.discovery_seen.add(key)
            yield request

    def _budgeted(self, source: Source, url: str, kind: str, **meta: Any) -> scrapy.Request | None:
        return self._request(source, url, kind, **meta) if self._budget(source, kind) else None

    def _request(self, source: Source, url: str, kind: str, **meta: Any) -> scrapy.Request:
        callback = self.parse_article if kind == "article" else self.parse_discovery
        meta = {"source_id": source.id, "kind": kind, "download_slot": source.id, **meta}
        if "download_timeout" in source.politeness:  # a source known to be slow or silent costs seconds, not minutes
            meta["download_timeout"] = float(source.politeness["download_timeout"])
        if kind == "robots":
            meta["handle_httpstatus_list"] = [404, 410]  # a site without robots.txt is normal, not a reject
        elif kind != "article":
            meta.update(_LISTING_META)
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta=meta,
                              dont_filter=kind != "article", priority=0 if kind == "article" else 10)

    def _article_request(self, source: Source, url: str, touched: list[str], *,
                         headline: bool = False) -> scrapy.Request | None:
        """A request for an article URL, or None when it is off-site, known, already handled in this run or over a
        cap. The key of a known article goes to `touched` (once per run), for the store to mark it as listed again."""
        key = url_key(url)
        if not source.allows(url) or key in self.handled_keys:
            return None
        if not self.refetch_known and self.state is not None and self.state.article_known(key):
            self.crawler.stats.inc_value("newscrawler/articles_known_skipped")
            self.handled_keys.add(key)
            touched.append(key)
            return None
        if not self.refetch_known and self.state is not None and \
                self.state.rejected_reason(url) in PERMANENT_REJECTS:
            # an earlier run got a 404 or a page that is no article here: listed again, it is not fetched again
            self.crawler.stats.inc_value("newscrawler/rejected_skipped")
            self.handled_keys.add(key)
            return None
        # A URL the site lists as a headline (feed item, sitemap entry, listing link) is evidence of a story.
        request = self._budgeted(source, url, "article", frontier_url=url, linked_as_headline=headline)
        self.handled_keys.add(key)
        if self.state is not None:
            # a capped URL is pending too: the next run requests it first (not marking it strands it)
            self.state.mark_pending(url, source.id)
        return request

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

    def _headlines(self, source: Source, listing_url: str, entries: list[dict],
                   walk: PageWalk | None = None) -> Iterator[Any]:
        """The page's headlines as one batch, stored before the articles they link to arrive, then the requests.
        With a backfill ``walk`` of this page, its article requests carry the walk so their dates reach it."""
        seen_at = now_iso()
        headlines: list[Headline] = []
        requests: list[scrapy.Request] = []
        touched: list[str] = []
        seen = listed = 0
        for entry in entries:
            url = entry.get("url")
            if not url or not source.allows(url):
                continue
            if entry.get("title"):
                headlines.append(Headline(source_id=source.id, listing_url=listing_url, title=entry["title"], url=url,
                                          position=entry.get("position"), section=entry.get("section"),
                                          seen_at=seen_at))
            # seen = stored by an earlier run (an article new in this run, listed first by another page, is new)
            known_before = len(touched)
            listed += 1
            key = url_key(url)
            seen += key in self.known_keys
            request = self._article_request(source, url, touched, headline=True)
            if len(touched) > known_before:
                seen += 1
                self.known_keys.add(key)
            if request is not None:
                requests.append(request)
        self.last_seen_counts = (seen, listed)  # for the page's next due time (adaptive polling)
        if headlines:
            yield HeadlineBatch(headlines)
        if touched:
            yield KnownArticles(source.id, touched, seen_at)
        if walk is not None and self.since is not None and requests and not walk.dated:
            # No entry dated by its URL: the articles' own dates decide, once they are all in.
            walk.pending = len(requests)
            self.walks[id(walk)] = walk
            for request in requests:
                request.meta["walk"] = id(walk)
        elif walk is not None:
            yield from self._walk_on(walk)
        yield from requests

    @recorded
    def parse_discovery(self, response: Response) -> Iterator[Any]:
        """A feed, sitemap, robots.txt or listing page: headlines, article requests, child sitemaps."""
        source = self._source(response)
        kind = response.meta["kind"]
        if response.status == 304 or (kind == "robots" and response.status != 200):
            # Unchanged since our last fetch, or a site without robots.txt: recorded, nothing to read.
            yield self._page(response, source, kind, 0)
            poll = self._polled(source, _request_of(response).url, kind, 1.0) if response.status == 304 else None
            if poll is not None:
                yield poll
            return
        try:
            found = read_discovery_page(kind, response.body, response.url, selectors=source.selectors,
                                        encoding=_declared_charset(response, source))
        except DiscoveryError as exc:
            yield self._reject(_request_of(response), "parse_error", f"not a {kind}: {exc}", status=response.status)
            return
        entries = [entry for entry in found.urls
                   if kind != "sitemap" or self._recent(entry.get("published_raw") or entry.get("lastmod"), source)]
        children = [url for url in found.sitemaps if source.allows(url) and self._recent_child(url, found, source)]
        for url in children:
            yield from self._discovery(source, url, "sitemap", response.url)
        walk = None
        if kind == "listing":
            walk = self._listing_walk(response, source, found.next_page, entries)
        # The page record (with the validators of the next conditional GET) is written after the frontier marks
        # of its entries: a crash between the two then costs a refetch of the page, never a URL that a 304
        # would hide for good.
        output = list(self._headlines(source, response.url, entries, walk))
        yield self._page(response, source, kind, len(entries) + len(children))
        yield from output
        seen, listed = self.last_seen_counts
        poll = self._polled(source, _request_of(response).url, kind, seen / listed if listed else None)
        if poll is not None:
            yield poll

    def _listing_walk(self, response: Response, source: Source, next_url: str | None,
                      entries: list[dict]) -> PageWalk | None:
        """What to do about a listing's next page. A scheduled run fetches it at once while the listing is
        within the source's ``listing_pages``; a backfill returns the walk that decides (see _headlines)."""
        # A headline an earlier listing page showed (a "most read" box on every page) says nothing of this one.
        fresh = [entry["url"] for entry in entries if entry.get("url") and entry["url"] not in self.listed]
        if self.since is not None:
            self.listed.update(fresh)
        if not next_url or not source.allows(next_url):
            return None
        page = int(response.meta.get("listing_page") or 1)
        walk = PageWalk(source_id=source.id, next_url=next_url, page=page + 1)
        if self.since is None:
            return walk if page < source.listing_pages else None
        since = since_moment(self.since, source.timezone)
        for url in fresh:
            if source.allows(url):
                walk.note(date_from_url(url, tz=source.timezone), since)
        return walk

    def _walk_on(self, walk: PageWalk) -> Iterator[scrapy.Request | Reject]:
        """The next page of a walk whose evidence is complete, unless the backfill reached its date."""
        if self.since is not None and not walk.go_on():
            self.crawler.stats.inc_value("newscrawler/listing_walks_reached_since")
            return
        source = self.sources[walk.source_id]
        for out in self._discovery(source, walk.next_url, "listing", None, listing_page=walk.page):
            if isinstance(out, scrapy.Request):
                self.crawler.stats.inc_value("newscrawler/listing_pages_followed")
            yield out

    def _article_settled(self, request: scrapy.Request, published_at: str | None) -> Iterator[Any]:
        """An article of a waiting listing page is in (stored, rejected or failed): note its date, and
        once the page's last article is in, decide about its next page."""
        walk = self.walks.get(request.meta.get("walk", 0))
        if walk is None:
            return
        source = self.sources[walk.source_id]
        when = None
        if published_at:
            try:
                when = datetime.fromisoformat(published_at)
            except ValueError:
                when = parse_date(published_at, tz=source.timezone)
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        walk.note(when, since_moment(self.since, source.timezone))
        walk.pending -= 1
        if walk.pending <= 0:
            del self.walks[id(walk)]
            yield from self._walk_on(walk)

    def _on_idle(self) -> None:
        """A waiting listing page whose articles will never all report back (a redirect to a URL already
        fetched is dropped by Scrapy's duplicate filter) is decided on what came in."""
        if not self.walks:
            return
        walks, self.walks = list(self.walks.values()), {}
        # (a pagination cycle found here has no callback to report it in: it is counted in the stats only)
        requests = [out for walk in walks for out in self._walk_on(walk) if isinstance(out, scrapy.Request)]
        for request in requests:
            self.crawler.engine.crawl(request)
        if requests:
            raise DontCloseSpider

    def _recent(self, raw_date: str | None, source: Source) -> bool:
        """Sitemap entries (and child sitemaps) dated before NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS are the
        archive: a scheduled run skips them; a backfill keeps what is not older than NEWSCRAWLER_SINCE.
        Undated entries are kept."""
        if not raw_date or not (self.sitemap_max_age or self.since):
            return True
        when = parse_date(raw_date, tz=source.timezone)
        if when is None:
            return True
        if self.since is not None:
            return when >= since_moment(self.since, source.timezone)
        return datetime.now(UTC) - when <= self.sitemap_max_age

    def _recent_child(self, url: str, found: Any, source: Source) -> bool:
        """A child sitemap is read when its <lastmod> is recent (see _recent); without one, when the period its
        URL names (sitemap-2019-05.xml) may hold recent entries. Others are read: their entries are filtered."""
        lastmod = found.sitemap_lastmod.get(url)
        if lastmod or not (self.sitemap_max_age or self.since):
            return self._recent(lastmod, source)
        end = archive_period_end(url, source.timezone)
        if end is None:
            return True
        if self.since is not None:
            return end > since_moment(self.since, source.timezone)
        return datetime.now(UTC) - end <= self.sitemap_max_age

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
        except (WorkerCrash, ExtractTimeout) as exc:
            reason = "worker_crash" if isinstance(exc, WorkerCrash) else "extract_timeout"
            self.logger.warning("%s on %s: %s", reason, response.url, exc)
            items = [self._reject(_request_of(response), reason, str(exc), status=response.status)]
        except Exception as exc:  # noqa: BLE001 - any bug on one page must not stop the crawl
            self.logger.exception("failed on %s", response.url)
            items = [self._reject(_request_of(response), "parse_error", f"{type(exc).__name__}: {exc}",
                                  status=response.status)]
        for item in items:
            yield item
        if "walk" in response.meta:
            published = next((i.published_at for i in items if isinstance(i, Article)), None)
            for request in self._article_settled(_request_of(response), published):
                yield request

    def _article_items(self, response: Response, source: Source, page: dict) -> Iterator[Any]:
        if not page.get("is_article"):
            reason = "blocked" if page.get("page_type") == "blocked" else "not_article"
            yield self._reject(_request_of(response), reason, page.get("reason") or page.get("page_type") or "",
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
        if any("\ufffd" in (text.get(field) or "") for field in ("title", "body", "summary")):
            # Bytes that decoded to replacement characters (a truncated stream, a wrong charset): never stored.
            yield self._reject(_request_of(response), "undecodable", "replacement characters in the decoded text",
                               status=response.status)
            return
        fetched_at = now_iso()
        dates = {field: _not_after(page.get(field), fetched_at) for field in ("published_at", "modified_at")}
        yield Article(
            url=url, fetched_url=response.url, source_id=source.id, **text,
            source_url=source_url, source_name=self._source_name(page, source),
            authors=list(page.get("authors") or []), tags=list(page.get("tags") or []),
            section=page.get("section"), language=page.get("language") or source.language,
            image_url=page.get("image_url"), published_at=dates["published_at"],
            published_raw=page.get("published_raw"), published_rule=page.get("published_rule"),
            modified_at=dates["modified_at"], fetched_at=fetched_at, http_status=response.status,
            method=method, frontier_url=response.meta.get("frontier_url", ""),
            revisit=bool(response.meta.get("revisit")),
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

    def on_error(self, failure: Failure) -> Iterator[Reject | PollSchedule | scrapy.Request]:
        request: scrapy.Request = failure.request  # type: ignore[attr-defined]  # set by Scrapy on errback failures
        yield from self._article_settled(request, None)
        source = self.sources.get(request.meta.get("source_id", ""))
        if source is not None and request.meta.get("listing_page", 1) == 1:
            poll = self._polled(source, request.url, request.meta.get("kind", ""), None, failed=True)
            if poll is not None:
                yield poll  # a failed poll backs off
        if failure.check(HttpError):
            response = failure.value.response
            self._source(response)  # counts the page as fetched
            yield self._reject(request, f"http_{response.status}", response.status and
                               f"HTTP {response.status}", status=response.status)
        elif failure.check(Refused) and failure.value.reason == "time_cap":
            # Not a reject: the request stays pending for the next run, counted like the other caps.
            source_id = request.meta.get("source_id", "")
            self.capped[source_id] += 1
            self.crawler.stats.inc_value("newscrawler/pages_capped")
            self.crawler.stats.set_value("newscrawler/pages_capped_by_source", dict(sorted(self.capped.items())))
        elif failure.check(Refused) and failure.value.reason == "source_paused":
            pass  # not a reject: the source asked us to wait (Retry-After); the URL stays pending for the next run
        elif failure.check(Refused):
            yield self._reject(request, failure.value.reason, str(failure.value), fetched=False)
        elif failure.check(IgnoreRequest):
            message = str(failure.value)
            # Scrapy's decompression limit (a gzip bomb) raises a plain IgnoreRequest naming DOWNLOAD_MAXSIZE.
            reason = ("too_large" if "DOWNLOAD_MAXSIZE" in message
                      else "robots" if "robots" in message.lower() else "ignored")
            yield self._reject(request, reason, str(failure.value), fetched=False)
        else:
            detail = f"{failure.type.__name__}: {failure.value}" if str(failure.value) else failure.type.__name__
            yield self._reject(request, download_failure_reason(failure), detail, fetched=False)

    def _reject(self, request: scrapy.Request, reason: str, detail: str, *, status: int | None = None,
                fetched: bool = True) -> Reject:
        return Reject(url=request.url, source_id=request.meta.get("source_id", ""), reason=reason,
                      detail=str(detail)[:500], http_status=status, at=now_iso(), fetched=fetched,
                      frontier_url=request.meta.get("frontier_url", ""))


class _OneLineDownloadErrors(logging.Filter):
    """Scrapy's robots.txt middleware logs a failed robots.txt download (a silent host's timeout) with its full
    traceback; an ordinary network failure is one line in our logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[0] is not None and not issubclass(record.exc_info[0], Exception):
            return True
        record.exc_info = None
        record.exc_text = None
        return True


logging.getLogger("scrapy.downloadermiddlewares.robotstxt").addFilter(_OneLineDownloadErrors())


def _request_of(response: Response) -> scrapy.Request:
    # Scrapy sets `response.request` on every response it hands to a callback.
    assert response.request is not None
    return response.request


def download_failure_reason(failure: Failure) -> str:
    """The reject reason of a request that got no response, from the failure's type."""
    if failure.check(*DNS_ERRORS):
        return "dns"
    if failure.check(*TIMEOUT_ERRORS):
        return "timeout"
    if failure.check(*CONNECTION_ERRORS):
        return "connection"
    if failure.check(*CANCELLED_ERRORS):
        return "too_large"
    return "download_error"


def _not_after(value: str | None, fetched_at: str) -> str | None:
    """An ISO date, or None when it lies after the fetch time (a `dateModified` in 2099): no stored date is
    in the future of the page's fetch (beyond the clock-skew tolerance pick_published allows)."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return value  # not ISO: left to the validate pipeline
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return None if when > datetime.fromisoformat(fetched_at) + FUTURE_TOLERANCE else value


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _declared_charset(response: Response, source: Source) -> str | None:
    """The source's forced encoding, else the HTTP header's charset (decode_html verifies either)."""
    return source.encoding or charset_from_content_type(_header(response, b"Content-Type"))
