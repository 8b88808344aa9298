"""Stories at scale: ``Store.save_article`` throughput as the database grows, the share of it spent choosing each
story's canonical article, and whether the canonical articles are right and independent of arrival order.

    python bench/stories.py                          # 40,000 articles, checkpoints 2k/5k/10k/20k/40k
    python bench/stories.py --articles 200000 --db /tmp/stories.db
    python bench/stories.py --demo 1500              # crawl the demo sites (1,500 articles per site) and count

With ``--demo N`` it runs the real ``newscrawler crawl`` against the demo sites on 127.0.0.1 instead and counts
the issue's symptoms: publishers' articles marked duplicate of an aggregator copy or of a later-published copy,
and duplicates published before their story's canonical article.

The text is generated (random words from a Zipf-distributed vocabulary of made-up Arabic letter strings). Each story
has four members: the publisher original, a second publisher's copy with a dateline and 3 % of words changed
(published 9 minutes later), a third publisher's copy trimmed to 70 % (18 minutes later) and an aggregator copy
that names the original as its source (7 minutes later, with an aggregator's clock). Articles arrive shuffled
within blocks of 400 (a crawl meets an outlet's copy before the original about half the time). The rows go through
the real ``Store.save_article`` (exact rules, MinHash/LSH, stories); only text extraction is skipped.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newscrawler import dedup  # noqa: E402
from newscrawler.store import Store, dedup_sql  # noqa: E402
from newscrawler.text import match_key  # noqa: E402

LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
PUBLISHERS = ["pub0", "pub1", "pub2"]
SOURCES = [{"id": p, "name": p, "kind": "publisher"} for p in PUBLISHERS] + [
    {"id": "agg", "name": "agg", "kind": "aggregator"}
]


def vocabulary(rng: random.Random, n: int = 20_000) -> list[str]:
    return ["".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 8))) for _ in range(n)]


def story_members(k: int, rng: random.Random, vocab: list[str], start: datetime) -> list[dict]:
    """The four members of story ``k`` (article dicts as the pipelines hand them over)."""
    words = [vocab[min(int(rng.paretovariate(1.1)) - 1, len(vocab) - 1)] if rng.random() < 0.5
             else rng.choice(vocab) for _ in range(rng.randint(90, 160))]  # fmt: skip
    title = " ".join(rng.sample(vocab, 7))
    t0 = start + timedelta(minutes=11 * k)
    edited = ["الرباط", "و", "م", "ع", *words]
    for i in rng.sample(range(len(edited)), max(1, len(edited) * 3 // 100)):
        edited[i] = rng.choice(vocab)
    variants = [
        ("pub0", words, 0, None),
        ("pub1", edited, 9, None),
        ("pub2", words[: len(words) * 7 // 10], 18, None),
        ("agg", words, 7, f"pub0.ma/{k}"),
    ]
    out = []
    for source, body_words, minutes, source_key in variants:
        body = " ".join(body_words)
        title_key, body_key = match_key(title), match_key(body)
        out.append({
            "url": f"https://{source}.ma/{k}", "url_key": f"{source}.ma/{k}", "source_id": source,
            "title": title, "body": body, "title_key": title_key, "body_key": body_key,
            "content_hash": dedup.content_hash(title_key, body_key), "body_hash": dedup.body_hash(body_key),
            "published_at": (t0 + timedelta(minutes=minutes)).isoformat(timespec="seconds"),
            "source_url": f"https://{source_key}" if source_key else None, "source_url_key": source_key,
        })  # fmt: skip
    return out


def demo_crawl(per_site: int) -> int:
    import sqlite3
    import subprocess

    from newscrawler.demo import DemoServer

    tmp = Path(tempfile.mkdtemp())
    settings = ["DOWNLOAD_DELAY=0", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS=0",
                "LOG_LEVEL=ERROR"]  # fmt: skip
    with DemoServer(articles_per_site=per_site) as server:
        (tmp / "sources.toml").write_text(server.sources_toml(), encoding="utf-8")
        t = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "newscrawler.cli", "crawl", "--config", str(tmp / "sources.toml"),
             "--db", str(tmp / "news.db"), *[x for pair in settings for x in ("-s", pair)]],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        seconds = time.perf_counter() - t
    if done.returncode != 0:
        print(f"bench/stories.py: the demo crawl failed: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return 1
    db = sqlite3.connect(tmp / "news.db")

    def count(sql: str) -> int:
        return int(db.execute(sql).fetchone()[0])

    dup = "FROM articles d JOIN articles c ON c.id = d.duplicate_of "
    kind = "(SELECT kind FROM sources WHERE id = {}.source_id)"
    print(f"demo crawl, {per_site} articles per site: {count('SELECT count(*) FROM articles'):,} articles stored "
          f"in {seconds:.0f} s, {count('SELECT count(*) FROM stories'):,} stories")
    print("publisher marked duplicate of an aggregator copy or a later-published copy:", count(
        f"SELECT count(*) {dup} WHERE {kind.format('d')} = 'publisher' AND ({kind.format('c')} = 'aggregator' "
        "OR c.published_at > d.published_at)"))  # fmt: skip
    print("duplicates published before their canonical article:",
          count(f"SELECT count(*) {dup} WHERE d.published_at < c.published_at"), "of which aggregator copies:",
          count(f"SELECT count(*) {dup} WHERE d.published_at < c.published_at AND {kind.format('d')} = 'aggregator'"))
    print(f"database: {tmp / 'news.db'}")  # fmt: skip
    db.close()
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=40_000)
    ap.add_argument("--db", type=Path, default=None, help="database file (default: a temporary one)")
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--demo", type=int, metavar="N", help="crawl the demo sites (N articles per site) instead")
    args = ap.parse_args()
    if args.demo:
        return demo_crawl(args.demo)
    if args.articles < 400:
        print("bench/stories.py: --articles must be at least 400", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    vocab = vocabulary(rng)
    start = datetime.now(UTC) - timedelta(days=3)
    articles = [a for k in range(args.articles // 4) for a in story_members(k, rng, vocab, start)]
    for i in range(0, len(articles), 400):  # shuffled within blocks: arrival order is not publication order
        block = articles[i : i + 400]
        rng.shuffle(block)
        articles[i : i + 400] = block

    settle_seconds = [0.0]
    real_settle = dedup_sql.settle

    def timed_settle(*a, **kw):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        try:
            return real_settle(*a, **kw)
        finally:
            settle_seconds[0] += time.perf_counter() - t

    dedup_sql.settle = timed_settle  # type: ignore[assignment]
    tmp = tempfile.TemporaryDirectory()
    path = args.db or Path(tmp.name) / "stories.db"
    checkpoints = [n for n in (2_000, 5_000, 10_000, 20_000, 40_000, 100_000, 200_000, 500_000, 1_000_000)
                   if n < len(articles)] + [len(articles)]  # fmt: skip
    print(f"{'articles':>9} {'segment art/s':>14} {'ms/article':>11} {'settle ms/article':>18}")
    with Store(path, batch_size=1000, max_delay=3600) as store:
        store.upsert_sources(SOURCES)
        run = store.start_run(sources=[s["id"] for s in SOURCES])
        done = 0
        for mark in checkpoints:
            settle_seconds[0] = 0.0
            t = time.perf_counter()
            for a in articles[done:mark]:
                store.save_article(a, run_id=run)
            store.commit()
            dt = time.perf_counter() - t
            n = mark - done
            print(f"{mark:>9,} {n / dt:>14,.0f} {1000 * dt / n:>11.2f} {1000 * settle_seconds[0] / n:>18.3f}")
            done = mark
        db = store.db
        # the original publisher marked a duplicate (of anything: its story's canonical must be itself)
        wrong = db.execute(
            "SELECT count(*) FROM articles WHERE source_id = 'pub0' AND duplicate_of IS NOT NULL"
        ).fetchone()[0]
        early = db.execute(
            "SELECT count(*) FROM articles d JOIN articles c ON c.id = d.duplicate_of "
            "WHERE d.source_id != 'agg' AND d.published_at < c.published_at"
        ).fetchone()[0]
        n_stories = db.execute("SELECT count(*) FROM stories").fetchone()[0]
        store.finish_run(run, status="finished")
    t = time.perf_counter()
    Store(path).close()
    reopen = time.perf_counter() - t
    print(f"stories: {n_stories:,} for {len(articles) // 4:,} generated; originals marked duplicate: {wrong}; "
          f"publisher duplicates published before their canonical: {early}; reopen {reopen:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
