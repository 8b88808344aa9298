"""The one writer of a distributed crawl: ``newscrawler ingest --redis URL --db PATH`` (docs/distributed.md).

Workers XADD every item to the stream ``keys.items``; this process reads it in a consumer group, runs each item
through the crawl's own validation, normalisation and ``ItemWriter`` (dedup, near-duplicates and stories are the
``Store``'s), and then, in this order:

1. commits the batch to SQLite;
2. publishes what the workers read back (``keys.known`` url keys of stored articles, ``keys.rejected`` reasons,
   ``keys.validators``, ``keys.polls``, frontier entries of finished URLs removed);
3. acknowledges and deletes the batch's entries (XACK + XDEL in one MULTI), so the stream stays small.

An ingest killed at any point loses nothing: what was not committed is still pending in the group and read again
on restart (its own pending entries first, then XAUTOCLAIM of entries a dead consumer held for longer than
NEWSCRAWLER_INGEST_CLAIM_IDLE_SECONDS). What was committed but not acknowledged comes again and is stored once:
every save is idempotent for a replayed item (an article is ``seen``, a reject or page fetch already stored adds
nothing, headlines, touches, polls and frontier marks are upserts).
"""

from __future__ import annotations

import json
import logging
import signal
import socket
import time
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from newscrawler import runlock
from newscrawler.distributed.item_codec import ItemCodecError, decode_item
from newscrawler.distributed.redis_url import (
    RedisKeys,
    RedisUnreachable,
    connect,
    mask_redis_url,
)
from newscrawler.items import Article, PageRecord, PollSchedule
from newscrawler.pipelines.normalise import NormalisePipeline
from newscrawler.pipelines.validate import ValidatePipeline
from newscrawler.store import Store, StoreError
from newscrawler.store.item_writer import CountStats, ItemWriter
from newscrawler.store.rows import url_key_of, utc

logger = logging.getLogger(__name__)

BLOCK_MS = 1000  # one XREADGROUP waits at most this long, so a SIGTERM or --idle-exit is noticed within a second
KNOWN_CHUNK = 10_000  # url keys per SADD when the known set is published at start


class IngestError(Exception):
    """Redis or the database cannot be used: one line for the operator, exit code 2."""


@dataclass
class IngestOptions:
    redis_url: str
    db: str
    prefix: str = "newscrawler"
    batch: int = 500  # stream entries per read, per SQLite commit and per acknowledgement
    idle_exit: float | None = None  # exit 0 after this many seconds without an entry (tests, benchmarks)
    claim_idle_seconds: float = 300.0  # entries a dead consumer held this long are taken over
    progress_interval: float = 10.0  # seconds between progress lines (NEWSCRAWLER_PROGRESS_INTERVAL); 0: none
    consumer: str = field(default_factory=lambda: f"ingest-{socket.gethostname()}")  # the same after a restart
    near_duplicates: bool = True
    near_dup_window_days: float = 7.0
    # rows of the `sources` table (newscrawler.sources.Source.as_row): upserted, and the run's sources (health)
    sources: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_settings(cls, settings: Any, *, redis_url: str, db: str, batch: int | None = None,
                      idle_exit: float | None = None, sources: list[dict[str, Any]] | None = None) -> IngestOptions:
        """From Scrapy settings (newscrawler.settings and -s), with the command's options over them."""
        return cls(redis_url=redis_url, db=db, prefix=settings.get("NEWSCRAWLER_REDIS_PREFIX") or "newscrawler",
                   batch=batch or settings.getint("NEWSCRAWLER_INGEST_BATCH"), idle_exit=idle_exit,
                   claim_idle_seconds=settings.getfloat("NEWSCRAWLER_INGEST_CLAIM_IDLE_SECONDS"),
                   progress_interval=settings.getfloat("NEWSCRAWLER_PROGRESS_INTERVAL"),
                   near_duplicates=settings.getbool("NEWSCRAWLER_NEAR_DUPLICATES"),
                   near_dup_window_days=settings.getfloat("NEWSCRAWLER_NEAR_DUP_WINDOW_DAYS"),
                   sources=list(sources or []))


