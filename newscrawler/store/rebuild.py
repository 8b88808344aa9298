"""``newscrawler stories --rebuild [--since DATE]``: recompute the window's stories from the stored evidence.

The inline path (``dedup_sql.Deduplicator`` + ``stories.settle``) decides one article at a time; this batch job
decides the window at once, deterministically, with the same rules and the same stored signatures (which carry the
boilerplate stripping the writer applied), so on an intact database it gives the same stories, canonical articles
and ``duplicate_of`` links, and on a damaged one (hand edits, an interrupted migration, a bug) it restores them:

1. the window: articles published (else first seen) on or after ``since`` (all when None), plus every member of
   their current stories and every stored article one of them names as its source;
2. links, as the writer's rules make them: a copy and the article its source link names; the same
   ``content_hash``; the same ``body_hash``; two signatures sharing an LSH band and verified by
   ``dedup.is_near_duplicate`` on the estimate (symmetric: a char-gram signature on either side asks for
   overlapping titles);
3. stories are the connected groups of those links; each one's canonical article ranks first by
   ``stories.CANONICAL_ORDER`` (computed by SQL, as inline); every other member is ``duplicate_of`` it;
4. headlines follow their stored article; the others in the window are joined by title again, in id order
   (``headline_stories``, whose result does not depend on the order); ``stories`` rows are rewritten.

``dup_reason`` of a duplicate names its strongest link to the group (copy of source, then same content, same body,
near-duplicate with ``dup_score`` = its best estimated Jaccard in the group).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from typing import Any

from newscrawler.store.connection import fetch_dicts
from newscrawler.store.headline_stories import TitleIndex, join_headlines
from newscrawler.store.links import LINK_COLUMNS, strongest_links
from newscrawler.store.stories import canonical_of, count_headlines, settle


def _window(conn: sqlite3.Connection, since: str | None) -> dict[int, dict[str, Any]]:
    where, params = ("coalesce(published_at, first_seen_at) >= ?", [since]) if since else ("1", [])
    rows = {r["id"]: r for r in fetch_dicts(conn, "SELECT " + LINK_COLUMNS + f" FROM articles WHERE {where}", params)}
    stories = sorted({r["story_id"] for r in rows.values() if r["story_id"] is not None})
    for i in range(0, len(stories), 500):
        chunk = stories[i : i + 500]
        marks = ", ".join("?" for _ in chunk)
        for r in fetch_dicts(conn, "SELECT " + LINK_COLUMNS + f" FROM articles WHERE story_id IN ({marks})", chunk):
            rows.setdefault(r["id"], r)
    # the publisher articles the window's copies name, wherever they are
    todo = [r for r in rows.values() if r["source_url_key"] and r["source_url_key"] != r["url_key"]]
    while todo:
        r = todo.pop()
        for found in fetch_dicts(conn, "SELECT " + LINK_COLUMNS + " FROM articles WHERE url_key = ? OR fetched_url_key = ?",
                                 [r["source_url_key"], r["source_url_key"]]):  # fmt: skip
            if found["id"] not in rows:
                rows[found["id"]] = found
                if found["source_url_key"] and found["source_url_key"] != found["url_key"]:
                    todo.append(found)
    return rows


def rebuild(conn: sqlite3.Connection, *, since: str | None = None) -> dict[str, int]:
    """Recompute the stories of the window (module docstring) on the writer's connection, in the caller's
    transaction. Returns counts: ``articles`` looked at, ``stories`` written, ``changed`` articles whose
    ``story_id`` or ``duplicate_of`` moved, ``headlines`` joined to a story."""
    rows = _window(conn, since)
    groups, best = strongest_links(rows)
    members: dict[int, list[int]] = defaultdict(list)
    for article_id in sorted(rows):
        members[groups.find(article_id)].append(article_id)
    old_stories = {r["story_id"] for r in rows.values() if r["story_id"] is not None}
    before = {i: (r["story_id"], conn.execute("SELECT duplicate_of FROM articles WHERE id = ?", [i]).fetchone()[0])
              for i, r in rows.items()}  # fmt: skip
    # every group first named by its representative, then ranked by the same SQL as inline (stories.canonical_of)
    conn.executemany("UPDATE articles SET story_id = ? WHERE id = ?",
                     [(rep, i) for rep, ids in members.items() for i in ids])  # fmt: skip
    canonicals = []
    for rep, ids in sorted(members.items()):
        canonical = canonical_of(conn, rep)
        assert canonical is not None
        canonicals.append(canonical)
        updates: list[tuple[int | None, str | None, float | None, int, int]] = []
        for i in ids:
            if i == canonical:
                updates.append((None, None, None, canonical, i))
            else:
                link = best.get(i) or {"reason": "same_body", "score": None}
                updates.append((canonical, link["reason"], link["score"], canonical, i))
        conn.executemany(
            "UPDATE articles SET duplicate_of = ?, dup_reason = ?, dup_score = ?, story_id = ? WHERE id = ?", updates
        )
    changed = sum(
        1 for i in rows if before[i] != tuple(conn.execute("SELECT story_id, duplicate_of FROM articles WHERE id = ?",
                                                          [i]).fetchone())
    )  # fmt: skip
    old = sorted(old_stories - set(canonicals))
    for i in range(0, len(old), 500):
        chunk = old[i : i + 500]
        marks = ", ".join("?" for _ in chunk)
        conn.execute(f"DELETE FROM stories WHERE story_id IN ({marks})", chunk)
    # headlines: with a stored article, its story; without, by title again (in id order)
    conn.execute(
        "UPDATE headlines SET story_id = (SELECT a.story_id FROM articles a WHERE a.id = headlines.article_id) "
        "WHERE article_id IS NOT NULL AND story_id IS NOT (SELECT a.story_id FROM articles a "
        "WHERE a.id = headlines.article_id)"
    )
    where, params = ("first_seen_at >= ?", [since]) if since else ("1", [])
    loose = [r[0] for r in conn.execute(f"SELECT id FROM headlines WHERE article_id IS NULL AND {where}", params)]
    conn.executemany("UPDATE headlines SET story_id = NULL WHERE id = ?", [(h,) for h in loose])
    joined = join_headlines(conn, loose, TitleIndex())
    for canonical in sorted(canonicals):
        settle(conn, canonical)
    count_headlines(conn, set(canonicals) | joined)
    heads = conn.execute(
        "SELECT count(*) FROM headlines WHERE article_id IS NULL AND story_id IS NOT NULL AND " + where, params
    ).fetchone()[0]
    return {"articles": len(rows), "stories": len(canonicals), "changed": changed, "headlines": heads}
