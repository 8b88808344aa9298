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
from datetime import datetime
from pathlib import Path
from typing import Any

from newscrawler.store import bands, queries, runs
from newscrawler.store.connection import BUSY_TIMEOUT_MS, WAL_LIMIT_BYTES, open_writer, savepoint
from newscrawler.store.dedup_sql import Deduplicator, SaveResult
from newscrawler.store.rows import NOT_FETCHED_REASONS, article_row, split_reason, url_key_of, utc, utc_now
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
    ) -> None:
        self.path = Path(path)
        self.wal_limit_bytes = int(wal_limit_bytes)
        self.batch_size = max(1, int(batch_size))
        # a slow crawl must not hold the write lock (and hide its rows from readers) for minutes
        self.max_delay = float(max_delay)
        self.near_duplicates = bool(near_duplicates)
        self.near_dup_window_days = float(near_dup_window_days)
        self.db = open_writer(self.path)
        # After a checkpoint that empties the WAL, SQLite truncates the file to this size.
        self.db.conn.execute(f"PRAGMA journal_size_limit = {self.wal_limit_bytes:d}")
        self._dedup = Deduplicator(
            self.db.conn,
            near_duplicates=near_duplicates,
            near_dup_window_days=near_dup_window_days,
            boilerplate_min_articles=boilerplate_min_articles,
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
        with self._savepoint():
            result = self._dedup.save(row, run_id)
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
            for h in headlines:
                url = h.get("url")
                key = h.get("url_key") or url_key_of(url)
                source_id = h.get("source_id")
                if not url or not key or not source_id:
                    raise ValueError(f"headline needs source_id, url, url_key: {h!r}")
                seen_at = utc(h.get("seen_at")) or now
                old = self.db.execute(
                    "SELECT id, position, listing_url, last_run_id FROM headlines "
                    "WHERE source_id = ? AND url_key = ?",
                    [source_id, key],
                ).fetchone()
                position = h.get("position")
                if old:
                    hid, old_pos, old_listing, old_run = old
                    # the same link twice on one listing (image + title): keep its top position
                    if old_run == run_id and old_listing == h.get("listing_url") and old_pos is not None:
                        position = old_pos if position is None else min(old_pos, position)
                    joined = self.db.execute(
                        "UPDATE headlines SET last_seen_at = max(last_seen_at, :seen), last_run_id = :run, "
                        "position = coalesce(:pos, position), listing_url = coalesce(:listing, listing_url), "
                        "title = coalesce(nullif(title, ''), :title), "
                        "title_key = coalesce(nullif(title_key, ''), :title_key), "
                        "section = coalesce(section, :section), "
                        "article_id = coalesce(article_id, "
                        "  (SELECT id FROM articles WHERE url_key = :key OR fetched_url_key = :key LIMIT 1)), "
                        "story_id = coalesce((SELECT story_id FROM articles WHERE url_key = :key "
                        "  OR fetched_url_key = :key LIMIT 1), story_id) "
                        "WHERE id = :id RETURNING story_id",
                        {
                            "seen": seen_at, "run": run_id, "pos": position, "listing": h.get("listing_url"),
                            "title": h.get("title"), "title_key": h.get("title_key"),
                            "section": h.get("section"), "key": key, "id": hid,
                        },
                    ).fetchone()  # fmt: skip
                    counted.append(("headlines_seen", source_id))
                else:
                    joined = self.db.execute(
                        "INSERT INTO headlines (source_id, url, url_key, title, title_key, listing_url, section, "
                        "position, first_position, first_listing_url, first_seen_at, last_seen_at, "
                        "first_run_id, last_run_id, article_id, story_id) VALUES (:source_id, :url, :key, "
                        ":title, :title_key, :listing, :section, :pos, :pos, :listing, :seen, :seen, :run, :run, "
                        "(SELECT id FROM articles WHERE url_key = :key OR fetched_url_key = :key LIMIT 1), "
                        "(SELECT story_id FROM articles WHERE url_key = :key OR fetched_url_key = :key LIMIT 1)) "
                        "RETURNING story_id",
                        {
                            "source_id": source_id, "url": url, "key": key, "title": h.get("title"),
                            "title_key": h.get("title_key"), "listing": h.get("listing_url"),
                            "section": h.get("section"), "pos": position, "seen": seen_at, "run": run_id,
                        },
                    ).fetchone()  # fmt: skip
                    counted.append(("headlines_new", source_id))
                if joined and joined[0] is not None:
                    stories_joined.add(joined[0])
            # a headline whose URL is a stored article joins that article's story (stories.headlines counts it)
            count_headlines(self.db.conn, stories_joined)
        for name, source_id in counted:
            self._counters.count(run_id, name, source_id)
        self._wrote(max(1, len(headlines)))
        return sum(1 for name, _ in counted if name == "headlines_new")

    def save_page(self, page: dict[str, Any], *, run_id: int) -> None:
        """Record a fetched feed/sitemap/robots/listing page and its fetch state (one row per URL).

        ETag/Last-Modified/content hash/items are kept from earlier fetches when this one lacks them
        (a 304 Not Modified has no body); ``changed_at`` moves only when the content hash changes.
        """
        url = page.get("url")
        if not url:
            raise ValueError(f"page needs url: {page!r}")
        at = utc(page.get("fetched_at")) or utc_now()
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

    def page_state(self, url: str) -> dict[str, Any] | None:
        """Fetch state of a feed/sitemap/listing URL (etag, last_modified, content_hash, fetched_at, ...)."""
        return queries.page_state(self.db.conn, url)

    def mark_frontier(self, url: str, source_id: str | None, state: str, *, run_id: int,
                      reason: str | None = None) -> None:
        """Record an article URL as scheduled (``pending``) or finished (``done``) in the frontier table.

        Not counted towards ``batch_size``: a mark rides in the open batch with the items around it. A URL done
        in this run stays done when it is scheduled again (the scheduler drops the repeat, which would then stay
        pending for ever). ``pending_since`` is when the URL started waiting: kept while it stays pending across
        runs, so ``expire_frontier`` can tell a URL that has waited a week from one listed this morning.
        ``reason`` is the reject reason of a URL done as a reject (None for a stored article).
        """
        if state not in ("pending", "done"):
            raise ValueError(f"frontier state must be pending or done, not {state!r}")
        self._begin()
        now = utc_now()
        self.db.execute(
            "INSERT INTO frontier (url, source_id, state, run_id, updated_at, pending_since, reason) "
            "VALUES (:url, :source, :state, :run, :at, CASE WHEN :state = 'pending' THEN :at END, :reason) "
            "ON CONFLICT(url) DO UPDATE SET state = excluded.state, source_id = coalesce(excluded.source_id, source_id), "
            "run_id = excluded.run_id, updated_at = excluded.updated_at, reason = excluded.reason, "
            "pending_since = CASE WHEN frontier.state = 'pending' THEN frontier.pending_since "
            "ELSE excluded.pending_since END "
            "WHERE excluded.state = 'done' OR NOT (frontier.state = 'done' AND frontier.run_id IS excluded.run_id)",
            {"url": url, "source": source_id, "state": state, "run": run_id, "at": now,
             "reason": reason if state == "done" else None},
        )

    def save_poll(self, poll: dict[str, Any]) -> None:
        """When a feed, sitemap or listing is next due (one row per URL; see newscrawler.polling). Rides in the open
        batch like the frontier marks."""
        self._begin()
        self.db.execute(
            "INSERT INTO poll_schedule (url, source_id, kind, interval_seconds, next_due_at, failures, seen_share, "
            "polled_at) VALUES (:url, :source_id, :kind, :interval_seconds, :next_due_at, :failures, :seen_share, "
            ":polled_at) ON CONFLICT(url) DO UPDATE SET source_id = excluded.source_id, kind = excluded.kind, "
            "interval_seconds = excluded.interval_seconds, next_due_at = excluded.next_due_at, "
            "failures = excluded.failures, seen_share = excluded.seen_share, polled_at = excluded.polled_at",
            {"url": poll["url"], "source_id": poll.get("source_id"), "kind": poll.get("kind"),
             "interval_seconds": float(poll["interval_seconds"]), "next_due_at": utc(poll["next_due_at"]),
             "failures": int(poll.get("failures") or 0), "seen_share": poll.get("seen_share"),
             "polled_at": utc(poll.get("polled_at")) or utc_now()},
        )

    def expire_frontier(self, before: str | datetime, *, run_id: int, reason: str = "max_age") -> int:
        """Mark URLs pending since before ``before`` as ``expired`` with ``reason``; returns how many."""
        self._begin()
        cur = self.db.execute(
            "UPDATE frontier SET state = 'expired', reason = ?, run_id = ?, updated_at = ? "
            "WHERE state = 'pending' AND pending_since < ?",
            [reason, run_id, utc_now(), utc(before) if isinstance(before, datetime) else before],
        )
        self._wrote(cur.rowcount or 0)
        return int(cur.rowcount or 0)

    def abort_stale_runs(self, *, except_run: int | None = None) -> list[int]:
        """Mark runs still ``running`` as ``aborted`` (their process died): only the holder of the run lock
        (newscrawler.runlock) may call this, since it knows no other crawl is alive."""
        self._begin()
        ids = [int(r[0]) for r in self.db.execute(
            "SELECT id FROM crawl_runs WHERE status = 'running' AND id IS NOT ?", [except_run]).fetchall()]
        if ids:
            placeholders = ", ".join("?" * len(ids))
            self.db.execute(
                f"UPDATE crawl_runs SET status = 'aborted', finished_at = coalesce(finished_at, ?) "
                f"WHERE id IN ({placeholders})", [utc_now(), *ids])
            self._wrote(len(ids))
        return ids

    def save_reject(self, reject: dict[str, Any], *, run_id: int) -> None:
        """Record why a URL produced no article. ``reason`` may carry its detail (``"blocked: captcha"``).

        ``fetched`` (stored, and counted as ``rejects_fetched``) is true when a response was downloaded:
        an http_status is given, or the reason is not one of ``NOT_FETCHED_REASONS``; a ``fetched``
        key in the dict overrides this.
        """
        reason, detail = split_reason(str(reject.get("reason") or ""), reject.get("detail"))
        status = reject.get("http_status")
        fetched = reject.get("fetched")
        if fetched is None:
            fetched = status is not None or reason not in NOT_FETCHED_REASONS
        with self._savepoint():
            self.db.execute(
                "INSERT INTO rejects (run_id, url, source_id, reason, detail, http_status, fetched, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    run_id,
                    reject.get("url"),
                    reject.get("source_id"),
                    reason,
                    detail or None,
                    status,
                    1 if fetched else 0,
                    utc(reject.get("at")) or utc_now(),
                ],
            )
        self._counters.count(run_id, "rejects", reject.get("source_id"), reason)
        if fetched:
            self._counters.count(run_id, "rejects_fetched", reject.get("source_id"))
        self._wrote()

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
