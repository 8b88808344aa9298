"""Export stored articles for analysts: JSON Lines, CSV or Parquet, display text only (keys are internal),
streamed. Parquet needs pyarrow, an optional extra (``pip install 'newscrawler[parquet]'``)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from typing import Any, BinaryIO, TextIO

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
_INTEGERS = ("id", "http_status", "duplicate_of", "story_id")
# A Parquet row group is built in memory: flush one when this many characters of text (or rows) are held, so
# memory stays flat on any database. Measured at 1M articles: 20,000-row groups peaked at 275 MB resident, 2,000
# at 172 MB, of which about 117 MB is pyarrow itself, loaded (a one-row export); docs/benchmarks.md.
_GROUP_CHARS = 2_000_000
_GROUP_ROWS = 2_000


class MissingExtra(ValueError):
    """An optional dependency the chosen option needs is not installed (one line for the user, exit 2)."""


def parquet_module() -> Any:
    """``pyarrow.parquet``, or ``MissingExtra`` saying how to install it."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingExtra("--format parquet needs pyarrow: pip install 'newscrawler[parquet]'") from None
    return pq


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
        raise ValueError(f"unknown text export format {fmt!r} (jsonl or csv; parquet: write_parquet)")
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


def parquet_schema(fields: Sequence[str] = EXPORT_COLUMNS) -> Any:
    """The Parquet schema of the export: ids and status as int64, ``dup_score`` double, ``authors`` and ``tags``
    lists of strings, everything else (dates included: ISO text, as stored and as in JSON Lines) strings."""
    import pyarrow as pa

    def kind(column: str) -> Any:
        if column in _INTEGERS:
            return pa.int64()
        if column == "dup_score":
            return pa.float64()
        return pa.list_(pa.string()) if column in _LISTS else pa.string()

    return pa.schema([(c, kind(c)) for c in fields])


def write_parquet(rows: Iterable[dict[str, Any]], out: BinaryIO, *, fields: Sequence[str] = EXPORT_COLUMNS,
                  limit: int | None = None) -> int:
    """Write article rows as one Parquet file (zstd), a row group at a time; returns the number written. The
    columns are those of JSON Lines, with the same values."""
    import pyarrow as pa

    pq = parquet_module()
    schema = parquet_schema(fields)
    group: dict[str, list[Any]] = {c: [] for c in fields}
    count = held = 0

    def flush(writer: Any) -> None:
        writer.write_table(pa.Table.from_pydict(group, schema=schema))
        for values in group.values():
            values.clear()

    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        for row in rows:
            if limit is not None and count >= limit:
                break
            for c in fields:
                value = row.get(c)
                group[c].append(value)
                if isinstance(value, str):
                    held += len(value)
            count += 1
            if held >= _GROUP_CHARS or len(group[fields[0]]) >= _GROUP_ROWS:
                flush(writer)
                held = 0
        if group[fields[0]]:  # the last group (with none, the file still has the schema: an empty table)
            flush(writer)
    return count


def export_articles(store: Store | ReadOnlyStore, out: TextIO | BinaryIO, *, fmt: str = "jsonl",
                    source: str | None = None, since: str | None = None, until: str | None = None,
                    originals_only: bool = False, fields: Sequence[str] = EXPORT_COLUMNS, limit: int | None = None,
                    bom: bool = False) -> int:
    """Export the articles the filters select to ``out``: a text stream for jsonl and csv, a binary one for
    parquet."""
    where, params = article_filter(source=source, since=since, until=until, originals_only=originals_only)
    rows = store.iter_articles(where, params)
    if fmt == "parquet":
        return write_parquet(rows, out, fields=fields, limit=limit)  # type: ignore[arg-type]
    return write_articles(rows, out, fmt, fields=fields, limit=limit, bom=bom)  # type: ignore[arg-type]
