"""Extraction in a worker process gives exactly what inline extraction gives."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from newscrawler.items import Article
from newscrawler.text import NORMALISER_VERSION, display_clean, match_key
from newscrawler.workers import Extractor, extract_normalised
from pipelines.normalise import normalise_article

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
    assert from_worker == [extract_normalised(page, url, tz="Africa/Casablanca", now=NOW) for page in pages]
    assert [page["is_article"] for page in from_worker] == [True, True, False]
    assert ["normalised" in page for page in from_worker] == [True, True, False]


def test_worker_normalisation_equals_the_pipeline_s():
    page = extract_normalised((PAGES / "jsonld_article.html").read_bytes(), "https://akhbar.example/a", now=NOW)
    text = page["normalised"]
    assert text["title_key"] == match_key(page["title"]) and text["body_key"] == match_key(page["body"])
    assert text["body"] == display_clean(page["body"], multiline=True) and text["norm_version"] == NORMALISER_VERSION
    # An article from another producer is normalised by the pipeline, with the same function: same fields.
    raw = normalise_article(Article(url="https://akhbar.example/a", fetched_url="https://akhbar.example/a",
                                    source_id="akhbar", title=page["title"], body=page["body"],
                                    summary=page.get("summary") or ""))
    assert {name: getattr(raw, name) for name in text} == text
    assert raw.url_key and raw.content_hash
    # One that carries the current version is trusted, not cleaned a second time in the reactor thread.
    done = Article(url="https://akhbar.example/b", fetched_url="https://akhbar.example/b", source_id="akhbar",
                   **{**text, "title_key": "kept as given"})
    assert normalise_article(done).title_key == "kept as given"


def test_inline_extractor_needs_no_process():
    extractor = Extractor(workers=0)
    page = asyncio.run(extractor.extract((PAGES / "jsonld_article.html").read_bytes(), "https://akhbar.example/a"))
    assert page["title"]
    extractor.close()