class Publication:
    """What one batch tells the workers, applied to Redis only after the batch is committed (RedisKeys formats)."""

    def __init__(self, keys: RedisKeys) -> None:
        self.keys = keys
        self.known: set[str] = set()
        self.validators: dict[str, str] = {}
        self.polls: dict[str, str] = {}
        self.done: list[tuple[str, str, str | None]] = []  # frontier URLs finished, in order

    def __bool__(self) -> bool:
        return bool(self.known or self.validators or self.polls or self.done)

    def add(self, item: Any, store: Store) -> None:
        if isinstance(item, Article):
            # the spider asks by the link it is about to fetch: the canonical key and the fetched one (as SQLite's
            # known_article does)
            self.known.update(k for k in (item.url_key, url_key_of(item.fetched_url)) if k)
        elif isinstance(item, PageRecord):
            state = store.page_state(item.url) or {}  # after the save: a 304 keeps the stored validators
            self.validators[item.url] = json.dumps(
                {"http_status": state.get("http_status"), "etag": state.get("etag"),
                 "last_modified": state.get("last_modified")})
        elif isinstance(item, PollSchedule):
            self.polls[item.url] = json.dumps(
                {"interval_seconds": float(item.interval_seconds), "next_due_at": utc(item.next_due_at),
                 "failures": int(item.failures or 0)})

    def apply(self, client: Any) -> None:
        keys = self.keys
        # the source a frontier entry was marked pending under (a redirect can end it under another source's item)
        owners = client.hmget(keys.frontier, [url for url, _, _ in self.done]) if self.done else []
        pipe = client.pipeline(transaction=False)
        if self.known:
            pipe.sadd(keys.known_articles, *self.known)
        if self.validators:
            pipe.hset(keys.validators, mapping=self.validators)
        if self.polls:
            pipe.hset(keys.polls, mapping=self.polls)
        for (url, source_id, reason), owner in zip(self.done, owners, strict=True):
            pipe.hdel(keys.frontier, url)
            for source in {source_id, _owner(owner) or source_id}:
                pipe.zrem(keys.frontier_by_source(source), url)
            if reason:
                pipe.hset(keys.rejected, url, reason)
            else:  # stored as an article after all: no longer a reject (the SQLite frontier's reason is cleared too)
                pipe.hdel(keys.rejected, url)
        pipe.execute()


def _owner(entry: bytes | None) -> str | None:
    """The source_id of a frontier entry (JSON {source_id, since}), None when absent or unreadable."""
    try:
        return str(json.loads(entry)["source_id"]) if entry else None
    except (ValueError, KeyError, TypeError):
        return None


class IngestFrontier:
    """The ingest's ``mark_done``: the SQLite frontier row in the batch's transaction (as a crawl writes it), and
    the Redis frontier entry removed once the batch is committed."""

    def __init__(self, store: Store, run_id: int) -> None:
        self.store = store
        self.run_id = run_id
        self.publication: Publication | None = None

    def mark_done(self, url: str, source_id: str, reason: str | None = None) -> None:
        self.store.mark_frontier(url, source_id, "done", run_id=self.run_id, reason=reason)
        if self.publication is not None:
            self.publication.done.append((url, source_id, reason))


