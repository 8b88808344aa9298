"""The WAL checkpoint policy (issue 20): a long reader lets the WAL grow while it holds its snapshot; once it is
gone, the writer's next commit brings the WAL back under the limit. The writer never waits for the reader."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from newscrawler.store import Store

LIMIT = 256 * 1024


def wal_size(db: Path) -> int:
    wal = db.with_name(db.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def write_pages(store: Store, start: int, n: int, run_id: int) -> None:
    for i in range(start, start + n):
        store.save_page({"url": f"https://x.example/listing/{i}", "source_id": "x", "kind": "listing",
                         "http_status": 200, "items": 3, "content_hash": "ab" * 20 + "x" * (i % 7),
                         "fetched_at": "2026-01-01T00:00:00+00:00"}, run_id=run_id)
        if i % 50 == 0:
            store.commit()
    store.commit()


def test_a_long_reader_grows_the_wal_and_the_next_commit_after_it_bounds_it(tmp_path):
    db = tmp_path / "news.db"
    store = Store(db, batch_size=50, wal_limit_bytes=LIMIT)
    try:
        run = store.start_run(sources=["x"])
        write_pages(store, 0, 200, run)
        reader = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM pages").fetchone()  # holds its snapshot
        started = time.monotonic()
        write_pages(store, 1000, 3000, run)
        assert time.monotonic() - started < 30  # the writer did not wait for the reader
        grown = wal_size(db)
        assert grown > LIMIT
        reader.rollback()
        reader.close()
        write_pages(store, 10000, 60, run)
        assert wal_size(db) <= LIMIT < grown
    finally:
        store.close()
