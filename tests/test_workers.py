"""Extraction in a worker process gives exactly what inline extraction gives."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from newscrawler.extract import extract_article
from newscrawler.workers import Extractor

PAGES = Path(__file__).parent / "fixtures" / "pages"
NOW = datetime(2025, 10, 8, 12, 0, tzinfo=UTC)  # fixed, so relative dates ("an hour ago") agree


def test_worker_process_and_inline_agree():
    pages = [(PAGES / name).read_bytes() for name in ("jsonld_article.html", "aggregator.html", "listing.html")]
    url = "https://akhbar.example/news/2025/10/07/1.html"
    extractor = Extractor(workers=1)
    try:
        async def run_all() -> list[dict]:
            return [await extractor.extract(page, url, tz="Africa/Casablanca", now=NOW) for page in pages]

        from_worker = asyncio.run(run_all())
    finally:
        extractor.close()
    assert from_worker == [extract_article(page, url, tz="Africa/Casablanca", now=NOW) for page in pages]
    assert [page["is_article"] for page in from_worker] == [True, True, False]


def test_inline_extractor_needs_no_process():
    extractor = Extractor(workers=0)
    page = asyncio.run(extractor.extract((PAGES / "jsonld_article.html").read_bytes(), "https://akhbar.example/a"))
    assert page["title"]
    extractor.close()
