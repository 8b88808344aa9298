"""SQLite storage: the single source of truth (schema in docs/schema.md).

``Store`` is the only writer of a crawl database. It keeps one transaction open and commits every
``batch_size`` writes or ``max_delay`` seconds after the first uncommitted write, whichever comes first
(and on ``commit()``/``close()``/leaving a ``with`` block); each save call runs in
its own savepoint, so an exception inside one item never leaves half of it behind. WAL mode lets
analysts read the file while a crawl writes it.

Public API (pipelines and the CLI rely on these names)::

    store = Store("data/news.db", batch_size=200)
    store.upsert_sources([...])
    run_id = store.start_run(sources=["hespress"], spider="news")
    store.known_article(url_key) -> int | None;  store.touch_article(article_id, run_id=run_id)
    store.save_article(article, run_id=run_id) -> SaveResult(article_id, status, duplicate_of, dup_reason)
    store.save_headlines(headlines, run_id=run_id) -> int        # number of new headlines
    store.save_page(page, run_id=run_id);  store.page_state(url) -> dict | None
    store.save_reject(reject, run_id=run_id)
    store.run_counts(run_id) -> dict;  store.finish_run(run_id, status="ok", stats={...}) -> dict
    store.search("وزير الصحة", limit=20, source=None, prefix=False) -> list[dict]
    store.stats() -> list[dict]
    store.close()

    StoreReader(path).known_article(url_key) / .page_state(url)      # read-only, for the spider

Dedup (see docs/schema.md "Dedup rules"): an article is ``seen`` when its url_key is stored, otherwise
it is inserted and possibly marked ``duplicate_of`` the root of an earlier row, with ``dup_reason``
``copy_of_source`` / ``same_content`` / ``same_body`` (exact, first level) or ``near_duplicate`` (second
level: the same story with small edits, ``dup_score`` = estimated Jaccard). ``duplicate_of`` always points
at a root (a row whose own ``duplicate_of`` is NULL); ``story_id`` is that root for every row of a cluster.

Near-duplicates live in two places on purpose: ``newscrawler.dedup`` holds everything that decides
(shingles, MinHash signature, band hashes, similarity estimate, the verification rule ``is_near_duplicate``);
this module only stores signatures and bands and looks candidates up (``Store._near_duplicate``), because
the candidates are rows of this database. Options: ``Store(path, near_duplicates=True,
near_dup_window_days=7, boilerplate_min_articles=5)``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils

from newscrawler import dedup

__all__ = ["NOT_FETCHED_REASONS", "SCHEMA_VERSION", "SaveResult", "Store", "StoreError", "StoreReader"]


class StoreError(Exception):
    """The database cannot be used by this version of the code."""


# Reject reasons that mean no response body was downloaded: they are not part of pages_fetched.
NOT_FETCHED_REASONS = frozenset({"robots", "dns", "timeout", "connection", "offsite", "duplicate_request"})

# Each entry migrates the schema from version i to i+1 and is applied once, in one transaction.
# Never edit a released entry: append a new one (ALTER TABLE ADD COLUMN, CREATE INDEX, ...).
_MIGRATIONS: list[str] = [
    # v1
    """
    CREATE TABLE IF NOT EXISTS sources (
        id TEXT PRIMARY KEY,
        name TEXT,
        homepage TEXT,
        kind TEXT,
        language TEXT,
        country TEXT,
        timezone TEXT,
        config_hash TEXT,
        added_at TEXT,
        updated_at TEXT
    );

    CREATE TABLE IF NOT EXISTS crawl_runs (
        id INTEGER PRIMARY KEY,
        spider TEXT,
        sources TEXT,
        settings TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL DEFAULT 'running',
        articles_new INTEGER NOT NULL DEFAULT 0,
        articles_seen INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        articles_touched INTEGER NOT NULL DEFAULT 0,
        repointed INTEGER NOT NULL DEFAULT 0,
        headlines_new INTEGER NOT NULL DEFAULT 0,
        headlines_seen INTEGER NOT NULL DEFAULT 0,
        pages INTEGER NOT NULL DEFAULT 0,
        rejects INTEGER NOT NULL DEFAULT 0,
        rejects_fetched INTEGER NOT NULL DEFAULT 0,
        rejects_by_reason TEXT NOT NULL DEFAULT '{}',
        by_source TEXT NOT NULL DEFAULT '{}',
        accounted INTEGER NOT NULL DEFAULT 0,
        pages_fetched INTEGER,
        unaccounted INTEGER,
        requests INTEGER,
        bytes INTEGER,
        errors INTEGER,
        items_dropped INTEGER,
        stats TEXT
    );

    CREATE TABLE IF NOT EXISTS articles (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL,
        url_key TEXT NOT NULL,
        fetched_url TEXT,
        fetched_url_key TEXT,
        source_id TEXT,
        source_url TEXT,
        source_url_key TEXT,
        source_name TEXT,
        title TEXT,
        body TEXT,
        summary TEXT,
        title_key TEXT,
        body_key TEXT,
        content_hash TEXT,
        body_hash TEXT,
        authors TEXT NOT NULL DEFAULT '[]',
        tags TEXT NOT NULL DEFAULT '[]',
        section TEXT,
        language TEXT,
        image_url TEXT,
        published_at TEXT,
        published_local TEXT,
        published_raw TEXT,
        published_rule TEXT,
        modified_at TEXT,
        fetched_at TEXT,
        http_status INTEGER,
        methods TEXT NOT NULL DEFAULT '{}',
        norm_version TEXT,
        duplicate_of INTEGER REFERENCES articles(id),
        dup_reason TEXT,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        first_run_id INTEGER,
        last_run_id INTEGER
    );
    CREATE UNIQUE INDEX IF NOT EXISTS idx_articles_url_key ON articles(url_key);
    CREATE INDEX IF NOT EXISTS idx_articles_fetched_url_key ON articles(fetched_url_key);
    CREATE INDEX IF NOT EXISTS idx_articles_content_hash ON articles(content_hash);
    CREATE INDEX IF NOT EXISTS idx_articles_body_hash ON articles(body_hash);
    CREATE INDEX IF NOT EXISTS idx_articles_source_url_key ON articles(source_url_key);
    CREATE INDEX IF NOT EXISTS idx_articles_source_id ON articles(source_id);
    CREATE INDEX IF NOT EXISTS idx_articles_published_at ON articles(published_at);
    CREATE INDEX IF NOT EXISTS idx_articles_duplicate_of ON articles(duplicate_of);

    CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
        title_key, body_key,
        content='articles', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='2 3'
    );
    CREATE TRIGGER IF NOT EXISTS articles_fts_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title_key, body_key) VALUES (new.id, new.title_key, new.body_key);
    END;
    CREATE TRIGGER IF NOT EXISTS articles_fts_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title_key, body_key)
        VALUES ('delete', old.id, old.title_key, old.body_key);
    END;
    -- only key changes touch the index: last_seen_at updates happen on every re-visit
    CREATE TRIGGER IF NOT EXISTS articles_fts_au AFTER UPDATE OF title_key, body_key ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title_key, body_key)
        VALUES ('delete', old.id, old.title_key, old.body_key);
        INSERT INTO articles_fts(rowid, title_key, body_key) VALUES (new.id, new.title_key, new.body_key);
    END;

    CREATE TABLE IF NOT EXISTS headlines (
        id INTEGER PRIMARY KEY,
        source_id TEXT NOT NULL,
        url TEXT NOT NULL,
        url_key TEXT NOT NULL,
        title TEXT,
        title_key TEXT,
        listing_url TEXT,
        section TEXT,
        position INTEGER,
        first_position INTEGER,
        first_listing_url TEXT,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        first_run_id INTEGER,
        last_run_id INTEGER,
        article_id INTEGER REFERENCES articles(id)
    );
    CREATE UNIQUE INDEX IF NOT EXISTS idx_headlines_source_url_key ON headlines(source_id, url_key);
    CREATE INDEX IF NOT EXISTS idx_headlines_url_key ON headlines(url_key);
    CREATE INDEX IF NOT EXISTS idx_headlines_article_id ON headlines(article_id);
    CREATE INDEX IF NOT EXISTS idx_headlines_first_seen_at ON headlines(first_seen_at);

    CREATE TABLE IF NOT EXISTS pages (
        url TEXT PRIMARY KEY,
        source_id TEXT,
        kind TEXT,
        http_status INTEGER,
        etag TEXT,
        last_modified TEXT,
        content_hash TEXT,
        items INTEGER,
        first_fetched_at TEXT,
        fetched_at TEXT,
        changed_at TEXT,
        fetch_count INTEGER NOT NULL DEFAULT 0,
        last_run_id INTEGER
    );
    CREATE INDEX IF NOT EXISTS idx_pages_source_id ON pages(source_id);

    CREATE TABLE IF NOT EXISTS rejects (
        id INTEGER PRIMARY KEY,
        run_id INTEGER,
        url TEXT,
        source_id TEXT,
        reason TEXT NOT NULL,
        detail TEXT,
        http_status INTEGER,
        fetched INTEGER NOT NULL DEFAULT 1,
        at TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS idx_rejects_run_id ON rejects(run_id);
    CREATE INDEX IF NOT EXISTS idx_rejects_source_reason ON rejects(source_id, reason);
    CREATE INDEX IF NOT EXISTS idx_rejects_url ON rejects(url);
    """,
    # v2: near-duplicates (docs/schema.md "Dedup rules, second level")
    """
    ALTER TABLE articles ADD COLUMN minhash BLOB;
    ALTER TABLE articles ADD COLUMN shingle_count INTEGER;
    ALTER TABLE articles ADD COLUMN story_id INTEGER;
    ALTER TABLE articles ADD COLUMN dup_score REAL;
    UPDATE articles SET story_id = coalesce(duplicate_of, id);
    CREATE INDEX IF NOT EXISTS idx_articles_story_id ON articles(story_id);
    CREATE INDEX IF NOT EXISTS idx_articles_first_seen_at ON articles(first_seen_at);

    -- WITHOUT ROWID: the table is its own (band, hash) index, one B-tree to write instead of two
    -- (25 rows per article on the crawl's hot path)
    CREATE TABLE IF NOT EXISTS article_bands (
        band INTEGER NOT NULL,
        hash INTEGER NOT NULL,
        article_id INTEGER NOT NULL,
        PRIMARY KEY (band, hash, article_id)
    ) WITHOUT ROWID;

    CREATE TABLE IF NOT EXISTS boilerplate_paragraphs (
        source_id TEXT NOT NULL,
        hash INTEGER NOT NULL,
        articles INTEGER NOT NULL DEFAULT 0,
        first_seen_at TEXT,
        last_seen_at TEXT,
        PRIMARY KEY (source_id, hash)
    ) WITHOUT ROWID;
    """,
    # v3: requests a per-source cap kept the crawler from making (docs/schema.md, crawl_runs)
    """
    ALTER TABLE crawl_runs ADD COLUMN pages_capped INTEGER;
    """,
]

SCHEMA_VERSION = len(_MIGRATIONS)

# Article fields a later visit may fill when the stored row has them empty (rule 1, "seen").
_FILLABLE = (
    "fetched_url", "fetched_url_key", "source_id", "source_url", "source_url_key", "source_name",
    "title", "body", "summary", "title_key", "body_key", "content_hash", "body_hash", "authors", "tags",
    "section", "language", "image_url", "published_at", "published_local", "published_raw",
    "published_rule", "modified_at", "http_status", "norm_version",
)  # fmt: skip

_COUNT_COLUMNS = (
    "articles_new", "articles_seen", "duplicates", "articles_touched", "repointed",
    "headlines_new", "headlines_seen", "pages", "rejects", "rejects_fetched",
)  # fmt: skip

# Scrapy-side numbers the pipeline passes in finish_run(stats=...), kept as columns for easy queries.
_STAT_COLUMNS = ("pages_fetched", "requests", "bytes", "errors", "items_dropped", "pages_capped")


@dataclass(frozen=True)
class SaveResult:
    """What ``save_article`` did. ``status``: ``new`` | ``seen`` | ``duplicate``."""

    article_id: int
    status: str
    duplicate_of: int | None = None
    dup_reason: str | None = None
    # earlier rows re-pointed to this article because it is their publisher's original
    repointed: tuple[int, ...] = field(default_factory=tuple)


@dataclass
class _Sketch:
    """The near-duplicate fingerprint of one article (computed once per save)."""

    signature: Any  # numpy uint32 array, or None when the text is too short to fingerprint
    size: int  # shingle count
    bands: list[int]
    short: bool  # char-gram signature (short body): verification also wants overlapping titles
    paragraphs: list[tuple[int, str]]  # (fingerprint, text) of the display body, for boilerplate counts


# Candidate lookup by band equality: the VALUES list joins article_bands through its (band, hash) index.
_BAND_QUERY = (
    "WITH q(band, hash) AS (VALUES " + ", ".join(["(?, ?)"] * dedup.BANDS) + ") "
    "SELECT DISTINCT a.id, coalesce(a.duplicate_of, a.id), a.minhash, a.shingle_count, a.published_at, "
    "a.first_seen_at, a.title_key "
    "FROM q JOIN article_bands b ON b.band = q.band AND b.hash = q.hash JOIN articles a ON a.id = b.article_id "
    "WHERE a.minhash IS NOT NULL AND (a.first_seen_at >= ? OR a.published_at BETWEEN ? AND ?)"
)


# A paragraph is boilerplate for a source when it was in >= boilerplate_min_articles earlier articles of it
# and in at least this share of them (see Store._count_paragraphs).
BOILERPLATE_MIN_SHARE = 0.5
_ARTICLE_COUNT_HASH = -1

# All 25 band rows of an article in one statement (one sqlite3 call instead of 25 executemany steps).
_BAND_INSERT = "INSERT INTO article_bands (band, hash, article_id) VALUES " + ", ".join(
    ["(?, ?, ?)"] * dedup.BANDS
)


def _parse_utc(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _utc(value: Any) -> str | None:
    """ISO 8601 UTC text for a datetime or an ISO string; a value without an offset is taken as UTC.

    Unparseable strings are returned unchanged rather than dropped (nothing is lost silently).
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        text = str(value).strip()
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
        except ValueError:
            return text
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def _local(value: Any) -> str | None:
    """The published date as given (with its own offset), kept next to the UTC value."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _json(value: Any, empty: str) -> str:
    if value is None:
        return empty
    if isinstance(value, str):
        # already JSON text of a list/object, or a single plain value: keep it as one list element
        try:
            if isinstance(json.loads(value), (list, dict)):
                return value
        except ValueError:
            pass
        return json.dumps([value], ensure_ascii=False)
    if isinstance(value, (set, tuple)):
        value = list(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def _url_key(url: str | None) -> str | None:
    # Imported late: the URL rules live in newscrawler.urls and the store must use exactly those.
    if not url:
        return None
    from newscrawler.urls import url_key

    return url_key(url)


def _split_reason(reason: str, detail: str | None) -> tuple[str, str | None]:
    """``"not_article: listing"`` (the extractor's form) becomes reason ``not_article``, detail ``listing``."""
    reason = (reason or "unknown").strip()
    if ":" in reason:
        code, _, rest = reason.partition(":")
        rest = rest.strip()
        if rest and not detail:
            detail = rest
        elif rest and detail and rest not in detail:
            detail = f"{rest}; {detail}"
        reason = code.strip()
    return reason or "unknown", detail


def _empty(value: Any) -> bool:
    return value is None or value == "" or value in ("[]", "{}")


class Store:
    """The crawl database (one writer). See the module docstring and docs/schema.md."""

    def __init__(
        self,
        path: str | Path,
        *,
        batch_size: int = 200,
        max_delay: float = 5.0,
        near_duplicates: bool = True,
        near_dup_window_days: float = 7.0,
        boilerplate_min_articles: int = 5,
    ) -> None:
        self.path = Path(path)
        # second-level dedup: candidates are rows first seen in the last window_days (or published within
        # dedup.MAX_HOURS_APART of the new article); paragraphs seen in >= boilerplate_min_articles earlier
        # articles of the same source are left out of the signature (0 turns that off)
        self.near_duplicates = bool(near_duplicates)
        self.near_dup_window_days = float(near_dup_window_days)
        self.boilerplate_min_articles = int(boilerplate_min_articles)
        self._paragraph_keys: dict[int, str] = {}
        self.batch_size = max(1, int(batch_size))
        # a slow crawl must not hold the write lock (and hide its rows from readers) for minutes
        self.max_delay = float(max_delay)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(self.path)
        conn = self.db.conn
        # analysts' readers and a second tool may hold locks briefly; wait instead of failing
        conn.execute("PRAGMA busy_timeout = 10000")
        self.db.enable_wal()
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = OFF")  # duplicate_of is re-pointed in place; keep it cheap
        self._migrate()
        self._pending = 0
        self._pending_since = 0.0
        self._wrote_any = False
        # per run: Counter of _COUNT_COLUMNS, Counter of reject reasons, {source_id: Counter}
        self._runs: dict[int, dict[str, Any]] = {}
        self._closed = False

    # ------------------------------------------------------------------ schema

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        current = self.schema_version
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path.name}: schema version {current} is newer than this code ({SCHEMA_VERSION}); "
                "upgrade newscrawler instead of writing to it"
            )
        conn = self.db.conn
        for version in range(current, SCHEMA_VERSION):
            # BEGIN/COMMIT inside the script: the DDL and the version bump land together or not at all
            script = f"BEGIN;\n{_MIGRATIONS[version]}\nPRAGMA user_version = {version + 1};\nCOMMIT;"
            try:
                conn.executescript(script)
            except sqlite3.Error:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _rows(self, sql: str, params: Any = ()) -> list[dict]:
        # plain cursor reads: no savepoint round-trips on the hot path
        cur = self.db.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    # ------------------------------------------------------------------ transactions

    def _begin(self) -> None:
        if self._closed:
            raise StoreError("store is closed")
        if not self.db.conn.in_transaction:
            self.db.conn.execute("BEGIN")

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        """One save_* call as a unit inside the batch transaction: on an error its own writes are undone and the
        batch's earlier rows are kept. Unlike ``sqlite_utils.Database.atomic`` (a random savepoint name per call: an
        ``os.urandom`` call and a statement SQLite compiles anew for every item), the name is fixed; SQLite releases
        or rolls back the innermost savepoint of that name, so nesting still works."""
        self._begin()
        conn = self.db.conn
        conn.execute("SAVEPOINT newscrawler_save")
        try:
            yield
        except BaseException:
            # an error that already ended the transaction (RAISE(ROLLBACK), disk full) left no savepoint
            if conn.in_transaction:
                conn.execute("ROLLBACK TO newscrawler_save")
                conn.execute("RELEASE newscrawler_save")
            raise
        conn.execute("RELEASE newscrawler_save")

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
        if self._runs:
            self._begin()
            for run_id in list(self._runs):
                self._flush_counts(run_id)
        self.db.commit()
        self._pending = 0

    def rollback(self) -> None:
        """Discard the writes since the last commit (counters are reloaded from the database)."""
        self.db.rollback()
        self._runs.clear()
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

    # ------------------------------------------------------------------ counters

    def _run(self, run_id: int) -> dict[str, Any]:
        state = self._runs.get(run_id)
        if state is None:
            rows = self._rows("SELECT * FROM crawl_runs WHERE id = ?", [run_id])
            if not rows:
                raise StoreError(f"unknown run id {run_id}")
            data = rows[0]
            state = {
                "counts": Counter({c: data[c] or 0 for c in _COUNT_COLUMNS}),
                "reasons": Counter(json.loads(data["rejects_by_reason"] or "{}")),
                "by_source": {k: Counter(v) for k, v in json.loads(data["by_source"] or "{}").items()},
            }
            self._runs[run_id] = state
        return state

    def _count(self, run_id: int, name: str, source_id: str | None, reason: str | None = None) -> None:
        state = self._run(run_id)
        state["counts"][name] += 1
        per_source = state["by_source"].setdefault(source_id or "", Counter())
        per_source[name] += 1
        if reason is not None:
            state["reasons"][reason] += 1

    def _flush_counts(self, run_id: int) -> None:
        counts = self.run_counts(run_id)
        state = self._runs[run_id]
        self.db.execute(
            f"UPDATE crawl_runs SET {', '.join(f'{c} = :{c}' for c in _COUNT_COLUMNS)}, "
            "rejects_by_reason = :reasons, by_source = :by_source, accounted = :accounted WHERE id = :id",
            {
                **{c: counts[c] for c in _COUNT_COLUMNS},
                "reasons": json.dumps(dict(sorted(state["reasons"].items())), ensure_ascii=False),
                "by_source": json.dumps(
                    {k: dict(v) for k, v in sorted(state["by_source"].items())}, ensure_ascii=False
                ),
                "accounted": counts["accounted"],
                "id": run_id,
            },
        )

    def run_counts(self, run_id: int) -> dict:
        """What this store saved in the run so far.

        ``accounted = articles_new + articles_seen + duplicates + pages + rejects_fetched``: one per
        downloaded response, to compare with the crawler's ``pages_fetched``.
        """
        state = self._run(run_id)
        counts: dict[str, Any] = {c: int(state["counts"][c]) for c in _COUNT_COLUMNS}
        counts["rejects_by_reason"] = dict(sorted(state["reasons"].items()))
        counts["accounted"] = (
            counts["articles_new"] + counts["articles_seen"] + counts["duplicates"]
            + counts["pages"] + counts["rejects_fetched"]
        )  # fmt: skip
        return counts

    # ------------------------------------------------------------------ sources and runs

    def upsert_sources(self, sources: Iterable[dict]) -> None:
        """Insert or update source rows (``added_at`` is kept from the first time)."""
        now = _now()
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

    def start_run(self, *, sources: list[str], spider: str = "news", settings: dict | None = None) -> int:
        """Create a crawl_runs row (status ``running``) and return its id; committed at once."""
        with self._savepoint():
            table = self.db["crawl_runs"]
            table.insert(  # type: ignore[union-attr]
                {
                    "spider": spider,
                    "sources": json.dumps(list(sources), ensure_ascii=False),
                    "settings": json.dumps(settings or {}, ensure_ascii=False, default=str),
                    "started_at": _now(),
                    "status": "running",
                }
            )
            run_id = int(table.last_rowid)  # type: ignore[union-attr]
        self.commit()
        return run_id

    def finish_run(self, run_id: int, *, status: str, stats: dict | None = None) -> dict:
        """Close a run: end time, status, counts, and the crawler's ``stats`` (kept whole as JSON).

        ``unaccounted = pages_fetched - accounted`` when the crawler reported ``pages_fetched``;
        0 means every downloaded page ended as exactly one record.
        """
        stats = dict(stats or {})
        self._begin()
        self._flush_counts(run_id)
        counts = self.run_counts(run_id)
        values: dict[str, Any] = {c: _int_or_none(stats.get(c)) for c in _STAT_COLUMNS}
        pages_fetched = values["pages_fetched"]
        values.update(
            id=run_id,
            status=status,
            finished_at=_now(),
            stats=json.dumps(stats, ensure_ascii=False, default=str, sort_keys=True),
            unaccounted=None if pages_fetched is None else pages_fetched - counts["accounted"],
        )
        self.db.execute(
            "UPDATE crawl_runs SET status = :status, finished_at = :finished_at, stats = :stats, "
            "unaccounted = :unaccounted, "
            + ", ".join(f"{c} = :{c}" for c in _STAT_COLUMNS)
            + " WHERE id = :id",
            values,
        )
        self.commit()
        self._runs.pop(run_id, None)
        return self.get_run(run_id)

    def get_run(self, run_id: int) -> dict:
        """The crawl_runs row with its JSON columns decoded."""
        rows = self._rows("SELECT * FROM crawl_runs WHERE id = ?", [run_id])
        if not rows:
            raise StoreError(f"unknown run id {run_id}")
        row = rows[0]
        for col in ("sources", "settings", "rejects_by_reason", "by_source", "stats"):
            if row.get(col):
                row[col] = json.loads(row[col])
        return row

    # ------------------------------------------------------------------ articles

    def known_article(self, url_key: str) -> int | None:
        """Id of the article stored under this URL key (canonical or as fetched), else None."""
        return _known_article(self.db.conn, url_key)

    def touch_article(self, article_id: int, *, run_id: int, at: str | datetime | None = None) -> None:
        """Mark a stored article as still listed (incremental run, not re-fetched: not in ``accounted``)."""
        self._begin()
        cur = self.db.execute(
            "UPDATE articles SET last_seen_at = max(last_seen_at, :at), last_run_id = :run WHERE id = :id",
            {"at": _utc(at) or _now(), "run": run_id, "id": article_id},
        )
        if cur.rowcount:
            source = self.db.execute("SELECT source_id FROM articles WHERE id = ?", [article_id]).fetchone()
            self._count(run_id, "articles_touched", source[0] if source else None)
        self._wrote()

    def _root(self, article_id: int) -> int:
        """Follow duplicate_of to the original (guarding against cycles in hand-edited data)."""
        seen = {article_id}
        current = article_id
        while True:
            row = self.db.execute("SELECT duplicate_of FROM articles WHERE id = ?", [current]).fetchone()
            if row is None or row[0] is None or row[0] in seen:
                return current
            current = row[0]
            seen.add(current)

    def _article_row(self, article: dict, run_id: int, now: str) -> dict:
        title_key = article.get("title_key")
        body_key = article.get("body_key")
        content_hash = article.get("content_hash")
        body_hash = article.get("body_hash")
        # keys present but hashes not computed upstream: compute them here, same functions
        if not content_hash and (title_key or body_key):
            content_hash = dedup.content_hash(title_key or "", body_key or "")
        if not body_hash and body_key:
            body_hash = dedup.body_hash(body_key)
        url = article.get("url") or article.get("canonical_url")
        url_key = article.get("url_key") or _url_key(url)
        if not url or not url_key:
            raise ValueError("article needs url and url_key")
        fetched_url = article.get("fetched_url")
        source_url = article.get("source_url")
        seen_at = _utc(article.get("fetched_at")) or now
        return {
            "url": url,
            "url_key": url_key,
            "fetched_url": fetched_url,
            "fetched_url_key": article.get("fetched_url_key") or _url_key(fetched_url) or url_key,
            "source_id": article.get("source_id"),
            "source_url": source_url,
            "source_url_key": article.get("source_url_key") or _url_key(source_url),
            "source_name": article.get("source_name"),
            "title": article.get("title"),
            "body": article.get("body"),
            "summary": article.get("summary"),
            "title_key": title_key,
            "body_key": body_key,
            "content_hash": content_hash or None,
            "body_hash": body_hash or None,
            "authors": _json(article.get("authors"), "[]"),
            "tags": _json(article.get("tags"), "[]"),
            "section": article.get("section"),
            "language": article.get("language"),
            "image_url": article.get("image_url"),
            "published_at": _utc(article.get("published_at")),
            "published_local": _local(article.get("published_at")),
            "published_raw": article.get("published_raw"),
            "published_rule": article.get("published_rule"),
            "modified_at": _utc(article.get("modified_at")),
            "fetched_at": seen_at,
            "http_status": article.get("http_status"),
            "methods": _json(article.get("method", article.get("methods")), "{}"),
            "norm_version": None if article.get("norm_version") is None else str(article["norm_version"]),
            "first_seen_at": seen_at,
            "last_seen_at": seen_at,
            "first_run_id": run_id,
            "last_run_id": run_id,
        }

    def save_article(self, article: dict, *, run_id: int) -> SaveResult:
        """Store one extracted article, applying the exact-dedup rules (docs/schema.md)."""
        now = _now()
        row = self._article_row(article, run_id, now)
        with self._savepoint():
            result = self._save_article(row, run_id)
        status_counter = {"new": "articles_new", "seen": "articles_seen", "duplicate": "duplicates"}
        self._count(run_id, status_counter[result.status], row["source_id"])
        for _ in result.repointed:
            self._count(run_id, "repointed", row["source_id"])
        self._wrote()
        return result

    def _save_article(self, row: dict, run_id: int) -> SaveResult:
        db = self.db
        # Rule 1: the URL is stored already -> re-seen, never a second row.
        existing = self._rows("SELECT * FROM articles WHERE url_key = ?", [row["url_key"]])
        if existing:
            old = existing[0]
            fills = {c: row[c] for c in _FILLABLE if _empty(old.get(c)) and not _empty(row.get(c))}
            sets = ", ".join(f"{c} = :{c}" for c in fills)
            db.execute(
                "UPDATE articles SET last_seen_at = max(last_seen_at, :seen), last_run_id = :run"
                + (f", {sets}" if sets else "")
                + " WHERE id = :id",
                {**fills, "seen": row["last_seen_at"], "run": run_id, "id": old["id"]},
            )
            self._link_headlines(old["id"], row["url_key"], row["fetched_url_key"])
            return SaveResult(old["id"], "seen", old["duplicate_of"], old["dup_reason"])

        duplicate_of: int | None = None
        reason: str | None = None
        own_key = row["url_key"]
        src_key = row["source_url_key"]
        # Rule 3a: an aggregator copy whose publisher article is stored. Checked before the hashes
        # because the "read at the source" link is explicit provenance, the hashes only evidence.
        if src_key and src_key != own_key:
            hit = db.execute(
                "SELECT id FROM articles WHERE url_key = ? UNION ALL "
                "SELECT id FROM articles WHERE fetched_url_key = ? LIMIT 1",
                [src_key, src_key],
            ).fetchone()
            if hit:
                duplicate_of, reason = self._root(hit[0]), "copy_of_source"
        # Rule 3b: copies stored earlier name this article as their source -> it is their root,
        # whatever the hashes say (the publisher's article is always the original).
        copies = [
            r[0]
            for r in db.execute(
                "SELECT id FROM articles WHERE source_url_key IN (?, ?) AND url_key != ?",
                [own_key, row["fetched_url_key"] or own_key, own_key],
            ).fetchall()
        ]
        # Rule 2: same content (title + body keys), else same body key. A match whose root is one of
        # this article's own copies does not count (the original outranks its copies); a match with
        # another root (a publisher that ran the same text verbatim earlier) does, whatever the arrival
        # order, so that one cluster never ends up with two roots.
        if duplicate_of is None:
            for column, why in (("content_hash", "same_content"), ("body_hash", "same_body")):
                if row[column]:
                    hit = db.execute(
                        f"SELECT id FROM articles WHERE {column} = ? ORDER BY id LIMIT 1", [row[column]]
                    ).fetchone()
                    if hit:
                        hit_root = self._root(hit[0])
                        if hit_root not in copies:
                            duplicate_of, reason = hit_root, why
                        break

        # Second level (near-duplicates): only when no exact rule matched. An exact duplicate has the same
        # body as its root, so it gets no signature or bands of its own (nothing new to find it by).
        sketch: _Sketch | None = None
        score: float | None = None
        merged: list[int] = []
        if duplicate_of is None and self.near_duplicates:
            sketch = self._sketch(row)
            found = (
                self._near_duplicate(row, sketch, exclude=set(copies))
                if sketch.signature is not None
                else None
            )
            if found is not None:
                duplicate_of, score, merged = found
                reason = "near_duplicate"
        has_sig = sketch is not None and sketch.signature is not None

        # The id is chosen here (what SQLite would pick: max + 1) so that an original's story_id, its own id,
        # goes into the same INSERT instead of a second UPDATE on the hot path.
        article_id = (db.execute("SELECT max(id) FROM articles").fetchone()[0] or 0) + 1
        root = duplicate_of if duplicate_of is not None else article_id
        db.execute(
            f"INSERT INTO articles (id, {', '.join(row)}, duplicate_of, dup_reason, dup_score, story_id, minhash, "
            f"shingle_count) VALUES (:id, {', '.join(':' + c for c in row)}, :duplicate_of, :dup_reason, "
            ":dup_score, :story_id, :minhash, :shingle_count)",
            {
                **row,
                "id": article_id,
                "duplicate_of": duplicate_of,
                "dup_reason": reason,
                "dup_score": score,
                "story_id": root,
                "minhash": dedup.serialise(sketch.signature) if sketch and has_sig else None,
                "shingle_count": sketch.size if sketch and has_sig else None,
            },
        )
        if sketch is not None and has_sig:
            db.conn.execute(
                _BAND_INSERT, [x for band, h in enumerate(sketch.bands) for x in (band, h, article_id)]
            )

        repointed: list[int] = []
        if copies:
            placeholders = ", ".join("?" for _ in copies)
            # rows that hung below a copy (same_content/same_body of it) move to the new root too
            dependants = [
                r[0]
                for r in db.execute(
                    f"SELECT id FROM articles WHERE duplicate_of IN ({placeholders})", copies
                ).fetchall()
                if r[0] != article_id
            ]
            db.execute(
                f"UPDATE articles SET duplicate_of = ?, story_id = ?, dup_reason = 'copy_of_source', "
                f"dup_score = NULL WHERE id IN ({placeholders})",
                [root, root, *copies],
            )
            if dependants:
                db.execute(
                    f"UPDATE articles SET duplicate_of = ?, story_id = ? "
                    f"WHERE id IN ({', '.join('?' for _ in dependants)})",
                    [root, root, *dependants],
                )
            repointed = sorted(set(copies) | set(dependants))
        if merged:
            # This article bridged clusters (it is a near-duplicate of members of each): one story, one root.
            # The other roots become near-duplicates of the chosen one (dup_score: the bridging link's score);
            # their rows follow them, keeping their own dup_reason.
            for other, other_score in merged:
                moved = [r[0] for r in db.execute("SELECT id FROM articles WHERE duplicate_of = ?", [other])]
                db.execute(
                    "UPDATE articles SET duplicate_of = ?, story_id = ? WHERE duplicate_of = ?",
                    [root, root, other],
                )
                db.execute(
                    "UPDATE articles SET duplicate_of = ?, story_id = ?, dup_reason = 'near_duplicate', "
                    "dup_score = ? WHERE id = ?",
                    [root, root, other_score, other],
                )
                repointed = sorted({*repointed, other, *moved})

        self._link_headlines(article_id, row["url_key"], row["fetched_url_key"])
        status = "new" if duplicate_of is None else "duplicate"
        return SaveResult(article_id, status, duplicate_of, reason, tuple(repointed))

    # ------------------------------------------------------------------ near-duplicates

    def _sketch(self, row: dict) -> _Sketch:
        """Signature of the article's body key, minus the source's boilerplate paragraphs."""
        body_key = row["body_key"] or ""
        source_id = row["source_id"]
        paragraphs = (
            dedup.paragraph_fingerprints(row["body"] or "")
            if self.boilerplate_min_articles > 0 and source_id
            else []
        )
        key = body_key
        boiler = self._count_paragraphs(source_id, paragraphs, row["first_seen_at"]) if paragraphs else set()
        if len(paragraphs) > 1:  # a one-paragraph body is the article itself, whatever repeats it
            if boiler:
                key = dedup.strip_key_segments(
                    body_key, [self._paragraph_key(h, text) for h, text in paragraphs if h in boiler]
                )
        shingle_set = dedup.shingles(key, title_key=row["title_key"] or "")
        if len(shingle_set) < dedup.MIN_SHINGLES:
            return _Sketch(None, len(shingle_set), [], False, paragraphs)
        sig = dedup.signature(shingle_set)
        return _Sketch(sig, len(shingle_set), dedup.band_hashes(sig), dedup.is_short(key), paragraphs)

    def _count_paragraphs(self, source_id: str, paragraphs: list[tuple[int, str]], seen_at: str) -> set[int]:
        """Count this article's paragraphs for its source; return those that at least
        ``boilerplate_min_articles`` earlier articles of the source had, and at least ``BOILERPLATE_MIN_SHARE``
        of them (one upsert statement, RETURNING the new counts).

        The share matters: a site's template lines are on most of its pages, while a background paragraph
        reused in a series of stories is not. Stripping the latter would be harmful, because it is stripped
        in one outlet's copy and not yet in another's (each outlet has its own counts), which pulls the two
        copies of one story apart: on the demo (1,000 articles per site) three stories out of 1,000 split
        that way with a count-only rule, none with the share.

        Only articles that reach the near-duplicate stage are counted (not exact duplicates: the same text
        at a second URL is not evidence of a site template)."""
        # the row with hash -1 (crc32 is never negative) counts the source's articles: its share is the
        # second condition
        hashes = [_ARTICLE_COUNT_HASH, *sorted({h for h, _ in paragraphs})]
        cur = self.db.conn.execute(
            "INSERT INTO boilerplate_paragraphs (source_id, hash, articles, first_seen_at, last_seen_at) VALUES "
            + ", ".join(["(?, ?, 1, ?, ?)"] * len(hashes))
            + " ON CONFLICT (source_id, hash) DO UPDATE SET articles = articles + 1, "
            "last_seen_at = max(last_seen_at, excluded.last_seen_at) RETURNING hash, articles",
            [x for h in hashes for x in (source_id, h, seen_at, seen_at)],
        )
        counts = dict(cur.fetchall())
        earlier = counts.pop(_ARTICLE_COUNT_HASH) - 1
        floor = max(self.boilerplate_min_articles, BOILERPLATE_MIN_SHARE * earlier)
        return {h for h, n in counts.items() if n - 1 >= floor}

    def _paragraph_key(self, fingerprint: int, text: str) -> str:
        # match_key costs ~2 us per word: computed only for boilerplate paragraphs, and cached (there are few)
        key = self._paragraph_keys.get(fingerprint)
        if key is None:
            from newscrawler.text import match_key

            if len(self._paragraph_keys) > 10_000:
                self._paragraph_keys.clear()
            key = self._paragraph_keys[fingerprint] = match_key(text)
        return key

    def _near_duplicate(
        self, row: dict, sketch: _Sketch, *, exclude: set[int]
    ) -> tuple[int, float, list[tuple[int, float]]] | None:
        """(root, estimated Jaccard, [(other root, score), ...]) of the verified near-duplicates, or None.

        Candidates share at least one band hash and were first seen within ``near_dup_window_days`` of this
        article or published within ``dedup.MAX_HOURS_APART``; each is verified with ``dedup.is_near_duplicate``.
        Rows in ``exclude`` (this article's own aggregator copies, rule 3) are skipped: they will hang below it.
        """
        seen_dt = _parse_utc(row["first_seen_at"]) or datetime.now(UTC)
        since = (seen_dt - timedelta(days=self.near_dup_window_days)).isoformat(timespec="seconds")
        published = _parse_utc(row["published_at"])
        lo = hi = None
        if published is not None:
            window = timedelta(hours=dedup.MAX_HOURS_APART)
            lo = (published - window).isoformat(timespec="seconds")
            hi = (published + window).isoformat(timespec="seconds")
        params: list[Any] = [x for pair in enumerate(sketch.bands) for x in pair]
        candidates = self.db.execute(_BAND_QUERY, [*params, since, lo, hi]).fetchall()
        if not candidates:
            return None
        when = published or seen_dt
        best: dict[int, tuple[float, float]] = {}  # root -> (jaccard, containment) of its best member
        for cid, croot, blob, size, c_published, c_seen, c_title in candidates:
            if cid in exclude or croot in exclude:
                continue
            jaccard, containment = dedup.estimate_similarity(
                sketch.signature, dedup.deserialise(blob), sketch.size, size or 0
            )
            c_when = _parse_utc(c_published) if published is not None else None
            c_when = c_when or _parse_utc(c_seen)
            hours = None if c_when is None else (when - c_when).total_seconds() / 3600
            title_overlap = (
                dedup.title_jaccard(row["title_key"] or "", c_title or "") if sketch.short else 1.0
            )
            if dedup.is_near_duplicate(
                jaccard, containment, hours, short=sketch.short, title_overlap=title_overlap
            ):
                if (jaccard, containment) > best.get(croot, (-1.0, -1.0)):
                    best[croot] = (jaccard, containment)
        if not best:
            return None
        # the closest cluster keeps its root; on a tie the older root (smaller id)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
        root, (score, _) = ranked[0]
        return root, round(score, 4), [(r, round(j, 4)) for r, (j, _) in ranked[1:]]

    def _link_headlines(self, article_id: int, *keys: str | None) -> None:
        wanted = sorted({k for k in keys if k})
        if wanted:
            self.db.execute(
                f"UPDATE headlines SET article_id = ? WHERE article_id IS NULL "
                f"AND url_key IN ({', '.join('?' for _ in wanted)})",
                [article_id, *wanted],
            )

    # ------------------------------------------------------------------ headlines, pages, rejects

    def save_headlines(self, headlines: list[dict], *, run_id: int) -> int:
        """Store the headlines of one listing/feed; returns how many were new (per source + url_key)."""
        counted: list[tuple[str, str]] = []  # applied after the savepoint succeeds
        now = _now()
        with self._savepoint():
            for h in headlines:
                url = h.get("url")
                key = h.get("url_key") or _url_key(url)
                source_id = h.get("source_id")
                if not url or not key or not source_id:
                    raise ValueError(f"headline needs source_id, url, url_key: {h!r}")
                seen_at = _utc(h.get("seen_at")) or now
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
                    self.db.execute(
                        "UPDATE headlines SET last_seen_at = max(last_seen_at, :seen), last_run_id = :run, "
                        "position = coalesce(:pos, position), listing_url = coalesce(:listing, listing_url), "
                        "title = coalesce(nullif(title, ''), :title), "
                        "title_key = coalesce(nullif(title_key, ''), :title_key), "
                        "section = coalesce(section, :section), "
                        "article_id = coalesce(article_id, "
                        "  (SELECT id FROM articles WHERE url_key = :key OR fetched_url_key = :key LIMIT 1)) "
                        "WHERE id = :id",
                        {
                            "seen": seen_at, "run": run_id, "pos": position, "listing": h.get("listing_url"),
                            "title": h.get("title"), "title_key": h.get("title_key"),
                            "section": h.get("section"), "key": key, "id": hid,
                        },
                    )  # fmt: skip
                    counted.append(("headlines_seen", source_id))
                else:
                    self.db.execute(
                        "INSERT INTO headlines (source_id, url, url_key, title, title_key, listing_url, section, "
                        "position, first_position, first_listing_url, first_seen_at, last_seen_at, "
                        "first_run_id, last_run_id, article_id) VALUES (:source_id, :url, :key, :title, "
                        ":title_key, :listing, :section, :pos, :pos, :listing, :seen, :seen, :run, :run, "
                        "(SELECT id FROM articles WHERE url_key = :key OR fetched_url_key = :key LIMIT 1))",
                        {
                            "source_id": source_id, "url": url, "key": key, "title": h.get("title"),
                            "title_key": h.get("title_key"), "listing": h.get("listing_url"),
                            "section": h.get("section"), "pos": position, "seen": seen_at, "run": run_id,
                        },
                    )  # fmt: skip
                    counted.append(("headlines_new", source_id))
        for name, source_id in counted:
            self._count(run_id, name, source_id)
        self._wrote(max(1, len(headlines)))
        return sum(1 for name, _ in counted if name == "headlines_new")

    def save_page(self, page: dict, *, run_id: int) -> None:
        """Record a fetched feed/sitemap/robots/listing page and its fetch state (one row per URL).

        ETag/Last-Modified/content hash/items are kept from earlier fetches when this one lacks them
        (a 304 Not Modified has no body); ``changed_at`` moves only when the content hash changes.
        """
        url = page.get("url")
        if not url:
            raise ValueError(f"page needs url: {page!r}")
        at = _utc(page.get("fetched_at")) or _now()
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
        self._count(run_id, "pages", page.get("source_id"))
        self._wrote()

    def page_state(self, url: str) -> dict | None:
        """Fetch state of a feed/sitemap/listing URL (etag, last_modified, content_hash, fetched_at, ...)."""
        return _page_state(self.db.conn, url)

    def save_reject(self, reject: dict, *, run_id: int) -> None:
        """Record why a URL produced no article. ``reason`` may carry its detail (``"blocked: captcha"``).

        ``fetched`` (stored, and counted as ``rejects_fetched``) is true when a response was downloaded:
        an http_status is given, or the reason is not one of ``NOT_FETCHED_REASONS``; a ``fetched``
        key in the dict overrides this.
        """
        reason, detail = _split_reason(str(reject.get("reason") or ""), reject.get("detail"))
        status = reject.get("http_status")
        fetched = reject.get("fetched")
        if fetched is None:
            fetched = status is not None or reason not in NOT_FETCHED_REASONS
        with self._savepoint():
            self.db["rejects"].insert(  # type: ignore[union-attr]
                {
                    "run_id": run_id,
                    "url": reject.get("url"),
                    "source_id": reject.get("source_id"),
                    "reason": reason,
                    "detail": detail or None,
                    "http_status": status,
                    "fetched": 1 if fetched else 0,
                    "at": _utc(reject.get("at")) or _now(),
                }
            )
        self._count(run_id, "rejects", reject.get("source_id"), reason)
        if fetched:
            self._count(run_id, "rejects_fetched", reject.get("source_id"))
        self._wrote()

    # ------------------------------------------------------------------ reading

    def search(
        self,
        query: str,
        *,
        limit: int = 20,
        source: str | None = None,
        prefix: bool = False,
        originals_only: bool = False,
    ) -> list[dict]:
        """Full-text search over the match keys; every query token must match (AND).

        The query goes through the same ``match_key`` as the stored keys, so harakat, tatweel,
        alef/hamza forms, ة/ه and Arabic-Indic digits do not matter. ``rank`` is bm25 with the title
        weighted 4x the body: lower is better. ``prefix=True`` matches tokens as prefixes.
        """
        from newscrawler.text import match_key

        tokens = match_key(query or "").split()
        if not tokens:
            return []
        star = "*" if prefix else ""
        # each token quoted (inner quotes doubled): user input cannot inject FTS5 syntax
        fts_query = " ".join('"' + t.replace('"', '""') + '"' + star for t in tokens)
        sql = (
            "SELECT a.id, a.url, a.source_id, a.source_url, a.source_name, a.title, a.published_at, "
            "a.duplicate_of, a.dup_reason, bm25(articles_fts, 4.0, 1.0) AS rank "
            "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
            "WHERE articles_fts MATCH :q"
        )
        params: dict[str, Any] = {"q": fts_query, "limit": int(limit)}
        if source:
            sql += " AND a.source_id = :source"
            params["source"] = source
        if originals_only:
            sql += " AND a.duplicate_of IS NULL"
        sql += " ORDER BY rank, a.id LIMIT :limit"
        return self._rows(sql, params)

    def stats(self) -> list[dict]:
        """One dict per source: articles, originals, duplicates, headlines, rejects (+ by reason),
        first/last seen, last run (id, started_at, status)."""
        ids = [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM sources UNION SELECT source_id FROM articles WHERE source_id IS NOT NULL "
                "UNION SELECT source_id FROM headlines UNION SELECT source_id FROM rejects "
                "WHERE source_id IS NOT NULL ORDER BY 1"
            ).fetchall()
        ]
        out = []
        for sid in ids:
            name = self.db.execute("SELECT name FROM sources WHERE id = ?", [sid]).fetchone()
            a = self.db.execute(
                "SELECT count(*), count(*) FILTER (WHERE duplicate_of IS NULL), "
                "count(*) FILTER (WHERE duplicate_of IS NOT NULL), min(first_seen_at), max(last_seen_at) "
                "FROM articles WHERE source_id = ?",
                [sid],
            ).fetchone()
            h = self.db.execute(
                "SELECT count(*), count(article_id), min(first_seen_at), max(last_seen_at) "
                "FROM headlines WHERE source_id = ?",
                [sid],
            ).fetchone()
            reasons = dict(
                self.db.execute(
                    "SELECT reason, count(*) FROM rejects WHERE source_id = ? GROUP BY reason ORDER BY reason",
                    [sid],
                ).fetchall()
            )
            run = self.db.execute(
                "SELECT r.id, r.started_at, r.status FROM crawl_runs r, json_each(r.sources) j "
                "WHERE j.value = ? ORDER BY r.id DESC LIMIT 1",
                [sid],
            ).fetchone()
            firsts = [v for v in (a[3], h[2]) if v]
            lasts = [v for v in (a[4], h[3]) if v]
            out.append(
                {
                    "source_id": sid,
                    "name": name[0] if name else None,
                    "articles": a[0],
                    "originals": a[1],
                    "duplicates": a[2],
                    "headlines": h[0],
                    "headlines_linked": h[1],
                    "rejects": sum(reasons.values()),
                    "rejects_by_reason": reasons,
                    "first_seen": min(firsts) if firsts else None,
                    "last_seen": max(lasts) if lasts else None,
                    "last_run": run[0] if run else None,
                    "last_run_started_at": run[1] if run else None,
                    "last_run_status": run[2] if run else None,
                }
            )
        return out

    def iter_articles(self, where: str = "1", params: Iterable[Any] = ()) -> Iterator[dict]:
        """Rows of ``articles`` (JSON columns decoded) for re-processing or export."""
        for row in self._rows(f"SELECT * FROM articles WHERE {where} ORDER BY id", list(params)):
            for col in ("authors", "tags", "methods"):
                row[col] = json.loads(row[col]) if row.get(col) else ([] if col != "methods" else {})
            yield row


