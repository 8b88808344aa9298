"""Search latency at scale: a database of generated Arabic articles, 20 typical queries, and the LIKE scan an
analyst would otherwise write.

    python bench/search.py --articles 1000000 --db /tmp/search-bench.db --runs 3 --serve  # the issue's scale
    python bench/search.py --articles 100000                                 # what docs/benchmarks.md reports

The text is generated (random words from a Zipf-distributed vocabulary of made-up Arabic letter strings, plus a
few real words in their clitic and spelling forms, so that the queries have something to find); rows go through
the real schema (``Store`` creates it, the FTS triggers index them) with ``match_key`` and ``search_variants``
computed as the crawler would, but without the dedup stage (not what is measured).
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newscrawler.search import search_variants  # noqa: E402
from newscrawler.store import ReadOnlyStore, Store  # noqa: E402
from newscrawler.text import match_key  # noqa: E402

LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
# Real words, each written in several forms in the generated text (clitics, harakat, hamza, taa marbuta).
PLANTED = {
    "القضاء": ("القضاء", "والقضاء", "بالقضاء", "للقضاء", "قضاء"),
    "الحكومة": ("الحكومة", "والحكومة", "الحكومه", "للحكومة"),
    "الكركرات": ("الكركرات", "بالكركرات", "الكَرْكَرات"),
    "مسؤول": ("مسؤول", "مسئول", "المسؤول"),
    "الانتخابات": ("الانتخابات", "الإنتخابات", "والانتخابات"),
}
SOURCES = [f"source{i:02d}" for i in range(12)]

QUERIES = [
    ("plain, frequent", "الحكومة", {}),
    ("plain, rare", "الكركرات", {}),
    ("plain, generated word", None, {}),
    ("two words", "القضاء الحكومة", {}),
    ("variant spelling (harakat)", "الكَرْكَرَات", {}),
    ("variant spelling (hamza)", "مسئول", {}),
    ("variant spelling (alef)", "الإنتخابات", {}),
    ("clitic و", "والقضاء", {}),
    ("clitic بال", "بالحكومة", {}),
    ("bare word", "قضاء", {}),
    ("phrase", '"الحكومة القضاء"', {}),
    ("prefix", "الانتخاب*", {}),
    ("stem", "الانتخابات", {"stem": True}),
    ("with source", "القضاء", {"source": "source03"}),
    ("with date window", "القضاء", {"since": "2025-03-01", "until": "2025-03-31"}),
    ("source and dates", "الحكومة", {"source": "source07", "since": "2025-06-01"}),
    ("originals only", "مسؤول", {"originals_only": True}),
    ("no hit", "زززززز", {}),
    ("three words", "القضاء الحكومة مسؤول", {}),
    ("clitic + source", "للقضاء", {"source": "source01"}),
]


def build(db: Path, n: int, seed: int = 1) -> None:
    rnd = random.Random(seed)
    vocab = ["".join(rnd.choices(LETTERS, k=rnd.randint(3, 7))) for _ in range(40_000)]
    cum = list(_cumulative([1 / (i + 1) for i in range(len(vocab))]))
    planted = [form for forms in PLANTED.values() for form in forms]
    Store(db).close()  # the schema, migrations, triggers
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    started = time.monotonic()
    batch = []
    for i in range(n):
        words = rnd.choices(vocab, cum_weights=cum, k=90)
        if rnd.random() < 0.05:  # each planted form in about 0.3% of the articles, like a topical word
            words[rnd.randrange(len(words))] = rnd.choice(planted)
        title, body = " ".join(words[:10]), " ".join(words[10:])
        tk, bk = match_key(title), match_key(body)
        day = f"2025-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}T{rnd.randint(0, 23):02d}:00:00+00:00"
        batch.append((f"https://x.example/{i}", f"x.example/{i}", SOURCES[i % len(SOURCES)], title, body, tk, bk,
                      search_variants(tk, bk), day, day, day, None if i % 5 else max(1, i - 3)))
        if len(batch) == 5000:
            _insert(conn, batch)
            batch = []
            print(f"\r{i + 1} articles, {time.monotonic() - started:.0f} s", end="", file=sys.stderr)
    _insert(conn, batch)
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('optimize')")
    conn.commit()
    conn.close()
    print(file=sys.stderr)


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _insert(conn: sqlite3.Connection, batch: list[tuple]) -> None:
    conn.executemany(
        "INSERT INTO articles (url, url_key, source_id, title, body, title_key, body_key, search_variants, "
        "published_at, first_seen_at, last_seen_at, duplicate_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        batch)
    conn.commit()


def _timed(fn, repeat: int = 5, cpu: list[float] | None = None) -> list[float]:
    """Wall times in ms of ``repeat`` calls; their CPU times (this process) appended to ``cpu`` when given."""
    out = []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - t) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - c) * 1000)
    return out


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))]


def measure(db: Path, *, scan: bool = True) -> tuple[float, float, float]:
    """One pass over the 20 queries, 5 timings each, as `newscrawler search` runs them (``search_page``: 20
    results with their snippets, and the total); the LIKE scan once per plain query when ``scan``. Returns the
    median and p95 wall time and the median CPU time, in ms. On a shared machine the CPU time is what the query
    costs; the wall time adds the waits for a core."""
    store = ReadOnlyStore(db)
    word = store.conn.execute("SELECT title FROM articles WHERE id = 7").fetchone()[0].split()[3]
    fts_ms: list[float] = []
    cpu_ms: list[float] = []
    like_ms: list[float] = []
    print(f"{'query':<28} {'hits':>7} {'median ms':>9} {'CPU ms':>7} {'LIKE ms':>8}")
    for label, text, options in QUERIES:
        text = text or word
        total = store.search_count(text, **options)
        cpu: list[float] = []
        times = _timed(lambda t=text, o=options: store.search_page(t, limit=20, snippets=True, **o), cpu=cpu)
        fts_ms += times
        cpu_ms += cpu
        like = ""
        if scan and label.startswith(("plain", "clitic و", "bare")):  # the analyst's scan, on the display text
            needle = text.strip('"*')
            lt = _timed(lambda n=needle: store.conn.execute(
                "SELECT count(*) FROM articles WHERE title LIKE ? OR body LIKE ?", [f"%{n}%", f"%{n}%"]).fetchone(),
                repeat=1)
            like_ms += lt
            like = f"{lt[0]:.0f}"
        print(f"{label:<28} {total:>7} {statistics.median(times):>9.1f} {statistics.median(cpu):>7.1f} {like:>8}")
    median, p95, cpu_median = statistics.median(fts_ms), _p95(fts_ms), statistics.median(cpu_ms)
    scanned = (f"; LIKE scan median {statistics.median(like_ms):.0f} ms "
               f"({statistics.median(like_ms) / median:.0f} x slower)") if like_ms else ""
    print(f"search + count: median {median:.1f} ms, p95 {p95:.1f} ms (CPU: median {cpu_median:.1f} ms, "
          f"p95 {_p95(cpu_ms):.1f} ms){scanned}")
    store.close()
    return median, p95, cpu_median


def measure_serve(db: Path, query: str = "والقضاء") -> None:
    """Time to open the web view's search pages (`newscrawler serve`: the canned query and the articles table's
    search box) for a query, 5 times each."""
    import socket
    import subprocess
    import urllib.parse
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "newscrawler.cli", "serve", "--db", str(db), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=5).read()  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.2)
        pages = {"canned query `search`": f"/{db.stem}/search?q={urllib.parse.quote(query)}",
                 "articles table's search box": f"/{db.stem}/articles?_search={urllib.parse.quote(query)}"}
        for label, path in pages.items():
            times = _timed(lambda u=base + path: urllib.request.urlopen(u, timeout=120).read())  # noqa: S310
            print(f"web view, {label} ({query}): median {statistics.median(times):.0f} ms, "
                  f"max {max(times):.0f} ms")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--db", default="/tmp/newscrawler-search-bench.db")
    parser.add_argument("--rebuild", action="store_true", help="build the database again even if it exists")
    parser.add_argument("--serve", action="store_true", help="also time the web view's search pages (Datasette)")
    parser.add_argument("--runs", type=int, default=1,
                        help="passes over the queries (the LIKE scan in the first only); the summary is the "
                             "median of the passes' medians and p95s")
    args = parser.parse_args()
    db = Path(args.db)
    if args.rebuild or not db.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        build(db, args.articles)
    n = sqlite3.connect(db).execute("SELECT count(*) FROM articles").fetchone()[0]
    print(f"{n} articles in {db} ({db.stat().st_size / 1e6:.0f} MB)")
    passes = [measure(db, scan=i == 0) for i in range(args.runs)]
    if args.runs > 1:
        print(f"{args.runs} passes: median of medians {statistics.median(m for m, _, _ in passes):.1f} ms "
              f"(each {', '.join(f'{m:.1f}' for m, _, _ in passes)}), median p95 "
              f"{statistics.median(p for _, p, _ in passes):.1f} ms, median CPU "
              f"{statistics.median(c for _, _, c in passes):.1f} ms; load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores")
    if args.serve:
        measure_serve(db)


if __name__ == "__main__":
    main()
