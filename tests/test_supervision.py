"""Worker supervision (issue 20): extraction workers killed for real, a worker that dies on a page, a hung worker.

The failing extraction functions below are module-level so the spawned workers can import them.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from newscrawler.demo import DemoServer
from newscrawler.workers import Extractor, ExtractTimeout, WorkerCrash, extract_normalised

PAGE = "<html><body><article><h1>عنوان الخبر</h1><p>" + "نص الخبر الكامل هنا. " * 40 + "</p></article></body></html>"


def die(html: str, url: str, **options: object) -> dict:
    os.kill(os.getpid(), signal.SIGKILL)  # the worker dies as an out-of-memory kill would
    return {}


def hang(html: str, url: str, **options: object) -> dict:
    if "hang" in url:
        time.sleep(600)
    return extract_normalised(html, url, **options)


def run(coro):
    return asyncio.run(coro)


def test_a_killed_worker_is_replaced_and_the_next_page_extracted():
    extractor = Extractor(1)
    try:
        first = run(extractor.extract(PAGE, "http://127.0.0.1/a.html"))
        pids = extractor.worker_pids()
        assert pids
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.3)
        second = run(extractor.extract(PAGE, "http://127.0.0.1/a.html"))
        assert second == first
        assert extractor.restarts == 1
        assert set(extractor.worker_pids()).isdisjoint(pids)
    finally:
        extractor.close()


def test_a_page_that_kills_its_worker_twice_is_a_worker_crash():
    extractor = Extractor(1, function=die)
    try:
        with pytest.raises(WorkerCrash):
            run(extractor.extract(PAGE, "http://127.0.0.1/a.html"))
        assert extractor.restarts == 2  # tried once more on a fresh worker, then given up
    finally:
        extractor.close()


def test_a_hung_extraction_is_a_timeout_and_the_next_page_goes_on():
    extractor = Extractor(1, timeout=2, function=hang)
    try:
        run(extractor.extract(PAGE, "http://127.0.0.1/warm.html"))  # the worker is up (spawn takes a moment)
        started = time.monotonic()
        with pytest.raises(ExtractTimeout):
            run(extractor.extract(PAGE, "http://127.0.0.1/hang.html"))
        assert time.monotonic() - started < 5
        page = run(extractor.extract(PAGE, "http://127.0.0.1/next.html"))
        assert page["title"] == "عنوان الخبر"
    finally:
        extractor.close()


def _spawned_children(pid: int) -> list[int]:
    """The multiprocessing workers among a process's children (read from /proc: Linux only)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_crawl_whose_worker_is_killed_goes_on_and_stores_every_article(tmp_path):
    with DemoServer(articles_per_site=40) as server:
        config = tmp_path / "sources.toml"
        config.write_text(server.sources_toml(), encoding="utf-8")
        db = tmp_path / "news.db"
        settings = ["DOWNLOAD_DELAY=0", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS=0",
                    "NEWSCRAWLER_MAX_PAGES_PER_SOURCE=0", "NEWSCRAWLER_EXTRACT_WORKERS=1", "LOG_LEVEL=WARNING"]
        proc = subprocess.Popen([sys.executable, "-m", "newscrawler.cli", "crawl", "--config", str(config),
                                 "--db", str(db), *[a for s in settings for a in ("-s", s)]],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        killed: list[int] = []

        def killer() -> None:
            # Kill the worker as soon as some articles are stored (the pages in flight then are tried again).
            deadline = time.monotonic() + 60
            while not killed and time.monotonic() < deadline and proc.poll() is None:
                stored = 0
                if db.exists():
                    try:
                        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                            stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
                    except sqlite3.Error:
                        stored = 0
                if stored >= 10:
                    for pid in _spawned_children(proc.pid):
                        os.kill(pid, signal.SIGKILL)
                        killed.append(pid)
                time.sleep(0.05)

        thread = threading.Thread(target=killer)
        thread.start()
        out, err = proc.communicate(timeout=240)
        thread.join()
    assert killed, "no worker was killed: the crawl ended first"
    assert proc.returncode == 0, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    with sqlite3.connect(db) as conn:
        reasons = dict(conn.execute("SELECT reason, count(*) FROM rejects GROUP BY reason").fetchall())
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        pending = conn.execute("SELECT count(*) FROM frontier WHERE state = 'pending'").fetchone()[0]
        requested = conn.execute("SELECT count(*) FROM frontier").fetchone()[0]
    # The pages the dead worker held were tried again on the new one: none lost, none a crash reject.
    assert "parse_error" not in reasons and "worker_crash" not in reasons, reasons
    assert pending == 0 and stored >= 100 and requested >= stored
