"""AutoThrottle that keeps each source's own politeness.

Scrapy's AutoThrottle moves every slot's delay between ``DOWNLOAD_DELAY`` and ``AUTOTHROTTLE_MAX_DELAY`` from the
server's latency. Our sources set their own ``download_delay`` (``[source.politeness]``, one download slot per
source, ``DOWNLOAD_SLOTS``); plain AutoThrottle would lower a fast server's slot below that delay, so a site that
asked for one request every 5 s would get one a second. Here a slot's delay never drops below its source's.
"""

from __future__ import annotations

from typing import Any

from scrapy.extensions.throttle import AutoThrottle


class SourceAutoThrottle(AutoThrottle):
    def _response_downloaded(self, response: Any, request: Any, spider: Any) -> None:
        # `response.request` is not set yet when this signal fires: the slot is the request's
        super()._response_downloaded(response, request, spider)
        key, slot = self._get_slot(request, spider)
        if slot is None:
            return
        configured = self.crawler.settings.getdict("DOWNLOAD_SLOTS").get(key) or {}
        floor = float(configured.get("delay") or 0.0)
        if slot.delay < floor:
            slot.delay = floor
