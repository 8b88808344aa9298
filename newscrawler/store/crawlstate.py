"""The crawl state in the crawl database (``NEWSCRAWLER_CRAWL_STATE_CLASS``'s default; see newscrawler.crawlstate).

Reads go through a ``mode=ro`` connection (``StoreReader``) and see what the writer has committed; the frontier
marks go through the run's single writer, the ``Store`` of the store pipeline, which attaches itself when it
opens (``attach_writer``), so the marks land in the same batched transactions as the rows they describe and
SQLite never sees a second writer.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from newscrawler.crawlstate import PageValidators, PollState
from newscrawler.store.queries import StoreReader
from newscrawler.store.rows import utc_now
from newscrawler.store.writer import Store


class SqliteCrawlState:
    def __init__(self, path: str | Path) -> None:
        self.reader = StoreReader(path)
        self._writer: Store | None = None
        self._run_id = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> SqliteCrawlState:
        return cls(crawler.settings.get("NEWSCRAWLER_DB"))

    def attach_writer(self, store: Store, run_id: int) -> None:
        """The store pipeline hands over the run's writer; until then (and without one) marks are not kept."""
        self._writer, self._run_id = store, run_id

    def article_known(self, url_key: str) -> bool:
        return self.reader.known_article(url_key) is not None

    def page_validators(self, url: str) -> PageValidators | None:
        state = self.reader.page_state(url)
        if not state:
            return None
        return PageValidators(state.get("http_status"), state.get("etag"), state.get("last_modified"))

    def mark_pending(self, url: str, source_id: str) -> None:
        if self._writer is not None:
            self._writer.mark_frontier(url, source_id, "pending", run_id=self._run_id)

    def mark_done(self, url: str, source_id: str, reason: str | None = None) -> None:
        if self._writer is not None:
            self._writer.mark_frontier(url, source_id, "done", run_id=self._run_id, reason=reason)

    def rejected_reason(self, url: str) -> str | None:
        return self.reader.rejected_reason(url)

    def poll_state(self, url: str) -> PollState | None:
        row = self.reader.poll_state(url)
        if not row:
            return None
        return PollState(float(row["interval_seconds"]), str(row["next_due_at"]), int(row["failures"] or 0))

    def pending(self, source_id: str, limit: int | None = None) -> list[str]:
        return self.reader.pending_urls(source_id, limit)

    # Revisits (newscrawler.revisits): optional methods of a crawl state; a state without them revisits nothing.
    def revisits_due(self, source_id: str, limit: int | None = None) -> list[tuple[int, str]]:
        """(article id, URL) of the source's stored articles due for a revisit now, the longest overdue first."""
        return self.reader.due_revisits(source_id, utc_now(), limit)

    def mark_revisited(self, article_id: int) -> None:
        """A revisit was scheduled: the article's next revisit time moves on (written through the run's writer)."""
        if self._writer is not None:
            self._writer.mark_revisited(article_id)

    def expire(self, older_than: datetime, reason: str = "max_age") -> int:
        if self._writer is None:
            return 0
        expired = self._writer.expire_frontier(older_than, run_id=self._run_id, reason=reason)
        self._writer.commit()  # before the run reads its pending URLs through the reader
        return expired

    def close(self) -> None:
        self._writer = None
        self.reader.close()
