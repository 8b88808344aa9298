"""`python -m newscrawler.distributed.monitor`: the figures docs/distributed.md tells operators to watch, read
from a real redis-server holding keys laid out as the workers and the ingest write them."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from newscrawler.distributed.monitor import redis_snapshot
from newscrawler.distributed.redis_url import RedisKeys, redis_client
from tests.services import free_port


def test_snapshot_counts_each_part_of_the_crawl(redis_server):
    client, keys = redis_client(redis_server.url), RedisKeys("crawl-a")
    client.zadd(keys.requests, {b'{"url": "http://a/1"}': 0, b'{"url": "http://a/2"}': -1})
    client.hset(keys.inflight("w1"), mapping={"lease1": "0 data", "lease2": "0 data"})
    client.hset(keys.inflight("w2"), "lease3", "0 data")
    client.hset(keys.workers, mapping={"w1": time.time() - 2, "w2": time.time() - 90})
    client.xgroup_create(keys.items, keys.ingest_group, id="0", mkstream=True)
    for _ in range(5):
        client.xadd(keys.items, {b"item": b"{}"})
    client.xreadgroup(keys.ingest_group, "ingest-x", {keys.items: ">"}, count=3)  # 3 read, not acknowledged
    client.sadd(keys.seen_bucket(100), *[f"fp{i}" for i in range(50)])
    client.sadd(keys.seen_bucket(101), "fp-new")
    client.sadd(keys.known_articles, "a/1", "a/2")
    client.sadd(RedisKeys("other-crawl").seen_bucket(100), "not ours")

    snap = redis_snapshot(client, keys)
    assert snap["queue"] == 2 and snap["inflight"] == 3
    assert 1 <= snap["workers"]["w1"] < 10 and snap["workers"]["w2"] >= 89
    assert snap["stream"]["length"] == 5 and snap["stream"]["pending"] == 3 and snap["stream"]["lag"] == 2
    assert snap["seen"]["buckets"] == 2 and snap["seen"]["fingerprints"] == 51 and snap["seen"]["bytes"] > 0
    assert snap["known"]["articles"] == 2
    assert snap["used_memory"] > snap["seen"]["bytes"]


def test_command_prints_json_and_fails_in_one_line(redis_server):
    run = [sys.executable, "-m", "newscrawler.distributed.monitor"]
    done = subprocess.run([*run, "--redis", redis_server.url], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0 and json.loads(done.stdout)["queue"] == 0
    bad = subprocess.run([*run, "--redis", "http://x"], capture_output=True, text=True, timeout=30)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "redis://" in bad.stderr
    away = subprocess.run([*run, "--redis", f"redis://:secret@127.0.0.1:{free_port()}/0"], capture_output=True,
                          text=True, timeout=30)
    assert away.returncode == 2 and away.stderr.startswith("error: cannot reach Redis at")
    assert "secret" not in away.stderr and away.stderr.count("\n") == 1
