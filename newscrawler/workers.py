"""Article extraction, and the article's text normalisation, off the crawl's main thread, supervised.

The reactor thread of a Scrapy process is one core's worth of Python; extraction is the largest CPU cost
per article, normalisation the next (docs/benchmarks.md). With `workers >= 1` they run in that many separate
processes, so a 2-core machine crawls with both cores; with 0 they run inline (same results, one process).

Supervision (docs/reliability.md): a worker that dies (killed, out of memory, a crash in C code) breaks the pool;
the pool is replaced and the page it held is tried once more, then given up as `WorkerCrash`. A page whose
extraction runs past `timeout` seconds is given up as `ExtractTimeout`, and the pool (whose worker is still busy
with it) is replaced, so one pathological page never holds a worker for the rest of the run. Inline extraction
(workers = 0) cannot be interrupted: there is no time limit then.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from newscrawler.extract import extract_article
from newscrawler.text import normalise_fields


class WorkerCrash(RuntimeError):
    """The extraction worker died twice on the same page (reject reason `worker_crash`)."""


class ExtractTimeout(RuntimeError):
    """Extraction of one page ran past the time limit (reject reason `extract_timeout`)."""


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
    """`await Extractor(workers).extract(html, url, **options)` == `extract_normalised(html, url, **options)`,
    or raises `WorkerCrash` / `ExtractTimeout` (see the module docstring)."""

    def __init__(self, workers: int = 0, *, timeout: float = 0.0,
                 function: Callable[..., dict] = extract_normalised):
        self.workers = max(0, int(workers))
        self.function = function  # a module-level function (the workers import it); tests pass failing ones
        self.timeout = max(0.0, float(timeout))
        self.restarts = 0  # pools replaced after a dead or hung worker
        self._pool: ProcessPoolExecutor | None = self._new_pool() if self.workers else None

    def _new_pool(self) -> ProcessPoolExecutor:
        # spawn, not fork: forking a process that runs an event loop and open sockets is unsafe.
        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(self.workers, mp_context=context, initializer=_warm_up)

    def worker_pids(self) -> list[int]:
        """The process ids of the current workers (started on first use); tests kill them."""
        processes = getattr(self._pool, "_processes", None) or {}
        return [int(pid) for pid in processes]

    async def extract(self, html: str | bytes, url: str, **options: Any) -> dict:
        if self._pool is None:
            return self.function(html, url, **options)
        for attempt in (1, 2):
            pool = self._pool
            try:
                # submit raises too when the pool already knows its worker died
                future = asyncio.wrap_future(pool.submit(self.function, html, url, **options))
                if self.timeout:
                    return await asyncio.wait_for(future, self.timeout)
                return await future
            except TimeoutError:
                self._replace(pool, kill=True)
                raise ExtractTimeout(f"extraction ran over {self.timeout:g} s") from None
            except BrokenProcessPool:
                # The worker died (with this page or another one in flight): a fresh pool, and one more try.
                self._replace(pool, kill=False)
                if attempt == 2:
                    raise WorkerCrash("the extraction worker died twice on this page") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _replace(self, pool: ProcessPoolExecutor, *, kill: bool) -> None:
        """Swap in a new pool unless another page already did (several in-flight pages see one death)."""
        if self._pool is not pool:
            return
        self.restarts += 1
        if kill:
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.kill()  # the hung worker; its pool is abandoned below
        pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
