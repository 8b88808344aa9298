"""The distributed ingest's throughput: items/s of `newscrawler ingest` draining a Redis stream into SQLite.

    python bench/ingest.py                         # 5,000 articles (about 6,500 stream entries), batch 500
    python bench/ingest.py --articles 20000 --batch 1000 --redis redis://127.0.0.1:6379/0
    python bench/ingest.py --direct                # also the same items stored without Redis (the floor)

The items are what workers XADD (newscrawler.distributed.item_codec): articles of 250 generated Arabic-letter words
(one in five a lightly edited copy of an earlier one by another source, so the near-duplicate and story paths
run; normalised, as a worker's extraction process hands them over), the headlines, page record and poll schedule of one listing per ten articles, a 404 per 25. They are pushed
to the stream first, then the real `newscrawler ingest --idle-exit` subprocess stores them (validation,
normalisation, dedup, near-duplicates, stories, commit, publication, XACK+XDEL). The figure is the ingest's own
`items_per_second` of its crawl_runs row: items over the seconds spent storing (the idle wait before
`--idle-exit` is left out). Without `--redis` a redis-server is started on a free port (Debian's `redis-server`).

`ingest_throughput()` is the function bench/distributed.py calls.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newscrawler.distributed.item_codec import encode_item  # noqa: E402
from newscrawler.distributed.redis_url import RedisKeys, redis_client  # noqa: E402
from newscrawler.items import Article, Headline, HeadlineBatch, PageRecord, PollSchedule, Reject  # noqa: E402
from newscrawler.text import normalise_fields  # noqa: E402

LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def listing_items(n: int, source: str, listing: str, at: str, headlines: dict[str, str]) -> list[Any]:
    """What a worker emits for the ``n``-th listing page it polls: its headlines (``{url: title}``, in order) as one
    batch, its page record and its poll schedule (tests/test_ingest.py builds its streams with these too)."""
    return [HeadlineBatch([Headline(source_id=source, listing_url=listing, title=title, url=url, position=position,
                                    seen_at=at) for position, (url, title) in enumerate(headlines.items(), 1)]),
            PageRecord(url=listing, source_id=source, kind="listing", http_status=200, items=len(headlines),
                       etag=f'"{n}"', content_hash=f"{n:x}", fetched_at=at),
            PollSchedule(url=listing, source_id=source, kind="listing", interval_seconds=1800,
                         next_due_at="2026-02-01T00:00:00+00:00", polled_at=at)]


def not_found(url: str, source: str, at: str) -> Reject:
    """An article request the server answered 404."""
    return Reject(url=url, source_id=source, reason="http_404", detail="Not Found", http_status=404, at=at,
                  frontier_url=url)


def generated_items(n_articles: int, seed: int = 21) -> list[Any]:
    rng = random.Random(seed)
    vocabulary = ["".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 8))) for _ in range(5000)]

    def text(n: int) -> list[str]:
        return rng.choices(vocabulary, weights=[1 / (i + 1) for i in range(len(vocabulary))], k=n)

    items: list[Any] = []
    bodies: list[list[str]] = []
    for i in range(n_articles):
        source = f"site{i % 8}"
        url = f"https://{source}.example/{i // 100}/article-{i}.html"
        at = f"2026-01-{1 + i // 2000:02d}T{(i // 100) % 24:02d}:{(i // 10) % 60:02d}:{i % 60:02d}+00:00"
        if i % 10 == 0:
            items += listing_items(i, source, f"https://{source}.example/section/{i // 10}", at, {
                f"https://{source}.example/{j // 100}/article-{j}.html": " ".join(text(8)) for j in range(i, i + 10)})
        if i % 25 == 7:
            items.append(not_found(url, source, at))
            continue
        if i % 5 == 4 and bodies:
            body = list(rng.choice(bodies))
            for _ in range(6):  # a copy with a few words changed: a near-duplicate of another source's article
                body[rng.randrange(len(body))] = rng.choice(vocabulary)
        else:
            body = text(250)
            bodies.append(body)
        article = Article(url=url, fetched_url=url, source_id=source, published_at=at, fetched_at=at, frontier_url=url)
        # normalised as the extraction worker of a crawler process normalises it (newscrawler.workers)
        for name, value in normalise_fields(" ".join(text(9)), " ".join(body)).items():
            setattr(article, name, value)
        items.append(article)
    return items


def ingest_throughput(redis_url: str, workdir: Path, *, n_articles: int = 5000, batch: int = 500,
                      prefix: str = "benchingest") -> dict[str, Any]:
    """Push the generated items under their own key prefix, run `newscrawler ingest --idle-exit` into a new
    database in ``workdir``; the run's figures (items, entries, busy seconds, items/s)."""
    keys = RedisKeys(prefix)
    client = redis_client(redis_url)
    client.delete(keys.items, keys.known_articles, keys.rejected, keys.validators, keys.polls)
    items = generated_items(n_articles)
    pipe = client.pipeline(transaction=False)
    for n, item in enumerate(items, 1):
        pipe.xadd(keys.items, {"item": encode_item(item)})
        if n % 1000 == 0:
            pipe.execute()
    pipe.execute()
    db = workdir / "ingest.db"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-m", "newscrawler.cli", "ingest", "--redis", redis_url, "--db", str(db),
                             "--idle-exit", "2", "--batch", str(batch), "-s", f"NEWSCRAWLER_REDIS_PREFIX={prefix}"],
                            capture_output=True, text=True, env=env, cwd=ROOT)
    if result.returncode != 0:
        raise RuntimeError(f"ingest exited {result.returncode}: {result.stderr[-2000:]}")
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT stats, articles_new, duplicates FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    stats = json.loads(row[0])
    return {"items": stats["items"], "entries": stats["entries"], "articles_new": row[1], "duplicates": row[2],
            "busy_seconds": stats["busy_seconds"], "items_per_second": stats["items_per_second"],
            "stream_left": client.xlen(keys.items), "batch": batch}


