"""`newscrawler sources test ID`: a one-source canary.

Fetches one feed (or sitemap, or listing page) of a source and one article it links to, runs them through
the same discovery and extraction code as the crawl, and reports what would be stored and what looks
wrong. Run it daily per source to catch a site that changed its layout, moved its feed or started
blocking us before a week of empty articles piles up (the problem Fundus' publisher coverage job solves).
"""

from __future__ import annotations

import urllib.error
import urllib.request
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from newscrawler.discover import DiscoveryError, read_discovery_page
from newscrawler.encoding import charset_from_content_type, decode_html
from newscrawler.extract import extract_article
from newscrawler.settings import USER_AGENT
from newscrawler.sources import Source

# A live article under this many words is reported as a problem: a real story of the source is longer, so a
# shorter body means the extraction misses part of it (a stricter bar than the crawl's short_body reject).
CANARY_MIN_BODY_WORDS = 50
STALE_AFTER = timedelta(days=30)

# fetch(url) -> (status, headers, body); injectable so the canary runs on any transport.
Fetch = Callable[[str], tuple[int, dict[str, str], bytes]]


@dataclass
class CanaryReport:
    source_id: str
    listing: dict[str, Any] = field(default_factory=dict)
    article: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def http_fetch(url: str, timeout: float = 30.0) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured source URL
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers or {}), exc.read() or b""


def check_source(source: Source, fetch: Fetch = http_fetch, *, now: datetime | None = None) -> CanaryReport:
    """Fetch one discovery page and one article of `source`; never raises on network or page problems."""
    now = now or datetime.now(UTC)
    report = CanaryReport(source.id)
    robots = _robots(source, fetch)
    entries: list[dict] = []
    for kind, url in source.start_urls:
        if robots is not None and not robots.can_fetch(USER_AGENT, url):
            report.problems.append(f"{kind} {url} is disallowed by robots.txt")
            continue
        entries = _discover(kind, url, source, fetch, report)
        if entries:
            break
    if not entries:
        report.problems.append("no headline found on any feed, sitemap or listing page")
        return report
    article_url = next((e["url"] for e in entries if e.get("url") and source.allows(e["url"])), None)
    if article_url is None:
        report.problems.append("no headline links inside allowed_domains")
        return report
    if robots is not None and not robots.can_fetch(USER_AGENT, article_url):
        report.problems.append(f"article {article_url} is disallowed by robots.txt")
        return report
    _check_article(article_url, source, fetch, report, now)
    return report


def _robots(source: Source, fetch: Fetch) -> urllib.robotparser.RobotFileParser | None:
    try:
        status, _, body = fetch(source.homepage.rstrip("/") + "/robots.txt")
    except OSError:
        return None
    if status != 200:
        return None
    parser = urllib.robotparser.RobotFileParser()
    parser.parse(body.decode("utf-8", "replace").splitlines())
    return parser


def _discover(kind: str, url: str, source: Source, fetch: Fetch, report: CanaryReport) -> list[dict]:
    try:
        status, headers, body = fetch(url)
    except OSError as exc:
        report.problems.append(f"{kind} {url}: cannot fetch ({exc})")
        return []
    report.listing = {"kind": kind, "url": url, "http_status": status, "bytes": len(body)}
    if status != 200:
        report.problems.append(f"{kind} {url}: HTTP {status}")
        return []
    try:
        found = read_discovery_page(kind, body, url, selectors=source.selectors,
                                    encoding=source.encoding or charset_from_content_type(_content_type(headers)))
    except DiscoveryError as exc:
        report.problems.append(f"{kind} {url}: {exc}")
        return []
    entries = found.urls
    if not entries and found.sitemaps:  # a sitemap index: look one level down
        return _discover("sitemap", found.sitemaps[0], source, fetch, report)
    report.listing["headlines"] = len(entries)
    report.listing["first_titles"] = [e.get("title") for e in entries[:3]]
    if not entries:
        report.problems.append(f"{kind} {url}: no headlines found")
    return entries


def _check_article(url: str, source: Source, fetch: Fetch, report: CanaryReport, now: datetime) -> None:
    try:
        status, headers, body = fetch(url)
    except OSError as exc:
        report.problems.append(f"article {url}: cannot fetch ({exc})")
        return
    if status != 200:
        report.article = {"url": url, "http_status": status}
        report.problems.append(f"article {url}: HTTP {status}")
        return
    text, encoding = decode_html(body, source.encoding or charset_from_content_type(_content_type(headers)))
    page = extract_article(text, url, selectors=source.selectors, tz=source.timezone,
                           source_name=source.name if source.kind == "publisher" else None)
    words = len((page.get("body") or "").split())
    report.article = {
        "url": url, "http_status": status, "encoding": encoding, "is_article": page.get("is_article"),
        "title": page.get("title"), "body_words": words, "published_at": page.get("published_at"),
        "published_rule": page.get("published_rule"), "authors": page.get("authors"),
        "source_url": page.get("source_url"), "source_name": page.get("source_name"),
        "method": page.get("method"),
    }
    if not page.get("is_article"):
        report.problems.append(f"article {url}: not an article ({page.get('reason') or page.get('page_type')})")
        return
    if not page.get("title"):
        report.problems.append("article has no title")
    elif page["title"].strip() in (source.name, ""):
        report.problems.append("article title is the site name")
    if words < CANARY_MIN_BODY_WORDS:
        report.problems.append(f"article body is short ({words} words)")
    published = page.get("published_at")
    if not published:
        report.problems.append("article has no publication date")
    else:
        when = datetime.fromisoformat(published)
        if now - when > STALE_AFTER:
            report.problems.append(f"newest article is old ({published}): is the feed still updated?")
    if source.kind == "aggregator" and page.get("source_url") in (None, url):
        report.problems.append("aggregator article has no link to its original source")


def _content_type(headers: dict[str, str]) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == "content-type"), None)


def format_report(report: CanaryReport) -> str:
    lines = [f"source {report.source_id}: {'OK' if report.ok else 'PROBLEMS'}"]
    if report.listing:
        lines.append("  discovery: " + ", ".join(f"{k} {v}" for k, v in report.listing.items()))
    if report.article:
        for key, value in report.article.items():
            lines.append(f"  article.{key}: {value}")
    lines += [f"  problem: {p}" for p in report.problems]
    return "\n".join(lines)
