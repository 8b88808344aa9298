"""The worker's Redis parts on a real redis-server: the leased queue, the aged seen-set, the Redis crawl state
(what only the Redis one does; the protocol both implement: tests/test_crawlstate_protocol.py)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import scrapy

from newscrawler.distributed.crawlstate import RedisCrawlState
from newscrawler.distributed.lease_keeper import LeaseOutputs
from newscrawler.distributed.queue import LEASE_META, Leases, reap
from newscrawler.distributed.redis_url import RedisKeys, redis_client
from newscrawler.distributed.seenset import BUCKETS, AgedDupeFilter, request_fingerprint

KEYS = RedisKeys("t")


@pytest.fixture
def client(redis_server):
    client = redis_client(redis_server.url)
    yield client
    client.close()


# -- leases ----------------------------------------------------------------------------------


def test_a_popped_request_is_leased_until_acked(client):
    worker = Leases(client, KEYS, "w1", lease_seconds=60)
    worker.push(b"low", 0.2)
    worker.push(b"high", -10.3)
    lease, data = worker.pop()
    assert data == b"high"  # the higher priority first, as scrapy-redis orders
    assert client.zcard(KEYS.requests) == 1 and worker.in_flight() == 1
    worker.ack(lease)
    assert worker.in_flight() == 0
    lease2, data2 = worker.pop()
    worker.push(b"retry of low", 0.1, handed_over=lease2)  # a retry takes the lease's place atomically
    assert worker.in_flight() == 0 and client.zrange(KEYS.requests, 0, -1) == [b"retry of low"]
    assert worker.pop()[1] == b"retry of low" and worker.pop() is None


def test_a_lease_ends_only_when_everything_its_callback_made_is_through(client):
    # Scrapy takes a callback's output ahead of processing it: the generator is exhausted while its last items are
    # still queued for the pipelines. The lease must outlive them (a worker killed then must leave it behind).
    worker = Leases(client, KEYS, "w1", lease_seconds=60)
    outputs = LeaseOutputs(worker)
    worker.push(b"listing", 0.0)
    lease, _ = worker.pop()
    request = scrapy.Request("http://127.0.0.1/listing", meta={LEASE_META: lease})
    item, child = {"title": "خبر"}, scrapy.Request("http://127.0.0.1/a/1")
    # followed twice, as an errback's output is when a spider middleware called the errback: counted once
    taken = list(outputs.follow(outputs.follow(iter([item, None, child]), request), request))
    assert taken == [item, None, child]
    assert worker.in_flight() == 1  # exhausted, but nothing is through yet
    outputs.through(child)  # pushed to the queue (or dropped as already seen)
    assert worker.in_flight() == 1
    outputs.through(item)  # on the stream
    assert worker.in_flight() == 0
    # an item the pipelines failed on keeps the lease: the request goes back to the queue at the stop
    worker.push(b"listing 2", 0.0)
    lease2, _ = worker.pop()
    item2 = {"title": "خبر آخر"}
    list(outputs.follow(iter([item2]), scrapy.Request("http://127.0.0.1/l2", meta={LEASE_META: lease2})))
    outputs._item_failed(item2)
    assert worker.in_flight() == 1 and worker.reap(own=True) == 1


def test_a_lease_ends_when_its_callback_raised_after_its_output_is_through(client):
    worker = Leases(client, KEYS, "w1", lease_seconds=60)
    outputs = LeaseOutputs(worker)
    worker.push(b"article", 0.0)
    lease, _ = worker.pop()
    item = {"title": "خبر"}

    def callback():
        yield item
        raise ValueError("a broken page")

    with pytest.raises(ValueError):
        list(outputs.follow(callback(), scrapy.Request("http://127.0.0.1/a", meta={LEASE_META: lease})))
    assert worker.in_flight() == 1
    outputs.through(item)
    assert worker.in_flight() == 0


def test_a_dead_workers_requests_go_back_with_their_priority(client):
    dead, alive = Leases(client, KEYS, "dead", lease_seconds=1), Leases(client, KEYS, "alive", lease_seconds=1)
    dead.heartbeat()
    for name, score in ((b"a", -10.0), (b"b", 0.0), (b"c", -5.0)):
        dead.push(name, score)
    assert [dead.pop()[1] for _ in range(2)] == [b"a", b"c"]
    assert reap(client, KEYS, 1) == 0  # its heartbeat is fresh
    time.sleep(1.2)
    alive.heartbeat()
    assert alive.reap() == 2
    assert client.hlen(KEYS.inflight("dead")) == 0 and client.hkeys(KEYS.workers) == [b"alive"]
    assert client.zrange(KEYS.requests, 0, -1, withscores=True) == [(b"a", -10.0), (b"c", -5.0), (b"b", 0.0)]


def test_a_clean_stop_hands_back_its_own_leases(client):
    worker = Leases(client, KEYS, "w", lease_seconds=60)
    worker.heartbeat()
    worker.push(b"x", 0)
    worker.pop()
    assert worker.reap() == 0 and worker.reap(own=True) == 1
    assert client.zrange(KEYS.requests, 0, -1) == [b"x"] and not client.hexists(KEYS.workers, "w")


# -- the aged seen-set -------------------------------------------------------------------------


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_fingerprint_is_seen_for_its_ttl_then_forgotten(client):
    clock = Clock(time.time())
    seen = AgedDupeFilter(client, KEYS, ttl_seconds=3600, clock=clock)
    assert not seen.seen(b"fp1") and seen.seen(b"fp1")
    clock.now += 3000
    assert seen.seen(b"fp1") and not seen.seen(b"fp2")
    clock.now += 600 + 3600 / BUCKETS + 1  # past the TTL of fp1's bucket (not of fp2's)
    assert not seen.seen(b"fp1") and seen.seen(b"fp2")


def test_fingerprints_fold_tracking_parameters_and_www():
    a = scrapy.Request("https://www.pub.ma/a/1?utm_source=home")
    assert request_fingerprint(a) == request_fingerprint(scrapy.Request("https://pub.ma/a/1"))
    assert request_fingerprint(a) != request_fingerprint(scrapy.Request("https://pub.ma/a/2"))


def test_seen_set_memory_stays_flat_over_a_long_crawl(client):
    """A TTL of 1 s stands for days: 12 TTLs of new fingerprints at a steady rate, the key count and Redis memory
    sampled after each TTL once the first has passed. The oldest buckets expire (Redis's own expiry) while new
    ones fill, so neither grows with the crawl."""
    seen = AgedDupeFilter(client, KEYS, ttl_seconds=1.0)
    client.config_set("hz", 100)  # Redis's active expiry cycle runs 100 times a second (10 by default)
    keys, memory, added = [], [], 0
    start = time.monotonic()
    for ttl in range(12):
        while time.monotonic() - start < ttl + 1:
            for _ in range(100):
                assert not seen.seen(f"fp-{added}".encode())
                added += 1
            time.sleep(0.005)
        if ttl >= 2:
            keys.append(client.dbsize())
            memory.append(client.info("memory")["used_memory"])
    assert added > 20_000
    assert max(keys) <= BUCKETS + 2, keys  # the live buckets and the one expiring
    middle, end = memory[len(memory) // 2], memory[-1]
    assert abs(end - middle) / middle < 0.10, memory  # within 10 % between the middle and the end


# -- the crawl state ---------------------------------------------------------------------------


@pytest.fixture
def state(client):
    state = RedisCrawlState(client, KEYS)
    yield state


def test_frontier_marks_keep_done_and_the_oldest_first(state, client):
    state.mark_pending("https://pub.ma/1", "pub")
    time.sleep(0.01)
    state.mark_pending("https://pub.ma/2", "pub")
    state.mark_pending("https://other.ma/1", "other")
    assert state.pending("pub") == ["https://pub.ma/1", "https://pub.ma/2"] and state.pending("pub", 1) == [
        "https://pub.ma/1"]
    since = json.loads(client.hget(KEYS.frontier, "https://pub.ma/1"))["since"]
    state.mark_pending("https://pub.ma/1", "pub")  # listed again while pending: keeps when it started waiting
    assert json.loads(client.hget(KEYS.frontier, "https://pub.ma/1"))["since"] == since
    assert state.pending("pub")[0] == "https://pub.ma/1"
    # the ingest stored it (known) and ended its entry: listed again, it is not pending again
    client.sadd(KEYS.known_articles, "pub.ma/1")
    state.mark_done("https://pub.ma/1", "pub")
    state.mark_pending("https://pub.ma/1", "pub")
    # a permanent reject likewise
    client.hset(KEYS.rejected, "https://pub.ma/2", "http_404")
    state.mark_done("https://pub.ma/2", "pub", reason="http_404")
    state.mark_pending("https://pub.ma/2", "pub")
    assert state.pending("pub") == [] and state.pending("other") == ["https://other.ma/1"]
    assert client.hkeys(KEYS.frontier) == [b"https://other.ma/1"]


def test_expire_ends_what_waited_too_long(state, client):
    state.mark_pending("https://pub.ma/old", "pub")
    state.mark_pending("https://other.ma/old", "other")
    # started waiting 8 days ago
    for url, source in (("https://pub.ma/old", "pub"), ("https://other.ma/old", "other")):
        client.zadd(KEYS.frontier_by_source(source), {url: (datetime.now(UTC) - timedelta(days=8)).timestamp()})
    state.mark_pending("https://pub.ma/new", "pub")
    assert state.expire(datetime.now(UTC) - timedelta(days=7)) == 2
    assert state.pending("pub") == ["https://pub.ma/new"] and state.pending("other") == []
    assert client.hkeys(KEYS.frontier) == [b"https://pub.ma/new"]
    state.mark_pending("https://pub.ma/old", "pub")  # a listing shows it anew: pending again
    assert state.pending("pub") == ["https://pub.ma/new", "https://pub.ma/old"]
    state.close()