def store_only_throughput(workdir: Path, *, n_articles: int = 5000, batch: int = 500) -> dict[str, Any]:
    """The same items through the same pipelines and ItemWriter into SQLite in this process, without Redis: what a
    single-process crawl's pipelines cost, to compare with the ingest (its overhead is decoding, publishing, acking)."""
    import time

    from newscrawler.pipelines.normalise import NormalisePipeline
    from newscrawler.pipelines.validate import ValidatePipeline

    from newscrawler.store import Store
    from newscrawler.store.item_writer import CountStats, ItemWriter

    items = generated_items(n_articles)
    store = Store(workdir / "direct.db", batch_size=batch, max_delay=3600.0)
    run_id = store.start_run(sources=[], spider="bench")
    stats = CountStats()
    writer = ItemWriter(store, run_id, stats)
    prepare = (ValidatePipeline(stats), NormalisePipeline())
    started = time.perf_counter()
    for item in items:
        for pipeline in prepare:
            item = pipeline.process_item(item)
        writer.write(item)
    writer.commit()
    seconds = time.perf_counter() - started
    store.close()
    return {"items": len(items), "seconds": round(seconds, 3), "items_per_second": round(len(items) / seconds, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--redis", help="an existing Redis (default: start redis-server on a free port)")
    parser.add_argument("--direct", action="store_true",
                        help="also store the same items without Redis, in this process (the pipelines' own cost)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.redis:
            figures = ingest_throughput(args.redis, Path(tmp), n_articles=args.articles, batch=args.batch)
        else:
            from tests.services import RedisServer

            with RedisServer(Path(tmp) / "redis") as server:
                figures = ingest_throughput(server.url, Path(tmp), n_articles=args.articles, batch=args.batch)
        if args.direct:
            direct = store_only_throughput(Path(tmp), n_articles=args.articles, batch=args.batch)
            print(f"without Redis (the same pipelines and ItemWriter in one process): {direct['items']} items in "
                  f"{direct['seconds']:.1f} s: {direct['items_per_second']:.0f} items/s")
    print(json.dumps(figures))
    print(f"ingest: {figures['items']} items ({figures['articles_new']} articles new, {figures['duplicates']} "
          f"duplicates) in {figures['busy_seconds']:.1f} s: {figures['items_per_second']:.0f} items/s "
          f"(batch {figures['batch']}; stream left {figures['stream_left']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
