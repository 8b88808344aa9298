"""The Redis address of a distributed crawl, the one way to connect to it, and the names of every key newscrawler
keeps there.

One module owns them, so that the workers, the seeder and the ingest agree on a key by construction and an
operator finds the whole layout in one place (docs/distributed.md, "What is in Redis").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

SCHEMES = ("redis", "rediss", "unix")


class RedisUrlError(ValueError):
    """A --redis / NEWSCRAWLER_REDIS_URL value that is not a Redis URL (exit code 2)."""


def check_redis_url(url: str) -> str:
    """The URL unchanged when it names a Redis server, else RedisUrlError with one line saying why."""
    parts = urlsplit(url.strip())
    if parts.scheme not in SCHEMES:
        raise RedisUrlError(f"--redis {mask_redis_url(url)!r}: expected redis://HOST:PORT/DB "
                            f"(schemes: {', '.join(SCHEMES)})")
    if parts.scheme != "unix" and not parts.hostname:
        raise RedisUrlError(f"--redis {mask_redis_url(url)!r}: no host")
    try:
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number or out of range
    except ValueError as exc:
        raise RedisUrlError(f"--redis {mask_redis_url(url)!r}: {exc}") from None
    db = parts.path.strip("/")
    if parts.scheme != "unix" and db and not db.isdigit():
        raise RedisUrlError(f"--redis {mask_redis_url(url)!r}: the database after the host is a number, not {db!r}")
    return url.strip()


def mask_redis_url(url: str) -> str:
    """The URL with its password replaced by ``***``, for logs, errors and the run record."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def redis_client(url: str, **kwargs: Any) -> Any:
    """A redis-py client for the URL (bytes replies, as scrapy-redis expects)."""
    import redis

    return redis.Redis.from_url(check_redis_url(url), **kwargs)


class RedisUnreachable(ValueError):
    """The Redis server of --redis does not answer (exit code 2)."""


def connect(url: str) -> Any:
    """A client for a checked URL whose server answered PING; RedisUrlError or RedisUnreachable (one line) else."""
    import redis

    # a reply slower than socket_timeout is a Redis that hangs (the ingest's XREADGROUP blocks BLOCK_MS at most)
    client = redis_client(url, socket_connect_timeout=5, socket_timeout=30)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        raise RedisUnreachable(f"cannot reach Redis at {mask_redis_url(url)}: {exc}") from None
    return client


@dataclass(frozen=True)
class RedisKeys:
    """Every key of one distributed crawl, under one prefix (NEWSCRAWLER_REDIS_PREFIX, default ``newscrawler``),
    so that two crawls can share a Redis server and ``--flush`` knows what is its own."""

    prefix: str = "newscrawler"

    def _k(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    # -- the frontier (scrapy-redis's scheduler, with leases)
    @property
    def start_urls(self) -> str:
        """What `newscrawler seed` enqueues: feeds, sitemaps and listings, as JSON."""
        return self._k("start_urls")

    @property
    def requests(self) -> str:
        """The scheduler's shared request queue (SCHEDULER_QUEUE_KEY)."""
        return self._k("requests")

    def inflight(self, worker: str) -> str:
        """Requests a worker has taken and not yet finished: given back to the queue when the worker dies."""
        return self._k(f"inflight:{worker}")

    @property
    def seeded(self) -> str:
        """Start URL -> when `seed` last pushed it (unix seconds): not pushed again sooner than the shortest poll
        interval, while its poll (fetched, then published by the ingest) has not yet moved its due time."""
        return self._k("seeded")

    @property
    def workers(self) -> str:
        """Worker id -> last heartbeat (unix seconds)."""
        return self._k("workers")

    # -- the seen-set (request fingerprints), bounded by age
    def seen_bucket(self, bucket: int) -> str:
        return self._k(f"seen:{bucket}")

    # -- politeness shared across workers
    def host_next(self, host: str) -> str:
        """The earliest time (ms) the next request to this host may start."""
        return self._k(f"host:{host}:next")

    def host_active(self, host: str) -> str:
        """Requests to this host in flight in any worker: token -> expiry (ms), at most its concurrency."""
        return self._k(f"host:{host}:active")

    def host_waiting(self, host: str) -> str:
        """Requests waiting for a connection to this host, any worker: token -> when it began waiting (ms); the
        oldest is served first (a worker that just finished a request must not take the host back every time)."""
        return self._k(f"host:{host}:waiting")

    def host_waiting_seen(self, host: str) -> str:
        """Token -> when its waiter last asked (ms): a waiter that stopped asking (a dead worker) drops out."""
        return self._k(f"host:{host}:waiting-seen")

    def host_pause(self, host: str) -> str:
        """Set while the host asked us to wait (Retry-After); expires when the wait is over."""
        return self._k(f"host:{host}:pause")

    # -- items: workers -> ingest
    @property
    def items(self) -> str:
        """The item stream (XADD by workers, XREADGROUP by the ingest)."""
        return self._k("items")

    @property
    def ingest_group(self) -> str:
        return "ingest"

    # -- the crawl state shared by the workers (newscrawler.crawlstate)
    @property
    def known_articles(self) -> str:
        """URL keys of stored articles, published by the ingest."""
        return self._k("known")

    @property
    def rejected(self) -> str:
        """URL -> reason of the rejects, published by the ingest (RedisCrawlState.mark_done with a reason); the
        spider skips a URL listed again whose reason is permanent (a 404, not an article)."""
        return self._k("rejected")

    # Value formats (the workers read them, the ingest writes most of them after its commit):
    # known: SET of url keys; rejected: HASH url -> reason; frontier: HASH url -> JSON {"source_id", "since"}
    # (since: ISO UTC) with frontier_by_source(source_id): ZSET url -> since as unix seconds (oldest first);
    # validators: HASH url -> JSON {"http_status", "etag", "last_modified"};
    # polls: HASH url -> JSON {"interval_seconds", "next_due_at", "failures"} (newscrawler.crawlstate.PollState).
    @property
    def frontier(self) -> str:
        """URL -> JSON {source_id, since} of the article requests scheduled and not finished."""
        return self._k("frontier")

    def frontier_by_source(self, source_id: str) -> str:
        """The source's pending article URLs, scored by when they started waiting (unix seconds)."""
        return self._k(f"frontier:{source_id}")

    @property
    def validators(self) -> str:
        """Page URL -> JSON {http_status, etag, last_modified}."""
        return self._k("validators")

    @property
    def polls(self) -> str:
        """Feed, sitemap or listing URL -> JSON PollState."""
        return self._k("polls")
