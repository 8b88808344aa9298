"""When a worker's leases end (newscrawler.distributed.queue): once everything its callback produced is safe.

A request's lease may end only when every item of its callback's output is on the stream and every request of it
is in the shared queue (or was dropped as already seen): a worker killed before that must leave the lease behind,
so that another worker fetches the page again. The end of the output is not that moment: Scrapy takes a callback's
output ahead of processing it (``_parallel_asyncio`` fills a queue of 2 x CONCURRENT_ITEMS outputs and works on
them in parallel tasks), so the last items can still be on their way when the generator is exhausted. So:

- ``LeaseOutputs`` counts, per lease, the outputs not yet through: an item is through when the item pipelines
  are done with it (``item_scraped`` or ``item_dropped``; a worker's pipeline XADDs synchronously), a request when
  the queue pushed it (``LeasedPriorityQueue.push`` calls ``through``) or the scheduler dropped it
  (``request_dropped``). The lease is acked when the output has ended and nothing is left. An ``item_error`` (the
  stream unreachable) keeps the lease: the request goes back to the queue at the worker's stop, or when its
  heartbeat stops.
- ``LeaseAckMiddleware`` (spider middleware, outermost, so the scraper gets exactly what it counted) follows each
  callback's output; errbacks do not pass spider middlewares, so ``NewsRedisSpider.on_error`` follows its own.
- ``LeaseKeeper`` (extension): the heartbeat, the periodic reaper of dead workers' leases, the ack of a request
  the scheduler dropped, and at a clean stop its own unfinished leases back to the queue.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from weakref import WeakKeyDictionary

from scrapy import signals

from newscrawler.distributed.queue import LEASE_META, Leases, leases

logger = logging.getLogger(__name__)


class LeaseOutputs:
    """Per lease, the callback outputs still on their way; the lease ends when the output ended and none is left."""

    def __init__(self, lease_holder: Leases, crawler: Any = None) -> None:
        self.leases = lease_holder
        self.waiting: dict[str, int] = {}  # lease -> outputs yielded and not yet through
        self.owner: dict[int, str] = {}  # id(output) -> its lease, while the output is on its way
        self.ended: set[str] = set()  # leases whose output is exhausted (or whose callback raised)
        self.kept: set[str] = set()  # leases that must not end: an item of theirs failed in the pipelines
        if crawler is not None:
            for signal in (signals.item_scraped, signals.item_dropped):
                crawler.signals.connect(self._item_through, signal=signal)
            crawler.signals.connect(self._item_failed, signal=signals.item_error)
            crawler.signals.connect(self._request_dropped, signal=signals.request_dropped)

    def _yielded(self, lease: str, out: Any) -> None:
        # None: the scraper does nothing with it. Already counted: an errback's output is followed twice when a
        # spider middleware called the errback (HttpErrorMiddleware on a 500), by on_error and by the middleware.
        if out is None or id(out) in self.owner:
            return
        self.owner[id(out)] = lease
        self.waiting[lease] = self.waiting.get(lease, 0) + 1

    def follow(self, output: Iterable[Any], request: Any) -> Iterator[Any]:
        """The output, counted; the lease ends once it is exhausted and all of it is through."""
        lease = request.meta.get(LEASE_META)
        if not lease:
            yield from output
            return
        try:
            for out in output:
                self._yielded(lease, out)
                yield out
        finally:
            self.end_output(lease)

    async def follow_async(self, output: AsyncIterator[Any], request: Any) -> AsyncIterator[Any]:
        lease = request.meta.get(LEASE_META)
        try:
            async for out in output:
                if lease:
                    self._yielded(lease, out)
                yield out
        finally:
            if lease:
                self.end_output(lease)

    def end_output(self, lease: str | None) -> None:
        """The callback's output is over (exhausted, or the callback raised): ack when nothing is left."""
        if lease:
            self.ended.add(lease)
            self._settle(lease)

    def through(self, out: Any) -> None:
        """An output is safe (on the stream, in the queue, or dropped as seen)."""
        lease = self.owner.pop(id(out), None)
        if lease is None:
            return
        self.waiting[lease] -= 1
        self._settle(lease)

    def _settle(self, lease: str) -> None:
        if lease in self.ended and not self.waiting.get(lease):
            self.ended.discard(lease)
            self.waiting.pop(lease, None)
            if lease in self.kept:
                self.kept.discard(lease)  # stays in flight: requeued at the stop or by the reaper
            else:
                self.leases.ack(lease)

    def _item_through(self, item: Any, **kwargs: Any) -> None:
        self.through(item)

    def _item_failed(self, item: Any, **kwargs: Any) -> None:
        lease = self.owner.get(id(item))
        if lease is not None:
            self.kept.add(lease)
        self.through(item)

    def _request_dropped(self, request: Any, **kwargs: Any) -> None:
        self.through(request)


_OUTPUTS: WeakKeyDictionary[Any, LeaseOutputs] = WeakKeyDictionary()


def lease_outputs(crawler: Any) -> LeaseOutputs:
    """The crawler's one LeaseOutputs (the ack middleware, the spider's errback and the queue share it)."""
    found = _OUTPUTS.get(crawler)
    if found is None:
        found = _OUTPUTS[crawler] = LeaseOutputs(leases(crawler), crawler)
    return found


class LeaseAckMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.outputs = lease_outputs(crawler)

    @classmethod
    def from_crawler(cls, crawler: Any) -> LeaseAckMiddleware:
        return cls(crawler)

    def process_spider_output(self, response: Any, result: Iterable[Any], spider: Any = None) -> Iterator[Any]:
        yield from self.outputs.follow(result, response.request)

    async def process_spider_output_async(self, response: Any, result: AsyncIterator[Any],
                                          spider: Any = None) -> AsyncIterator[Any]:
        async for out in self.outputs.follow_async(result, response.request):
            yield out

    def process_spider_exception(self, response: Any, exception: BaseException, spider: Any = None) -> None:
        self.outputs.end_output(response.request.meta.get(LEASE_META))


class LeaseKeeper:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.leases = leases(crawler)
        self.loops: list[Any] = []
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)
        crawler.signals.connect(self.dropped, signal=signals.request_dropped)

    @classmethod
    def from_crawler(cls, crawler: Any) -> LeaseKeeper:
        return cls(crawler)

    def opened(self, spider: Any = None) -> None:
        from twisted.internet import task

        self.leases.heartbeat()
        self.reap()
        # A heartbeat three times per lease: one late beat (a long extraction) does not make the worker look dead.
        interval = max(0.2, self.leases.lease_seconds / 3)
        for call in (self.leases.heartbeat, self.reap):
            loop = task.LoopingCall(self._guarded, call)
            loop.start(interval, now=False)
            self.loops.append(loop)

    def reap(self) -> None:
        moved = self.leases.reap()
        if moved:
            self.crawler.stats.inc_value("newscrawler/leases_requeued", moved)

    @staticmethod
    def _guarded(call: Any) -> None:
        try:
            call()
        except Exception as exc:  # noqa: BLE001 - Redis away for a moment: the next beat tries again
            logger.warning("lease upkeep failed: %s: %s", type(exc).__name__, exc)

    def dropped(self, request: Any, spider: Any = None) -> None:
        self.leases.ack(request.meta.get(LEASE_META))

    def closed(self, spider: Any = None, reason: str = "") -> None:
        for loop in self.loops:
            if loop.running:
                loop.stop()
        # What this worker leased and did not finish goes back to the queue now, not after the lease runs out.
        returned = self.leases.reap(own=True)
        if returned:
            logger.info("returned %d unfinished requests to the queue", returned)
