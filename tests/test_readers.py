"""Readers never write: `search`, `stats` and `export` open the database read-only (SQLite `mode=ro`).

A missing database, a file that is not a database and a database of an older schema each give one line on
stderr and exit 2, and leave nothing behind; a reader in another process reads consistent counts while a real
crawl writes.
"""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from newscrawler.demo import DemoServer
from newscrawler.store import _MIGRATIONS, SCHEMA_VERSION, ReaderError, ReadOnlyStore, Store
from tests.crawl_runs import newscrawler

READERS = [["search", "وزير"], ["stats"], ["export"], ["export", "--format", "csv"]]


def files_under(path: Path) -> set[str]:
    return {str(p.relative_to(path)) for p in path.rglob("*")}


@pytest.mark.parametrize("command", READERS, ids=lambda c: " ".join(c))
def test_a_missing_database_is_one_line_exit_2_and_nothing_is_created(tmp_path, command):
    db = tmp_path / "missing" / "x.db"
    out = tmp_path / "out.jsonl"
    extra = ["-o", str(out)] if command[0] == "export" else []
    result = newscrawler(*command, "--db", str(db), *extra)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"newscrawler: no database at {db} (run a crawl first)"]
    assert files_under(tmp_path) == set()  # no folder, no database, no export file


@pytest.mark.parametrize("command", READERS, ids=lambda c: " ".join(c))
def test_a_file_that_is_not_a_database_is_one_line_exit_2_and_left_alone(tmp_path, command):
    db = tmp_path / "notes.db"
    content = "these are notes, not a database\n" * 100
    db.write_text(content, encoding="utf-8")
    result = newscrawler(*command, "--db", str(db))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"newscrawler: {db} is not a newscrawler database"), lines
    assert "Traceback" not in result.stderr
    assert db.read_text(encoding="utf-8") == content
    assert files_under(tmp_path) == {"notes.db"}


def test_an_empty_sqlite_file_is_not_a_newscrawler_database(tmp_path):
    db = tmp_path / "empty.db"
    sqlite3.connect(db).close()
    result = newscrawler("stats", "--db", str(db))
    assert result.returncode == 2
    assert result.stderr.strip() == f"newscrawler: {db} holds no newscrawler tables (run a crawl first)"


