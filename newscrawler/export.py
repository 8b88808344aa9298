"""Export stored articles for analysts: JSON Lines or CSV, display text only (keys are internal), streamed."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from newscrawler.store import ReadOnlyStore, Store
from newscrawler.store.filters import ArticleFilter, FilterError

# Every column an analyst reads, in this order; --fields picks a subset.
EXPORT_COLUMNS = (
    "id", "source_id", "source_name", "url", "source_url", "title", "summary", "body", "authors", "tags",
    "section", "language", "image_url", "published_at", "published_local", "published_raw", "modified_at",
    "first_seen_at", "last_seen_at", "fetched_at", "http_status", "duplicate_of", "dup_reason", "dup_score",
    "story_id",
)  # fmt: skip
_LISTS = ("authors", "tags")


def parse_fields(value: str | None) -> tuple[str, ...]:
    """``--fields id,title,...`` (checked against ``EXPORT_COLUMNS``); all columns when empty."""
    if not value:
        return EXPORT_COLUMNS
    fields = tuple(f.strip() for f in value.split(",") if f.strip())
    unknown = [f for f in fields if f not in EXPORT_COLUMNS]
    if unknown or not fields:
        raise FilterError(f"--fields: unknown column(s) {', '.join(unknown) or '(none given)'}; "
                          f"choose from {', '.join(EXPORT_COLUMNS)}")
    return fields


def article_filter(*, source: str | None = None, since: str | None = None, until: str | None = None,
                   originals_only: bool = False) -> tuple[str, list[Any]]:
    """A WHERE clause and its parameters for `Store.iter_articles` (``FilterError`` for a bad date)."""
    return ArticleFilter(source=source, since=since, until=until, originals_only=originals_only).where()


def write_articles(rows: Iterable[dict[str, Any]], out: TextIO, fmt: str = "jsonl", *,
                   fields: Sequence[str] = EXPORT_COLUMNS, limit: int | None = None, bom: bool = False) -> int:
    """Write article rows as JSON Lines or CSV; returns the number written. In CSV, list columns are joined
    with ``; ``; ``bom`` starts the file with a UTF-8 BOM so that Excel reads the Arabic as UTF-8."""
    count = 0
    if fmt not in ("csv", "jsonl"):
        raise ValueError(f"unknown export format {fmt!r} (jsonl or csv)")
    if bom:
        out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=list(fields), extrasaction="ignore") if fmt == "csv" else None
    if writer is not None:
        writer.writeheader()
    for row in rows:
        if limit is not None and count >= limit:
            break
        if writer is not None:
            writer.writerow({**row, **{c: "; ".join(row.get(c) or []) for c in _LISTS}})
        else:
            out.write(json.dumps({c: row.get(c) for c in fields}, ensure_ascii=False) + "\n")
        count += 1
    return count


def export_articles(store: Store | ReadOnlyStore, out: TextIO, *, fmt: str = "jsonl", source: str | None = None,
                    since: str | None = None, until: str | None = None, originals_only: bool = False,
                    fields: Sequence[str] = EXPORT_COLUMNS, limit: int | None = None, bom: bool = False) -> int:
    where, params = article_filter(source=source, since=since, until=until, originals_only=originals_only)
    return write_articles(store.iter_articles(where, params), out, fmt, fields=fields, limit=limit, bom=bom)
