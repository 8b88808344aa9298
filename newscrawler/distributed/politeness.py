"""Politeness shared by every worker: a host's delay and concurrency hold across them; a Retry-After pauses it.

Scrapy's download slots are per process: N workers each keeping a source's ``download_delay`` hit the site N
times as often. ``SharedPolitenessMiddleware`` reserves each request's start time per host in Redis, in one Lua
script on Redis's clock (so machines need not agree on the time):
a request may start when ``now >= max(keys.host_next(host), keys.host_pause(host))``, and then sets
``keys.host_next(host) = now + delay``; else the script says how long to wait, the worker waits that long
without blocking (a Twisted deferLater, never time.sleep) and asks again. The start is taken when it happens, not
reserved ahead: a reservation made for t+d fired late when the worker's reactor was busy, next to the one reserved
for t+2d, and the site saw two requests at once (bench/distributed.py measured gaps of 0 ms). A 429/503 with
``Retry-After`` seen by any worker sets ``keys.host_pause(host)`` (value: the end of the pause in ms, expiring
with it); no start is taken before it.
Concurrency: a request first takes one of the host's ``concurrency`` tokens (``keys.host_active(host)``, a sorted
set of token -> expiry; the oldest waiter, in any worker, is served first), given back when its response or
failure comes back; the tokens of a worker that died
go when the reaper retires it (newscrawler.distributed.queue), at the latest when the download timeout has passed.

The host is ``urlsplit(url).hostname`` with the port when the URL has one (the demo sites are ports of
127.0.0.1). The delay is the source's ``download_delay`` (``DOWNLOAD_SLOTS``, which the spider fills from the
politeness table of sources.toml) or DOWNLOAD_DELAY. Each reservation is one synchronous round trip to Redis
(well under a millisecond on a LAN), cheaper than the async client's machinery for one small script.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future

from newscrawler.distributed.queue import leases
from newscrawler.distributed.redis_url import RedisKeys, redis_client
from newscrawler.politeness import retry_after_seconds

logger = logging.getLogger(__name__)

PAUSE_CAP_SECONDS = 3600.0  # a Retry-After of a week pauses the host for an hour, then one request asks again

_NOW_MS = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"

# KEYS: host_next, host_pause; ARGV: delay ms. 0: the start is taken now (the next one may come `delay` later);
# else the ms to wait before asking again.
_TAKE_START = _NOW_MS + """
local ready = tonumber(redis.call('GET', KEYS[1]) or '0')
local pause = tonumber(redis.call('GET', KEYS[2]) or '0')
if pause > ready then ready = pause end
if ready > now then return ready - now end
local next = now + tonumber(ARGV[1])
redis.call('SET', KEYS[1], next, 'PX', tonumber(ARGV[1]) + 60000)
return 0
"""

# KEYS: host_pause; ARGV: pause ms. The pause only ever lengthens.
_PAUSE = _NOW_MS + """
local until_ms = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ms > current then redis.call('SET', KEYS[1], until_ms, 'PX', tonumber(ARGV[1])) end
return 1
"""

# KEYS: host_active, workers, host_waiting, host_waiting_seen; ARGV: token ("worker|random"), concurrency, token
# lifetime ms, waiter lifetime ms. 1 when the token was taken, else 0 (ask again). Tokens of workers no longer in
# keys.workers (reaped as dead) are dropped first. Waiters are served oldest first: without that, the worker that
# had just finished a request asked again at once and took the connection back every time, while the requests
# another worker held waited (a test saw 27 requests against 3). A waiter that stopped asking is dropped.
_ACQUIRE = _NOW_MS + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
for _, held in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local owner = string.match(held, '^(.*)|')
  if owner and redis.call('HEXISTS', KEYS[2], owner) == 0 then redis.call('ZREM', KEYS[1], held) end
end
local seen = redis.call('HGETALL', KEYS[4])
for i = 1, #seen, 2 do
  if tonumber(seen[i + 1]) < now - tonumber(ARGV[4]) then
    redis.call('HDEL', KEYS[4], seen[i]) redis.call('ZREM', KEYS[3], seen[i])
  end
end
redis.call('ZADD', KEYS[3], 'NX', now, ARGV[1])
redis.call('HSET', KEYS[4], ARGV[1], now)
redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[3])) redis.call('PEXPIRE', KEYS[4], tonumber(ARGV[3]))
local free = tonumber(ARGV[2]) - redis.call('ZCARD', KEYS[1])
if free <= 0 or redis.call('ZRANK', KEYS[3], ARGV[1]) >= free then return 0 end
redis.call('ZREM', KEYS[3], ARGV[1]) redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
"""

TOKEN_META = "host_token"
TOKEN_POLL_SECONDS = 0.05  # how often a request waiting for a free connection to its host asks again
WAITER_MS = 2000  # a waiter silent this long (its worker died or dropped it) leaves the line



