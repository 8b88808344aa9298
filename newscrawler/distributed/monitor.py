"""One snapshot of a distributed crawl's Redis: what docs/distributed.md tells operators to watch.

    python -m newscrawler.distributed.monitor --redis redis://HOST:6379/0 [--prefix newscrawler] [--every 10]

prints one JSON object per snapshot: the shared queue's length, requests in flight per worker, worker heartbeats,
the item stream's length and the ingest group's pending count and lag, the seen-set (bucket keys, fingerprints,
bytes), the known-article set, and Redis's own used_memory. The benchmark (bench/distributed.py) records the
same snapshot in the middle and at the end of a crawl.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from newscrawler.distributed.redis_url import RedisKeys, RedisUrlError, mask_redis_url, redis_client
from newscrawler.exitcodes import USAGE


def _length(client: Any, key: bytes | str) -> int:
    """Entries of a key whatever its type (the queue is a sorted set in scrapy-redis, a list in its FIFO mode)."""
    kind = client.type(key)
    kind = kind.decode() if isinstance(kind, bytes) else str(kind)
    command = {"zset": client.zcard, "list": client.llen, "set": client.scard, "hash": client.hlen,
               "stream": client.xlen}.get(kind)
    return int(command(key)) if command else 0


def _memory(client: Any, keys: list[bytes | str]) -> int:
    return sum(int(client.memory_usage(k, samples=0) or 0) for k in keys)


def _scan(client: Any, pattern: str) -> list[bytes | str]:
    return list(client.scan_iter(match=pattern, count=1000))


def redis_snapshot(client: Any, keys: RedisKeys) -> dict[str, Any]:
    """The figures of one crawl (one prefix) at this moment."""
    inflight_keys = _scan(client, keys.inflight("*"))
    seen_keys = _scan(client, keys.seen_bucket(0)[:-1] + "*")  # seen:<bucket> for every live bucket
    heartbeats = {(k.decode() if isinstance(k, bytes) else k): float(v)
                  for k, v in client.hgetall(keys.workers).items()}
    stream: dict[str, Any] = {"length": 0, "pending": 0, "lag": None}
    if client.exists(keys.items):
        stream["length"] = int(client.xlen(keys.items))
        for group in client.xinfo_groups(keys.items):
            name = group.get("name")
            if (name.decode() if isinstance(name, bytes) else name) == keys.ingest_group:
                stream["pending"] = int(group.get("pending", 0))
                stream["lag"] = group.get("lag")
    now = time.time()
    return {
        "at": round(now, 3),
        "queue": _length(client, keys.requests),
        "start_urls": _length(client, keys.start_urls),
        "inflight": sum(_length(client, k) for k in inflight_keys),
        "workers": {w: round(now - beat, 1) for w, beat in sorted(heartbeats.items())},  # seconds since heartbeat
        "stream": stream,
        "seen": {"buckets": len(seen_keys), "fingerprints": sum(_length(client, k) for k in seen_keys),
                 "bytes": _memory(client, seen_keys)},
        "known": {"articles": _length(client, keys.known_articles),
                  "bytes": _memory(client, [keys.known_articles])},
        "used_memory": int(client.info("memory")["used_memory"]),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m newscrawler.distributed.monitor",
                                 description="Print the figures of a distributed crawl's Redis as JSON.")
    ap.add_argument("--redis", required=True, metavar="URL")
    ap.add_argument("--prefix", default=RedisKeys().prefix)
    ap.add_argument("--every", type=float, default=0.0, metavar="SECONDS", help="repeat (default: once)")
    args = ap.parse_args(argv)
    try:
        client = redis_client(args.redis)
        keys = RedisKeys(args.prefix)
        while True:
            print(json.dumps(redis_snapshot(client, keys)), flush=True)
            if args.every <= 0:
                return 0
            time.sleep(args.every)
    except RedisUrlError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE
    except KeyboardInterrupt:
        return 0
    except Exception as exc:  # redis.ConnectionError and friends: one line, no traceback
        print(f"error: cannot reach Redis at {mask_redis_url(args.redis)}: {exc}", file=sys.stderr)
        return USAGE


if __name__ == "__main__":
    sys.exit(main())
