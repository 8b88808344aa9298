"""Articles that cannot be stored as articles become rejects with a reason (never silently dropped)."""

from __future__ import annotations

from typing import Any

from newscrawler.items import Article, Reject

# Fewer words than this is a stub, a caption or an extraction failure, not an article body: the page is a
# `short_body` reject. (Not the same number as dedup's or the canary's word thresholds: those answer other
# questions.)
ARTICLE_MIN_WORDS = 20


def article_problem(article: Article) -> tuple[str, str] | None:
    """(reason, detail) when an extracted article is unusable, else None."""
    if not article.title.strip():
        return "missing_title", "no title found"
    words = len(article.body.split())
    if words == 0:
        return "missing_body", "no body text found"
    if words < ARTICLE_MIN_WORDS:
        return "short_body", f"{words} words"
    return None


class ValidatePipeline:
    """Turns unusable articles into rejects and counts them in ``newscrawler/articles_invalid/<reason>``.

    The statistic goes to the crawler's stats collector, taken in ``from_crawler``: Scrapy 2.13+ calls
    ``process_item(item)`` without the spider, so nothing reachable from that argument can count.
    (The store pipeline counts every reject, these included, under ``newscrawler/rejects/<reason>``.)
    """

    def __init__(self, stats: Any = None):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> ValidatePipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Article):
            return item
        problem = article_problem(item)
        if problem is None:
            return item
        reason, detail = problem
        if self.stats is not None:
            self.stats.inc_value(f"newscrawler/articles_invalid/{reason}")
        return Reject(url=item.fetched_url, source_id=item.source_id, reason=reason, detail=detail,
                      http_status=item.http_status, at=item.fetched_at, frontier_url=item.frontier_url)
