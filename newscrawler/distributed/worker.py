"""`newscrawler crawl --redis URL`: one worker of a distributed crawl (docs/distributed.md).

A worker is the ordinary crawl with its shared parts in Redis: scrapy-redis's scheduler over our leased queue
(newscrawler.distributed.queue) and aged seen-set (seenset), the Redis crawl state (crawlstate), politeness per
host across workers (politeness), and items onto the stream for the ingest (stream) instead of SQLite. It runs
until SIGTERM/SIGINT (Scrapy stops taking requests and finishes or hands back what it holds), or with
``--idle-exit S`` until the whole crawl has had nothing to do for S seconds.
"""

from __future__ import annotations

import warnings
from typing import Any

from newscrawler.distributed.redis_url import RedisKeys, connect

# Worker settings, below the command line's -s (given at "project" priority, over newscrawler.settings).
WORKER_DOWNLOADER_MIDDLEWARES = {"newscrawler.distributed.politeness.SharedPolitenessMiddleware": 590}
WORKER_SPIDER_MIDDLEWARES = {"newscrawler.distributed.lease_keeper.LeaseAckMiddleware": 0}
# The shared reservation is the per-host rate: AutoThrottle's per-process delay would add to it (politeness.py).
WORKER_EXTENSIONS = {"newscrawler.distributed.lease_keeper.LeaseKeeper": 0,
                     "newscrawler.throttle.SourceAutoThrottle": None}
# A worker's heartbeat of Scrapy's engine (seconds): how soon an idle worker looks at the shared queue again.
# Scrapy's default (5 s) leaves a worker idle for seconds while another one fills the queue.
ENGINE_POLL_SECONDS = 1.0


def worker_settings(url: str, config: str | None, overrides: dict[str, Any] | None = None,
                    idle_exit: float = 0.0) -> Any:
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("newscrawler.settings", priority="project")
    prefix = str((overrides or {}).get("NEWSCRAWLER_REDIS_PREFIX") or settings.get("NEWSCRAWLER_REDIS_PREFIX"))
    keys = RedisKeys(prefix)
    worker = {
        "NEWSCRAWLER_REDIS_URL": url,
        "REDIS_URL": url,
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "SCHEDULER_PERSIST": True,  # the frontier is the crawl's, not this worker's
        "SCHEDULER_QUEUE_CLASS": "newscrawler.distributed.queue.LeasedPriorityQueue",
        "SCHEDULER_QUEUE_KEY": keys.requests,
        "SCHEDULER_SERIALIZER": "newscrawler.distributed.request_codec",
        "DUPEFILTER_CLASS": "newscrawler.distributed.seenset.AgedDupeFilter",
        "REDIS_START_URLS_KEY": keys.start_urls,
        "NEWSCRAWLER_CRAWL_STATE_CLASS": "newscrawler.distributed.crawlstate.RedisCrawlState",
        "ITEM_PIPELINES": {"newscrawler.distributed.stream.ItemStreamPipeline": 300},
        "DOWNLOADER_MIDDLEWARES": {**settings.getdict("DOWNLOADER_MIDDLEWARES"), **WORKER_DOWNLOADER_MIDDLEWARES},
        "SPIDER_MIDDLEWARES": {**settings.getdict("SPIDER_MIDDLEWARES"), **WORKER_SPIDER_MIDDLEWARES},
        "EXTENSIONS": {**settings.getdict("EXTENSIONS"), **WORKER_EXTENSIONS},
        "AUTOTHROTTLE_ENABLED": False,
        # The bounds of one run do not fit a worker that runs for weeks; the seeder's schedule bounds the work.
        "NEWSCRAWLER_MAX_PAGES_PER_SOURCE": 0,
        "NEWSCRAWLER_MAX_DISCOVERY_PER_SOURCE": 0,
        "NEWSCRAWLER_MAX_SECONDS_PER_SOURCE": 0,
        "NEWSCRAWLER_IDLE_EXIT": idle_exit,
    }
    for key, value in worker.items():
        settings.set(key, value, priority="project")
    if config:
        settings.set("NEWSCRAWLER_SOURCES", config, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_worker(url: str, *, config: str | None = None, sources: str | None = None,
               overrides: dict[str, Any] | None = None, idle_exit: float = 0.0) -> int:
    """Run one worker in this process until it is stopped or idle; returns the exit code (0)."""
    from scrapy.core.engine import ExecutionEngine
    from scrapy.crawler import CrawlerProcess
    from scrapy.exceptions import ScrapyDeprecationWarning

    from newscrawler.distributed.spider import NewsRedisSpider

    connect(url).close()
    # scrapy-redis 0.9.1 passes `spider=` to the stats collector, deprecated in Scrapy 2.13: one warning per run
    # that says nothing to an operator
    warnings.filterwarnings("ignore", message=r"Passing a 'spider' argument to StatsCollector",
                            category=ScrapyDeprecationWarning)
    ExecutionEngine._SLOT_HEARTBEAT_INTERVAL = ENGINE_POLL_SECONDS
    process = CrawlerProcess(worker_settings(url, config, overrides, idle_exit))
    crawler = process.create_crawler(NewsRedisSpider)
    process.crawl(crawler, sources=sources, config=config)
    process.start()
    return 0