def host_of(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{host}:{parts.port}" if parts.port else host


class SharedPolitenessMiddleware:
    STATUSES = (429, 503)

    def __init__(self, crawler: Any, client: Any, keys: RedisKeys) -> None:
        self.crawler = crawler
        self.keys = keys
        settings = crawler.settings
        self.default_delay = settings.getfloat("DOWNLOAD_DELAY")
        self.default_concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        # The per-source delays, read before opened() zeroes the local slots' copies.
        slots = settings.getdict("DOWNLOAD_SLOTS")
        self.slot_delays = {key: float(conf.get("delay", self.default_delay)) for key, conf in slots.items()}
        self.slot_concurrency = {key: int(conf.get("concurrency", self.default_concurrency))
                                 for key, conf in slots.items()}
        # a token outlives the longest download; then it is a dead worker's and expires
        self.token_ms = int((settings.getfloat("DOWNLOAD_TIMEOUT") + 30) * 1000)
        self.client = client
        self.host_slots: dict[str, str] = {}
        self.worker_id = leases(crawler).worker_id
        self._take_start = client.register_script(_TAKE_START)
        self._pause = client.register_script(_PAUSE)
        self._acquire = client.register_script(_ACQUIRE)
        crawler.signals.connect(self.opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedPolitenessMiddleware:
        settings = crawler.settings
        return cls(crawler, redis_client(settings.get("REDIS_URL")), RedisKeys(settings.get("NEWSCRAWLER_REDIS_PREFIX")))

    def opened(self, spider: Any = None) -> None:
        # The shared reservation IS the delay. Scrapy's slot would add its own on top: with one worker a request
        # reserved at t+d would wait again for the slot's d (with jitter up to 1.5 d) after the previous local
        # start, so one worker would crawl slower than its configured rate. The local slots keep their
        # concurrency and lose their delay; AutoThrottle is off in a worker for the same reason (worker.py).
        downloader = self.crawler.engine.downloader
        downloader.per_slot_settings = {key: {**conf, "delay": 0.0}
                                        for key, conf in downloader.per_slot_settings.items()}
        downloader._delay = 0.0  # new slots (robots.txt, by host) likewise; no public setter exists
        # A request without a source's slot (Scrapy's robots.txt request) takes the politeness of the source
        # whose homepage is on its host: one host, one rate, whoever asks.
        sources = getattr(self.crawler.spider, "sources", None) or {}
        self.host_slots = {host_of(source.homepage): source.id for source in sources.values()}

    def slot_of(self, request: Any) -> str:
        return str(request.meta.get("download_slot") or self.host_slots.get(host_of(request.url), ""))

    def delay_of(self, request: Any) -> float:
        return self.slot_delays.get(self.slot_of(request), self.default_delay)

    async def process_request(self, request: Any, spider: Any = None) -> None:
        from twisted.internet import reactor, task

        host = host_of(request.url)
        delay_ms = int(self.delay_of(request) * 1000)
        waited = 0.0
        slot = self.slot_of(request)
        concurrency = self.slot_concurrency.get(slot, self.default_concurrency) or self.default_concurrency
        token = f"{self.worker_id}|{uuid.uuid4().hex}"
        # A connection to the host first, then a start time: the other order could start two requests that each
        # waited for a connection at the same moment, closer than the delay. The cost: with concurrency 1 the
        # starts are the delay plus the response time apart (Scrapy's slot: the larger of the two).
        waiting = [self.keys.host_active(host), self.keys.workers, self.keys.host_waiting(host),
                   self.keys.host_waiting_seen(host)]
        while not int(self._acquire(keys=waiting, args=[token, concurrency, self.token_ms, WAITER_MS])):
            waited += TOKEN_POLL_SECONDS
            await maybe_deferred_to_future(task.deferLater(reactor, TOKEN_POLL_SECONDS, lambda: None))
        request.meta[TOKEN_META] = token
        while wait_ms := int(self._take_start(keys=[self.keys.host_next(host), self.keys.host_pause(host)],
                                              args=[delay_ms])):
            waited += wait_ms / 1000
            await maybe_deferred_to_future(task.deferLater(reactor, wait_ms / 1000, lambda: None))
        if waited:
            self.crawler.stats.inc_value("newscrawler/politeness_wait_seconds", round(waited, 3))

    def release(self, request: Any) -> None:
        token = request.meta.pop(TOKEN_META, None)
        if token:
            self.client.zrem(self.keys.host_active(host_of(request.url)), token)

    def process_exception(self, request: Any, exception: BaseException, spider: Any = None) -> None:
        self.release(request)

    def process_response(self, request: Any, response: Any, spider: Any = None) -> Any:
        self.release(request)
        if response.status in self.STATUSES:
            wait = retry_after_seconds(response.headers.get(b"Retry-After"))
            if wait:
                host = host_of(request.url)
                self._pause(keys=[self.keys.host_pause(host)], args=[int(min(wait, PAUSE_CAP_SECONDS) * 1000)])
                self.crawler.stats.inc_value("newscrawler/host_pauses")
                logger.info("%s asks to wait %.0f s: paused for every worker", host, wait)
        return response
