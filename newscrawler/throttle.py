"""AutoThrottle that keeps each source's own politeness.

Scrapy's AutoThrottle moves every slot's delay between ``DOWNLOAD_DELAY`` and ``AUTOTHROTTLE_MAX_DELAY`` from the
server's latency. Our sources set their own ``download_delay`` (``[source.politeness]``, one download slot per
source, ``DOWNLOAD_SLOTS``), and that delay is the source's floor in both directions:

- plain AutoThrottle would lower a fast server's slot below it, so a site that asked for one request every 5 s
  would get one a second;
- and it would raise a source allowed to go faster than the global ``DOWNLOAD_DELAY`` (a big site, a loopback
  test site) to that global delay at its first response: a source with ``download_delay = 0.5`` ran at 2 s.

A slot that is not a configured source (none in a normal crawl) keeps Scrapy's floor, ``DOWNLOAD_DELAY``.
"""

from __future__ import annotations

from typing import Any

from scrapy.extensions.throttle import AutoThrottle


class SourceAutoThrottle(AutoThrottle):
    def _response_downloaded(self, response: Any, request: Any, spider: Any) -> None:
        key, _slot = self._get_slot(request, spider)
        configured = self.crawler.settings.getdict("DOWNLOAD_SLOTS").get(key) if key else None
        global_floor = self.mindelay
        if configured is not None:
            # `response.request` is not set yet when this signal fires: the slot is the request's
            self.mindelay = float(configured.get("delay") or 0.0)
        try:
            super()._response_downloaded(response, request, spider)
        finally:
            self.mindelay = global_floor
