"""Articles that cannot be stored as articles become rejects with a reason (never silently dropped)."""

from __future__ import annotations

from typing import Any

from newscrawler.items import Article, Reject

# Fewer words than this is a stub, a caption or an extraction failure, not an article body.
MIN_BODY_WORDS = 20


def article_problem(article: Article) -> tuple[str, str] | None:
    """(reason, detail) when an extracted article is unusable, else None."""
    if not article.title.strip():
        return "missing_title", "no title found"
    words = len(article.body.split())
    if words == 0:
        return "missing_body", "no body text found"
    if words < MIN_BODY_WORDS:
        return "short_body", f"{words} words"
    return None


class ValidatePipeline:
    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, Article):
            return item
        problem = article_problem(item)
        if problem is None:
            return item
        reason, detail = problem
        spider_stats(spider, f"newscrawler/rejects/{reason}")
        return Reject(url=item.fetched_url, source_id=item.source_id, reason=reason, detail=detail,
                      http_status=item.http_status, at=item.fetched_at, frontier_url=item.frontier_url)


def spider_stats(spider: Any, key: str) -> None:
    crawler = getattr(spider, "crawler", None)
    if crawler is not None and crawler.stats is not None:
        crawler.stats.inc_value(key)
