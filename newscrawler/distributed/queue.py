"""The shared frontier with leases: a request a worker took and never finished goes back to the queue.

scrapy-redis's PriorityQueue pops a request out of Redis for good: a worker killed with the request in memory
loses it. ``LeasedPriorityQueue`` (SCHEDULER_QUEUE_CLASS) pops in one Lua script that moves the request into the
worker's in-flight hash (``keys.inflight(worker)``: lease id -> "score data") and puts the lease id in
``request.meta["lease"]``. The lease ends (``ack``) when the request is finished: all its callback's or
errback's output is through, its items on the stream and its requests in this queue (``LeaseOutputs`` in
lease_keeper.py), it was dropped, or it went back to the queue as a retry or redirect (``push`` hands the lease
over in the same script). Each worker writes a
heartbeat into ``keys.workers`` (Redis's own clock, so machines need not agree on the time); ``reap`` moves the
in-flight requests of workers silent for NEWSCRAWLER_WORKER_LEASE_SECONDS back into the queue with their
priority. Requeued requests go straight into the queue, never through the duplicate filter that already saw them.

Ordering is scrapy-redis's: a sorted set scored by ``-priority``, so higher priorities pop first. Within one
priority a random fraction of a point orders the requests: a sorted set orders equal scores by their bytes, which
begin with the URL, so a worker would pop one host's requests in a row and wait on that host's politeness while
the other hosts idle.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import uuid
from typing import Any
from weakref import WeakKeyDictionary

from scrapy_redis.queue import Base

from newscrawler.distributed.redis_url import RedisKeys

logger = logging.getLogger(__name__)

LEASE_META = "lease"
DEFAULT_LEASE_SECONDS = 60.0

# KEYS: queue, inflight; ARGV: lease id. The top request moves into the in-flight hash as "score data".
_POP = """
local top = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #top == 0 then return false end
redis.call('ZREM', KEYS[1], top[1])
redis.call('HSET', KEYS[2], ARGV[1], top[2] .. ' ' .. top[1])
return top[1]
"""

# KEYS: queue, inflight; ARGV: score, data, lease id handed over ('' for a new request)
_PUSH = """
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('HDEL', KEYS[2], ARGV[3]) end
return 1
"""

# KEYS: workers; ARGV: worker id. Redis's clock, so that every machine's heartbeat is on one time line.
_HEARTBEAT = """
local t = redis.call('TIME')
redis.call('HSET', KEYS[1], ARGV[1], t[1] + t[2] / 1000000)
return 1
"""

# KEYS: workers, queue; ARGV: lease seconds, in-flight key prefix, worker id to requeue whatever its heartbeat
# ('' for none). Returns how many requests went back to the queue.
_REAP = """
local t = redis.call('TIME')
local now = t[1] + t[2] / 1000000
local beats = redis.call('HGETALL', KEYS[1])
local dead = {}
for i = 1, #beats, 2 do
  if beats[i] == ARGV[3] or now - tonumber(beats[i + 1]) > tonumber(ARGV[1]) then table.insert(dead, beats[i]) end
end
if ARGV[3] ~= '' then table.insert(dead, ARGV[3]) end
local moved = 0
for _, worker in ipairs(dead) do
  local key = ARGV[2] .. worker
  local entries = redis.call('HVALS', key)
  for _, entry in ipairs(entries) do
    local sp = string.find(entry, ' ', 1, true)
    redis.call('ZADD', KEYS[2], tonumber(string.sub(entry, 1, sp - 1)), string.sub(entry, sp + 1))
    moved = moved + 1
  end
  redis.call('DEL', key)
  redis.call('HDEL', KEYS[1], worker)
