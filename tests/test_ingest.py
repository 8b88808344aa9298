"""`newscrawler ingest`, the one writer of a distributed crawl: a real redis-server (the `redis_server` fixture), real
SQLite files, the ingest as a real subprocess where a process matters (kill -9, SIGTERM, exit codes)."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newscrawler.demo import DemoServer
from newscrawler.distributed.ingest import Ingest, IngestOptions
from newscrawler.distributed.item_codec import decode_item, encode_item
from newscrawler.distributed.redis_url import RedisKeys, redis_client
from newscrawler.items import Article, Headline, HeadlineBatch, PageRecord, PollSchedule, Reject
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
            listing = f"https://{source}.example/list/{i // 10}"
            items.append(HeadlineBatch([Headline(source_id=source, listing_url=listing, title=words(rng, 6),
                                                 url=f"https://{source}.example/news/{j}.html", position=j - i + 1,
                                                 seen_at=at) for j in range(i, i + 10)]))
            items.append(PageRecord(url=listing, source_id=source, kind="listing", http_status=200, items=10,
                                    etag=f'"{i}"', content_hash=f"h{i}", fetched_at=at))
            items.append(PollSchedule(url=listing, source_id=source, kind="listing", interval_seconds=900,
                                      next_due_at="2026-01-02T00:00:00+00:00", polled_at=at))
        if i % 25 == 7:
            items.append(Reject(url=url, source_id=source, reason="http_404", detail="Not Found", http_status=404,
                                at=at, frontier_url=url))
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
    """A normal single-process crawl of the demo sites that also records every item it emitted."""
    tmp = tmp_path_factory.mktemp("recorded")
    record = tmp / "items.jsonl"
    pipelines = {"tests.item_recorder.ItemRecorder": 50, **ITEM_PIPELINES}
    with DemoServer(articles_per_site=12) as server:
        config = tmp / "sources.toml"
        config.write_text(server.sources_toml(), encoding="utf-8")
        settings = ["DOWNLOAD_DELAY=0", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS=0",
                    "LOG_LEVEL=WARNING", f"TEST_ITEM_RECORD={record}", f"ITEM_PIPELINES={json.dumps(pipelines)}"]
        result = subprocess.run(newscrawler_cmd("crawl", "--config", str(config), "--db", str(tmp / "crawl.db"),
                                                *[a for s in settings for a in ("-s", s)]),
                                capture_output=True, text=True, timeout=300, env=env(), cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    return {"db": tmp / "crawl.db", "items": record.read_bytes().splitlines()}


# columns that say when or in which run a row was written, not what it holds
VOLATILE = {"updated_at", "first_run_id", "last_run_id", "run_id"}


def table(db: Path, name: str, order: str) -> list[dict]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [{k: row[k] for k in row.keys() if k not in VOLATILE}
                for row in conn.execute(f"SELECT * FROM {name} ORDER BY {order}")]  # noqa: S608 - test's names
    finally:
        conn.close()


def test_the_ingest_stores_a_crawl_s_items_as_the_crawl_stored_them(recorded_crawl, redis_server, tmp_path):
    items = recorded_crawl["items"]
    kinds = {json.loads(line)["type"] for line in items}
    assert {"Article", "HeadlineBatch", "PageRecord", "PollSchedule"} <= kinds and len(items) > 50
    client = redis_client(redis_server.url)
    push(client, items)
    db = tmp_path / "ingest.db"
    result = ingest(redis_server.url, db, "--idle-exit", "1", "--batch", "37")
    assert result.returncode == 0, result.stderr[-3000:]
    crawl_db = recorded_crawl["db"]
    for name, order in (("articles", "id"), ("headlines", "id"), ("pages", "url"), ("rejects", "id"),
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
