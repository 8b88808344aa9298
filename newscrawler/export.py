"""Export stored articles for analysts: JSON Lines or CSV, display text only (keys are internal)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, TextIO

from newscrawler.store import ReadOnlyStore, Store

EXPORT_COLUMNS = (
    "id", "source_id", "url", "source_url", "source_name", "title", "body", "summary", "authors", "section",
    "language", "published_at", "published_local", "published_raw", "first_seen_at", "last_seen_at",
    "duplicate_of", "dup_reason",
)


def article_filter(*, source: str | None = None, since: str | None = None,
                   originals_only: bool = False) -> tuple[str, list[Any]]:
    """A WHERE clause and its parameters for `Store.iter_articles`."""
    clauses, params = ["1"], []
    if source:
        clauses.append("source_id = ?")
        params.append(source)
    if since:
        # Compare on the publication date when known, else on when we first saw the article.
        clauses.append("coalesce(published_at, first_seen_at) >= ?")
        params.append(since)
    if originals_only:
        clauses.append("duplicate_of IS NULL")
    return " AND ".join(clauses), params


def write_articles(rows: Iterable[dict], out: TextIO, fmt: str = "jsonl") -> int:
    """Write article rows as JSON Lines or CSV; returns the number written."""
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "authors": "; ".join(row.get("authors") or [])})
            count += 1
    elif fmt == "jsonl":
        for row in rows:
            out.write(json.dumps({c: row.get(c) for c in EXPORT_COLUMNS}, ensure_ascii=False) + "\n")
            count += 1
    else:
        raise ValueError(f"unknown export format {fmt!r} (jsonl or csv)")
    return count


def export_articles(store: Store | ReadOnlyStore, out: TextIO, *, fmt: str = "jsonl", source: str | None = None,
                    since: str | None = None, originals_only: bool = False) -> int:
    where, params = article_filter(source=source, since=since, originals_only=originals_only)
    return write_articles(store.iter_articles(where, params), out, fmt)
