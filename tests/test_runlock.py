"""One run at a time (issue 18): a second crawl of the same database refuses with exit code 3 and names the holder;
a lock left by a killed run is taken over and the killed run's row is marked `aborted`. And the crawl's exit
codes: 1 when no source fetched anything or writes failed, 0 when healthy."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import time
from pathlib import Path

import pytest

from newscrawler import exitcodes
from newscrawler.demo import DemoServer
from newscrawler.runlock import RunLock, RunLocked, lock_path
from tests.crawl_runs import crawl_command, query, run_crawl, write_sources

SETTINGS = ["DOWNLOAD_DELAY=0", "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS=0", "NEWSCRAWLER_PROGRESS_INTERVAL=0",
            "LOG_LEVEL=WARNING", "NEWSCRAWLER_MAX_PAGES_PER_SOURCE=0", "NEWSCRAWLER_EXTRACT_WORKERS=0"]


def run(config: Path, db: Path, *extra: str, **kwargs) -> subprocess.CompletedProcess:
    return run_crawl(config, db, [*SETTINGS, *extra], check=False, **kwargs)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("runlock")
    with DemoServer(articles_per_site=30, seed=3) as server:
        config = write_sources(server, tmp / "sources.toml")
        slow = write_sources(server, tmp / "slow.toml", delay=0.2)
        yield {"server": server, "config": config, "slow": slow, "tmp": tmp}


def wait_for_holder(lock: Path, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lock.exists() and lock.read_text(encoding="utf-8").strip():
            return json.loads(lock.read_text(encoding="utf-8"))
        time.sleep(0.05)
    raise AssertionError("the first crawl never took the lock")


def test_a_second_run_refuses_and_a_killed_run_is_taken_over(demo):
    db = demo["tmp"] / "news.db"
    first = subprocess.Popen(crawl_command(demo["slow"], db, SETTINGS), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        holder = wait_for_holder(lock_path(db))
        assert holder["pid"] == first.pid
        before = len(demo["server"].requests)
        second = run(demo["config"], db)
        assert second.returncode == exitcodes.LOCKED == 3
        message = second.stderr.strip().splitlines()
        assert len(message) == 1 and f"pid {first.pid}" in message[0] and holder["started_at"] in message[0]
        assert "Traceback" not in second.stderr
        # the refused run made no request and no run row of its own
        time.sleep(0.5)
        assert first.poll() is None
        while query(db, "SELECT count(*) FROM sqlite_master WHERE name = 'crawl_runs'") == [(0,)]:
            time.sleep(0.05)
        assert query(db, "SELECT status FROM crawl_runs") == [("running",)]
        served = len(demo["server"].requests) - before
        assert served >= 0  # the first crawl goes on meanwhile; the second one's own requests are checked below
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.communicate(timeout=30)
    # the killed run left its pid in the lock file and its row `running`
    assert json.loads(lock_path(db).read_text(encoding="utf-8"))["pid"] == first.pid
    third = run(demo["config"], db)
    assert third.returncode == 0, third.stderr[-2000:]
    assert f"took over the run lock of pid {first.pid}" in third.stderr
    rows = query(db, "SELECT id, status FROM crawl_runs ORDER BY id")
    assert [status for _, status in rows] == ["aborted", "finished"]
    [(aborted,)] = query(db, "SELECT json_extract(stats, '$.runs_aborted') FROM crawl_runs WHERE id = 2")
    assert json.loads(aborted) == [1]
    assert lock_path(db).read_text(encoding="utf-8") == ""  # released cleanly: nothing to take over next time


def test_the_lock_is_exclusive_within_one_process_too(tmp_path):
    db = tmp_path / "news.db"
    with RunLock(db):
        with pytest.raises(RunLocked) as refused:
            RunLock(db).acquire()
        assert f"pid {os.getpid()}" in str(refused.value)
    with RunLock(db) as again:
        assert again.previous is None  # a released lock names nobody


def test_a_run_where_no_source_answers_exits_1(tmp_path):
    with DemoServer(articles_per_site=3) as server:
        config = write_sources(server, tmp_path / "sources.toml")
    # the server is gone: every request is refused
    db = tmp_path / "down.db"
    result = run(config, db, "RETRY_TIMES=0")
    assert result.returncode == exitcodes.UNHEALTHY == 1, result.stderr[-2000:]
    assert "no source fetched anything" in result.stderr
    [(status,)] = query(db, "SELECT status FROM crawl_runs")
    assert status == "finished"


def _limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG) instead of killing us
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_run_whose_writes_fail_exits_1_and_its_counts_match_its_rows(demo):
    """A full disk, made real with a file size limit on the crawl process: the run exits 1, the counts in its
    row match the rows committed, and a later run with room stores everything."""
    db = demo["tmp"] / "full.db"
    result = run(demo["config"], db, "NEWSCRAWLER_BATCH_SIZE=20", preexec_fn=_limit_file_size(400_000))
    assert result.returncode == exitcodes.UNHEALTHY, result.stderr[-2000:]
    # the failed writes are named, or (when the run's own row could not be written either) the missing record
    assert "cannot write to" in result.stderr and "the crawl stops" in result.stderr
    assert ("writes to the database failed" in result.stderr
            or "did not finish a run record" in result.stderr), result.stderr[-2000:]
    rows = query(db, "SELECT articles_new, status FROM crawl_runs")
    stored = query(db, "SELECT count(*) FROM articles")[0][0]
    if rows:  # the run row's counts never claim more than what was committed
        assert rows[0][0] <= stored
    clean = demo["tmp"] / "clean.db"
    assert run(demo["config"], clean).returncode == 0
    after = run(demo["config"], db)
    assert after.returncode == 0, after.stderr[-2000:]
    assert {r[0] for r in query(db, "SELECT url FROM articles")} == {r[0] for r in query(clean, "SELECT url FROM articles")}
