"""Revisits and revisions in the crawl database (newscrawler.revisits; schema v10): the revisit schedule of each
original article, the revisits that are due, and the revision rows of the edits they find. The ``Store`` keeps the
transaction; these run their statements on its connection (reads: on any connection)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from newscrawler.revisits import RevisitPlan
from newscrawler.store.rows import parse_utc

# What an edit changes: the text and everything derived from it (the search index follows through its trigger).
# The dedup signature (bands) is left as it was first stored: an edited article stays in its story.
REVISED_COLUMNS = ("title", "body", "summary", "title_key", "body_key", "search_variants", "content_hash",
                   "body_hash")
# An edit is a change of one of these; the rest of REVISED_COLUMNS follows them.
COMPARED = ("title", "body")


def _iso(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def schedule_first(conn: sqlite3.Connection, article_id: int, plan: RevisitPlan) -> None:
    """A newly stored original gets its first revisit time (none when it was found too old)."""
    _reschedule(conn, article_id, plan, done=0)


def mark_revisited(conn: sqlite3.Connection, article_id: int, plan: RevisitPlan) -> None:
    """A revisit of the article was scheduled: count it and set the next one (or none)."""
    row = conn.execute("SELECT revisits FROM articles WHERE id = ?", [article_id]).fetchone()
    if row is not None:
        _reschedule(conn, article_id, plan, done=int(row[0] or 0) + 1)


def _reschedule(conn: sqlite3.Connection, article_id: int, plan: RevisitPlan, *, done: int) -> None:
    row = conn.execute("SELECT first_seen_at, published_at FROM articles WHERE id = ?", [article_id]).fetchone()
    first_seen = parse_utc(row[0]) if row else None
    if first_seen is None:
        return
    due = plan.due(first_seen, done, parse_utc(row[1]))
    conn.execute("UPDATE articles SET revisits = ?, next_revisit_at = ? WHERE id = ?", [done, _iso(due), article_id])


def revise(conn: sqlite3.Connection, row: dict[str, Any], *, run_id: int, at: str) -> list[str]:
    """Compare a revisit's article row (``rows.article_row``) with the stored one: when its title or body changed,
    a revision row keeps the old and the new text and the article carries the new text. Returns the changed
    fields (empty: no edit, or an empty extraction, which is no edit to record)."""
    old = conn.execute("SELECT id, title, body FROM articles WHERE url_key = ?", [row["url_key"]]).fetchone()
    if old is None:
        return []
    article_id, old_title, old_body = old
    new = {"title": row.get("title"), "body": row.get("body")}
    changed = [f for f, before in zip(COMPARED, (old_title, old_body), strict=True)
               if new[f] and (before or "") != new[f]]
    if not changed:
        return []
    conn.execute(
        "INSERT INTO article_revisions (article_id, run_id, revised_at, fields, old_title, new_title, old_body, "
        "new_body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [article_id, run_id, at, json.dumps(changed), old_title, new["title"] or old_title, old_body,
         new["body"] or old_body])
    columns = [c for c in REVISED_COLUMNS if row.get(c)]
    placeholders = ", ".join(f"{c} = ?" for c in columns)  # column names from REVISED_COLUMNS
    conn.execute(f"UPDATE articles SET {placeholders} WHERE id = ?", [*(row[c] for c in columns), article_id])
    return changed


def due_revisits(conn: sqlite3.Connection, source_id: str, now: str, limit: int | None = None) -> list[tuple[int, str]]:
    """(article id, URL) of a source's revisits due at ``now``, the longest overdue first."""
    sql = ("SELECT id, coalesce(fetched_url, url) FROM articles WHERE source_id = ? AND next_revisit_at IS NOT NULL "
           "AND next_revisit_at <= ? ORDER BY next_revisit_at, id")
    params: list[Any] = [source_id, now]
    if limit:
        sql += " LIMIT ?"
        params.append(int(limit))
    return [(int(i), str(u)) for i, u in conn.execute(sql, params)]


def next_revisit_at(conn: sqlite3.Connection, source_ids: list[str]) -> str | None:
    """The earliest revisit time of these sources (``newscrawler schedule`` wakes for it), else None."""
    marks = ", ".join("?" for _ in source_ids) or "NULL"
    row = conn.execute(f"SELECT min(next_revisit_at) FROM articles WHERE source_id IN ({marks})", source_ids).fetchone()
    return str(row[0]) if row and row[0] else None
