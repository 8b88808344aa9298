"""Downloader middlewares: conditional GET (incremental crawling), guarded redirects, private addresses behind
public names, per-source deadlines, and ``Retry-After`` on 429/503."""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.python.failure import Failure

from newscrawler.crawlstate import CrawlState, crawl_state
from newscrawler.politeness import retry_after_seconds
from newscrawler.urls import is_loopback_or_private, is_private_ip, url_key

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


class PrivateAddressMiddleware:
    """Refuses a request whose host NAME resolves to a loopback, link-local or private address (`private_address`)
    unless its source has ``allow_loopback``: a public-looking name in a link, a redirect or the configuration must
    not reach the machine's own services or its network (the literal addresses are refused by the configuration
    check and by GuardedRedirectMiddleware, which cannot see through a name).

    The name is resolved through the reactor's resolver, Scrapy's caching one (TWISTED_DNS_RESOLVER), which the
    download's own connection asks too: one lookup per host and run, and the address checked is the address
    connected to (the cache keeps it; a name that changes its answer later in the run - DNS rebinding - is not
    looked up again). A lookup that fails is left to the download, which fails it as before (reject reason `dns`).
    Scrapy's robots.txt request has no source id: it is checked for the source whose domains hold it."""

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> PrivateAddressMiddleware:
        return cls(crawler)

    async def process_request(self, request: Any, spider: Any = None) -> None:
        source = _source_of(self.crawler, request) or _owner_of(self.crawler, request.url)
        if source is None or source.allow_loopback:
            return None
        if is_loopback_or_private(request.url):
            raise Refused("private_address", f"a private address: {request.url}")
        host = urlsplit(request.url).hostname
        if not host:
            return None
        from twisted.internet import reactor  # imported here: see RetryAfterMiddleware.process_response

        resolving: Any = reactor  # typed as the IReactorCore interface, not a provider of it
        try:
            address = await maybe_deferred_to_future(resolving.resolve(host))
        except Exception:  # noqa: BLE001 - any lookup failure: the download fails it as `dns`, as before
            return None
        if is_private_ip(address):
            raise Refused("private_address", f"{host} resolves to the private address {address}: {request.url}")
        return None


class SourceDeadlineMiddleware:
    """The source's download slot and `download_timeout` on requests Scrapy makes for it (robots.txt), and its
    deadline: requests of a source still queued when its wall-time cap (NEWSCRAWLER_MAX_SECONDS_PER_SOURCE) has
    passed are not made: they stay pending for the next run, and are counted as capped (the spider's
    `past_deadline`)."""

    def __init__(self, crawler: Any):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> SourceDeadlineMiddleware:
        return cls(crawler)

    def process_request(self, request: Any, spider: Any = None) -> None:
        spider = self.crawler.spider
        source_id = request.meta.get("source_id")
        if not source_id:
            # Scrapy's own robots.txt request carries no source: it goes in its source's download slot, under the
            # source's politeness, not in a slot of its host name shared by every source on that host (on
            # loopback: all of them, where one silent robots.txt held the others' for seconds at the global
            # DOWNLOAD_DELAY); and the source's download_timeout applies to it too, so a silent host costs its
            # seconds, not DOWNLOAD_TIMEOUT's minutes.
            owner = _owner_of(self.crawler, request.url)
            if owner is not None:
                request.meta.setdefault("download_slot", owner.id)
                if "download_timeout" in owner.politeness:
                    request.meta.setdefault("download_timeout", float(owner.politeness["download_timeout"]))
        if source_id and hasattr(spider, "past_deadline") and spider.past_deadline(source_id):
            raise Refused("time_cap", f"source {source_id} is past its wall-time cap")
        return None


def _source_of(crawler: Any, request: Any) -> Any:
    sources = getattr(crawler.spider, "sources", None) or {}
    return sources.get(request.meta.get("source_id"))


def _owner_of(crawler: Any, url: str) -> Any:
    """The first source whose domains hold ``url`` (for requests Scrapy makes without a source id: robots.txt)."""
    sources = getattr(crawler.spider, "sources", None) or {}
    return next((s for s in sources.values() if s.allows(url)), None)


