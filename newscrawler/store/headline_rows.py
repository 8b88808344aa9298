"""One headline row per source and URL (docs/schema.md, ``headlines``): the upsert behind ``Store.save_headlines``.
A headline whose URL is a stored article gets its ``article_id`` and ``story_id``."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from newscrawler.store.rows import url_key_of, utc


def upsert(db: Database, h: dict[str, Any], *, run_id: int, now: str) -> tuple[str, str, int, int | None]:
    """Insert or update one headline; returns the counter it goes to (``headlines_new`` or ``headlines_seen``),
    its source, its id and its story (None when its article is not stored and it has not joined one by title)."""
    url = h.get("url")
    key = h.get("url_key") or url_key_of(url)
    source_id = h.get("source_id")
    if not url or not key or not source_id:
        raise ValueError(f"headline needs source_id, url, url_key: {h!r}")
    seen_at = utc(h.get("seen_at")) or now
    old = db.execute(
        "SELECT id, position, listing_url, last_run_id FROM headlines "
        "WHERE source_id = ? AND url_key = ?",
        [source_id, key],
    ).fetchone()
    position = h.get("position")
    if not h.get("title_key") and h.get("title"):
        # the title is how a headline whose article is not stored finds its story (store.headline_stories)
        from newscrawler.text import match_key

        h = {**h, "title_key": match_key(h["title"])}
    if old:
        hid, old_pos, old_listing, old_run = old
        # the same link twice on one listing (image + title): keep its top position
        if old_run == run_id and old_listing == h.get("listing_url") and old_pos is not None:
            position = old_pos if position is None else min(old_pos, position)
        joined = db.execute(
            "UPDATE headlines SET last_seen_at = max(last_seen_at, :seen), last_run_id = :run, "
            "position = coalesce(:pos, position), listing_url = coalesce(:listing, listing_url), "
            "title = coalesce(nullif(title, ''), :title), "
            "title_key = coalesce(nullif(title_key, ''), :title_key), "
            "section = coalesce(section, :section), "
            "article_id = coalesce(article_id, "
            "  (SELECT id FROM articles WHERE url_key = :key OR fetched_url_key = :key LIMIT 1)), "
            "story_id = coalesce((SELECT story_id FROM articles WHERE url_key = :key "
            "  OR fetched_url_key = :key LIMIT 1), story_id) "
            "WHERE id = :id RETURNING id, story_id",
            {
                "seen": seen_at, "run": run_id, "pos": position, "listing": h.get("listing_url"),
                "title": h.get("title"), "title_key": h.get("title_key"),
                "section": h.get("section"), "key": key, "id": hid,
            },
        ).fetchone()  # fmt: skip
        name = "headlines_seen"
    else:
        joined = db.execute(
            "INSERT INTO headlines (source_id, url, url_key, title, title_key, listing_url, section, "
            "position, first_position, first_listing_url, first_seen_at, last_seen_at, "
            "first_run_id, last_run_id, article_id, story_id) VALUES (:source_id, :url, :key, "
            ":title, :title_key, :listing, :section, :pos, :pos, :listing, :seen, :seen, :run, :run, "
            "(SELECT id FROM articles WHERE url_key = :key OR fetched_url_key = :key LIMIT 1), "
            "(SELECT story_id FROM articles WHERE url_key = :key OR fetched_url_key = :key LIMIT 1)) "
            "RETURNING id, story_id",
            {
                "source_id": source_id, "url": url, "key": key, "title": h.get("title"),
                "title_key": h.get("title_key"), "listing": h.get("listing_url"),
                "section": h.get("section"), "pos": position, "seen": seen_at, "run": run_id,
            },
        ).fetchone()  # fmt: skip
        name = "headlines_new"
    return name, source_id, joined[0], joined[1]
