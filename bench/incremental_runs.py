"""Incremental runs: what a second run costs after 1 % new articles, against a plain Scrapy crawl with JOBDIR.

    python bench/incremental_runs.py [--articles 1250] [--new 0.01]

Serves the demo sites (ARTICLES articles each) on fixed loopback ports and crawls the two whose article URLs are
ids (wadi-demo, multaqa-demo): akhbar-demo's dated URLs and sahafa-demo's section URLs depend on the site's
article count, so "1 % more articles" would move a third to a half of their URLs), then
  (a) `newscrawler crawl` into a fresh database: first run; the sites gain NEW x ARTICLES articles each (a rebuilt
      world with more articles: the old URLs stay, listings and feeds change); second run;
  (b) the same two runs with a plain Scrapy spider that starts from the same feeds, sitemaps and listings, follows
      their same-site links and keeps its state in JOBDIR (Scrapy's own persistence: the duplicate filter's seen
      set), doing nothing with the pages.
It prints, per run, the requests the sites served (by kind: discovery pages answered 200 or 304, article pages)
and the wall time of the crawl process. The aim for (a)'s second run: feeds + listings (mostly 304) + the new
articles, nothing else.
(Not `incremental.py`: bench/ is first on sys.path when a bench script runs, and that name would shadow the
`incremental` package Twisted imports.)
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# this file's name is also Twisted's `incremental` dependency: its directory must not shadow that package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from newscrawler.demo import DemoServer  # noqa: E402

PORT = 8761
SITES = ("wadi-demo", "multaqa-demo")
CRAWL_SETTINGS = ["DOWNLOAD_DELAY=0", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS=0",
                  "NEWSCRAWLER_MAX_PAGES_PER_SOURCE=0", "NEWSCRAWLER_PROGRESS_INTERVAL=0", "LOG_LEVEL=ERROR"]


def plain_spider(config: str, jobdir: str) -> None:
    """The JOBDIR baseline, run in its own process: start pages every run, same-site links once ever."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    from newscrawler.sources import load_sources

    sources = load_sources(config, only=list(SITES))
    starts = [url for s in sources for _, url in s.start_urls]
    hosts = {s.homepage.split("/")[2] for s in sources}
    link = re.compile(rb"""(?:href=|<loc>|<link>)["']?(https?://[^"'<>\s]+)""")

    class Plain(scrapy.Spider):
        name = "plain"

        async def start(self):  # type: ignore[override]
            for url in starts:
                yield scrapy.Request(url, dont_filter=True, meta={"start": True})

        def parse(self, response):  # type: ignore[override]
            if not response.meta.get("start"):
                return
            for match in link.finditer(response.body):
                url = match.group(1).decode("utf-8", "replace")
                if url.split("/")[2] in hosts:
                    yield scrapy.Request(url)

    process = CrawlerProcess({"JOBDIR": jobdir, "LOG_LEVEL": "ERROR", "DOWNLOAD_DELAY": 0, "ROBOTSTXT_OBEY": True,
                              "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "TELNETCONSOLE_ENABLED": False})
    process.crawl(Plain)
    process.start()


def served(server: DemoServer, since: int, discovery: set[str]) -> Counter[str]:
    kinds: Counter[str] = Counter()
    for r in server.requests[since:]:
        url = server.url(r.site, r.path)
        if url in discovery or r.path == "/robots.txt":
            kinds[f"discovery {r.status}"] += 1
        else:
            kinds["article"] += 1
    return kinds


def run_pair(label: str, articles: int, new: int, command) -> None:
    for run, count in (("first", articles), ("second", articles + new)):
        with DemoServer(articles_per_site=count, port=PORT) as server:
            config = Path(command.tmp) / "sources.toml"
            config.write_text(server.sources_toml(), encoding="utf-8")
            discovery = {url for s in server.sources() for key in ("feeds", "sitemaps", "listings")
                         for url in s.get(key, [])}
            before = len(server.requests)
            started = time.monotonic()
            result = subprocess.run(command(str(config)), capture_output=True, text=True)
            elapsed = time.monotonic() - started
            kinds = served(server, before, discovery)
            note = "" if result.returncode == 0 else f"  (exit {result.returncode})"
            print(f"{label:<12} {run:<7} {sum(kinds.values()):>6} requests  "
                  + "  ".join(f"{k} {v}" for k, v in sorted(kinds.items())) + f"  {elapsed:6.1f} s{note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2500, help="articles per demo site (2 sites: 5,000)")
    parser.add_argument("--new", type=float, default=0.01, help="share of new articles before the second run")
    parser.add_argument("--plain-spider", nargs=2, metavar=("CONFIG", "JOBDIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.plain_spider:
        plain_spider(*args.plain_spider)
        return 0
    new = max(1, round(args.articles * args.new))
    print(f"{len(SITES)} demo sites x {args.articles} articles; second run after {new} new articles per site")
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "news.db")

        def newscrawler(config: str) -> list[str]:
            return [sys.executable, "-m", "newscrawler.cli", "crawl", "--config", config, "--db", db,
                    "--sources", ",".join(SITES),
                    *[a for s in CRAWL_SETTINGS for a in ("-s", s)]]

        def plain(config: str) -> list[str]:
            return [sys.executable, __file__, "--plain-spider", config, str(Path(tmp) / "jobdir")]

        newscrawler.tmp = plain.tmp = tmp  # type: ignore[attr-defined]
        run_pair("newscrawler", args.articles, new, newscrawler)
        run_pair("scrapy+JOBDIR", args.articles, new, plain)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