def publish_database_state(store: Store, client: Any, keys: RedisKeys) -> dict[str, int]:
    """At start: what the database already holds, for workers that never read it (known articles, permanent
    rejects, page validators, poll schedules). Returns how many of each were published."""
    conn = store.db.conn
    counts = {"known": 0, "rejected": 0, "validators": 0, "polls": 0}
    cur = conn.execute("SELECT url_key, fetched_url_key FROM articles")
    while rows := cur.fetchmany(KNOWN_CHUNK // 2):
        batch = {k for row in rows for k in row if k}
        client.sadd(keys.known_articles, *batch)
        counts["known"] += len(batch)
    queries = (
        ("rejected", keys.rejected, "SELECT url, reason FROM frontier WHERE state = 'done' AND reason IS NOT NULL",
         lambda r: r[1]),
        ("validators", keys.validators, "SELECT url, http_status, etag, last_modified FROM pages",
         lambda r: json.dumps({"http_status": r[1], "etag": r[2], "last_modified": r[3]})),
        ("polls", keys.polls, "SELECT url, interval_seconds, next_due_at, failures FROM poll_schedule",
         lambda r: json.dumps({"interval_seconds": float(r[1]), "next_due_at": r[2], "failures": int(r[3] or 0)})),
    )
    for name, key, sql, value in queries:
        cur = conn.execute(sql)
        while rows := cur.fetchmany(KNOWN_CHUNK):
            client.hset(key, mapping={r[0]: value(r) for r in rows})
            counts[name] += len(rows)
    return counts


class Ingest:
    """Reads, stores, commits, publishes, acknowledges: one batch at a time (``run``)."""

    def __init__(self, client: Any, store: Store, run_id: int, options: IngestOptions) -> None:
        self.client = client
        self.store = store
        self.run_id = run_id
        self.options = options
        self.keys = RedisKeys(options.prefix)
        self.stats = CountStats()
        self.frontier = IngestFrontier(store, run_id)
        self.writer = ItemWriter(store, run_id, self.stats, frontier=self.frontier, role="ingest")
        # the crawl's own pipelines, in ITEM_PIPELINES order (tests/test_ingest.py checks it)
        self.prepare = (ValidatePipeline(self.stats), NormalisePipeline())
        self.stopping = False
        self._own_pending = True  # first what this consumer read before a restart and never acknowledged
        self._claim_cursor = "0-0"
        self._next_claim = 0.0
        self.busy_seconds = 0.0  # spent storing, committing, publishing and acknowledging (not waiting for entries)

    def ensure_group(self) -> None:
        import redis

        try:  # from the stream's start: entries XADDed before the first ingest ever ran are read too
            self.client.xgroup_create(self.keys.items, self.keys.ingest_group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def read(self) -> list[tuple[bytes, dict[bytes, bytes] | None]]:
        """The next batch: own pending entries, then entries claimed from dead consumers, then new ones."""
        stream, group, consumer, count = self.keys.items, self.keys.ingest_group, self.options.consumer, self.options.batch
        if self._own_pending:
            reply = self.client.xreadgroup(group, consumer, {stream: "0"}, count=count)
            entries = reply[0][1] if reply else []
            if entries:
                self.stats.inc_value("newscrawler/ingest/redelivered", len(entries))
                return list(entries)
            self._own_pending = False
        if time.monotonic() >= self._next_claim:
            cursor, entries, *_ = self.client.xautoclaim(
                stream, group, consumer, min_idle_time=int(self.options.claim_idle_seconds * 1000),
                start_id=self._claim_cursor, count=count)
            cursor = cursor.decode() if isinstance(cursor, bytes) else str(cursor)
            self._claim_cursor = cursor
            if cursor == "0-0":  # went through the whole pending list: look again in a while
                self._next_claim = time.monotonic() + max(1.0, self.options.claim_idle_seconds / 2)
            if entries:
                self.stats.inc_value("newscrawler/ingest/claimed", len(entries))
                return list(entries)
        reply = self.client.xreadgroup(group, consumer, {stream: ">"}, count=count, block=BLOCK_MS)
        return list(reply[0][1]) if reply else []

    def store_batch(self, entries: list[tuple[bytes, dict[bytes, bytes] | None]]) -> bool:
        """Store, commit, publish, acknowledge one batch; False when a write failed (nothing acknowledged)."""
        publication = self.store_entries(entries)
        if publication is None:
            return False
        self.publish_and_ack(entries, publication)
        return True

    def store_entries(self, entries: list[tuple[bytes, dict[bytes, bytes] | None]]) -> Publication | None:
        """Decode, validate, normalise and store the entries and commit them; what to publish, or None when a write
        failed (the batch is undone, nothing is acknowledged: it is read again after a restart)."""
        publication = Publication(self.keys)
        self.frontier.publication = publication
        for entry_id, fields in entries:
            self.stats.inc_value("newscrawler/ingest/entries")
            item = self._decode(entry_id, fields)
            if item is None:
                continue
            try:
                for pipeline in self.prepare:
                    item = pipeline.process_item(item)
                self.writer.write(item)
            except Exception as exc:  # noqa: BLE001 - one bad item (as Scrapy drops one) never stops the ingest
                logger.error("ingest: entry %s not stored: %s: %s", _text(entry_id), type(exc).__name__, exc)
                self.stats.inc_value("newscrawler/ingest/items_failed")
                continue
            if self.writer.write_error is not None:
                return None
            self.stats.inc_value("newscrawler/ingest/items")
            publication.add(item, self.store)
        return publication if self.writer.commit() else None

    def publish_and_ack(self, entries: list[tuple[bytes, dict[bytes, bytes] | None]],
                        publication: Publication) -> None:
        """After the commit: tell the workers, then acknowledge and delete the entries (one MULTI)."""
        if publication:
            publication.apply(self.client)
        ids = [entry_id for entry_id, _ in entries]
        pipe = self.client.pipeline(transaction=True)
        pipe.xack(self.keys.items, self.keys.ingest_group, *ids)
        pipe.xdel(self.keys.items, *ids)
        pipe.execute()

    def _decode(self, entry_id: bytes, fields: dict[bytes, bytes] | None) -> Any:
        data = (fields or {}).get(b"item")
        try:
            if data is None:
                raise ItemCodecError("no 'item' field (or the entry was deleted)")
            return decode_item(data)
        except ItemCodecError as exc:
            # acknowledged with its batch: an entry that cannot be read now cannot be read later either
            logger.warning("ingest: entry %s skipped: %s", _text(entry_id), exc)
            self.stats.inc_value("newscrawler/ingest/undecodable")
            return None

    def run(self) -> str:
        """Until SIGTERM/SIGINT or --idle-exit; returns the run's status (``finished`` or ``store_error``)."""
        idle_since = last_progress = time.monotonic()
        while not self.stopping:
            entries = self.read()
            if not entries:
                if self.options.idle_exit is not None and time.monotonic() - idle_since >= self.options.idle_exit:
                    logger.info("ingest: nothing new for %s s; exiting (--idle-exit)", self.options.idle_exit)
                    break
                continue
            busy = time.monotonic()
            if not self.store_batch(entries):
                return "store_error"
            idle_since = time.monotonic()
            self.busy_seconds += idle_since - busy
            if self.options.progress_interval and idle_since - last_progress >= self.options.progress_interval:
                last_progress = idle_since
                self.log_progress()
        return "finished"

    def log_progress(self) -> None:
        """What an operator watches: items stored, their rate, and the backlog still in the stream."""
        items = int(self.stats.get_value("newscrawler/ingest/items", 0))
        rate = items / self.busy_seconds if self.busy_seconds else 0.0
        logger.info("ingest: %d items stored (%.0f items/s while busy); %d entries waiting in the stream", items, rate,
                    self.client.xlen(self.keys.items))

    def stop(self, signum: int, frame: FrameType | None) -> None:
        logger.info("ingest: %s: finishing the current batch", signal.Signals(signum).name)
        self.stopping = True


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass
class IngestResult:
    status: str
    run: dict[str, Any]
    stats: dict[str, Any]
    published_at_start: dict[str, int]
    seconds: float

    @property
    def exit_code(self) -> int:
        return 0 if self.status == "finished" else 1


def run_ingest(options: IngestOptions) -> IngestResult:
    """One ingest session: the run lock and a crawl_runs row (spider ``ingest``) on the database, until a signal or
    --idle-exit. Raises IngestError (Redis, database) and runlock.RunLocked (another crawl or ingest holds it)."""
    import redis

    try:
        client = connect(options.redis_url)
    except RedisUnreachable as exc:
        raise IngestError(str(exc)) from None
    with runlock.RunLock(options.db):
        try:
            store = Store(options.db, batch_size=max(options.batch, 1), max_delay=3600.0,
                          near_duplicates=options.near_duplicates,
                          near_dup_window_days=options.near_dup_window_days)
        except StoreError as exc:
            raise IngestError(str(exc)) from None
        started = time.monotonic()
        status = "redis_error"
        ingest: Ingest | None = None
        published: dict[str, int] = {}
        try:
            aborted = store.abort_stale_runs()  # this process holds the lock: a run still `running` died
            if aborted:
                logger.warning("runs %s never finished; marked aborted", ", ".join(map(str, aborted)))
            store.upsert_sources(options.sources)
            run_id = store.start_run(sources=sorted(s["id"] for s in options.sources), spider="ingest",
                                     settings={"redis": mask_redis_url(options.redis_url), "prefix": options.prefix,
                                               "consumer": options.consumer, "batch": options.batch})
            ingest = Ingest(client, store, run_id, options)
            # from here a signal stops the session cleanly (also while the database state is being published)
            previous = {sig: signal.signal(sig, ingest.stop) for sig in (signal.SIGTERM, signal.SIGINT)}
            try:
                ingest.ensure_group()
                published = publish_database_state(store, client, ingest.keys)
                logger.info("ingest: run %s, consumer %s on %s; published %s", run_id, options.consumer,
                            mask_redis_url(options.redis_url), published)
                status = ingest.run()
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)
        except (redis.RedisError, ConnectionError, TimeoutError) as exc:
            logger.error("ingest: lost Redis at %s: %s; what was committed and not acknowledged is read again on "
                         "restart", mask_redis_url(options.redis_url), exc)
        finally:
            seconds = time.monotonic() - started
            stats = ingest.stats.get_stats() if ingest is not None else {}
            run: dict[str, Any] = {}
            if ingest is not None:
                items = int(stats.get("newscrawler/ingest/items", 0))
                run_stats = {key.rsplit("/", 1)[-1]: value for key, value in stats.items()
                             if key.startswith("newscrawler/ingest/")}
                busy = ingest.busy_seconds
                run_stats.update(write_errors=stats.get("newscrawler/write_errors", 0), seconds=round(seconds, 3),
                                 busy_seconds=round(busy, 3), items_per_second=round(items / busy, 1) if busy else None)
                try:
                    run = store.finish_run(ingest.run_id, status=status, stats=run_stats)
                except Exception as exc:  # noqa: BLE001 - a full disk: the row keeps the counts of its last commit
                    logger.error("ingest: the run record could not be closed: %s", exc)
            try:
                store.close()
            except Exception:  # noqa: BLE001 - closing after a failed write: nothing more to say
                pass
    return IngestResult(status, run, stats, published, seconds)
