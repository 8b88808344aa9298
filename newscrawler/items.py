"""The items the spider emits.

Plain dataclasses, so the core stays free of Scrapy: Scrapy and the pipelines handle them through
itemadapter, and tests can build them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Article:
    """An article page, as extracted; the pipelines add the keys and hashes before it is stored."""

    url: str  # canonical URL (rel=canonical / og:url when on the same site)
    fetched_url: str
    source_id: str
    title: str = ""
    body: str = ""
    summary: str = ""
    source_url: str | None = None
    source_name: str | None = None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    section: str | None = None
    language: str | None = None
    image_url: str | None = None
    published_at: str | None = None
    published_raw: str | None = None
    published_rule: str | None = None
    modified_at: str | None = None
    fetched_at: str = ""
    http_status: int = 200
    method: dict[str, str] = field(default_factory=dict)
    # Filled by NormalisePipeline.
    url_key: str = ""
    title_key: str = ""
    body_key: str = ""
    content_hash: str = ""
    body_hash: str | None = None
    norm_version: int = 0
    # The article URL as the spider scheduled it, before redirects: its frontier row (newscrawler.crawlstate).
    frontier_url: str = ""
    # fetched again to catch edits (newscrawler.revisits): the store compares its title and body with the stored ones
    revisit: bool = False


@dataclass
class Headline:
    """A headline seen on a listing page, feed or news sitemap."""

    source_id: str
    listing_url: str
    title: str
    url: str
    position: int | None  # 1 = top of a listing page or feed; None for a sitemap entry (no order of prominence)
    section: str | None = None
    seen_at: str = ""
    # Filled by NormalisePipeline.
    url_key: str = ""
    title_key: str = ""


@dataclass
class HeadlineBatch:
    """The headlines of one feed, sitemap or listing page as one item. They go through the pipelines once and are
    written in one call: a news sitemap lists thousands of entries, and per-item handling of each cost about a tenth
    of the crawl's throughput (docs/benchmarks.md)."""

    headlines: list[Headline] = field(default_factory=list)


@dataclass
class KnownArticles:
    """Articles already stored that one page listed again and the spider did not fetch: the store moves their
    `last_seen_at` / `last_run_id` and counts them as `articles_touched` (one item per page, like HeadlineBatch)."""

    source_id: str
    url_keys: list[str] = field(default_factory=list)
    seen_at: str = ""


@dataclass
class PageRecord:
    """A fetched page that is not an article: a feed, sitemap, robots.txt or listing page."""

    url: str
    source_id: str
    kind: str  # feed | sitemap | robots | listing
    http_status: int
    items: int = 0  # headlines or URLs found on it
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    fetched_at: str = ""


@dataclass
class PollSchedule:
    """When a feed, sitemap or listing is next due (newscrawler.polling), written after each poll of it."""

    url: str
    source_id: str
    kind: str
    interval_seconds: float
    next_due_at: str
    failures: int = 0  # failed polls in a row
    seen_share: float | None = None  # of its entries already known at this poll (None: failed or empty)
    polled_at: str = ""


@dataclass
class Reject:
    """A request or page that produced nothing, and why."""

    url: str
    source_id: str
    reason: str  # not_article, blocked, http_404, robots, parse_error, missing_title, ...
    detail: str = ""
    http_status: int | None = None
    at: str = ""
    fetched: bool = True  # False when no response was received (robots, DNS, timeout)
    frontier_url: str = ""  # for an article request: the URL as scheduled (its frontier row); empty for pages


# Every item type the spider emits, in one place: the store writes each (newscrawler.store.item_writer) and the
# Redis stream carries each by its class name (newscrawler.distributed.item_codec).
ITEM_TYPES: tuple[type, ...] = (Article, Headline, HeadlineBatch, KnownArticles, PageRecord, PollSchedule, Reject)
