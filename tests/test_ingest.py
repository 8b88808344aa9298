"""`newscrawler ingest`, the one writer of a distributed crawl: a real redis-server (the `redis_server` fixture), real
SQLite files, the ingest as a real subprocess where a process matters (kill -9, SIGTERM, exit codes)."""

from __future__ import annotations

import json
import os
import random
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.ingest import listing_items, not_found
from newscrawler.demo import DemoServer
from newscrawler.distributed.ingest import Ingest, IngestOptions
from newscrawler.distributed.item_codec import decode_item, encode_item
from newscrawler.distributed.redis_url import RedisKeys, redis_client
from newscrawler.items import Article, PageRecord, Reject
from newscrawler.settings import ITEM_PIPELINES
from newscrawler.store import Store
from newscrawler.urls import url_key
from tests.services import free_port

ROOT = Path(__file__).resolve().parent.parent
KEYS = RedisKeys()
LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def newscrawler_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "newscrawler.cli", *args]


def env() -> dict[str, str]:
    # the tests package (the recorder pipeline) and this checkout first on the path of the subprocess
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def ingest(url: str, db: Path, *extra: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(newscrawler_cmd("ingest", "--redis", url, "--db", str(db), *extra), capture_output=True,
                          text=True, timeout=timeout, env=env(), cwd=ROOT)


def start_ingest(url: str, db: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(newscrawler_cmd("ingest", "--redis", url, "--db", str(db), *extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(), cwd=ROOT)


def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def push(client, items: list) -> None:
    pipe = client.pipeline(transaction=False)
    for item in items:
        pipe.xadd(KEYS.items, {"item": item if isinstance(item, bytes) else encode_item(item)})
    pipe.execute()


def words(rng: random.Random, n: int) -> str:
    return " ".join("".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 7))) for _ in range(n))


def synthetic_items(n_articles: int, seed: int = 5) -> list:
    """What workers emit: per ten articles, the listing's headlines, its page record and poll schedule; every
    25th article request a 404 reject, every 40th a short stub (a `short_body` reject after validation)."""
    rng = random.Random(seed)
    items: list = []
    for i in range(n_articles):
        source = f"s{i % 4}"
        url = f"https://{source}.example/news/{i}.html"
        at = f"2026-01-01T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}+00:00"
        if i % 10 == 0:
            items += listing_items(i, source, f"https://{source}.example/list/{i // 10}", at, {
                f"https://{source}.example/news/{j}.html": words(rng, 6) for j in range(i, i + 10)})
        if i % 25 == 7:
            items.append(not_found(url, source, at))
            continue
        body = words(rng, 8) if i % 40 == 3 else words(rng, 120)
        items.append(Article(url=url, fetched_url=url + "?ref=home", source_id=source, title=words(rng, 7),
                             body=body, published_at=at, fetched_at=at, frontier_url=url))
    return items


def article_urls(items: list) -> set[str]:
    return {it.url for it in items if isinstance(it, Article) and len(it.body.split()) >= 20}


# ------------------------------------------------------------------ the same rows as a crawl


@pytest.fixture(scope="module")
def recorded_crawl(tmp_path_factory):
    """Two normal single-process crawls of the demo sites (the second incremental: pages not modified) that also
    record every item they emitted, one file per run."""
    tmp = tmp_path_factory.mktemp("recorded")
    pipelines = {"tests.item_recorder.ItemRecorder": 50, **ITEM_PIPELINES}
    runs = []
    with DemoServer(articles_per_site=12) as server:
        config = tmp / "sources.toml"
        config.write_text(server.sources_toml(), encoding="utf-8")
        for run in (1, 2):
            record = tmp / f"items{run}.jsonl"
            settings = ["DOWNLOAD_DELAY=0", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS=0",
                        "LOG_LEVEL=WARNING", f"TEST_ITEM_RECORD={record}", f"ITEM_PIPELINES={json.dumps(pipelines)}"]
            result = subprocess.run(newscrawler_cmd("crawl", "--config", str(config), "--db", str(tmp / "crawl.db"),
                                                    *[a for s in settings for a in ("-s", s)]),
                                    capture_output=True, text=True, timeout=300, env=env(), cwd=ROOT)
            assert result.returncode == 0, result.stderr[-3000:]
            runs.append(record.read_bytes().splitlines())
    return {"db": tmp / "crawl.db", "runs": runs, "config": config}


