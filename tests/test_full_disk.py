"""A full disk (a file-size limit, `ulimit -f`) during a real crawl (issue 20): one clear error line, the run stops
with exit 1 and status store_error, its counts match the stored rows, and the database is intact."""

from __future__ import annotations

import shlex
import sqlite3
import subprocess
import sys

import pytest

from newscrawler.demo import DemoServer

pytestmark = pytest.mark.slow


def test_a_full_disk_stops_the_run_with_one_error_and_true_counts(tmp_path):
    with DemoServer(articles_per_site=60) as server:
        config = tmp_path / "sources.toml"
        config.write_text(server.sources_toml(), encoding="utf-8")
        db = tmp_path / "news.db"
        settings = ["DOWNLOAD_DELAY=0", "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS=0", "NEWSCRAWLER_MAX_PAGES_PER_SOURCE=0",
                    "LOG_LEVEL=WARNING", "NEWSCRAWLER_BATCH_SIZE=20", "NEWSCRAWLER_EXTRACT_WORKERS=0"]
        command = [sys.executable, "-m", "newscrawler.cli", "crawl", "--config", str(config), "--db", str(db),
                   *[a for s in settings for a in ("-s", s)]]
        # 3,800 KiB per file. The file that hits it is the WAL: SQLite's automatic checkpoint comes at 1,000 pages
        # (about 4 MiB), and the whole crawl needs that. The schema and the 255 headlines take about 2.5 MiB of WAL
        # (with 2,500 KiB, half the runs stored no article at all); at 3,800 KiB, 21 to 39 articles fit.
        result = subprocess.run(["bash", "-c", "ulimit -f 3800; exec " + shlex.join(command)],
                                capture_output=True, text=True, timeout=240)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.stderr.count("cannot write to") == 1
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    status, new, duplicates = conn.execute("SELECT status, articles_new, duplicates FROM crawl_runs").fetchone()
    stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    # store_error, unless not even the run record could be written (the disk still full when the run closed):
    # then it stays as of its last commit and the next run marks it aborted (tests/test_runlock.py)
    assert status in ("store_error", "running")
    assert 0 < stored and new + duplicates == stored  # what was committed before the error, counted truly
    conn.close()
