"""Distributed crawl: pages/s with 1, 2 and 4 worker processes on one Redis, under a per-host politeness delay.

    python bench/distributed.py [--runs 3] [--workers 1,2,4] [--replicas 10] [--articles 30]
                                [--delay 0.25] [--latency 0.5] [--concurrency 8] [--seen-max-age 20]

Each run starts a fresh redis-server (newscrawler.distributed.local_redis), serves REPLICAS x 4 demo hosts from a
separate process (newscrawler.demo.fleet: 40 hosts by default), every response held back LATENCY seconds, with a
per-host DELAY in the sources' politeness tables, then runs `newscrawler seed`, one `newscrawler ingest` and
N `newscrawler crawl --redis` workers (each CONCURRENCY concurrent requests) until they exit by themselves.

Why latency: this machine has two cores, so a CPU-bound crawl cannot go four times faster with four processes.
With slow answers one worker is bound by CONCURRENCY / LATENCY pages/s, which is what a real crawler of distant,
slow sites is bound by; the per-host DELAY (shared by all workers through Redis) caps each host at 1/DELAY
pages/s, 40/DELAY in all, above what four workers ask for, so adding workers must not (and here cannot) push any
host past its rate: the bench checks the smallest interval between two requests to one host in the server's log.

Reported per worker count (medians over RUNS): pages/s (server log: pages / first-to-last request), speed-up
over one worker, the smallest per-host interval, pages fetched more than once, Redis used_memory and the seen-set
(bucket keys) in the middle and at the end of the crawl (one worker: the longest run), and the ingest's items/s
measured separately on a backlog (a crawl without the ingest fills the stream, then one ingest drains it).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newscrawler.demo import DemoServer, render_sources_toml  # noqa: E402
from newscrawler.demo.server import DemoProcess, RequestRecord  # noqa: E402
from newscrawler.distributed.local_cluster import LocalCluster  # noqa: E402
from newscrawler.distributed.local_redis import LocalRedis  # noqa: E402
from newscrawler.distributed.monitor import redis_snapshot  # noqa: E402
from newscrawler.distributed.redis_url import RedisKeys, redis_client  # noqa: E402

ROBOTS = "/robots.txt"
JITTER = 0.01


def worker_settings(args: argparse.Namespace) -> dict[str, str]:
    settings = {
        "CONCURRENT_REQUESTS": str(args.concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": str(args.concurrency),
        # AutoThrottle would space a host's requests by its latency: it measures the server, not the crawl
        "AUTOTHROTTLE_ENABLED": "False",
        "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS": "0",
        "TELNETCONSOLE_ENABLED": "False",
        "LOG_LEVEL": "INFO",
    }
    for pair in args.set:
        key, _, value = pair.partition("=")
        settings[key] = value
    return settings


def write_sources(proc: DemoProcess, path: Path, delay: float, concurrency: int) -> None:
    sources = proc.sources()
    for src in sources:
        src["politeness"] = {"download_delay": delay, "concurrency": concurrency}
    path.write_text(render_sources_toml(sources), encoding="utf-8")


class Sampler(threading.Thread):
    """Redis snapshots every `every` seconds, stamped with time.monotonic() (the demo server's clock too)."""

    def __init__(self, url: str, keys: RedisKeys, every: float = 0.5):
        super().__init__(daemon=True)
        self.client = redis_client(url)
        self.keys = keys
        self.every = every
        self.samples: list[tuple[float, dict[str, Any]]] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            try:
                self.samples.append((time.monotonic(), redis_snapshot(self.client, self.keys)))
            except Exception as exc:  # a snapshot racing a key's expiry: skip it, keep sampling
                print(f"  (sample skipped: {exc})", file=sys.stderr)
            self.done.wait(self.every)

    def nearest(self, t: float) -> dict[str, Any]:
        return min(self.samples, key=lambda s: abs(s[0] - t))[1]


def page_counts(log: list[RequestRecord]) -> Counter[tuple[str, str]]:
    # robots.txt is fetched once per worker process and host (Scrapy's robots middleware keeps it in memory)
    return Counter((r.site, r.path) for r in log if r.path != ROBOTS)


def min_host_interval(log: list[RequestRecord]) -> float:
    by_site: dict[str, list[float]] = defaultdict(list)
    for r in log:
        by_site[r.site].append(r.at)
    gaps = [b - a for times in by_site.values() for a, b in zip(sorted(times), sorted(times)[1:], strict=False)]
    return min(gaps) if gaps else float("inf")


RATE_WINDOW_DELAYS = 20  # the rate check's window, in delays


def max_window_count(log: list[RequestRecord], window: float) -> int:
    """The most requests any one host got within `window` seconds (a sliding window over arrival times)."""
    by_site: dict[str, list[float]] = defaultdict(list)
    for r in log:
        by_site[r.site].append(r.at)
    most = 0
    for times in by_site.values():
        times.sort()
        first = 0
        for last, t in enumerate(times):
            while t - times[first] >= window:
                first += 1
            most = max(most, last - first + 1)
    return most


def one_run(args: argparse.Namespace, workers: int, tmp: Path, *, ingest_during: bool = True,
            delay: float | None = None, latency: float | None = None) -> dict[str, Any]:
    delay = args.delay if delay is None else delay
    latency = args.latency if latency is None else latency
    keys = RedisKeys()
    log_path = tmp / "requests.jsonl"
    with LocalRedis(tmp / "redis") as redis, \
            DemoServer.start_process(articles_per_site=args.articles, replicas=args.replicas, latency=latency,
                                     request_log=log_path) as demo:
        config = tmp / "sources.toml"
        write_sources(demo, config, delay, args.concurrency)
        settings = worker_settings(args)
        with LocalCluster(redis.url, config=config, db=tmp / "news.db", workdir=tmp / "procs", settings=settings,
                          idle_exit=args.idle_exit) as cluster:
            sampler = Sampler(redis.url, keys)
            sampler.start()
            cluster.seed()
            if ingest_during:
                cluster.start_ingest()
            names = [f"w{i + 1}" for i in range(workers)]
            for name in names:
                cluster.start_worker(name)
            cluster.wait(names, timeout=args.timeout)
            ingest = None
            if not ingest_during:
                ingest = ingest_backlog(cluster, redis.url, keys, args.timeout)
            else:
                cluster.wait(["ingest"], timeout=args.timeout)
            sampler.done.set()
            sampler.join()
        demo.stop()
        log = demo.requests()
    if args.keep:
        keep = Path(args.keep) / f"{'backlog' if not ingest_during else 'crawl'}-{workers}w-{time.strftime('%H%M%S')}"
        keep.mkdir(parents=True, exist_ok=True)
        log_path.replace(keep / "requests.jsonl")
        for name in (tmp / "procs").glob("*.log"):
            name.replace(keep / name.name)
    counts = page_counts(log)
    pages = [r for r in log if r.path != ROBOTS]
    span = pages[-1].at - pages[0].at if len(pages) > 1 else float("nan")
    mid, end = sampler.nearest(pages[0].at + span / 2), sampler.nearest(pages[-1].at)
    return {
        "workers": workers, "pages": len(pages), "distinct": len(counts), "seconds": span,
        "pages_per_s": len(pages) / span, "twice": sum(1 for c in counts.values() if c > 1),
        "min_interval": min_host_interval(log), "min_interval_pages": min_host_interval(pages),
        "window_max": max_window_count(log, RATE_WINDOW_DELAYS * args.delay),
        "mid": mid, "end": end, "ingest_items_per_s": ingest,
    }


def ingest_backlog(cluster: LocalCluster, url: str, keys: RedisKeys, timeout: float) -> float:
    """Items/s of one ingest draining the stream the workers filled (timed from its first read to an empty
    backlog, so its start-up is not counted)."""
    client = redis_client(url)
    total = int(client.xlen(keys.items))
    cluster.start_ingest()
    first = last = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        groups = {g["name"].decode() if isinstance(g["name"], bytes) else g["name"]: g
                  for g in client.xinfo_groups(keys.items)} if client.exists(keys.items) else {}
        group = groups.get(keys.ingest_group)
        now = time.monotonic()
        if group is not None and first is None and int(group.get("entries-read") or 0) > 0:
            first = now
        if group is not None and first is not None and not group.get("lag") and not int(group["pending"]):
            last = now
            break
        time.sleep(0.1)
    cluster.wait(["ingest"], timeout=timeout)
    if first is None or last is None or last <= first:
        return float("nan")
    return total / (last - first)


def pct(a: float, b: float) -> str:
    return f"{(b - a) / a * 100:+.1f} %" if a else "n/a"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workers", default="1,2,4", help="worker counts, comma-separated (default 1,2,4)")
    ap.add_argument("--replicas", type=int, default=10, help="copies of the 4 demo sites (default 10: 40 hosts)")
    ap.add_argument("--articles", type=int, default=30, help="articles per site (default 30)")
    ap.add_argument("--delay", type=float, default=0.25, help="per-host politeness delay, seconds (default 0.25)")
    ap.add_argument("--latency", type=float, default=0.5, help="seconds each response is held back (default 0.5)")
    ap.add_argument("--concurrency", type=int, default=8, help="CONCURRENT_REQUESTS per worker (default 8)")
    ap.add_argument("--idle-exit", type=float, default=5.0, help="workers/ingest exit after this idle time")
    ap.add_argument("--timeout", type=float, default=900.0)
    ap.add_argument("--no-backlog", action="store_true", help="skip the ingest backlog measurement")
    ap.add_argument("--keep", metavar="DIR", help="keep each run's request log and process logs under DIR")
    ap.add_argument("-s", "--set", action="append", default=[], metavar="KEY=VALUE",
                    help="extra worker setting (e.g. the seen-set's bucket age)")
    args = ap.parse_args(argv)
    counts = [int(x) for x in args.workers.split(",")]
    results: dict[int, list[dict[str, Any]]] = defaultdict(list)
    backlog: list[float] = []
    print(f"{args.replicas * 4} hosts, {args.articles} articles each, delay {args.delay}s/host, latency "
          f"{args.latency}s, {args.concurrency} concurrent requests per worker; {args.runs} runs", flush=True)
    for run in range(args.runs):
        for n in counts:
            with tempfile.TemporaryDirectory(prefix="nc-dist-bench-") as tmp:
                r = one_run(args, n, Path(tmp))
            results[n].append(r)
            print(f"run {run + 1} workers {n}: {r['pages']} pages ({r['distinct']} distinct, {r['twice']} twice) "
                  f"in {r['seconds']:.1f}s = {r['pages_per_s']:.1f} pages/s; min host interval "
                  f"{r['min_interval']:.3f}s; used_memory {r['mid']['used_memory']} -> {r['end']['used_memory']}; "
                  f"seen {r['mid']['seen']['bytes']} -> {r['end']['seen']['bytes']} bytes", flush=True)
        if not args.no_backlog:
            with tempfile.TemporaryDirectory(prefix="nc-dist-bench-") as tmp:
                # no delay, no latency: fill the stream fast; the figure is the ingest's
                r = one_run(args, max(counts), Path(tmp), ingest_during=False, delay=0.0, latency=0.0)
            backlog.append(r["ingest_items_per_s"])
            print(f"run {run + 1} ingest backlog: {r['ingest_items_per_s']:.1f} items/s", flush=True)

    med = {n: statistics.median(r["pages_per_s"] for r in rs) for n, rs in results.items()}
    base = med.get(1) or med[min(med)]
    print("\n| workers | pages/s (median) | speed-up | min interval per host | pages fetched twice | "
          "used_memory middle -> end | seen-set middle -> end |")
    print("|---|---|---|---|---|---|---|")
    for n in counts:
        rs = results[n]
        mid_mem = statistics.median(r["mid"]["used_memory"] for r in rs)
        end_mem = statistics.median(r["end"]["used_memory"] for r in rs)
        mid_seen = statistics.median(r["mid"]["seen"]["bytes"] for r in rs)
        end_seen = statistics.median(r["end"]["seen"]["bytes"] for r in rs)
        print(f"| {n} | {med[n]:.1f} | {med[n] / base:.2f}x | {min(r['min_interval'] for r in rs):.3f} s "
              f"({min(r['min_interval_pages'] for r in rs):.3f} s without robots.txt) | "
              f"{max(r['twice'] for r in rs)} | {mid_mem / 1e6:.2f} -> {end_mem / 1e6:.2f} MB "
              f"({pct(mid_mem, end_mem)}) | {mid_seen / 1e3:.0f} -> {end_seen / 1e3:.0f} kB "
              f"({pct(mid_seen, end_seen)}) |")
    if backlog:
        print(f"\ningest (one process, backlog): {statistics.median(backlog):.1f} items/s (median of "
              f"{', '.join(f'{b:.1f}' for b in backlog)})")
    worst = min(r["min_interval"] for rs in results.values() for r in rs)
    busiest = max(r["window_max"] for rs in results.values() for r in rs)
    # The rate is the promise: no host gets more than one request per delay, counted over a window of 20 delays
    # (+1: a window may hold both its ends). Single gaps are shown too: the starts are taken `delay` apart on
    # Redis's clock, and a sender's scheduling hiccup (tens of ms on this loaded 2-core machine) can bring two
    # arrivals closer than the starts were, without raising the rate.
    window = RATE_WINDOW_DELAYS * args.delay
    allowed = RATE_WINDOW_DELAYS + 1
    ok = busiest <= allowed
    print(f"politeness: at most {busiest} requests to one host in any {window:.2f} s (allowed {allowed} at one per "
          f"{args.delay} s): {'OK' if ok else 'VIOLATED'}; smallest single gap {worst:.3f} s "
          f"({JITTER * 1000:.0f} ms of jitter would keep it above {args.delay - JITTER:.3f} s: "
          f"{'yes' if worst >= args.delay - JITTER else 'no'})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