# columns that say when or in which run a row was written, not what it holds
VOLATILE = {"updated_at", "first_run_id", "last_run_id", "run_id", "added_at"}


def table(db: Path, name: str, order: str) -> list[dict]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [{k: row[k] for k in row.keys() if k not in VOLATILE}
                for row in conn.execute(f"SELECT * FROM {name} ORDER BY {order}")]  # noqa: S608 - test's names
    finally:
        conn.close()


def test_the_ingest_stores_a_crawl_s_items_as_the_crawl_stored_them(recorded_crawl, redis_server, tmp_path):
    first, second = recorded_crawl["runs"]
    kinds = [{json.loads(line)["type"] for line in run} for run in (first, second)]
    assert {"Article", "HeadlineBatch", "PageRecord", "PollSchedule"} <= kinds[0] and len(first) > 50
    # the second run's feeds and listings answered 304 Not Modified: their validators and schedules move
    assert any(decode_item(line).http_status == 304 for line in second if b'"PageRecord"' in line[:30])
    client = redis_client(redis_server.url)
    db = tmp_path / "ingest.db"
    for items in (first, second):  # one ingest session per crawl run
        push(client, items)
        result = ingest(redis_server.url, db, "--idle-exit", "1", "--batch", "37", "--config",
                        str(recorded_crawl["config"]))
        assert result.returncode == 0, result.stderr[-3000:]
    crawl_db = recorded_crawl["db"]
    for name, order in (("sources", "id"), ("articles", "id"), ("headlines", "id"), ("pages", "url"), ("rejects", "id"),
                        ("poll_schedule", "url"), ("stories", "story_id"), ("boilerplate_paragraphs", "source_id, hash")):
        assert table(db, name, order) == table(crawl_db, name, order), name
    done = "SELECT url, source_id, state, reason FROM frontier WHERE state = 'done' ORDER BY url"
    assert query(db, done) == query(crawl_db, done)
    assert query(db, "SELECT count(*) FROM articles")[0][0] > 20
    # what the workers read back: every stored article's keys, the validators of every page
    known = {k.decode() for k in client.smembers(KEYS.known_articles)}
    assert known == {k for row in query(db, "SELECT url_key, fetched_url_key FROM articles") for k in row}
    validators = {k.decode(): json.loads(v) for k, v in client.hgetall(KEYS.validators).items()}
    assert validators == {url: {"http_status": s, "etag": e, "last_modified": m}
                          for url, s, e, m in query(db, "SELECT url, http_status, etag, last_modified FROM pages")}
    assert client.xlen(KEYS.items) == 0
    # health and stats see the ingest's runs as runs of these sources
    assert query(db, "SELECT sources FROM crawl_runs") == query(crawl_db, "SELECT sources FROM crawl_runs")


# ------------------------------------------------------------------ nothing lost, nothing twice


def committed_keys(db: Path) -> set[str]:
    if not db.exists():
        return set()
    try:
        return {k for row in query(db, "SELECT url_key, fetched_url_key FROM articles") for k in row}
    except sqlite3.OperationalError:  # not created yet
        return set()


def check_complete(client, db: Path, items: list) -> None:
    """Every article stored exactly once, the 404s once each, the stream and the group's pending list empty."""
    urls = article_urls(items)
    stored = query(db, "SELECT url, count(*) FROM articles GROUP BY url")
    assert {u for u, _ in stored} == urls and all(n == 1 for _, n in stored)
    rejects = [it for it in items if isinstance(it, Reject)]
    assert query(db, "SELECT count(*), count(DISTINCT url) FROM rejects WHERE reason = 'http_404'") == [
        (len(rejects), len(rejects))]
    assert query(db, "SELECT count(*) FROM rejects WHERE reason = 'short_body'")[0][0] == sum(
        1 for it in items if isinstance(it, Article) and it.url not in urls)
    assert query(db, "SELECT sum(fetch_count), count(*) FROM pages") == [(len(items) and sum(
        1 for it in items if isinstance(it, PageRecord)),) * 2]
    assert client.xlen(KEYS.items) == 0
    assert client.xpending(KEYS.items, KEYS.ingest_group)["pending"] == 0
    assert {k.decode() for k in client.smembers(KEYS.known_articles)} == committed_keys(db)


