"""The item pipelines on their own: a real Scrapy crawler object and a real SQLite file."""

from __future__ import annotations

import sqlite3
from typing import Any

import scrapy
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.reactor import install_reactor, is_reactor_installed
from scrapy.utils.test import get_crawler

from newscrawler.items import Article, Headline, HeadlineBatch, Reject
from pipelines.normalise import NormalisePipeline
from pipelines.store import StorePipeline
from pipelines.validate import ARTICLE_MIN_WORDS, ValidatePipeline


def crawler_with(settings: dict[str, Any]) -> Any:
    """A real Scrapy crawler object. Scrapy 2.13 (our floor) wants a reactor installed before get_crawler."""
    if not is_reactor_installed():
        install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    return get_crawler(scrapy.Spider, settings)


def _headline(n: int, url: str | None = None) -> Headline:
    return Headline(source_id="akhbar", listing_url="https://akhbar.example/", title=f"عنوان الخبر رقم {n}",
                    url=url if url is not None else f"https://akhbar.example/news/{n}.html", position=n)


def test_a_page_s_headlines_are_stored_in_one_batch_and_a_bad_one_costs_only_itself(tmp_path):
    db = tmp_path / "news.db"
    crawler = crawler_with({"NEWSCRAWLER_DB": str(db), "NEWSCRAWLER_BATCH_SIZE": 200})
    crawler.spider = scrapy.Spider("news")
    store = StorePipeline.from_crawler(crawler)
    store.open_spider(crawler.spider)
    normalise = NormalisePipeline()
    batch = HeadlineBatch([_headline(1), _headline(2), _headline(3, url=""), _headline(4)])  # no URL: refused
    store.process_item(normalise.process_item(batch))
    # the same page again: all three are seen, none new
    again = HeadlineBatch([_headline(1), _headline(2), _headline(4)])
    store.process_item(normalise.process_item(again))
    # a single Headline item (another producer) takes the same path
    store.process_item(normalise.process_item(_headline(5)))
    store.close_spider(crawler.spider)
    stats = crawler.stats.get_stats()
    assert (stats["newscrawler/headlines_new"], stats["newscrawler/headlines_seen"]) == (4, 3)
    assert stats["newscrawler/headlines_invalid"] == 1
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT url_key, title_key FROM headlines ORDER BY position").fetchall()
    assert [r[0] for r in rows] == ["akhbar.example/news/1.html", "akhbar.example/news/2.html",
                                    "akhbar.example/news/4.html", "akhbar.example/news/5.html"]
    assert all(r[1] for r in rows)  # normalised before storing


def _article(body: str, title: str = "عنوان المقال") -> Article:
    return Article(url="https://akhbar.example/news/1.html", fetched_url="https://akhbar.example/news/1.html",
                   source_id="akhbar", title=title, body=body, summary="", source_url=None, source_name=None)


def test_validation_counts_its_rejects_in_the_crawler_stats_without_a_spider_argument():
    # Scrapy builds the pipeline with build_from_crawler and (2.13+) calls process_item(item) without the spider.
    crawler = crawler_with({})
    validate = build_from_crawler(ValidatePipeline, crawler)
    short = validate.process_item(_article(" ".join(["كلمة"] * (ARTICLE_MIN_WORDS - 1))))
    untitled = validate.process_item(_article("نص " * ARTICLE_MIN_WORDS, title=" "))
    kept = validate.process_item(_article(" ".join(["كلمة"] * ARTICLE_MIN_WORDS)))
    assert isinstance(short, Reject) and short.reason == "short_body"
    assert isinstance(untitled, Reject) and untitled.reason == "missing_title"
    assert isinstance(kept, Article)
    stats = crawler.stats.get_stats()
    assert stats.get("newscrawler/articles_invalid/short_body") == 1
    assert stats.get("newscrawler/articles_invalid/missing_title") == 1
