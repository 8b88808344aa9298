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

from newscrawler import dedup
from newscrawler.store.connection import fetch_dicts
from newscrawler.store.headline_stories import TitleIndex, join_headlines
from newscrawler.store.rows import parse_utc
from newscrawler.store.stories import canonical_of, count_headlines, settle

_COLUMNS = (
    "id, url_key, fetched_url_key, source_url_key, content_hash, body_hash, minhash, shingle_count, published_at, "
    "first_seen_at, title_key, body_key, story_id"
)


class _Groups:
    """Union-find over article ids (the smaller id is the representative: deterministic)."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        root = self.parent.setdefault(x, x)
        while root != self.parent[root]:
            root = self.parent[root]
        while x != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _window(conn: sqlite3.Connection, since: str | None) -> dict[int, dict[str, Any]]:
    where, params = ("coalesce(published_at, first_seen_at) >= ?", [since]) if since else ("1", [])
    rows = {r["id"]: r for r in fetch_dicts(conn, "SELECT " + _COLUMNS + f" FROM articles WHERE {where}", params)}
    stories = sorted({r["story_id"] for r in rows.values() if r["story_id"] is not None})
    for i in range(0, len(stories), 500):
        chunk = stories[i : i + 500]
        marks = ", ".join("?" for _ in chunk)
        for r in fetch_dicts(conn, "SELECT " + _COLUMNS + f" FROM articles WHERE story_id IN ({marks})", chunk):
            rows.setdefault(r["id"], r)
    # the publisher articles the window's copies name, wherever they are
    todo = [r for r in rows.values() if r["source_url_key"] and r["source_url_key"] != r["url_key"]]
    while todo:
        r = todo.pop()
        for found in fetch_dicts(conn, "SELECT " + _COLUMNS + " FROM articles WHERE url_key = ? OR fetched_url_key = ?",
                                 [r["source_url_key"], r["source_url_key"]]):  # fmt: skip
            if found["id"] not in rows:
                rows[found["id"]] = found
                if found["source_url_key"] and found["source_url_key"] != found["url_key"]:
                    todo.append(found)
    return rows


def _hours(a: dict[str, Any], b: dict[str, Any]) -> float | None:
    # as the writer: publication times when the article has one, else first-seen times
    ta = parse_utc(a["published_at"])
    tb = parse_utc(b["published_at"]) if ta is not None else None
    if ta is None or tb is None:
        ta, tb = ta or parse_utc(a["first_seen_at"]), tb or parse_utc(b["first_seen_at"])
    return None if ta is None or tb is None else (ta - tb).total_seconds() / 3600


def _links(rows: dict[int, dict[str, Any]]) -> tuple[_Groups, dict[int, dict[str, Any]]]:
    """The groups, and per article its strongest link (``reason``, ``score``)."""
    groups = _Groups()
    best: dict[int, dict[str, Any]] = defaultdict(dict)
    strength = {"copy_of_source": 3, "same_content": 2, "same_body": 1, "near_duplicate": 0}

    def link(a: int, b: int, reason: str, score: float | None = None) -> None:
        groups.union(a, b)
        for x in (a, b):
            old = best[x]
            new = (strength[reason], score or 0.0)
            if not old or new > (strength[old["reason"]], old["score"] or 0.0):
                best[x] = {"reason": reason, "score": score}

    by_key: dict[str, int] = {}
    for r in sorted(rows.values(), key=lambda r: r["id"]):
        groups.find(r["id"])
        by_key.setdefault(r["url_key"], r["id"])
        if r["fetched_url_key"]:
            by_key.setdefault(r["fetched_url_key"], r["id"])
    for column, reason in (("content_hash", "same_content"), ("body_hash", "same_body")):
        first: dict[str, int] = {}
        for r in sorted(rows.values(), key=lambda r: r["id"]):
            if r[column]:
                if r[column] in first:
                    link(first[r[column]], r["id"], reason)
                else:
                    first[r[column]] = r["id"]
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    sigs = {}
    for r in sorted(rows.values(), key=lambda r: r["id"]):
        if r["minhash"]:
            sigs[r["id"]] = dedup.deserialise(r["minhash"])
            for band, h in enumerate(dedup.band_hashes(sigs[r["id"]])):
                buckets[(band, h)].append(r["id"])
    pairs = {(a, b) for ids in buckets.values() for i, a in enumerate(ids) for b in ids[i + 1 :]}
    for a, b in sorted(pairs):
        ra, rb = rows[a], rows[b]
        jaccard, containment = dedup.estimate_similarity(
            sigs[a], sigs[b], ra["shingle_count"] or 0, rb["shingle_count"] or 0
        )
        short = dedup.is_short(ra["body_key"] or "") or dedup.is_short(rb["body_key"] or "")
        overlap = dedup.title_jaccard(ra["title_key"] or "", rb["title_key"] or "") if short else 1.0
        if dedup.is_near_duplicate(jaccard, containment, _hours(ra, rb), short=short, title_overlap=overlap):
            link(a, b, "near_duplicate", round(jaccard, 4))
    for r in rows.values():  # copies, last: the strongest link
        if r["source_url_key"] and r["source_url_key"] != r["url_key"] and r["source_url_key"] in by_key:
            target = by_key[r["source_url_key"]]
            if target != r["id"]:
                groups.union(r["id"], target)
                best[r["id"]] = {"reason": "copy_of_source", "score": None}
    return groups, best


def rebuild(conn: sqlite3.Connection, *, since: str | None = None) -> dict[str, int]:
    """Recompute the stories of the window (module docstring) on the writer's connection, in the caller's
    transaction. Returns counts: ``articles`` looked at, ``stories`` written, ``changed`` articles whose
    ``story_id`` or ``duplicate_of`` moved, ``headlines`` joined to a story."""
    rows = _window(conn, since)
    groups, best = _links(rows)
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