def test_an_ingest_killed_mid_stream_loses_nothing_and_stores_nothing_twice(redis_server, tmp_path):
    client = redis_client(redis_server.url)
    items = synthetic_items(1500)
    push(client, items)
    db = tmp_path / "news.db"
    total = client.xlen(KEYS.items)
    proc = start_ingest(redis_server.url, db, "--batch", "25")
    deadline = time.monotonic() + 120
    try:
        # killed once a good part, not all, of the stream is through; meanwhile the workers are told about an
        # article only after it is committed
        while client.xlen(KEYS.items) > total * 0.6:
            published = {k.decode() for k in client.smembers(KEYS.known_articles)}
            assert published <= committed_keys(db)
            assert proc.poll() is None, proc.communicate()[1][-2000:]
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        proc.kill()
        proc.wait()
    assert 0 < client.xlen(KEYS.items) < total
    result = ingest(redis_server.url, db, "--idle-exit", "1", "--batch", "25")
    assert result.returncode == 0, result.stderr[-3000:]
    check_complete(client, db, items)
    runs = query(db, "SELECT status, spider FROM crawl_runs ORDER BY id")
    assert runs == [("aborted", "ingest"), ("finished", "ingest")]  # the killed session's row is not left running


def test_an_entry_committed_but_not_acknowledged_is_stored_once_when_read_again(redis_server, tmp_path):
    # the ingest dies between its SQLite commit and its XACK: the restarted one gets the same entries again
    client = redis_client(redis_server.url)
    items = synthetic_items(60)
    push(client, items)
    db = tmp_path / "news.db"
    options = IngestOptions(redis_url=redis_server.url, db=str(db), batch=1000)
    store = Store(db)
    run_id = store.start_run(sources=[], spider="ingest")
    first = Ingest(client, store, run_id, options)
    # the crawl's own pipelines, in ITEM_PIPELINES order, before the store
    assert [type(p).__module__ + "." + type(p).__name__ for p in first.prepare] == [
        path for path, _ in sorted(ITEM_PIPELINES.items(), key=lambda kv: kv[1]) if not path.endswith("StorePipeline")]
    first.ensure_group()
    entries = first.read()
    assert len(entries) == len(items)
    assert first.store_entries(entries) is not None  # committed ...
    store.close()  # ... and gone before publishing and acknowledging
    counts = query(db, "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM rejects), "
                       "(SELECT count(*) FROM headlines), (SELECT sum(fetch_count) FROM pages)")
    # the same items XADDed a second time as well (a worker that retried its XADD)
    push(client, items[:30])
    result = ingest(redis_server.url, db, "--idle-exit", "1")
    assert result.returncode == 0, result.stderr[-3000:]
    assert query(db, "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM rejects), "
                     "(SELECT count(*) FROM headlines), (SELECT sum(fetch_count) FROM pages)") == counts
    check_complete(client, db, items)
    stats = json.loads(query(db, "SELECT stats FROM crawl_runs WHERE status = 'finished'")[0][0])
    assert stats["redelivered"] == len(items) and stats["entries"] == len(items) + 30
    # the re-read articles are `seen`, not new: the new ones were counted by the session that stored them
    assert query(db, "SELECT articles_new FROM crawl_runs ORDER BY id") == [(len(article_urls(items)),), (0,)]


def test_entries_a_dead_consumer_held_are_claimed(redis_server, tmp_path):
    client = redis_client(redis_server.url)
    items = synthetic_items(40)
    push(client, items)
    client.xgroup_create(KEYS.items, KEYS.ingest_group, id="0")
    # another ingest (on another machine) read them and died without acknowledging
    assert len(client.xreadgroup(KEYS.ingest_group, "ingest-elsewhere", {KEYS.items: ">"})[0][1]) == len(items)
    db = tmp_path / "news.db"
    result = ingest(redis_server.url, db, "--idle-exit", "1", "-s", "NEWSCRAWLER_INGEST_CLAIM_IDLE_SECONDS=0")
    assert result.returncode == 0, result.stderr[-3000:]
    check_complete(client, db, items)
    assert json.loads(query(db, "SELECT stats FROM crawl_runs")[0][0])["claimed"] == len(items)


