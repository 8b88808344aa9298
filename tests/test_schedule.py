"""`newscrawler schedule` (issue 18): a foreground loop that runs `crawl --due` whenever something is due, one run at
a time, and stops cleanly on SIGTERM / SIGINT."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newscrawler.demo import DemoServer
from newscrawler.schedule import next_due

# a poll range of 3 s to 7.2 s, so that a couple of cycles take seconds, not hours
SETTINGS = ["DOWNLOAD_DELAY=0", "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS=0", "NEWSCRAWLER_PROGRESS_INTERVAL=0",
            "LOG_LEVEL=WARNING", "NEWSCRAWLER_EXTRACT_WORKERS=0", "NEWSCRAWLER_POLL_MIN_MINUTES=0.05",
            "NEWSCRAWLER_POLL_MAX_HOURS=0.002", "AUTOTHROTTLE_ENABLED=0"]


def finished_runs(db: Path) -> list[tuple[str, str, str]]:
    if not db.exists():
        return []
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT started_at, finished_at, status FROM crawl_runs WHERE status != 'running' "
                            "ORDER BY id").fetchall()
    except sqlite3.OperationalError:
        return []  # the first run is creating the schema
    finally:
        conn.close()


def schedule(config: Path, db: Path, *extra: str) -> subprocess.Popen[str]:
    args = [a for s in SETTINGS for a in ("-s", s)]
    return subprocess.Popen([sys.executable, "-m", "newscrawler.cli", "schedule", "--config", str(config), "--db",
                             str(db), "--min-wait", "1", *extra, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture()
def demo(tmp_path):
    with DemoServer(articles_per_site=6, seed=8) as server:
        config = tmp_path / "sources.toml"
        config.write_text(server.sources_toml(), encoding="utf-8")
        yield server, config, tmp_path


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_schedule_runs_what_is_due_one_run_at_a_time_and_stops_on_a_signal(demo, sig):
    server, config, tmp = demo
    db = tmp / "news.db"
    proc = schedule(config, db)
    try:
        deadline = time.monotonic() + 240
        while len(finished_runs(db)) < 3 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        runs = finished_runs(db)
        assert len(runs) >= 3, proc.stderr.read() if proc.poll() is not None else runs
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr[-3000:]
    assert "stopping after the current run" in stderr and "stopped after" in stderr
    runs = finished_runs(db)
    assert all(status == "finished" for _, _, status in runs)
    # one at a time: each run started after the one before had finished
    assert all(later[0] >= earlier[1] for earlier, later in zip(runs, runs[1:], strict=False))
    conn = sqlite3.connect(db)
    stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    running = conn.execute("SELECT count(*) FROM crawl_runs WHERE status = 'running'").fetchone()[0]
    conn.close()
    assert stored == sum(len(site["articles"]) for site in server.manifest()["sites"].values())
    assert running == 0
    # the runs after the first asked for what was due: feeds and listings again (answered 304), no article twice
    articles = {(site_id, path) for site_id, site in server.manifest()["sites"].items() for path in site["articles"]}
    article_gets = [(r.site, r.path) for r in server.requests if (r.site, r.path) in articles]
    assert len(article_gets) == len(set(article_gets))
    assert any(r.status == 304 for r in server.requests)


def test_next_due_is_now_for_a_page_never_polled_else_the_earliest(tmp_path):
    db = tmp_path / "news.db"
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert next_due(db, ["https://a.example/feed"], now) == now  # no database yet
    from newscrawler.store import Store

    with Store(db) as store:
        for url, minutes in (("https://a.example/feed", 30), ("https://b.example/feed", 10)):
            store.save_poll({"url": url, "source_id": "a", "kind": "feed", "interval_seconds": 600,
                             "next_due_at": (now + timedelta(minutes=minutes)).isoformat(), "failures": 0,
                             "seen_share": None, "polled_at": now.isoformat()})
        store.commit()
    assert next_due(db, ["https://a.example/feed", "https://b.example/feed"], now) == now + timedelta(minutes=10)
    assert next_due(db, ["https://a.example/feed", "https://c.example/feed"], now) == now


def test_schedule_refuses_a_bad_option_with_exit_2(tmp_path):
    result = subprocess.run([sys.executable, "-m", "newscrawler.cli", "schedule", "--db", str(tmp_path / "x.db"),
                             "--max-runs", "0"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--max-runs" in result.stderr


def test_sigterm_to_the_group_stops_the_current_run_cleanly_and_the_loop_with_0(tmp_path):
    """As systemd stops a service (SIGTERM to the whole control group) or Ctrl-C in a terminal: the run in progress
    stops cleanly (its row closed, what it did not fetch left pending) and the loop exits 0."""
    with DemoServer(articles_per_site=150, seed=9) as server:
        config = tmp_path / "sources.toml"
        config.write_text(server.sources_toml(), encoding="utf-8")
        db = tmp_path / "news.db"
        args = [a for s in [*SETTINGS, "DOWNLOAD_DELAY=0.05"] for a in ("-s", s)]
        proc = subprocess.Popen([sys.executable, "-m", "newscrawler.cli", "schedule", "--config", str(config),
                                 "--db", str(db), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and proc.poll() is None:
                if db.exists() and _count(db, "SELECT count(*) FROM articles") > 20:
                    break
                time.sleep(0.1)
            assert proc.poll() is None
            os.killpg(proc.pid, signal.SIGTERM)
            _, stderr = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        assert proc.returncode == 0, stderr[-3000:]
        assert "stopped after 1 run(s)" in stderr
        assert _count(db, "SELECT count(*) FROM crawl_runs WHERE status = 'running'") == 0
        stored = _count(db, "SELECT count(*) FROM articles")
        assert stored < sum(len(site["articles"]) for site in server.manifest()["sites"].values())
        assert _count(db, "SELECT count(*) FROM frontier WHERE state = 'pending'") > 0  # left for the next run


def _count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # the schema is being created
    finally:
        conn.close()
