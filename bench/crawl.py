"""Crawl throughput: the full pipeline against a bare Scrapy spider on the same demo site.

    python bench/crawl.py [--articles 5000] [--runs 3]

Builds a demo publisher site with ARTICLES articles, serves it from a separate process on 127.0.0.1, then
crawls it alternately with
  (a) a bare Scrapy spider that reads the same sitemap and fetches the same article URLs, doing nothing
      with the pages, and
  (b) the real `news` spider with extraction, normalisation, dedup and SQLite storage (fresh database),
and prints article pages per second for each (Scrapy's own elapsed time, start to finish), the medians over
RUNS runs and the ratio full/bare. Each crawl runs in its own Python process, as a user's would.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SITE = "akhbar-demo"
COMMON_SETTINGS = {
    "LOG_LEVEL": "ERROR",
    "ROBOTSTXT_OBEY": True,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "TELNETCONSOLE_ENABLED": False,
    # AutoThrottle is on in newscrawler's settings (politeness toward real sites): with target concurrency 1 it
    # spaces a loopback site's requests by their latency, which measures politeness, not the pipeline. The bare
    # spider runs without it (Scrapy's default), so both run without it.
    "AUTOTHROTTLE_ENABLED": False,
}


def bare_worker(sitemap: str) -> dict:
    """A spider that only follows the sitemap's links: the cost of Scrapy itself."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    class BareSpider(scrapy.Spider):
        name = "bare"
        start_urls = [sitemap]

        def parse(self, response):
            response.selector.remove_namespaces()
            for loc in response.xpath("//sitemap/loc/text()").getall():
                yield scrapy.Request(loc, callback=self.parse)
            for loc in response.xpath("//url/loc/text()").getall():
                yield scrapy.Request(loc, callback=self.parse_article)

        def parse_article(self, response):
            self.crawler.stats.inc_value("bench/articles")
            return None

    process = CrawlerProcess({**COMMON_SETTINGS}, install_root_handler=False)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats()
    return {"articles": stats.get("bench/articles", 0), "seconds": stats["elapsed_time_seconds"]}


def full_worker(config: str, db: str) -> dict:
    """The real news spider and pipelines, into a fresh SQLite file."""
    from newscrawler.cli import run_crawl

    # No page cap: the benchmark crawls every demo article (thousands per site), as the bare spider does.
    overrides = {**COMMON_SETTINGS, "NEWSCRAWLER_PROGRESS_INTERVAL": 0, "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS": 0,
                 "NEWSCRAWLER_MAX_PAGES_PER_SOURCE": 0}
    from scrapy.crawler import CrawlerProcess  # noqa: F401 - imported here so start-up cost is the same

    run = run_crawl(db=db, config=config, overrides=overrides)
    return {"articles": run["articles_new"] + run["articles_seen"] + run["duplicates"],
            "seconds": _elapsed(run), "rejects": run.get("rejects")}


def _elapsed(run: dict) -> float:
    return float(run["elapsed_seconds"])


def run_worker(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"worker {args[:2]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worker", choices=["bare", "full"], help=argparse.SUPPRESS)
    parser.add_argument("--sitemap", help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "bare":
        print(json.dumps(bare_worker(args.sitemap)))
        return 0
    if args.worker == "full":
        print(json.dumps(full_worker(args.config, args.db)))
        return 0

    from newscrawler.demo import DemoServer
    from newscrawler.demo.sitegen import render_sources_toml

    started = time.perf_counter()
    with DemoServer.start_process(articles_per_site=args.articles) as server, \
            tempfile.TemporaryDirectory() as tmp:
        print(f"demo site with {args.articles} articles per site built and serving in "
              f"{time.perf_counter() - started:.1f} s")
        source = next(s for s in server.sources() if s["id"] == SITE)
        sitemap = server.url(SITE, "/sitemap-news.xml")  # lists every article of the site
        # Same entry point for both spiders: the full sitemap only, no feeds or listing pages.
        source = {**source, "feeds": [], "listings": [], "sitemaps": [sitemap],
                  "politeness": {"download_delay": 0, "concurrency": 16}}
        config = Path(tmp) / "bench-sources.toml"
        config.write_text(render_sources_toml([source]), encoding="utf-8")

        bare, full = [], []
        for i in range(args.runs):
            b = run_worker(["--worker", "bare", "--sitemap", sitemap])
            f = run_worker(["--worker", "full", "--config", str(config), "--db", str(Path(tmp) / f"run{i}.db")])
            bare.append(b["articles"] / b["seconds"])
            full.append(f["articles"] / f["seconds"])
            print(f"run {i + 1}: bare {b['articles']} pages in {b['seconds']:.1f} s = {bare[-1]:.0f} pages/s; "
                  f"full {f['articles']} articles in {f['seconds']:.1f} s = {full[-1]:.0f} pages/s")
    bare_median, full_median = statistics.median(bare), statistics.median(full)
    print(f"median over {args.runs} runs: bare {bare_median:.0f} pages/s, full pipeline {full_median:.0f} pages/s, "
          f"ratio full/bare {full_median / bare_median:.2f} (target >= 0.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