def test_an_undecodable_entry_is_counted_and_acknowledged_and_the_rest_stored(redis_server, tmp_path):
    client = redis_client(redis_server.url)
    items = synthetic_items(30)
    push(client, items[:10])
    client.xadd(KEYS.items, {"item": b"\x80 not json"})
    client.xadd(KEYS.items, {"item": b'{"type": "os.system", "fields": {}}'})  # not one of our item types
    client.xadd(KEYS.items, {"other": b"field"})
    push(client, items[10:])
    db = tmp_path / "news.db"
    result = ingest(redis_server.url, db, "--idle-exit", "1")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr.count("skipped: undecodable stream entry") == 2 and "no 'item' field" in result.stderr
    check_complete(client, db, items)
    assert json.loads(query(db, "SELECT stats FROM crawl_runs")[0][0])["undecodable"] == 3


def test_sigterm_finishes_the_batch_and_exits_0_and_a_restart_finishes_the_rest(redis_server, tmp_path):
    client = redis_client(redis_server.url)
    items = synthetic_items(1200)
    push(client, items)
    db = tmp_path / "news.db"
    total = client.xlen(KEYS.items)
    proc = start_ingest(redis_server.url, db, "--batch", "20")
    deadline = time.monotonic() + 120
    while client.xlen(KEYS.items) > total * 0.7 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err[-3000:]
    assert "SIGTERM" in err and "(finished)" in out
    # drained: nothing read and left unacknowledged, and what left the stream is stored
    assert client.xpending(KEYS.items, KEYS.ingest_group)["pending"] == 0
    left = client.xlen(KEYS.items)
    assert 0 < left < total
    assert query(db, "SELECT status FROM crawl_runs") == [("finished",)]
    waiting = [decode_item(fields[b"item"]) for _, fields in client.xrange(KEYS.items)]
    remaining = {it.url for it in waiting if isinstance(it, Article)}
    stored = {u for (u,) in query(db, "SELECT url FROM articles")}
    assert not remaining & stored and remaining | stored >= article_urls(items)
    result = ingest(redis_server.url, db, "--idle-exit", "1")
    assert result.returncode == 0, result.stderr[-3000:]
    check_complete(client, db, items)


def test_the_known_set_is_published_at_start(redis_server, tmp_path):
    client = redis_client(redis_server.url)
    items = synthetic_items(50)
    push(client, items)
    db = tmp_path / "news.db"
    assert ingest(redis_server.url, db, "--idle-exit", "0.5").returncode == 0
    expected = committed_keys(db)
    assert expected == {url_key(u) for u in article_urls(items)}  # fetched with ?ref=home: the same key
    client.flushdb()  # Redis lost its data (or this is a new Redis for an existing database)
    result = ingest(redis_server.url, db, "--idle-exit", "0.5")
    assert result.returncode == 0, result.stderr[-3000:]
    assert {k.decode() for k in client.smembers(KEYS.known_articles)} == expected
    assert {k.decode() for k in client.hkeys(KEYS.rejected)} == {it.url for it in items if isinstance(it, Reject)} | {
        it.url for it in items if isinstance(it, Article) and it.url not in article_urls(items)}
    assert len(client.hkeys(KEYS.validators)) == len(client.hkeys(KEYS.polls)) == 5


# ------------------------------------------------------------------ refusals: one line, documented exit code


def test_bad_url_unreachable_redis_unusable_db_and_a_second_writer_are_refused(redis_server, tmp_path):
    db = tmp_path / "news.db"
    for args, code, says in (
        (["--redis", "http://127.0.0.1:6379/0"], 2, "expected redis://"),
        (["--redis", f"redis://127.0.0.1:{free_port()}/0"], 2, "cannot reach Redis at"),
        (["--redis", "redis://user:secret@127.0.0.1:1/0"], 2, "redis://user:***@127.0.0.1:1/0"),
        (["--redis", redis_server.url, "--db", str(tmp_path)], 2, "is a folder"),
        (["--redis", redis_server.url, "--batch", "0"], 2, "--batch"),
    ):
        result = subprocess.run(newscrawler_cmd("ingest", "--db", str(db), *args), capture_output=True, text=True,
                                timeout=60, env=env(), cwd=ROOT)
        assert result.returncode == code and says in result.stderr, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
        assert "secret" not in result.stderr
    (tmp_path / "text.db").write_text("not a database", encoding="utf-8")
    result = ingest(redis_server.url, tmp_path / "text.db", "--idle-exit", "0")
    assert result.returncode == 2 and "not a SQLite database" in result.stderr
    # a second ingest (or a crawl) of the same database: the run lock
    first = start_ingest(redis_server.url, db)
    try:
        deadline = time.monotonic() + 30
        while not query_ok(db) and time.monotonic() < deadline:
            time.sleep(0.1)
        second = ingest(redis_server.url, db, "--idle-exit", "0")
        assert second.returncode == 3 and "another crawl is running" in second.stderr, second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 0


