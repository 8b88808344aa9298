"""`newscrawler seed --redis URL`: put the sources' feeds, sitemaps and listings on the workers' start list.

What a single crawl's start does (NewsSpider.start), for many workers: each source's start URLs, plus its
robots.txt when it declares no sitemaps (robots.txt is where they are found), as JSON start entries on
``keys.start_urls``. A page whose poll schedule (``keys.polls``, published by the ingest from the workers'
PollSchedule items) says it is not due yet is skipped, so seeding again is always safe. ``--watch`` keeps
seeding what becomes due until SIGTERM/SIGINT. A URL already waiting on the start list is not pushed twice.
Each pass also requeues the in-flight requests of dead workers (newscrawler.distributed.queue.reap), so a
crawl whose workers all died resumes when they are started again.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from newscrawler.distributed.queue import DEFAULT_LEASE_SECONDS, reap
from newscrawler.distributed.redis_url import RedisKeys
from newscrawler.distributed.spider import start_entry
from newscrawler.sources import Source

logger = logging.getLogger(__name__)



def start_urls(source: Source) -> list[tuple[str, str]]:
    """(kind, url) of what a crawl starts a source with (NewsSpider.start without --due's robots rule)."""
    robots = [("robots", source.homepage.rstrip("/") + "/robots.txt")] if not source.sitemaps else []
    return robots + list(source.start_urls)


def _due(client: Any, keys: RedisKeys, url: str, now: datetime, min_interval: float) -> bool:
    seeded = client.hget(keys.seeded, url)
    if seeded and now.timestamp() - float(seeded) < min_interval:
        return False  # pushed a moment ago: its poll may not be published yet
    raw = client.hget(keys.polls, url)
    return not raw or str(json.loads(raw).get("next_due_at") or "") <= now.isoformat(timespec="seconds")


def seed_once(client: Any, keys: RedisKeys, sources: list[Source], lease_seconds: float = DEFAULT_LEASE_SECONDS,
              min_interval: float = 0.0) -> dict[str, int]:
    """One pass: push what is due and not already waiting. Returns the counts (seeded, not_due, waiting,
    requeued: in-flight requests of dead workers given back to the queue)."""
    counts = {"seeded": 0, "not_due": 0, "waiting": 0, "requeued": reap(client, keys, lease_seconds)}
    waiting = {json.loads(e)["url"] for e in client.lrange(keys.start_urls, 0, -1) if e.startswith(b"{")}
    now = datetime.now(UTC)
    entries = []
    for source in sources:
        pages = [(kind, url) for kind, url in source.start_urls if _due(client, keys, url, now, min_interval)]
        counts["not_due"] += len(source.start_urls) - len(pages)
        if not pages:
            continue  # robots.txt goes with the first due page, as with `crawl --due`
        for kind, url in start_urls(source):
            if kind != "robots" and (kind, url) not in pages:
                continue
            if url in waiting:
                counts["waiting"] += 1
                continue
            entries.append(start_entry(url, source.id, kind))
            waiting.add(url)
    if entries:
        with client.pipeline() as pipe:
            pipe.rpush(keys.start_urls, *entries)
            pipe.hset(keys.seeded, mapping={json.loads(e)["url"]: now.timestamp() for e in entries})
            pipe.execute()
    counts["seeded"] = len(entries)
    return counts


def seed(client: Any, keys: RedisKeys, sources: list[Source], *, watch: bool = False,
         lease_seconds: float = DEFAULT_LEASE_SECONDS, interval: float = 30.0, min_interval: float = 0.0,
         report: Callable[[dict[str, int]], None] = lambda counts: None) -> int:
    """Seed once, or with ``watch`` every ``interval`` seconds until SIGTERM/SIGINT. Returns the entries pushed."""
    stop = threading.Event()
    if watch:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    total = 0
    while True:
        counts = seed_once(client, keys, sources, lease_seconds, min_interval)
        total += counts["seeded"]
        report(counts)
        if not watch or stop.wait(interval):
            return total
