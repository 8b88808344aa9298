"""Dedup in SQL: the exact rules, the near-duplicate band lookup, boilerplate counts and re-pointing.

Everything that *decides* (shingles, MinHash signature, band hashes, similarity estimate, the verification
rule ``is_near_duplicate``) is in ``newscrawler.dedup``; this module stores signatures and bands and looks
candidates up, because the candidates are rows of this database (docs/schema.md "Dedup rules").
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from newscrawler import dedup
from newscrawler.store.connection import fetch_dicts
from newscrawler.store.headline_stories import TitleIndex, join_article
from newscrawler.store.rows import FILLABLE, is_empty, parse_utc
from newscrawler.store.stories import count_headlines, settle


@dataclass(frozen=True)
class SaveResult:
    """What ``save_article`` did. ``status``: ``new`` | ``seen`` | ``duplicate``."""

    article_id: int
    status: str
    duplicate_of: int | None = None
    dup_reason: str | None = None
    # earlier rows re-pointed to this article because it is their publisher's original
    repointed: tuple[int, ...] = field(default_factory=tuple)
    # a revisit that found an edit: the fields that changed ("title", "body"; store.revisions)
    revised: tuple[str, ...] = ()


@dataclass
class _Sketch:
    """The near-duplicate fingerprint of one article (computed once per save)."""

    signature: Any  # numpy uint32 array, or None when the text is too short to fingerprint
    size: int  # shingle count
    bands: list[int]
    short: bool  # char-gram signature (short body): verification also wants overlapping titles
    paragraphs: list[tuple[int, str]]  # (fingerprint, text) of the display body, for boilerplate counts


# Candidate lookup by band equality: the VALUES list joins article_bands through its (band, hash) index.
_BAND_QUERY = (
    "WITH q(band, hash) AS (VALUES " + ", ".join(["(?, ?)"] * dedup.BANDS) + ") "
    "SELECT DISTINCT a.id, coalesce(a.duplicate_of, a.id), a.minhash, a.shingle_count, a.published_at, "
    "a.first_seen_at, a.title_key "
    "FROM q JOIN article_bands b ON b.band = q.band AND b.hash = q.hash JOIN articles a ON a.id = b.article_id "
    "WHERE a.minhash IS NOT NULL AND (a.first_seen_at >= ? OR a.published_at BETWEEN ? AND ?)"
)


# A paragraph is boilerplate for a source when it was in >= boilerplate_min_articles earlier articles of it
# and in at least this share of them (see Deduplicator._count_paragraphs).
BOILERPLATE_MIN_SHARE = 0.5
_ARTICLE_COUNT_HASH = -1

# All band rows of an article in one statement (one sqlite3 call instead of dedup.BANDS executemany steps).
_BAND_INSERT = "INSERT INTO article_bands (band, hash, article_id) VALUES " + ", ".join(
    ["(?, ?, ?)"] * dedup.BANDS
)


class Deduplicator:
    """Applies the dedup rules to an article row on the writer's connection (docs/schema.md).

    ``near_duplicates``: second-level dedup on or off; candidates are rows first seen in the last
    ``near_dup_window_days`` (or published within ``dedup.MAX_HOURS_APART`` of the new article); paragraphs seen in
    >= ``boilerplate_min_articles`` earlier articles of the same source are left out of the signature (0: off).
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        *,
        near_duplicates: bool,
        near_dup_window_days: float,
        boilerplate_min_articles: int,
        titles: TitleIndex | None = None,
    ) -> None:
        self.conn = conn
        self.titles = titles
        self.near_duplicates = bool(near_duplicates)
        self.near_dup_window_days = float(near_dup_window_days)
        self.boilerplate_min_articles = int(boilerplate_min_articles)
        self._paragraph_keys: dict[int, str] = {}

    def _root(self, article_id: int) -> int:
        """Follow duplicate_of to the original (guarding against cycles in hand-edited data)."""
        seen = {article_id}
        current = article_id
        while True:
            row = self.conn.execute("SELECT duplicate_of FROM articles WHERE id = ?", [current]).fetchone()
            if row is None or row[0] is None or row[0] in seen:
                return current
            current = row[0]
            seen.add(current)

    def save(self, row: dict[str, Any], run_id: int) -> SaveResult:
        """Insert or re-see one article row (``rows.article_row``) applying the dedup rules; the caller holds
        a savepoint and counts the result."""
        db = self.conn
        # Rule 1: the URL is stored already -> re-seen, never a second row.
        existing = fetch_dicts(self.conn, "SELECT * FROM articles WHERE url_key = ?", [row["url_key"]])
        if existing:
            old = existing[0]
            fills = {c: row[c] for c in FILLABLE if is_empty(old.get(c)) and not is_empty(row.get(c))}
            sets = ", ".join(f"{c} = :{c}" for c in fills)
            db.execute(
                "UPDATE articles SET last_seen_at = max(last_seen_at, :seen), last_run_id = :run"
                + (f", {sets}" if sets else "")
                + " WHERE id = :id",
                {**fills, "seen": row["last_seen_at"], "run": run_id, "id": old["id"]},
            )
            moved: list[int] = []
            if "published_at" in fills and old["story_id"] is not None:
                # a date learnt on a re-visit can make this row its story's canonical article
                _, moved = settle(db, old["story_id"])
            self._link_headlines(old["id"], row["url_key"], row["fetched_url_key"])
            now = db.execute("SELECT duplicate_of, dup_reason FROM articles WHERE id = ?", [old["id"]]).fetchone()
            return SaveResult(old["id"], "seen", now[0], now[1], tuple(sorted(moved)))

        duplicate_of: int | None = None
        reason: str | None = None
        own_key = row["url_key"]
        src_key = row["source_url_key"]
        # Rule 3a: an aggregator copy whose publisher article is stored. Checked before the hashes
        # because the "read at the source" link is explicit provenance, the hashes only evidence.
        if src_key and src_key != own_key:
            hit = db.execute(
                "SELECT id FROM articles WHERE url_key = ? UNION ALL "
                "SELECT id FROM articles WHERE fetched_url_key = ? LIMIT 1",
                [src_key, src_key],
            ).fetchone()
            if hit:
                duplicate_of, reason = self._root(hit[0]), "copy_of_source"
        # Rule 3b: copies stored earlier name this article as their source -> it is their root,
        # whatever the hashes say (the publisher's article is always the original).
        copies = [
            r[0]
            for r in db.execute(
                "SELECT id FROM articles WHERE source_url_key IN (?, ?) AND url_key != ?",
                [own_key, row["fetched_url_key"] or own_key, own_key],
            ).fetchall()
        ]
        # Rule 2: same content (title + body keys), else same body key. A match whose root is one of
        # this article's own copies does not count (the original outranks its copies); a match with
        # another root (a publisher that ran the same text verbatim earlier) does, whatever the arrival
        # order, so that one cluster never ends up with two roots.
        if duplicate_of is None:
            for column, why in (("content_hash", "same_content"), ("body_hash", "same_body")):
                if row[column]:
                    hit = db.execute(
                        f"SELECT id FROM articles WHERE {column} = ? ORDER BY id LIMIT 1", [row[column]]
                    ).fetchone()
                    if hit:
                        hit_root = self._root(hit[0])
                        if hit_root not in copies:
                            duplicate_of, reason = hit_root, why
                        break

        # Second level (near-duplicates): only when no exact rule matched. An exact duplicate has the same
        # body as its root, so it gets no signature or bands of its own (nothing new to find it by).
        sketch: _Sketch | None = None
        score: float | None = None
        merged: list[tuple[int, float]] = []
        if duplicate_of is None and self.near_duplicates:
            sketch = self._sketch(row)
            found = (
                self._near_duplicate(row, sketch, exclude=set(copies))
                if sketch.signature is not None
                else None
            )
            if found is not None:
                duplicate_of, score, merged = found
                reason = "near_duplicate"
        has_sig = sketch is not None and sketch.signature is not None

        # The id is chosen here (what SQLite would pick: max + 1) so that an original's story_id, its own id,
        # goes into the same INSERT instead of a second UPDATE on the hot path.
        article_id = (db.execute("SELECT max(id) FROM articles").fetchone()[0] or 0) + 1
        root = duplicate_of if duplicate_of is not None else article_id
        db.execute(
            f"INSERT INTO articles (id, {', '.join(row)}, duplicate_of, dup_reason, dup_score, story_id, minhash, "
            f"shingle_count, bands) VALUES (:id, {', '.join(':' + c for c in row)}, :duplicate_of, :dup_reason, "
            ":dup_score, :story_id, :minhash, :shingle_count, :bands)",
            {
                **row,
                "id": article_id,
                "duplicate_of": duplicate_of,
                "dup_reason": reason,
                "dup_score": score,
                "story_id": root,
                "minhash": dedup.serialise(sketch.signature) if sketch and has_sig else None,
                "shingle_count": sketch.size if sketch and has_sig else None,
                # 0 also when near-duplicates are off: no bands exist to prune (store.bands)
                "bands": 1 if has_sig else 0,
            },
        )
        if sketch is not None and has_sig:
            db.execute(
                _BAND_INSERT, [x for band, h in enumerate(sketch.bands) for x in (band, h, article_id)]
            )

        repointed: list[int] = []
        gone: set[int] = set()  # story ids merged into this one
        if copies:
            placeholders = ", ".join("?" for _ in copies)
            gone.update(
                r[0] for r in db.execute(f"SELECT DISTINCT story_id FROM articles WHERE id IN ({placeholders})", copies)
            )
            # rows that hung below a copy (same_content/same_body of it) move to the new root too
            dependants = [
                r[0]
                for r in db.execute(
                    f"SELECT id FROM articles WHERE duplicate_of IN ({placeholders})", copies
                ).fetchall()
                if r[0] != article_id
            ]
            db.execute(
                f"UPDATE articles SET duplicate_of = ?, story_id = ?, dup_reason = 'copy_of_source', "
                f"dup_score = NULL WHERE id IN ({placeholders})",
                [root, root, *copies],
            )
            if dependants:
                db.execute(
                    f"UPDATE articles SET duplicate_of = ?, story_id = ? "
                    f"WHERE id IN ({', '.join('?' for _ in dependants)})",
                    [root, root, *dependants],
                )
            repointed = sorted(set(copies) | set(dependants))
        if merged:
            # This article bridged clusters (it is a near-duplicate of members of each): one story, one root.
            # The other roots become near-duplicates of the chosen one (dup_score: the bridging link's score);
            # their rows follow them, keeping their own dup_reason.
            for other, other_score in merged:
                moved = [r[0] for r in db.execute("SELECT id FROM articles WHERE duplicate_of = ?", [other])]
                db.execute(
                    "UPDATE articles SET duplicate_of = ?, story_id = ? WHERE duplicate_of = ?",
                    [root, root, other],
                )
                db.execute(
                    "UPDATE articles SET duplicate_of = ?, story_id = ?, dup_reason = 'near_duplicate', "
                    "dup_score = ? WHERE id = ?",
                    [root, root, other_score, other],
                )
                repointed = sorted({*repointed, other, *moved})
                gone.add(other)

        # The story's canonical article is its best-ranked member, whatever arrived first (stories.settle).
        _, moved_by_rank = settle(db, root, gone=tuple(sorted(gone - {root})))
        repointed = sorted({*repointed, *moved_by_rank} - {article_id})
        self._link_headlines(article_id, row["url_key"], row["fetched_url_key"])
        # headlines whose article is not stored join this story when their title matches (store.headline_stories)
        count_headlines(db, join_article(db, article_id, self.titles))
        duplicate_of, reason = db.execute(
            "SELECT duplicate_of, dup_reason FROM articles WHERE id = ?", [article_id]
        ).fetchone()
        status = "new" if duplicate_of is None else "duplicate"
        return SaveResult(article_id, status, duplicate_of, reason, tuple(repointed))

    # ------------------------------------------------------------------ near-duplicates

    def _sketch(self, row: dict[str, Any]) -> _Sketch:
        """Signature of the article's body key, minus the source's boilerplate paragraphs."""
        body_key = row["body_key"] or ""
        source_id = row["source_id"]
        paragraphs = (
            dedup.paragraph_fingerprints(row["body"] or "")
            if self.boilerplate_min_articles > 0 and source_id
            else []
        )
        key = body_key
        boiler = self._count_paragraphs(source_id, paragraphs, row["first_seen_at"]) if paragraphs else set()
        if len(paragraphs) > 1:  # a one-paragraph body is the article itself, whatever repeats it
            if boiler:
                key = dedup.strip_key_segments(
                    body_key, [self._paragraph_key(h, text) for h, text in paragraphs if h in boiler]
                )
        shingle_set = dedup.shingles(key, title_key=row["title_key"] or "")
        if len(shingle_set) < dedup.MIN_SHINGLES:
            return _Sketch(None, len(shingle_set), [], False, paragraphs)
        sig = dedup.signature(shingle_set)
        return _Sketch(sig, len(shingle_set), dedup.band_hashes(sig), dedup.is_short(key), paragraphs)

    def _count_paragraphs(self, source_id: str, paragraphs: list[tuple[int, str]], seen_at: str) -> set[int]:
        """Count this article's paragraphs for its source; return those that at least
        ``boilerplate_min_articles`` earlier articles of the source had, and at least ``BOILERPLATE_MIN_SHARE``
        of them (one upsert statement, RETURNING the new counts).

        The share matters: a site's template lines are on most of its pages, while a background paragraph
        reused in a series of stories is not. Stripping the latter would be harmful, because it is stripped
        in one outlet's copy and not yet in another's (each outlet has its own counts), which pulls the two
        copies of one story apart: on the demo (1,000 articles per site) three stories out of 1,000 split
        that way with a count-only rule, none with the share.

        Only articles that reach the near-duplicate stage are counted (not exact duplicates: the same text
        at a second URL is not evidence of a site template)."""
        # the row with hash -1 (crc32 is never negative) counts the source's articles: its share is the
        # second condition
        hashes = [_ARTICLE_COUNT_HASH, *sorted({h for h, _ in paragraphs})]
        cur = self.conn.execute(
            "INSERT INTO boilerplate_paragraphs (source_id, hash, articles, first_seen_at, last_seen_at) VALUES "
            + ", ".join(["(?, ?, 1, ?, ?)"] * len(hashes))
            + " ON CONFLICT (source_id, hash) DO UPDATE SET articles = articles + 1, "
            "last_seen_at = max(last_seen_at, excluded.last_seen_at) RETURNING hash, articles",
            [x for h in hashes for x in (source_id, h, seen_at, seen_at)],
        )
        counts = dict(cur.fetchall())
        earlier = counts.pop(_ARTICLE_COUNT_HASH) - 1
        floor = max(self.boilerplate_min_articles, BOILERPLATE_MIN_SHARE * earlier)
        return {h for h, n in counts.items() if n - 1 >= floor}

    def _paragraph_key(self, fingerprint: int, text: str) -> str:
        # match_key costs ~2 us per word: computed only for boilerplate paragraphs, and cached (there are few)
        key = self._paragraph_keys.get(fingerprint)
        if key is None:
            from newscrawler.text import match_key

            if len(self._paragraph_keys) > 10_000:
                self._paragraph_keys.clear()
            key = self._paragraph_keys[fingerprint] = match_key(text)
        return key

    def _near_duplicate(
        self, row: dict[str, Any], sketch: _Sketch, *, exclude: set[int]
    ) -> tuple[int, float, list[tuple[int, float]]] | None:
        """(root, estimated Jaccard, [(other root, score), ...]) of the verified near-duplicates, or None.

        Candidates share at least one band hash and were first seen within ``near_dup_window_days`` of this
        article or published within ``dedup.MAX_HOURS_APART``; each is verified with ``dedup.is_near_duplicate``.
        Rows in ``exclude`` (this article's own aggregator copies, rule 3) are skipped: they will hang below it.
        """
        seen_dt = parse_utc(row["first_seen_at"]) or datetime.now(UTC)
        since = (seen_dt - timedelta(days=self.near_dup_window_days)).isoformat(timespec="seconds")
        published = parse_utc(row["published_at"])
        lo = hi = None
        if published is not None:
            window = timedelta(hours=dedup.MAX_HOURS_APART)
            lo = (published - window).isoformat(timespec="seconds")
            hi = (published + window).isoformat(timespec="seconds")
        params: list[Any] = [x for pair in enumerate(sketch.bands) for x in pair]
        candidates = self.conn.execute(_BAND_QUERY, [*params, since, lo, hi]).fetchall()
        if not candidates:
            return None
        when = published or seen_dt
        best: dict[int, tuple[float, float]] = {}  # root -> (jaccard, containment) of its best member
        for cid, croot, blob, size, c_published, c_seen, c_title in candidates:
            if cid in exclude or croot in exclude:
                continue
            jaccard, containment = dedup.estimate_similarity(
                sketch.signature, dedup.deserialise(blob), sketch.size, size or 0
            )
            c_when = parse_utc(c_published) if published is not None else None
            c_when = c_when or parse_utc(c_seen)
            hours = None if c_when is None else (when - c_when).total_seconds() / 3600
            title_overlap = (
                dedup.title_jaccard(row["title_key"] or "", c_title or "") if sketch.short else 1.0
            )
            if dedup.is_near_duplicate(
                jaccard, containment, hours, short=sketch.short, title_overlap=title_overlap
            ):
                if (jaccard, containment) > best.get(croot, (-1.0, -1.0)):
                    best[croot] = (jaccard, containment)
        if not best:
            return None
        # the closest cluster keeps its root; on a tie the older root (smaller id)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
        root, (score, _) = ranked[0]
        return root, round(score, 4), [(r, round(j, 4)) for r, (j, _) in ranked[1:]]

    def _link_headlines(self, article_id: int, *keys: str | None) -> None:
        """Headlines of this article's URL get its id and its story (headlines.story_id)."""
        wanted = sorted({k for k in keys if k})
        if wanted:
            cur = self.conn.execute(
                f"UPDATE headlines SET article_id = ?, "
                f"story_id = (SELECT story_id FROM articles WHERE id = ?) WHERE article_id IS NULL "
                f"AND url_key IN ({', '.join('?' for _ in wanted)}) RETURNING story_id",
                [article_id, article_id, *wanted],
            )
            joined = {r[0] for r in cur.fetchall() if r[0] is not None}
            if joined:
                count_headlines(self.conn, joined)
