"""A test item pipeline: every item, as the spider emitted it, appended as one line of the ingest's stream encoding
(newscrawler.distributed.item_codec) to the file named by the setting TEST_ITEM_RECORD.

Placed before validation in ITEM_PIPELINES, it records what a worker of a distributed crawl would XADD, so a test
can feed the same items to `newscrawler ingest` and compare its database with the crawl's."""

from __future__ import annotations

from typing import Any

from newscrawler.distributed.item_codec import encode_item


class ItemRecorder:
    def __init__(self, path: str) -> None:
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Any) -> ItemRecorder:
        return cls(crawler.settings.get("TEST_ITEM_RECORD"))

    def process_item(self, item: Any, spider: Any = None) -> Any:
        with open(self.path, "ab") as handle:
            handle.write(encode_item(item) + b"\n")
        return item