def _known_article(conn: sqlite3.Connection, url_key: str) -> int | None:
    # the spider only knows the link it is about to fetch, which may differ from the canonical URL
    row = conn.execute(
        "SELECT id FROM articles WHERE url_key = ? UNION ALL SELECT id FROM articles WHERE fetched_url_key = ? LIMIT 1",
        [url_key, url_key],
    ).fetchone()
    return row[0] if row else None


def _page_state(conn: sqlite3.Connection, url: str) -> dict | None:
    cur = conn.execute("SELECT * FROM pages WHERE url = ?", [url])
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None


class StoreReader:
    """Read-only view for the spider and middlewares (incremental decisions) while ``Store`` writes.

    Opens the file read-only on first use; sees what the writer has committed. Until the database
    exists every answer is "unknown" (None), so a first run simply fetches everything.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection | None:
        if self._conn is None:
            if not self.path.exists():
                return None
            conn = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
            conn.execute("PRAGMA busy_timeout = 10000")
            try:
                conn.execute("SELECT 1 FROM articles LIMIT 0")
                conn.execute("SELECT 1 FROM pages LIMIT 0")
            except sqlite3.OperationalError:
                conn.close()  # schema not created yet
                return None
            self._conn = conn
        return self._conn

    def known_article(self, url_key: str) -> int | None:
        conn = self._connection()
        return _known_article(conn, url_key) if conn is not None else None

    def page_state(self, url: str) -> dict | None:
        conn = self._connection()
        return _page_state(conn, url) if conn is not None else None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _int_or_none(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
