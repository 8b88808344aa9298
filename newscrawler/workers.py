"""Article extraction, and the article's text normalisation, off the crawl's main thread.

The reactor thread of a Scrapy process is one core's worth of Python; extraction is the largest CPU cost
per article, normalisation the next (docs/benchmarks.md). With `workers >= 1` they run in that many separate
processes, so a 2-core machine crawls with both cores; with 0 they run inline (same results, one process).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from newscrawler.extract import extract_article
from newscrawler.text import normalise_fields


def default_workers() -> int:
    """One extraction process when there is a second core to run it on."""
    return 1 if (os.cpu_count() or 1) >= 2 else 0


def extract_normalised(html: str | bytes, url: str, **options: Any) -> dict:
    """``extract_article``, plus for an article ``"normalised"``: its stored text and match keys
    (``normalise_fields``), computed here so that the text work runs in the worker too, not in the reactor."""
    page = extract_article(html, url, **options)
    if page.get("is_article"):
        page["normalised"] = normalise_fields(page.get("title") or "", page.get("body") or "",
                                              page.get("summary") or "")
    return page


def _warm_up() -> None:
    # Import-time work (lxml, trafilatura, regex tables) happens once per worker, not on the first page.
    extract_article("<html><body><p>.</p></body></html>", "http://127.0.0.1/")


class Extractor:
    """`await Extractor(workers).extract(html, url, **options)` == `extract_normalised(html, url, **options)`."""

    def __init__(self, workers: int = 0):
        self.workers = max(0, int(workers))
        self._pool: ProcessPoolExecutor | None = None
        if self.workers:
            # spawn, not fork: forking a process that runs an event loop and open sockets is unsafe.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_warm_up)

    async def extract(self, html: str | bytes, url: str, **options: Any) -> dict:
        if self._pool is None:
            return extract_normalised(html, url, **options)
        return await asyncio.wrap_future(self._pool.submit(extract_normalised, html, url, **options))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
