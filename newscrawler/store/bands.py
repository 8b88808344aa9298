"""Bounded near-duplicate state: prune LSH bands outside the comparison window, fingerprint unsigned rows.

``articles.bands`` (schema v9) says where a row stands: 1 = its ``dedup.BANDS`` ``article_bands`` rows are stored;
0 = it has none (an exact duplicate or aggregator copy, a stub too short to fingerprint, or pruned: ``minhash`` kept);
NULL = never fingerprinted (rows stored before schema v2). Both jobs run in bounded steps (``limit`` rows per
call, from ``Store.finish_run``), so a large database catches up over a few runs instead of stalling one.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from newscrawler import dedup

# Same statement as the writer's: the band rows of one article in one call.
_BAND_INSERT = "INSERT OR IGNORE INTO article_bands (band, hash, article_id) VALUES " + ", ".join(
    ["(?, ?, ?)"] * dedup.BANDS
)
_BAND_DELETE = "DELETE FROM article_bands WHERE band = ? AND hash = ? AND article_id = ?"


def prune_bands(
    conn: sqlite3.Connection, *, window_days: float, now: datetime | None = None, limit: int = 50_000
) -> int:
    """Delete the band rows of up to ``limit`` articles first seen **and** published (``first_seen_at`` when no
    date) more than ``window_days`` ago: such a row can no longer be a candidate for a new article of the
    window. The signature (``minhash``) stays, so bands can be rebuilt. Returns how many articles were pruned.

    The deletes are by primary key (the band hashes are recomputed from the stored signature), so
    ``article_bands`` needs no index by article; the rows to prune come from a partial index on
    ``first_seen_at WHERE bands = 1``."""
    cut = ((now or datetime.now(UTC)) - timedelta(days=window_days)).isoformat(timespec="seconds")
    rows = conn.execute(
        "SELECT id, minhash FROM articles WHERE bands = 1 AND first_seen_at < ? "
        "AND coalesce(published_at, first_seen_at) < ? ORDER BY first_seen_at LIMIT ?",
        [cut, cut, int(limit)],
    ).fetchall()
    for article_id, blob in rows:
        if blob is not None:
            hashes = dedup.band_hashes(dedup.deserialise(blob))
            conn.executemany(_BAND_DELETE, [(band, h, article_id) for band, h in enumerate(hashes)])
    conn.executemany("UPDATE articles SET bands = 0 WHERE id = ?", [(r[0],) for r in rows])
    return len(rows)


def backfill_signatures(conn: sqlite3.Connection, *, limit: int = 20_000) -> int:
    """Fingerprint up to ``limit`` rows never fingerprinted (``bands IS NULL``: stored before schema v2), so they
    become near-duplicate candidates. The body key is shingled as a new article's would be, without the
    boilerplate step (per-source paragraph counts describe the crawl order, not these rows); nothing is re-clustered.
    Returns how many rows were looked at."""
    rows = conn.execute(
        "SELECT id, title_key, body_key FROM articles WHERE bands IS NULL ORDER BY id LIMIT ?", [int(limit)]
    ).fetchall()
    for article_id, title_key, body_key in rows:
        shingle_set = dedup.shingles(body_key or "", title_key=title_key or "")
        if len(shingle_set) < dedup.MIN_SHINGLES:
            conn.execute("UPDATE articles SET bands = 0 WHERE id = ?", [article_id])
            continue
        sig = dedup.signature(shingle_set)
        conn.execute(
            "UPDATE articles SET minhash = ?, shingle_count = ?, bands = 1 WHERE id = ?",
            [dedup.serialise(sig), len(shingle_set), article_id],
        )
        conn.execute(
            _BAND_INSERT, [x for band, h in enumerate(dedup.band_hashes(sig)) for x in (band, h, article_id)]
        )
    return len(rows)


@lru_cache(maxsize=8)
def _stored_bands(blob: bytes) -> list[int]:
    return dedup.band_hashes(dedup.deserialise(blob))


def stored_band_hash(blob: bytes | None, band: int) -> int | None:
    """SQL function ``newscrawler_band_hash(minhash, band)``: band ``band``'s hash of a stored signature in the
    current layout (``dedup.band_hashes``), for the migration that rebuilds ``article_bands``. SQLite calls it once
    per (article, band); the cache computes an article's bands once, not once per band."""
    if blob is None:
        return None
    return _stored_bands(bytes(blob))[int(band)]