end
return moved
"""


def new_worker_id() -> str:
    """Host, pid and a random part: unique across machines and restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Leases:
    """One worker's view of the leases: pop into its in-flight hash, ack, heartbeat, reap."""

    def __init__(self, client: Any, keys: RedisKeys, worker_id: str | None = None,
                 lease_seconds: float = DEFAULT_LEASE_SECONDS) -> None:
        self.client, self.keys = client, keys
        self.worker_id = worker_id or new_worker_id()
        self.lease_seconds = lease_seconds
        self.inflight_key = keys.inflight(self.worker_id)
        self._pop = client.register_script(_POP)
        self._push = client.register_script(_PUSH)
        self._beat = client.register_script(_HEARTBEAT)
        self._reap = client.register_script(_REAP)

    def pop(self) -> tuple[str, bytes] | None:
        """(lease id, serialized request) of the highest-priority request, now leased to this worker."""
        lease = uuid.uuid4().hex
        data = self._pop(keys=[self.keys.requests, self.inflight_key], args=[lease])
        return (lease, data) if data else None

    def push(self, data: bytes, score: float, handed_over: str | None = None) -> None:
        self._push(keys=[self.keys.requests, self.inflight_key], args=[score, data, handed_over or ""])

    def ack(self, lease: str | None) -> None:
        if lease:
            self.client.hdel(self.inflight_key, lease)

    def in_flight(self) -> int:
        return int(self.client.hlen(self.inflight_key))

    def heartbeat(self) -> None:
        self._beat(keys=[self.keys.workers], args=[self.worker_id])

    def reap(self, *, own: bool = False) -> int:
        """Requeue the in-flight requests of every worker whose heartbeat is older than the lease (and this
        worker's own with ``own``: at a clean stop, what it did not finish goes back at once)."""
        return reap(self.client, self.keys, self.lease_seconds, also=self.worker_id if own else "",
                    script=self._reap)


def reap(client: Any, keys: RedisKeys, lease_seconds: float, *, also: str = "", script: Any = None) -> int:
    """Requeue the in-flight requests of the workers silent for ``lease_seconds``; returns how many (`seed` calls
    this too, so a crawl whose workers all died resumes when any process touches it)."""
    script = script or client.register_script(_REAP)
    moved = int(script(keys=[keys.workers, keys.requests], args=[lease_seconds, keys.inflight(""), also]))
    if moved:
        logger.info("requeued %d in-flight requests of stopped workers", moved)
    return moved


_LEASES: WeakKeyDictionary[Any, Leases] = WeakKeyDictionary()


def leases(crawler: Any) -> Leases:
    """The crawler's one Leases (the queue, the ack middleware and the keeper extension share it)."""
    found = _LEASES.get(crawler)
    if found is None:
        from newscrawler.distributed.redis_url import redis_client

        settings = crawler.settings
        found = Leases(redis_client(settings.get("REDIS_URL")), RedisKeys(settings.get("NEWSCRAWLER_REDIS_PREFIX")),
                       lease_seconds=settings.getfloat("NEWSCRAWLER_WORKER_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))
        _LEASES[crawler] = found
    return found


class LeasedPriorityQueue(Base):
    """SCHEDULER_QUEUE_CLASS of a worker: scrapy-redis's priority order, pops under a lease."""

    def __init__(self, server: Any, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        from newscrawler.distributed.lease_keeper import lease_outputs  # it builds on this module

        self.leases = leases(spider.crawler)
        self.outputs = lease_outputs(spider.crawler)
        if self.leases.keys.requests != self.key:
            raise ValueError(f"SCHEDULER_QUEUE_KEY {self.key} is not the crawl's queue {self.leases.keys.requests}")

    def __len__(self) -> int:
        return int(self.server.zcard(self.key))

    def push(self, request: Any) -> None:
        # A retry or redirect carries the lease of the request it replaces: handed back with it, atomically.
        handed_over = request.meta.pop(LEASE_META, None)
        self.leases.push(self._encode_request(request), -request.priority + random.random() * 0.5, handed_over)
        self.outputs.through(request)  # in Redis now: the lease of the callback that made it may end

    def pop(self, timeout: int = 0) -> Any:
        popped = self.leases.pop()
        if popped is None:
            return None
        lease, data = popped
        request = self._decode_request(data)
        request.meta[LEASE_META] = lease
        return request
