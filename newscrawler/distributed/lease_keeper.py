"""When a worker's leases end (newscrawler.distributed.queue): after the callback, on a drop, at the stop.

- ``LeaseAckMiddleware`` (spider middleware, outermost): acks once the callback's output is exhausted, or when the
  callback raised. The output's items are taken one at a time by Scrapy, each sent through the item pipelines
  before the next is taken; a worker's only pipeline (ItemStreamPipeline) is synchronous, so by the time the
  output is exhausted every item is on the stream. Errbacks do not pass spider middlewares:
  ``NewsRedisSpider.on_error`` acks itself with ``acked``.
- ``LeaseKeeper`` (extension): the heartbeat, the periodic reaper of dead workers' leases, the ack of a request
  the scheduler dropped, and at a clean stop its own unfinished leases back to the queue.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import signals

from newscrawler.distributed.queue import LEASE_META, Leases, leases

logger = logging.getLogger(__name__)


def acked(output: Iterable[Any], request: Any, lease_holder: Leases) -> Iterator[Any]:
    """The output, then the request's lease ended."""
    yield from output
    lease_holder.ack(request.meta.get(LEASE_META))


class LeaseAckMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.leases = leases(crawler)

    @classmethod
    def from_crawler(cls, crawler: Any) -> LeaseAckMiddleware:
        return cls(crawler)

    def process_spider_output(self, response: Any, result: Iterable[Any], spider: Any = None) -> Iterator[Any]:
        yield from acked(result, response.request, self.leases)

    async def process_spider_output_async(self, response: Any, result: AsyncIterator[Any],
                                          spider: Any = None) -> AsyncIterator[Any]:
        async for out in result:
            yield out
        self.leases.ack(response.request.meta.get(LEASE_META))

    def process_spider_exception(self, response: Any, exception: BaseException, spider: Any = None) -> None:
        self.leases.ack(response.request.meta.get(LEASE_META))


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
