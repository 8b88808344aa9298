"""A worker's only item pipeline: every item onto the Redis stream, for the one ingest process to store.

Workers neither validate nor normalise (the ingest does, so one process decides what is stored). XADD is
synchronous on purpose: when the pipelines report an item scraped it is on the stream, and the request's lease
may end (newscrawler.distributed.lease_keeper).
"""

from __future__ import annotations

from typing import Any

from newscrawler.distributed.item_codec import encode_item
from newscrawler.distributed.redis_url import RedisKeys, redis_client


class ItemStreamPipeline:
    def __init__(self, client: Any, keys: RedisKeys, stats: Any = None) -> None:
        self.client, self.keys, self.stats = client, keys, stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> ItemStreamPipeline:
        settings = crawler.settings
        return cls(redis_client(settings.get("REDIS_URL")), RedisKeys(settings.get("NEWSCRAWLER_REDIS_PREFIX")),
                   crawler.stats)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        self.client.xadd(self.keys.items, {b"item": encode_item(item)})
        if self.stats is not None:
            self.stats.inc_value(f"newscrawler/streamed/{type(item).__name__}")
        return item
