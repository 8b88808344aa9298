"""The writer: ``Store``, the only process that writes a crawl database, with thin ``save_*`` methods.

It keeps one transaction open and commits every ``batch_size`` writes or ``max_delay`` seconds after the first
uncommitted write, whichever comes first (and on ``commit()``/``close()``/leaving a ``with`` block); each save call
runs in its own savepoint, so an exception inside one item never leaves half of it behind. The dedup rules are
``dedup_sql.Deduplicator``'s, the run counters ``runs.RunCounters``', the reads ``queries``'.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from newscrawler.revisits import RevisitPlan
from newscrawler.store import bands, crawl_writes, headline_rows, headline_stories, queries, revisions, runs
from newscrawler.store.connection import BUSY_TIMEOUT_MS, WAL_LIMIT_BYTES, open_writer, savepoint
from newscrawler.store.dedup_sql import Deduplicator, SaveResult
from newscrawler.store.rows import NOT_FETCHED_REASONS, article_row, split_reason, utc, utc_now
from newscrawler.store.schema import StoreError, schema_version
from newscrawler.store.stories import count_headlines

# URL keys per UPDATE of touch_articles (two placeholders each, far below SQLite's variable limit)
_TOUCH_CHUNK = 500


class Store:
    """The crawl database (one writer). See the package docstring and docs/schema.md."""

    def __init__(
        self,
        path: str | Path,
        *,
        batch_size: int = 200,
        max_delay: float = 5.0,
        near_duplicates: bool = True,
        near_dup_window_days: float = 7.0,
        boilerplate_min_articles: int = 5,
        wal_limit_bytes: int = WAL_LIMIT_BYTES,
        revisit_plan: RevisitPlan | None = None,
    ) -> None:
        self.path = Path(path)
        self.wal_limit_bytes = int(wal_limit_bytes)
        self.batch_size = max(1, int(batch_size))
        # a slow crawl must not hold the write lock (and hide its rows from readers) for minutes
        self.max_delay = float(max_delay)
        self.near_duplicates = bool(near_duplicates)
        self.near_dup_window_days = float(near_dup_window_days)
        self.revisit_plan = revisit_plan  # None or no hours: new articles get no revisits
        self.db = open_writer(self.path)
        # After a checkpoint that empties the WAL, SQLite truncates the file to this size.
        self.db.conn.execute(f"PRAGMA journal_size_limit = {self.wal_limit_bytes:d}")
        # headlines' title words, for joining headlines to stories by title (store.headline_stories)
        self._titles = headline_stories.TitleIndex()
        self._dedup = Deduplicator(
            self.db.conn,
            near_duplicates=near_duplicates,
            near_dup_window_days=near_dup_window_days,
            boilerplate_min_articles=boilerplate_min_articles,
            titles=self._titles,
        )
        self._pending = 0
        self._pending_since = 0.0
        self._wrote_any = False
        self._counters = runs.RunCounters(self.db.conn)
        self._closed = False

    @property
    def schema_version(self) -> int:
        return schema_version(self.db.conn)

    # ------------------------------------------------------------------ transactions

    def _begin(self) -> None:
        if self._closed:
            raise StoreError("store is closed")
        if not self.db.conn.in_transaction:
            self.db.conn.execute("BEGIN")

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        self._begin()
        with savepoint(self.db.conn):
            yield

    def _wrote(self, n: int = 1) -> None:
        if not self._pending:
            self._pending_since = time.monotonic()
        self._pending += n
        self._wrote_any = True
        if self._pending >= self.batch_size or time.monotonic() - self._pending_since >= self.max_delay:
            self.commit()

    def commit(self) -> None:
        """Write the run counters into crawl_runs and commit, so counts always match committed rows."""
        if self._closed:
            return
        if self._counters:
            self._begin()
            self._counters.flush_all()
        self.db.commit()
        self._pending = 0
        self._bound_wal()

    def _bound_wal(self) -> None:
        """WAL checkpoint policy: SQLite's automatic checkpoints cannot get past a reader's snapshot, so while
        analysts' readers come and go the WAL file can grow far past the database. After a commit that leaves it
        over ``wal_limit_bytes``, try a TRUNCATE checkpoint without waiting: it succeeds as soon as no reader holds
        an old snapshot, and costs nothing (SQLITE_BUSY at once) while one does. The writer never waits for readers."""
        wal = self.path.with_name(self.path.name + "-wal")
        try:
            if wal.stat().st_size <= self.wal_limit_bytes:
                return
        except OSError:
            return
        conn = self.db.conn
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.OperationalError:
            pass  # a reader still holds its snapshot: next commit tries again
        finally:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")

    def rollback(self) -> None:
        """Discard the writes since the last commit (counters are reloaded from the database)."""
        self.db.rollback()
        self._counters.clear()
        self._pending = 0

    def close(self) -> None:
        if self._closed:
            return
        self.commit()
        if self._wrote_any:  # a read-only use (CLI stats/search) must not wait for the crawl's write lock
            try:
                self.db.execute("PRAGMA optimize")
            except sqlite3.Error:
                pass  # only a planner hint
        self.db.close()
        self._closed = True

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        # every save_* call is atomic on its own, so what was saved before an error is whole: keep it
        self.close()

    # ------------------------------------------------------------------ sources and runs

    def run_counts(self, run_id: int) -> dict[str, Any]:
        """What this store saved in the run so far (``runs.RunCounters.counts``)."""
        return self._counters.counts(run_id)

    def upsert_sources(self, sources: Iterable[dict[str, Any]]) -> None:
        """Insert or update source rows (``added_at`` is kept from the first time)."""
        now = utc_now()
        cols = ("id", "name", "homepage", "kind", "language", "country", "timezone", "config_hash")
        with self._savepoint():
            for src in sources:
                row = {c: src.get(c) for c in cols}
                if not row["id"]:
                    raise ValueError(f"source without id: {src!r}")
                self.db.execute(
                    f"INSERT INTO sources ({', '.join(cols)}, added_at, updated_at) "
                    f"VALUES ({', '.join(':' + c for c in cols)}, :now, :now) "
                    f"ON CONFLICT(id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in cols[1:])}, "
                    "updated_at = excluded.updated_at",
                    {**row, "now": now},
                )
        self.commit()

    def start_run(
        self, *, sources: list[str], spider: str = "news", settings: dict[str, Any] | None = None
    ) -> int:
        """Create a crawl_runs row (status ``running``) and return its id; committed at once."""
        with self._savepoint():
            run_id = runs.insert_run(self.db.conn, sources=sources, spider=spider, settings=settings)
        self.commit()
        return run_id

    def finish_run(self, run_id: int, *, status: str, stats: dict[str, Any] | None = None) -> dict[str, Any]:
        """Close a run: end time, status, counts, and the crawler's ``stats`` (kept whole as JSON).

        ``unaccounted = pages_fetched - accounted`` when the crawler reported ``pages_fetched``;
        0 means every downloaded page ended as exactly one record.
        """
        self._begin()
        self._counters.flush(run_id)
        accounted = self._counters.counts(run_id)["accounted"]
        runs.close_run(self.db.conn, run_id, status=status, stats=dict(stats or {}), accounted=accounted)
        self.commit()
        self._counters.forget(run_id)
        if self.near_duplicates:
            self.maintain_bands()
        return self.get_run(run_id)

    def maintain_bands(self, *, prune_limit: int = 50_000, backfill_limit: int = 20_000) -> dict[str, int]:
        """Bound the near-duplicate state (``store.bands``): prune the bands of up to ``prune_limit`` articles
        outside ``near_dup_window_days`` and fingerprint up to ``backfill_limit`` rows stored before schema v2.
        Runs at the end of every run (``finish_run``), in bounded steps, so a crawl's start never waits for it."""
        with self._savepoint():
            pruned = bands.prune_bands(self.db.conn, window_days=self.near_dup_window_days, limit=prune_limit)
            signed = bands.backfill_signatures(self.db.conn, limit=backfill_limit)
        self.commit()
        return {"pruned": pruned, "backfilled": signed}

    def rebuild_stories(self, *, since: str | None = None) -> dict[str, int]:
        """Recompute the stories of the articles published (else first seen) since ``since`` (stored ISO text;
        None: all) deterministically, in one transaction (``store.rebuild``; `newscrawler stories --rebuild`)."""
        from newscrawler.store.rebuild import rebuild

        with self._savepoint():
            counts = rebuild(self.db.conn, since=since)
        self.commit()
        return counts

    def get_run(self, run_id: int) -> dict[str, Any]:
        """The crawl_runs row with its JSON columns decoded."""
        return runs.get_run(self.db.conn, run_id)

    # ------------------------------------------------------------------ articles

    def known_article(self, url_key: str) -> int | None:
        """Id of the article stored under this URL key (canonical or as fetched), else None."""
        return queries.known_article(self.db.conn, url_key)

    def touch_article(self, article_id: int, *, run_id: int, at: str | datetime | None = None) -> None:
        """Mark a stored article as still listed (incremental run, not re-fetched: not in ``accounted``)."""
        self._begin()
        cur = self.db.execute(
            "UPDATE articles SET last_seen_at = max(last_seen_at, :at), last_run_id = :run WHERE id = :id",
            {"at": utc(at) or utc_now(), "run": run_id, "id": article_id},
        )
        if cur.rowcount:
            source = self.db.execute("SELECT source_id FROM articles WHERE id = ?", [article_id]).fetchone()
            self._counters.count(run_id, "articles_touched", source[0] if source else None)
        self._wrote()

    def touch_articles(self, url_keys: list[str], *, run_id: int, at: str | datetime | None = None) -> int:
        """Mark the stored articles under these URL keys (canonical or as fetched) as listed again in this run,
        without a fetch: ``last_seen_at`` / ``last_run_id`` move, each counts as ``articles_touched`` (not in
        ``accounted``). Returns how many rows were touched."""
        params = {"at": utc(at) or utc_now(), "run": run_id}
        sources: list[str | None] = []
        with self._savepoint():
            for start in range(0, len(url_keys), _TOUCH_CHUNK):
                keys = list(url_keys[start : start + _TOUCH_CHUNK])
                marks = ", ".join("?" for _ in keys)
                cur = self.db.execute(
                    "UPDATE articles SET last_seen_at = max(last_seen_at, ?), last_run_id = ? "
                    f"WHERE url_key IN ({marks}) OR fetched_url_key IN ({marks}) RETURNING source_id",
                    [params["at"], params["run"], *keys, *keys],
                )
                sources.extend(r[0] for r in cur.fetchall())
        for source_id in sources:
            self._counters.count(run_id, "articles_touched", source_id)
        self._wrote()
        return len(sources)

    def save_article(self, article: dict[str, Any], *, run_id: int) -> SaveResult:
        """Store one extracted article, applying the dedup rules (docs/schema.md)."""
        row = article_row(article, run_id, utc_now())
        revised: list[str] = []
        with self._savepoint():
            if article.get("revisit"):
                # a revisit (newscrawler.revisits): an edited title or body becomes a revision row first
                revised = revisions.revise(self.db.conn, row, run_id=run_id, at=row["last_seen_at"])
            result = self._dedup.save(row, run_id)
            if result.status == "new" and result.duplicate_of is None and self.revisit_plan is not None:
                revisions.schedule_first(self.db.conn, result.article_id, self.revisit_plan)
        if revised:
            self._counters.count(run_id, "revised", row["source_id"])  # by_source[...]["revised"]
            result = replace(result, revised=tuple(revised))
        status_counter = {"new": "articles_new", "seen": "articles_seen", "duplicate": "duplicates"}
        self._counters.count(run_id, status_counter[result.status], row["source_id"])
        for _ in result.repointed:
            self._counters.count(run_id, "repointed", row["source_id"])
        self._wrote()
        return result

    # ------------------------------------------------------------------ headlines, pages, rejects

    def save_headlines(self, headlines: list[dict[str, Any]], *, run_id: int) -> int:
        """Store the headlines of one listing/feed; returns how many were new (per source + url_key)."""
        counted: list[tuple[str, str]] = []  # applied after the savepoint succeeds
        now = utc_now()
        stories_joined: set[int] = set()
        with self._savepoint():
            storyless: list[int] = []
            for h in headlines:
                name, source_id, hid, story_id = headline_rows.upsert(self.db, h, run_id=run_id, now=now)
                counted.append((name, source_id))
                if name == "headlines_new":
                    key, seen = self.db.execute(
                        "SELECT title_key, first_seen_at FROM headlines WHERE id = ?", [hid]
                    ).fetchone()
                    self._titles.add(self.db.conn, hid, key, seen)
                if story_id is not None:
                    stories_joined.add(story_id)
                else:
                    storyless.append(hid)
            # a headline whose URL is a stored article joins that article's story; one whose article is not
            # stored may join a story of the window by title (store.headline_stories)
            stories_joined |= headline_stories.join_headlines(self.db.conn, storyless, self._titles)
            count_headlines(self.db.conn, stories_joined)
        for name, source_id in counted:
            self._counters.count(run_id, name, source_id)
        self._wrote(max(1, len(headlines)))
        return sum(1 for name, _ in counted if name == "headlines_new")

    def save_page(self, page: dict[str, Any], *, run_id: int) -> bool:
        """Record a fetched feed/sitemap/robots/listing page and its fetch state (one row per URL).

        ETag/Last-Modified/content hash/items are kept from earlier fetches when this one lacks them
        (a 304 Not Modified has no body); ``changed_at`` moves only when the content hash changes.
        A fetch already recorded (the same URL and ``fetched_at``: an item the distributed ingest received twice)
        changes and counts nothing; returns False then, else True.
        """
        url = page.get("url")
        if not url:
            raise ValueError(f"page needs url: {page!r}")
        at = utc(page.get("fetched_at"))
        if at is not None and self._replayed("SELECT 1 FROM pages WHERE url = ? AND fetched_at = ?", [url, at]):
            return False
        at = at or utc_now()
        with self._savepoint():
            self.db.execute(
                "INSERT INTO pages (url, source_id, kind, http_status, etag, last_modified, content_hash, items, "
                "first_fetched_at, fetched_at, changed_at, fetch_count, last_run_id) VALUES (:url, :source_id, "
                ":kind, :http_status, :etag, :last_modified, :content_hash, :items, :at, :at, :at, 1, :run) "
                "ON CONFLICT(url) DO UPDATE SET "
                "source_id = coalesce(excluded.source_id, source_id), kind = coalesce(excluded.kind, kind), "
                "http_status = excluded.http_status, "
                "etag = coalesce(excluded.etag, etag), "
                "last_modified = coalesce(excluded.last_modified, last_modified), "
                "changed_at = CASE WHEN excluded.content_hash IS NOT NULL "
                "  AND excluded.content_hash IS NOT content_hash THEN excluded.fetched_at ELSE changed_at END, "
                "content_hash = coalesce(excluded.content_hash, content_hash), "
                "items = coalesce(excluded.items, items), "
                "fetched_at = excluded.fetched_at, fetch_count = fetch_count + 1, last_run_id = excluded.last_run_id",
                {
                    "url": url,
                    "source_id": page.get("source_id"),
                    "kind": page.get("kind"),
                    "http_status": page.get("http_status"),
                    "etag": page.get("etag"),
                    "last_modified": page.get("last_modified"),
                    "content_hash": page.get("content_hash"),
                    "items": page.get("items"),
                    "at": at,
                    "run": run_id,
                },
            )
        self._counters.count(run_id, "pages", page.get("source_id"))
        self._wrote()
        return True

    def _replayed(self, sql: str, params: list[Any]) -> bool:
        """True when ``sql`` finds the row an item would add: the item was saved before (an ingest that died
        between its commit and its acknowledgement gets it again)."""
        self._begin()
        return self.db.execute(sql, params).fetchone() is not None

    def page_state(self, url: str) -> dict[str, Any] | None:
        """Fetch state of a feed/sitemap/listing URL (etag, last_modified, content_hash, fetched_at, ...)."""
        return queries.page_state(self.db.conn, url)

    def mark_frontier(self, url: str, source_id: str | None, state: str, *, run_id: int,
                      reason: str | None = None) -> None:
        """Record an article URL as scheduled (``pending``) or finished (``done``): ``crawl_writes.mark_frontier``.
        Not counted towards ``batch_size``: a mark rides in the open batch with the items around it."""
        self._begin()
        crawl_writes.mark_frontier(self.db, url, source_id, state, run_id=run_id, reason=reason)

    def mark_revisited(self, article_id: int) -> None:
        """A revisit of the article was scheduled: the next one is set from the plan (or none)."""
        if self.revisit_plan is not None:
            self._begin()  # rides in the open batch, as the frontier marks do
            revisions.mark_revisited(self.db.conn, article_id, self.revisit_plan)

    def save_poll(self, poll: dict[str, Any]) -> None:
        """When a feed, sitemap or listing is next due (``crawl_writes.save_poll``); rides in the open batch."""
        self._begin()
        crawl_writes.save_poll(self.db, poll)

    def expire_frontier(self, before: str | datetime, *, run_id: int, reason: str = "max_age") -> int:
        """Mark URLs pending since before ``before`` as ``expired`` with ``reason``; returns how many."""
        self._begin()
        n = crawl_writes.expire_frontier(self.db, before, run_id=run_id, reason=reason)
        self._wrote(n)
        return n

    def abort_stale_runs(self, *, except_run: int | None = None) -> list[int]:
        """Mark runs still ``running`` as ``aborted`` (their process died): only the holder of the run lock
        (newscrawler.runlock) may call this, since it knows no other crawl is alive."""
        self._begin()
        ids = crawl_writes.abort_stale_runs(self.db, except_run=except_run)
        self._wrote(len(ids))
        return ids

    def save_reject(self, reject: dict[str, Any], *, run_id: int) -> bool:
        """Record why a URL produced no article. ``reason`` may carry its detail (``"blocked: captcha"``).

        ``fetched`` (stored, and counted as ``rejects_fetched``) is true when a response was downloaded:
        an http_status is given, or the reason is not one of ``NOT_FETCHED_REASONS``; a ``fetched``
        key in the dict overrides this. A reject stored already (the same URL, source, reason, detail, status and
        ``at``: an item the distributed ingest received twice) adds and counts nothing; returns False then.
        """
        reason, detail = split_reason(str(reject.get("reason") or ""), reject.get("detail"))
        status = reject.get("http_status")
        fetched = reject.get("fetched")
        if fetched is None:
            fetched = status is not None or reason not in NOT_FETCHED_REASONS
        at = utc(reject.get("at"))
        row = [reject.get("url"), reject.get("source_id"), reason, detail or None, status, 1 if fetched else 0]
        if at is not None and self._replayed(
                "SELECT 1 FROM rejects WHERE url IS ? AND source_id IS ? AND reason = ? AND detail IS ? "
                "AND http_status IS ? AND fetched = ? AND at = ?", [*row, at]):
            return False
        with self._savepoint():
            self.db.execute(
                "INSERT INTO rejects (run_id, url, source_id, reason, detail, http_status, fetched, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [run_id, *row, at or utc_now()],
            )
        self._counters.count(run_id, "rejects", reject.get("source_id"), reason)
        if fetched:
            self._counters.count(run_id, "rejects_fetched", reject.get("source_id"))
        self._wrote()
        return True

    # ------------------------------------------------------------------ reading (the same SQL as the readers)

    def search(
        self,
        query: str,
        *,
        limit: int = 20,
        source: str | None = None,
        prefix: bool = False,
        originals_only: bool = False,
    ) -> list[dict[str, Any]]:
        """``queries.search`` on this store's connection."""
        return queries.search(
            self.db.conn, query, limit=limit, source=source, prefix=prefix, originals_only=originals_only
        )

    def stats(self) -> list[dict[str, Any]]:
        """``queries.stats`` on this store's connection."""
        return queries.stats(self.db.conn)

    def iter_articles(self, where: str = "1", params: Iterable[Any] = ()) -> Iterator[dict[str, Any]]:
        """``queries.iter_articles`` on this store's connection."""
        return queries.iter_articles(self.db.conn, where, params)