class RetryAfterMiddleware:
    """A 429 or 503 with ``Retry-After`` is retried after the server's delay, not Scrapy's next slot, and pauses the
    whole source: the server spoke for the site, not for one URL.

    Up to ``NEWSCRAWLER_RETRY_AFTER_MAX`` seconds the request waits (without holding a transfer of its source's
    download slot: the wait happens after the response) and is retried, within ``RETRY_TIMES``; the source's
    download slot is held for as long, so its queued requests wait too. A longer delay is not waited for in this
    run: the answer becomes an ``http_429``/``http_503`` reject, which leaves an article URL pending in the frontier
    for the next run, and the source's requests, queued or to come until then, are refused as ``source_paused``
    (not a reject: they stay pending, the feeds and listings are polled again by the next run). Without the header,
    Scrapy's RetryMiddleware retries as usual. Sits before it (a higher number: responses pass middlewares from
    high to low).

    The pause starts on ``response_downloaded``, as AutoThrottle's delay does: that signal comes before the slot
    hands its next queued request to the network; a request already on the wire (a concurrency over 1) is not
    called back.
    """

    STATUSES = (429, 503)

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("NEWSCRAWLER_RETRY_AFTER_MAX")
        self.paused_until: dict[str, float] = {}  # source id -> monotonic end of a pause too long to wait for

    @classmethod
    def from_crawler(cls, crawler: Any) -> RetryAfterMiddleware:
        if not crawler.settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        middleware = cls(crawler)
        crawler.signals.connect(middleware.response_downloaded, signal=signals.response_downloaded)
        return middleware

    def _wait(self, request: Any, response: Any) -> float | None:
        if response.status not in self.STATUSES or request.meta.get("dont_retry"):
            return None
        return retry_after_seconds(response.headers.get(b"Retry-After"))

    def response_downloaded(self, response: Any, request: Any, spider: Any = None) -> None:
        wait = self._wait(request, response)
        source_id = request.meta.get("source_id")
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(request.meta.get("download_slot"))
        if wait is None or not source_id or slot is None:
            return
        stats = self.crawler.stats
        stats.inc_value("newscrawler/retry_after_source_pauses")
        if wait > self.max_wait:
            self.paused_until[source_id] = max(self.paused_until.get(source_id, 0.0), time.monotonic() + wait)
            queued, slot.queue = list(slot.queue), type(slot.queue)()
            for queued_request, deferred in queued:
                stats.inc_value("newscrawler/retry_after_paused_requests")
                deferred.errback(Failure(Refused("source_paused", f"source {source_id} asked us to wait {wait:.0f} s "
                                                                  f"(Retry-After) from {request.url}")))
                del queued_request
            return
        stats.inc_value("newscrawler/retry_after_paused_requests", len(slot.queue))
        _hold_slot(downloader, slot, wait)

    def process_request(self, request: Any, spider: Any = None) -> None:
        source_id = request.meta.get("source_id")
        until = self.paused_until.get(source_id) if source_id else None
        if until is None:
            return None
        if until <= time.monotonic():
            del self.paused_until[source_id]
            return None
        self.crawler.stats.inc_value("newscrawler/retry_after_paused_requests")
        raise Refused("source_paused", f"source {source_id} asked us to wait {until - time.monotonic():.0f} s more "
                                       "(Retry-After)")

    async def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        wait = self._wait(request, response)
        if wait is None:
            return response
        stats = self.crawler.stats
        if wait > self.max_wait:
            stats.inc_value("newscrawler/retry_after_too_long")
            logger.info("%s asks to wait %.0f s (over NEWSCRAWLER_RETRY_AFTER_MAX %.0f s): its source is paused, "
                        "what it has queued is left for the next run", request.url, wait, self.max_wait)
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


def _hold_slot(downloader: Any, slot: Any, seconds: float) -> None:
    """Keep a download slot from starting its queued requests for ``seconds``: the slot's own ``latercall``, which
    its download delay sets the same way (a slot with one pending stays blocked until it fires)."""
    from twisted.internet import reactor

    if slot.latercall:
        if getattr(slot.latercall, "active", lambda: True)():
            slot.latercall.cancel()

    def resume() -> None:
        slot.latercall = None
        if hasattr(downloader, "_latercall"):  # Scrapy 2.14+: _process_queue(slot)
            downloader._process_queue(slot)
        else:  # pragma: no cover - the floor version: _process_queue(spider, slot)
            downloader._process_queue(downloader.crawler.spider, slot)

    clock: Any = reactor  # typed as the IReactorTime interface, not a provider of it
    slot.latercall = clock.callLater(seconds, resume)