def test_an_older_schema_is_reported_not_migrated(tmp_path):
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.executescript(_MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    conn.close()
    before = db.read_bytes()
    for command in READERS:
        result = newscrawler(*command, "--db", str(db))
        assert result.returncode == 2, command
        [line] = result.stderr.strip().splitlines()
        assert f"schema version 1, this newscrawler reads version {SCHEMA_VERSION}" in line
        assert "run a crawl on it to migrate it" in line
    assert db.read_bytes() == before  # still version 1: readers never migrate
    # the writer (a crawl) migrates it; then readers read it
    Store(db).close()
    assert newscrawler("stats", "--db", str(db)).returncode == 0


def test_the_reader_connection_refuses_writes(tmp_path):
    db = tmp_path / "news.db"
    with Store(db) as store:
        store.start_run(sources=["pub"])
    with ReadOnlyStore(db) as reader:
        assert reader.stats() == []
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            reader.conn.execute("DELETE FROM crawl_runs")
    with pytest.raises(ReaderError, match="no database"):
        ReadOnlyStore(tmp_path / "nope.db")
    assert not (tmp_path / "nope.db").exists()


# One snapshot per poll, each in one read transaction: the run's committed counters and the rows they count.
READER_SCRIPT = textwrap.dedent("""
    import json, sys, time
    from newscrawler.store import ReaderError, ReadOnlyStore

    path, deadline = sys.argv[1], time.monotonic() + float(sys.argv[2])
    store = None
    while store is None and time.monotonic() < deadline:
        try:
            store = ReadOnlyStore(path)
        except ReaderError:
            time.sleep(0.05)  # the crawl has not created (or migrated) it yet
    while store is not None and time.monotonic() < deadline:
        conn = store.conn
        conn.execute("BEGIN")
        run = conn.execute("SELECT id, status, articles_new, duplicates, rejects FROM crawl_runs "
                           "ORDER BY id DESC LIMIT 1").fetchone()
        if run is not None:
            articles = conn.execute("SELECT count(*) FROM articles WHERE first_run_id = ?", [run[0]]).fetchone()[0]
            rejects = conn.execute("SELECT count(*) FROM rejects WHERE run_id = ?", [run[0]]).fetchone()[0]
            print(json.dumps({"status": run[1], "counted_articles": run[2] + run[3], "articles": articles,
                              "counted_rejects": run[4], "rejects": rejects}), flush=True)
        conn.execute("COMMIT")
        if run is not None and run[1] != "running":
            break
        time.sleep(0.05)
""")


def test_a_reader_in_another_process_reads_consistent_counts_during_a_crawl(tmp_path):
    db = tmp_path / "news.db"
    with DemoServer(articles_per_site=30, seed=5) as server:
        config = tmp_path / "sources.toml"
        config.write_text(server.sources_toml(), encoding="utf-8")
        settings = ["DOWNLOAD_DELAY=0.05", "CONCURRENT_REQUESTS_PER_DOMAIN=2", "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS=0",
                    "NEWSCRAWLER_BATCH_SIZE=5", "NEWSCRAWLER_PROGRESS_INTERVAL=0", "LOG_LEVEL=WARNING"]
        crawl = subprocess.Popen(
            [sys.executable, "-m", "newscrawler.cli", "crawl", "--config", str(config), "--db", str(db),
             *[a for s in settings for a in ("-s", s)]],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        reader = subprocess.Popen([sys.executable, "-c", READER_SCRIPT, str(db), "240"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            crawl_out, crawl_err = crawl.communicate(timeout=300)
            reader_out, reader_err = reader.communicate(timeout=60)
        finally:
            for proc in (crawl, reader):
                if proc.poll() is None:
                    proc.kill()
    assert crawl.returncode == 0, crawl_err[-3000:]
    assert reader.returncode == 0, reader_err[-3000:]
    snapshots = [json.loads(line) for line in reader_out.splitlines()]
    during = [s for s in snapshots if s["status"] == "running" and s["articles"] > 0]
    assert during, f"the reader saw no committed rows while the crawl ran ({len(snapshots)} snapshots)"
    for snap in snapshots:  # counters are committed with the rows they count: every snapshot agrees
        assert snap["counted_articles"] == snap["articles"], snap
        assert snap["counted_rejects"] == snap["rejects"], snap
    assert snapshots[-1]["status"] == "finished"
    growth = [s["articles"] for s in snapshots]
    assert growth == sorted(growth) and growth[-1] > during[0]["articles"] >= 1
    final = sqlite3.connect(db).execute("SELECT unaccounted FROM crawl_runs").fetchone()
    assert final == (0,)  # the reader never got in the writer's way


def test_a_reader_opened_before_a_commit_sees_it_on_its_next_read(tmp_path):
    db = tmp_path / "news.db"
    store = Store(db, batch_size=1000, max_delay=3600)
    run = store.start_run(sources=["pub"])
    with ReadOnlyStore(db) as reader:
        store.save_reject({"url": "https://pub.ma/x", "source_id": "pub", "reason": "http_404", "http_status": 404},
                          run_id=run)
        assert reader.conn.execute("SELECT count(*) FROM rejects").fetchone() == (0,)
        started = time.monotonic()
        store.commit()
        assert time.monotonic() - started < 5  # the reader holds no lock the writer waits for
        assert reader.conn.execute("SELECT count(*) FROM rejects").fetchone() == (1,)
    store.close()


class _Discard(io.TextIOBase):
    """An output that keeps nothing, so the export's own memory is what tracemalloc sees."""

    def write(self, text: str) -> int:
        return len(text)


def _fill(db: Path, counts: dict[str, int]) -> None:
    """Articles with ~1.5 KB display bodies, inserted directly (the dedup path is not what is measured)."""
    Store(db).close()
    conn = sqlite3.connect(db)
    body = "\n\n".join(f"فقرة رقم {i} من نص الخبر الطويل الذي يملأ الصفحة " * 6 for i in range(5))
    rows = ((f"https://{src}.ma/{i}", f"{src}.ma/{i}", src, f"عنوان {i}", body, "[]", "[]", "{}",
             "2025-10-08T10:00:00+00:00", "2025-10-08T10:00:00+00:00")
            for src, n in counts.items() for i in range(n))
    conn.executemany("INSERT INTO articles (url, url_key, source_id, title, body, authors, tags, methods, "
                     "first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.commit()
    conn.close()


@pytest.fixture(scope="module")
def big_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("big") / "big.db"
    _fill(db, {"small": 2_000, "big": 18_000})
    return db


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_streams_in_constant_memory(big_db, fmt):
    import tracemalloc

    from newscrawler.export import export_articles

    db = big_db

    def peak(source: str | None) -> tuple[int, int]:
        with ReadOnlyStore(db) as reader:
            tracemalloc.start()
            try:
                count = export_articles(reader, _Discard(), fmt=fmt, source=source)
                return count, tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()

    small_count, small_peak = peak("small")
    all_count, all_peak = peak(None)
    assert (small_count, all_count) == (2_000, 20_000)
    # 20,000 rows of ~1.5 KB are ~30 MB: reading them all at once would peak ten times higher than 2,000 rows
    assert all_peak < 1.5 * small_peak + 256 * 1024, (small_peak, all_peak)
    assert all_peak < 5 * 1024 * 1024
