"""Items to rows, pure (no database): dates to UTC text, lists to JSON, the article row, reject reasons."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from newscrawler import dedup
from newscrawler.search import search_variants

# Reject reasons that mean no response body was downloaded: they are not part of pages_fetched.
NOT_FETCHED_REASONS = frozenset({"robots", "dns", "timeout", "connection"})

# Article fields a later visit may fill when the stored row has them empty (rule 1, "seen").
FILLABLE = (
    "fetched_url", "fetched_url_key", "source_id", "source_url", "source_url_key", "source_name",
    "title", "body", "summary", "title_key", "body_key", "search_variants", "content_hash", "body_hash",
    "authors", "tags",
    "section", "language", "image_url", "published_at", "published_local", "published_raw",
    "published_rule", "modified_at", "http_status", "norm_version",
)  # fmt: skip


def parse_utc(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def utc(value: Any) -> str | None:
    """ISO 8601 UTC text for a datetime or an ISO string; a value without an offset is taken as UTC.

    Unparseable strings are returned unchanged rather than dropped (nothing is lost silently).
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        text = str(value).strip()
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
        except ValueError:
            return text
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def local_text(value: Any) -> str | None:
    """The published date as given (with its own offset), kept next to the UTC value."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def json_text(value: Any, empty: str) -> str:
    if value is None:
        return empty
    if isinstance(value, str):
        # already JSON text of a list/object, or a single plain value: keep it as one list element
        try:
            if isinstance(json.loads(value), (list, dict)):
                return value
        except ValueError:
            pass
        return json.dumps([value], ensure_ascii=False)
    if isinstance(value, (set, tuple)):
        value = list(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def url_key_of(url: str | None) -> str | None:
    # Imported late: the URL rules live in newscrawler.urls and the store must use exactly those.
    if not url:
        return None
    from newscrawler.urls import url_key

    return url_key(url)


def split_reason(reason: str, detail: str | None) -> tuple[str, str | None]:
    """``"not_article: listing"`` (the extractor's form) becomes reason ``not_article``, detail ``listing``."""
    reason = (reason or "unknown").strip()
    if ":" in reason:
        code, _, rest = reason.partition(":")
        rest = rest.strip()
        if rest and not detail:
            detail = rest
        elif rest and detail and rest not in detail:
            detail = f"{rest}; {detail}"
        reason = code.strip()
    return reason or "unknown", detail


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value in ("[]", "{}")


def int_or_none(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def article_row(article: dict[str, Any], run_id: int, now: str) -> dict[str, Any]:
    """The ``articles`` row of a pipeline article dict (pure: no database)."""
    title_key = article.get("title_key")
    body_key = article.get("body_key")
    content_hash = article.get("content_hash")
    body_hash = article.get("body_hash")
    # keys present but hashes not computed upstream: compute them here, same functions
    if not content_hash and (title_key or body_key):
        content_hash = dedup.content_hash(title_key or "", body_key or "")
    if not body_hash and body_key:
        body_hash = dedup.body_hash(body_key)
    url = article.get("url") or article.get("canonical_url")
    url_key = article.get("url_key") or url_key_of(url)
    if not url or not url_key:
        raise ValueError("article needs url and url_key")
    fetched_url = article.get("fetched_url")
    source_url = article.get("source_url")
    seen_at = utc(article.get("fetched_at")) or now
    return {
        "url": url,
        "url_key": url_key,
        "fetched_url": fetched_url,
        "fetched_url_key": article.get("fetched_url_key") or url_key_of(fetched_url) or url_key,
        "source_id": article.get("source_id"),
        "source_url": source_url,
        "source_url_key": article.get("source_url_key") or url_key_of(source_url),
        "source_name": article.get("source_name"),
        "title": article.get("title"),
        "body": article.get("body"),
        "summary": article.get("summary"),
        "title_key": title_key,
        "body_key": body_key,
        "search_variants": search_variants(title_key, body_key) if (title_key or body_key) else None,
        "content_hash": content_hash or None,
        "body_hash": body_hash or None,
        "authors": json_text(article.get("authors"), "[]"),
        "tags": json_text(article.get("tags"), "[]"),
        "section": article.get("section"),
        "language": article.get("language"),
        "image_url": article.get("image_url"),
        "published_at": utc(article.get("published_at")),
        "published_local": local_text(article.get("published_at")),
        "published_raw": article.get("published_raw"),
        "published_rule": article.get("published_rule"),
        "modified_at": utc(article.get("modified_at")),
        "fetched_at": seen_at,
        "http_status": article.get("http_status"),
        "methods": json_text(article.get("method", article.get("methods")), "{}"),
        "norm_version": None if article.get("norm_version") is None else str(article["norm_version"]),
        "first_seen_at": seen_at,
        "last_seen_at": seen_at,
        "first_run_id": run_id,
        "last_run_id": run_id,
    }
