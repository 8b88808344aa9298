"""Headlines join stories by title when their article is not stored (docs/schema.md "Stories").

A headline whose article is stored follows that article (``headlines.article_id``): the article's body decided its
story through the dedup rules, which is far stronger evidence than a short title. A headline whose article is not
stored is matched by its title key against the titles of the window's articles and of the headlines that already
have a story, with the conservative rule of ``newscrawler.title_match``; the best match's story wins (ties: the
smaller story id). Joining spreads: headlines without a story whose title matches a newly joined one join too, so
the result does not depend on which of them, or the article, arrived first. Headlines that only match each other
(no stored article in reach) stay without a story: a story is named by its canonical article.

The window is ``dedup.MAX_HOURS_APART`` around the headline's ``first_seen_at`` (an article's time is its
``published_at``, else ``first_seen_at``). Candidates come from indexes: ``articles_fts`` on the title column for
articles; for headlines, ``TitleIndex``, the writer's in-memory word -> headline ids map of the last
``TitleIndex.SPAN`` (a scan of ``idx_headlines_first_seen_at``'s window measured 4-5 ms per lookup at 12,000
headlines, the index ~0.1 ms); a window it does not cover (an article published long ago) falls back to the scan.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from newscrawler import dedup, title_match
from newscrawler.store.rows import parse_utc

_WINDOW = timedelta(hours=dedup.MAX_HOURS_APART)
_ARTICLE_LIMIT = 30


class TitleIndex:
    """Lookup word -> ids of headlines first seen in the covered span (loaded from the database on first use, then
    kept up to date by the writer's ``add``). Only ids live here: titles and stories are read from the database, so
    an id left by a rolled-back savepoint costs a lookup, never a wrong join."""

    SPAN = timedelta(days=14)
    MAX_HEADLINES = 300_000  # beyond this the map is reloaded with the latest SPAN only
    MAX_CANDIDATES = 300  # per lookup, the most recent (see ids)

    def __init__(self) -> None:
        self.words: dict[str, set[int]] = defaultdict(set)
        self.seen: dict[int, str] = {}
        self.since: str | None = None  # covers headlines first seen at or after this (None: not loaded)

    def _load(self, conn: sqlite3.Connection) -> None:
        self.words.clear()
        self.seen.clear()
        latest = parse_utc(conn.execute("SELECT max(first_seen_at) FROM headlines").fetchone()[0])
        self.since = "" if latest is None else (latest - self.SPAN).isoformat(timespec="seconds")
        for hid, key, seen in conn.execute(
            "SELECT id, title_key, first_seen_at FROM headlines WHERE first_seen_at >= ? AND title_key != ''",
            [self.since],
        ):
            self._put(hid, key, seen)

    def _put(self, hid: int, key: str | None, seen: str) -> None:
        self.seen[hid] = seen
        for word in title_match.lookup_words(key or ""):
            self.words[word].add(hid)

    def add(self, conn: sqlite3.Connection, hid: int, key: str | None, seen: str) -> None:
        if self.since is None or len(self.seen) > self.MAX_HEADLINES:
            self._load(conn)  # loads this headline too (its row is written)
        elif seen >= self.since:
            self._put(hid, key, seen)

    def ids(self, conn: sqlite3.Connection, key: str, lo: str, hi: str) -> list[int] | None:
        """Ids of headlines first seen in [lo, hi] that may share ``title_match.MIN_SHARED_WORDS`` content words
        with title key ``key``; None when the span does not cover lo.

        Only the rarest words are looked up: a title that shares at least m of the key's k content words holds one
        of any k - m + 1 of them (pigeonhole), so the postings of the m - 1 commonest words are never read. And at
        most ``MAX_CANDIDATES``, the most recent: a feed of 3,000 titles that differ in a number only ("خبر عاجل
        رقم 17": three shared words, so each is a candidate of every other) made every lookup return all of them,
        9 million set entries and 18,000 queries, 8 s of the crawl's reactor for one feed (bench/reliability.py's
        flood); a real story has far fewer headlines in the window."""
        if self.since is None:
            self._load(conn)
        assert self.since is not None
        if lo < self.since:
            return None
        postings = sorted((self.words.get(w, set()) for w in set(title_match.content_words(key))), key=len)
        rare = postings[: max(1, len(postings) - title_match.MIN_SHARED_WORDS + 1)]
        found: list[int] = []
        for h in sorted(set().union(*rare), reverse=True):  # ids grow with time: the most recent first
            if lo <= self.seen.get(h, "") <= hi:
                found.append(h)
                if len(found) == self.MAX_CANDIDATES:
                    break
        return found[::-1]


def _bounds(when: str | None) -> tuple[str, str] | None:
    at = parse_utc(when)
    if at is None:
        return None
    return (at - _WINDOW).isoformat(timespec="seconds"), (at + _WINDOW).isoformat(timespec="seconds")


def _fts_query(words: list[str]) -> str:
    # match keys hold letters, digits and spaces only; quoting keeps FTS5 operators out anyway
    return "title_key : (" + " OR ".join('"' + w.replace('"', "") + '"' for w in words) + ")"


def _article_candidates(conn: sqlite3.Connection, words: list[str], lo: str, hi: str) -> list[tuple[int, str]]:
    """(story_id, title_key) of articles of the window whose title shares a lookup word (best bm25 first)."""
    return conn.execute(
        "SELECT a.story_id, a.title_key FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
        "WHERE articles_fts MATCH ? AND a.story_id IS NOT NULL "
        "AND coalesce(a.published_at, a.first_seen_at) BETWEEN ? AND ? ORDER BY bm25(articles_fts), a.id LIMIT ?",
        [_fts_query(words), lo, hi, _ARTICLE_LIMIT],
    ).fetchall()


# which headlines a lookup returns: with a story (candidates to join), without a story and without a stored article
# (to spread to), without a stored article whatever their story (to choose again when an article arrives)
_STATES = {
    "story": "story_id IS NOT NULL",
    "storyless": "story_id IS NULL AND article_id IS NULL",
    "unlinked": "article_id IS NULL",
}


def _headline_candidates(
    conn: sqlite3.Connection,
    key: str,
    lo: str,
    hi: str,
    state: str,
    index: TitleIndex | None,
    *,
    exclude: int = 0,
) -> list[tuple[int, int | None, str, str]]:
    """(id, story_id, title_key, first_seen_at) of the headlines in ``state`` first seen in the window whose title
    contains a lookup word of title key ``key`` (through the index: one of its rarest words)."""
    where = _STATES[state]
    ids = index.ids(conn, key, lo, hi) if index is not None else None
    if ids is not None:
        out = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ", ".join("?" for _ in chunk)
            out += conn.execute(
                f"SELECT id, story_id, title_key, first_seen_at FROM headlines WHERE id IN ({marks}) AND {where} "
                f"AND id != ? AND title_key != '' ORDER BY id",
                [*chunk, exclude],
            ).fetchall()
        return out
    words = title_match.lookup_words(key)
    marks = " OR ".join("instr(title_key, ?) > 0" for _ in words)
    return conn.execute(
        f"SELECT id, story_id, title_key, first_seen_at FROM headlines WHERE first_seen_at BETWEEN ? AND ? "
        f"AND {where} AND id != ? AND title_key != '' AND ({marks}) ORDER BY id",
        [lo, hi, exclude, *words],
    ).fetchall()


def _best_story(title_key: str, candidates: Iterable[tuple[int | None, str]]) -> int | None:
    """The story of the closest matching title; on a tie, the story with more matching titles (a variant split off
    into a story of its own carries the same title as the main story), then the smaller story id."""
    scores: dict[int, tuple[float, float, int]] = {}
    for story_id, other in candidates:
        if story_id is None or not other or not title_match.same_story_title(title_key, other):
            continue
        _, jaccard, containment = title_match.title_similarity(title_key, other)
        best_j, best_c, count = scores.get(story_id, (0.0, 0.0, 0))
        scores[story_id] = (max(best_j, jaccard), max(best_c, containment), count + 1)
    if not scores:
        return None
    return min(scores, key=lambda sid: (-scores[sid][0], -scores[sid][2], -scores[sid][1], sid))


def _spread(
    conn: sqlite3.Connection, story_id: int, start: list[tuple[int, str, str]], index: TitleIndex | None
) -> set[int]:
    """Headlines without a story whose title matches one of ``start`` (id, title_key, first_seen_at) join
    ``story_id``, and so on from them. Returns the ids that joined."""
    joined: set[int] = set()
    todo = list(start)
    while todo:
        _, key, seen = todo.pop()
        bounds = _bounds(seen)
        words = title_match.lookup_words(key)
        if bounds is None or not words:
            continue
        for hid, _, other, other_seen in _headline_candidates(conn, key, *bounds, "storyless", index):
            if hid not in joined and title_match.same_story_title(key, other):
                conn.execute("UPDATE headlines SET story_id = ? WHERE id = ?", [story_id, hid])
                joined.add(hid)
                todo.append((hid, other, other_seen))
    return joined


def _choose(conn: sqlite3.Connection, hid: int, key: str, seen: str | None, index: TitleIndex | None) -> int | None:
    """The story headline ``hid`` (title key ``key``) joins by title: the best match among the window's articles and
    the other headlines that have a story."""
    bounds = _bounds(seen)
    words = title_match.lookup_words(key)
    if bounds is None or not words:
        return None
    candidates = _article_candidates(conn, words, *bounds) + [
        (story, other) for _, story, other, _ in _headline_candidates(conn, key, *bounds, "story", index, exclude=hid)
    ]
    return _best_story(key, candidates)


def join_headlines(
    conn: sqlite3.Connection, headline_ids: Iterable[int], index: TitleIndex | None = None
) -> set[int]:
    """Give these headlines (those without a story and without a stored article) a story by title; returns the
    story ids that got headlines."""
    stories: set[int] = set()
    for hid in sorted(set(headline_ids)):
        row = conn.execute(
            "SELECT title_key, first_seen_at FROM headlines WHERE id = ? AND story_id IS NULL AND article_id IS NULL",
            [hid],
        ).fetchone()
        if row is None or not row[0]:
            continue
        key, seen = row
        story_id = _choose(conn, hid, key, seen, index)
        if story_id is None:
            continue
        conn.execute("UPDATE headlines SET story_id = ? WHERE id = ?", [story_id, hid])
        _spread(conn, story_id, [(hid, key, seen)], index)
        stories.add(story_id)
    return stories


def join_article(conn: sqlite3.Connection, article_id: int, index: TitleIndex | None = None) -> set[int]:
    """Headlines without a stored article whose title matches this article's choose their story again (this one,
    or a better match: a variant that split off into its own story carries the main story's title too); returns
    the story ids that got or lost headlines."""
    row = conn.execute(
        "SELECT story_id, title_key, coalesce(published_at, first_seen_at) FROM articles WHERE id = ?", [article_id]
    ).fetchone()
    if row is None or row[0] is None or not row[1]:
        return set()
    _, key, when = row
    bounds = _bounds(when)
    words = title_match.lookup_words(key)
    if bounds is None or not words:
        return set()
    changed: set[int] = set()
    start = []
    for hid, old, other, seen in _headline_candidates(conn, key, *bounds, "unlinked", index):
        if not title_match.same_story_title(key, other):
            continue
        new = _choose(conn, hid, other, seen, index)
        if new is not None and new != old:
            conn.execute("UPDATE headlines SET story_id = ? WHERE id = ?", [new, hid])
            changed.update(x for x in (old, new) if x is not None)
            start.append((hid, other, seen))
    for hid, other, seen in start:
        new_story = conn.execute("SELECT story_id FROM headlines WHERE id = ?", [hid]).fetchone()[0]
        _spread(conn, new_story, [(hid, other, seen)], index)
    return changed
