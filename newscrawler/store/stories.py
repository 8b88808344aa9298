"""Stories: the cluster of one story across outlets, its canonical article and its row in ``stories``.

Two relations stay distinct (docs/schema.md "Stories"):

- *duplicate of* (``articles.duplicate_of``): this row is an exact or near copy; it points at the canonical article;
- *same story* (``articles.story_id``, ``headlines.story_id``): the cluster; ``story_id`` is the canonical
  article's id, and ``stories`` holds one row per cluster.

The canonical article is chosen by ``CANONICAL_ORDER`` over the members, not by arrival: a publisher's article
before an aggregator copy (or any row naming another URL as its source), then the earliest ``published_at``,
then ``first_seen_at``, then the id (the first stored, on a full tie). When a member that ranks
higher arrives later, ``settle`` moves the story to it and re-points ``duplicate_of`` of every member, which is
what makes the clusters independent of crawl order. Every statement here is an indexed lookup by ``story_id``.
"""

from __future__ import annotations

import sqlite3

from newscrawler.store.connection import fetch_dicts
from newscrawler.store.links import LINK_COLUMNS, strongest_links

# The member that ranks first is the canonical article (used by ``settle`` and by migration 7's backfill, which
# inlines the same text).
CANONICAL_ORDER = (
    "(coalesce(s.kind, 'publisher') = 'aggregator' OR coalesce(a.source_url_key, a.url_key) != a.url_key), "
    "a.published_at IS NULL, a.published_at, a.first_seen_at, a.id"
)

_CANONICAL_QUERY = (
    "SELECT a.id FROM articles a LEFT JOIN sources s ON s.id = a.source_id WHERE a.story_id = ? ORDER BY "
    + CANONICAL_ORDER
    + " LIMIT 1"
)

# One row per story id in the subquery ``m``'s selection. ``sources`` is the sorted, distinct outlets (the inner
# ORDER BY feeds group_concat in that order), so it does not depend on arrival order either.
_REFRESH = """
    INSERT OR REPLACE INTO stories (story_id, canonical_id, title, first_publisher, first_published, publisher,
        publisher_url, first_source, last_published, articles, duplicates, outlets, sources, headlines)
    SELECT c.id, c.id, c.title, c.source_id, coalesce(c.published_at, c.first_seen_at), c.source_id, c.url,
           c.source_id, m.last_published, m.articles, m.articles - 1, m.outlets, m.sources,
           (SELECT count(*) FROM headlines h WHERE h.story_id = c.id)
    FROM (SELECT story_id, max(coalesce(published_at, first_seen_at)) AS last_published, count(*) AS articles,
                 count(DISTINCT source_id) AS outlets, group_concat(DISTINCT source_id) AS sources
          FROM (SELECT story_id, source_id, published_at, first_seen_at FROM articles
                WHERE story_id = ? ORDER BY source_id)
          GROUP BY story_id) m
    JOIN articles c ON c.id = m.story_id
"""


def canonical_of(conn: sqlite3.Connection, story_id: int) -> int | None:
    """The member of ``story_id`` that ranks first by ``CANONICAL_ORDER`` (None: no member)."""
    row = conn.execute(_CANONICAL_QUERY, [story_id]).fetchone()
    return None if row is None else int(row[0])


def settle(conn: sqlite3.Connection, story_id: int, *, gone: tuple[int, ...] = ()) -> tuple[int, list[int]]:
    """Make the story's best-ranked member its canonical article and refresh its ``stories`` row.

    Returns (the story id after settling, ids of the rows whose ``duplicate_of`` moved). ``gone``: story ids
    merged into this one (their ``stories`` rows are deleted and their headlines follow).
    """
    moved: list[int] = []
    new = canonical_of(conn, story_id)
    if new is None:
        return story_id, moved
    old_ids = sorted({story_id, *gone} - {new})
    if new != story_id:
        # Every other member now points at the new canonical article: its reason becomes its strongest link to
        # the group, as ``rebuild`` names it. Keeping the reasons of the arrival order was wrong once the root
        # moved: the new article's reason tied it to whichever member it matched, not to the old canonical (a
        # near-duplicate root became "same_content"), and a verbatim copy of the new canonical article stayed
        # "near_duplicate" of the old one; which happened depended on the crawl order.
        reason, score = conn.execute("SELECT dup_reason, dup_score FROM articles WHERE id = ?", [new]).fetchone()
        members = {
            r["id"]: r
            for r in fetch_dicts(
                conn, "SELECT " + LINK_COLUMNS + ", dup_reason, dup_score FROM articles WHERE story_id = ?", [story_id]
            )
        }
        _, best = strongest_links(members)
        moved = [i for i in members if i != new]
        updates = []
        for i in moved:
            if i in best:
                updates.append((best[i]["reason"], best[i]["score"], i))
            elif members[i]["dup_reason"]:  # no stored evidence links it (not on an intact store): keep its own
                updates.append((members[i]["dup_reason"], members[i]["dup_score"], i))
            else:  # ... and the old canonical, which had none, takes the new article's (the old rule)
                updates.append((reason or "same_body", score, i))
        conn.executemany("UPDATE articles SET dup_reason = ?, dup_score = ? WHERE id = ?", updates)
        conn.execute(
            "UPDATE articles SET duplicate_of = ?, story_id = ? WHERE story_id = ? AND id != ?",
            [new, new, story_id, new],
        )
        conn.execute(
            "UPDATE articles SET duplicate_of = NULL, dup_reason = NULL, dup_score = NULL, story_id = ? "
            "WHERE id = ?",
            [new, new],
        )
    if old_ids:
        marks = ", ".join("?" for _ in old_ids)
        conn.execute(f"UPDATE headlines SET story_id = ? WHERE story_id IN ({marks})", [new, *old_ids])
        conn.execute(f"DELETE FROM stories WHERE story_id IN ({marks})", old_ids)
    conn.execute(_REFRESH, [new])
    return new, moved


def count_headlines(conn: sqlite3.Connection, story_ids: set[int]) -> None:
    """Refresh ``stories.headlines`` of these stories (after headlines joined them)."""
    for sid in sorted(story_ids):
        conn.execute(
            "UPDATE stories SET headlines = (SELECT count(*) FROM headlines WHERE story_id = ?) WHERE story_id = ?",
            [sid, sid],
        )
