"""A progress line every few seconds while a crawl runs: pages, articles, duplicates, errors."""

from __future__ import annotations

import sys
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

# (label, stats key) shown in the progress line, in order.
PROGRESS_FIELDS = (
    ("pages", "newscrawler/pages_fetched"),
    ("articles", "newscrawler/articles_new"),
    ("re-seen", "newscrawler/articles_seen"),
    ("duplicates", "newscrawler/articles_duplicate"),
    ("headlines", "newscrawler/headlines_new"),
    ("rejects", "newscrawler/rejects"),
    ("errors", "log_count/ERROR"),
)


def progress_line(stats: dict[str, Any]) -> str:
    return " | ".join(f"{label} {stats.get(key, 0)}" for label, key in PROGRESS_FIELDS)


class CrawlProgress:
    def __init__(self, crawler: Any, interval: float, echo: bool = False):
        self.crawler = crawler
        self.interval = interval
        self.echo = echo  # also print to stderr (quiet CLI runs whose log level hides INFO)
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> CrawlProgress:
        interval = crawler.settings.getfloat("NEWSCRAWLER_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        extension = cls(crawler, interval, crawler.settings.getbool("NEWSCRAWLER_PROGRESS_ECHO"))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Any) -> None:
        self.loop = task.LoopingCall(self.report, spider)
        self.loop.start(self.interval, now=False)

    def report(self, spider: Any) -> None:
        line = progress_line(self.crawler.stats.get_stats())
        spider.logger.info("progress: %s", line)
        if self.echo:
            print(f"progress: {line}", file=sys.stderr, flush=True)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.report(spider)
