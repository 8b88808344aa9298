"""A seen-set of request fingerprints that forgets by age (DUPEFILTER_CLASS of a worker).

scrapy-redis's RFPDupeFilter keeps every fingerprint in one set forever (rmax/scrapy-redis#144): a crawl that
runs for months grows it without bound. Here fingerprints live in time buckets, ``keys.seen_bucket(n)`` with
``n = now // bucket``, each expiring NEWSCRAWLER_SEEN_TTL_HOURS after its bucket ends; a request is seen when any
live bucket holds its fingerprint, and the check and the add to the current bucket are one Lua script (two
workers finding one URL at once: exactly one of them schedules it). Redis memory is then the fingerprints of the
last TTL (plus one bucket), whatever the length of the crawl. An article stored before its fingerprint expired
stays known through ``keys.known`` (the ingest publishes it), so forgetting a fingerprint never refetches it.

The fingerprint is of the URL's dedup key (newscrawler.urls.url_key: tracking parameters, ``www.``, scheme
folded), the key a single crawl dedups article requests by within its run: a listing's ``?utm_source=home`` link
and the feed's clean URL of one article, found by two workers, are one request.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from typing import Any

from scrapy.dupefilters import BaseDupeFilter

from newscrawler.distributed.redis_url import RedisKeys, redis_client
from newscrawler.urls import url_key

logger = logging.getLogger(__name__)

BUCKETS = 24  # per TTL: a fingerprint lives between TTL and TTL + TTL/24

# KEYS: the live buckets, the current one first; ARGV: fingerprint, unix ms at which the current bucket expires
_SEEN = """
for i = 1, #KEYS do
  if redis.call('SISMEMBER', KEYS[i], ARGV[1]) == 1 then return 1 end
end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 0
"""


def request_fingerprint(request: Any) -> bytes:
    """20 bytes: the method, the URL's dedup key and the body."""
    digest = hashlib.sha1(request.method.encode() + b" " + url_key(request.url).encode() + b" ")
    digest.update(request.body or b"")
    return digest.digest()


class AgedDupeFilter(BaseDupeFilter):
    def __init__(self, client: Any, keys: RedisKeys, ttl_seconds: float,
                 fingerprint: Callable[[Any], bytes] | None = None, clock: Callable[[], float] = time.time, debug: bool = False) -> None:
        if ttl_seconds <= 0:
            raise ValueError("NEWSCRAWLER_SEEN_TTL_HOURS must be positive")
        self.client, self.keys = client, keys
        self.ttl = ttl_seconds
        self.bucket_seconds = ttl_seconds / BUCKETS
        self.fingerprint = fingerprint or request_fingerprint
        self.clock = clock
        self.debug = debug
        self._seen = client.register_script(_SEEN)

    @classmethod
    def from_crawler(cls, crawler: Any) -> AgedDupeFilter:
        settings = crawler.settings
        return cls(redis_client(settings.get("REDIS_URL")), RedisKeys(settings.get("NEWSCRAWLER_REDIS_PREFIX")),
                   settings.getfloat("NEWSCRAWLER_SEEN_TTL_HOURS") * 3600,
                   debug=settings.getbool("DUPEFILTER_DEBUG"))

    @classmethod
    def from_spider(cls, spider: Any) -> AgedDupeFilter:
        # scrapy-redis's Scheduler builds its dupefilter with from_spider when the class has it
        return cls.from_crawler(spider.crawler)

    def live_buckets(self) -> list[int]:
        """The current bucket first, then every older one that may hold a fingerprint younger than the TTL."""
        current = int(self.clock() // self.bucket_seconds)
        return [current - i for i in range(BUCKETS + 1)]

    def request_seen(self, request: Any) -> bool:
        return self.seen(self.fingerprint(request))

    def seen(self, fingerprint: bytes) -> bool:
        """True when the fingerprint is in a live bucket; else it is added to the current one."""
        buckets = self.live_buckets()
        expires_ms = int(((buckets[0] + 1) * self.bucket_seconds + self.ttl) * 1000)
        return bool(self._seen(keys=[self.keys.seen_bucket(n) for n in buckets], args=[fingerprint, expires_ms]))

    def clear(self) -> None:
        for key in self.client.scan_iter(match=self.keys.seen_bucket(0)[:-1] + "*"):
            self.client.delete(key)

    def close(self, reason: str = "") -> None:
        """Kept: the seen-set is the crawl's, shared with the other workers (expiry bounds it)."""

    def log(self, request: Any, spider: Any) -> None:
        if self.debug:
            logger.debug("Filtered duplicate request: %s", request)