def query_ok(db: Path) -> bool:
    try:
        return bool(query(db, "SELECT count(*) FROM crawl_runs")[0][0])
    except sqlite3.Error:
        return False


def test_a_full_disk_stops_the_ingest_with_exit_1_and_acknowledges_nothing_it_did_not_commit(redis_server, tmp_path):
    client = redis_client(redis_server.url)
    items = synthetic_items(1500)
    push(client, items)
    db = tmp_path / "news.db"
    command = newscrawler_cmd("ingest", "--redis", redis_server.url, "--db", str(db), "--idle-exit", "1",
                              "--batch", "50")
    # 1,200 KiB per file: a few hundred articles fit
    result = subprocess.run(["bash", "-c", "ulimit -f 1200; exec " + shlex.join(command)], capture_output=True,
                            text=True, timeout=240, env=env(), cwd=ROOT)
    assert result.returncode == 1, result.stderr[-2000:]
    assert result.stderr.count("cannot write to") == 1 and "the ingest stops" in result.stderr
    assert "Traceback" not in result.stderr
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    stored = query(db, "SELECT count(*) FROM articles")[0][0]
    assert 0 < stored < len(article_urls(items))
    assert client.xlen(KEYS.items) > 0  # what was not committed is still there (pending for this consumer)
    assert {k.decode() for k in client.smembers(KEYS.known_articles)} <= committed_keys(db)
    result = ingest(redis_server.url, db, "--idle-exit", "1")
    assert result.returncode == 0, result.stderr[-3000:]
    check_complete(client, db, items)


def test_finished_urls_leave_the_workers_frontier_and_a_429_stays_pending(redis_server, tmp_path):
    client = redis_client(redis_server.url)
    rng = random.Random(3)
    base = "https://s0.example/news/"
    # the frontier as workers mark it pending (RedisKeys' formats); one URL under another source (a redirect)
    for n, owner in ((1, "s9"), (2, "s0"), (3, "s0"), (4, "s0")):
        client.hset(KEYS.frontier, f"{base}{n}", json.dumps({"source_id": owner, "since": "2026-01-01T00:00:00+00:00"}))
        client.zadd(KEYS.frontier_by_source(owner), {f"{base}{n}": 1767225600 + n})
    client.hset(KEYS.rejected, f"{base}4", "timeout")  # an earlier attempt timed out
    at = "2026-01-02T00:00:00+00:00"
    push(client, [
        Article(url=f"{base}1", fetched_url=f"{base}1", source_id="s0", title="عنوان", body=words(rng, 50),
                fetched_at=at, frontier_url=f"{base}1"),
        Reject(url=f"{base}2", source_id="s0", reason="http_429", http_status=429, at=at, frontier_url=f"{base}2"),
        Reject(url=f"{base}3", source_id="s0", reason="http_404", http_status=404, at=at, frontier_url=f"{base}3"),
        Article(url=f"{base}4", fetched_url=f"{base}4", source_id="s0", title="عنوان آخر", body=words(rng, 50),
                fetched_at=at, frontier_url=f"{base}4"),
    ])
    db = tmp_path / "news.db"
    assert ingest(redis_server.url, db, "--idle-exit", "0.5").returncode == 0
    assert client.hkeys(KEYS.frontier) == [f"{base}2".encode()]  # the server asked to come back later
    assert client.zrange(KEYS.frontier_by_source("s0"), 0, -1) == [f"{base}2".encode()]
    assert client.zrange(KEYS.frontier_by_source("s9"), 0, -1) == []
    assert client.hgetall(KEYS.rejected) == {f"{base}3".encode(): b"http_404"}
    assert query(db, "SELECT url, state, reason FROM frontier ORDER BY url") == [
        (f"{base}1", "done", None), (f"{base}3", "done", "http_404"), (f"{base}4", "done", None)]


def test_redis_lost_mid_run_is_one_line_and_exit_1(redis_server, tmp_path):
    db = tmp_path / "news.db"
    proc = start_ingest(redis_server.url, db)
    deadline = time.monotonic() + 30
    while not query_ok(db) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    redis_server.stop()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err[-2000:]
    assert err.count("lost Redis at") == 1 and "Traceback" not in err
    assert query(db, "SELECT status FROM crawl_runs") == [("redis_error",)]
