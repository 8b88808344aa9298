"""``newscrawler dedup --explain ARTICLE_ID``: why an article is, or is not, a duplicate (docs/schema.md "Dedup").

Read-only: functions of a connection (a ``ReadOnlyStore``'s). The figures are recomputed with the functions the
writer used (``newscrawler.dedup``): the estimate from the stored signatures, the exact values from shingles of the
stored body keys. The writer shingled the body key *without the source's boilerplate paragraphs*, so an exact
value can differ a little from what the signature estimates; both are shown.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from newscrawler import dedup
from newscrawler.store.connection import fetch_dicts
from newscrawler.store.rows import parse_utc

RULES = {
    None: "not a duplicate: the canonical article of its story (it ranks first: publisher before aggregator, "
    "then the earliest published_at, then first_seen_at)",
    "copy_of_source": "copy of its source: its 'read at the source' link names a stored article (exact rule 2)",
    "same_content": "same content: same title and body match keys as a stored article (exact rule, content_hash)",
    "same_body": "same body: same body match key under another title (exact rule, body_hash)",
    "near_duplicate": f"near-duplicate: a candidate sharing an LSH band ({dedup.BANDS} bands of {dedup.ROWS}) was "
    f"verified: estimated Jaccard >= {dedup.MIN_JACCARD} or containment >= {dedup.MIN_CONTAINMENT}, published at "
    f"most {dedup.MAX_HOURS_APART:g} h apart",
}

_COLUMNS = (
    "id, url, source_id, title, title_key, body_key, published_at, first_seen_at, duplicate_of, dup_reason, "
    "dup_score, story_id, minhash, shingle_count, content_hash, body_hash, bands"
)
_BAND_MATCH = (
    "WITH q(band, hash) AS (VALUES " + ", ".join(["(?, ?)"] * dedup.BANDS) + ") "
    "SELECT b.article_id, count(*) FROM q JOIN article_bands b ON b.band = q.band AND b.hash = q.hash "
    "WHERE b.article_id != ? GROUP BY b.article_id"
)


class NotFound(LookupError):
    """No article with that id."""


def _article(conn: sqlite3.Connection, article_id: int) -> dict[str, Any] | None:
    rows = fetch_dicts(conn, "SELECT " + _COLUMNS + " FROM articles WHERE id = ?", [article_id])
    return rows[0] if rows else None


def _when(row: dict[str, Any]) -> datetime | None:
    return parse_utc(row.get("published_at")) or parse_utc(row.get("first_seen_at"))


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """The figures of one pair: shared bands and shingles, estimated and exact Jaccard and containment, hours
    apart, and whether the near-duplicate rule accepts it (as the writer applies it: on the estimate)."""
    sh_a = dedup.shingles(a.get("body_key") or "", title_key=a.get("title_key") or "")
    sh_b = dedup.shingles(b.get("body_key") or "", title_key=b.get("title_key") or "")
    shared = len(sh_a & sh_b)
    union = len(sh_a | sh_b)
    out: dict[str, Any] = {
        "id": b["id"], "source_id": b["source_id"], "title": b["title"], "story_id": b["story_id"],
        "shared_shingles": shared, "shingles": [len(sh_a), len(sh_b)],
        "exact_jaccard": round(shared / union, 4) if union else 0.0,
        "exact_containment": round(shared / min(len(sh_a), len(sh_b)), 4) if sh_a and sh_b else 0.0,
        "same_content_hash": bool(a.get("content_hash")) and a.get("content_hash") == b.get("content_hash"),
        "same_body_hash": bool(a.get("body_hash")) and a.get("body_hash") == b.get("body_hash"),
    }  # fmt: skip
    ta, tb = _when(a), _when(b)
    out["hours_apart"] = None if ta is None or tb is None else round((tb - ta).total_seconds() / 3600, 2)
    if a.get("minhash") and b.get("minhash"):
        sig_a, sig_b = dedup.deserialise(a["minhash"]), dedup.deserialise(b["minhash"])
        bands_a, bands_b = dedup.band_hashes(sig_a), dedup.band_hashes(sig_b)
        out["shared_bands"] = sum(x == y for x, y in zip(bands_a, bands_b, strict=True))
        jaccard, containment = dedup.estimate_similarity(sig_a, sig_b, a["shingle_count"] or 0, b["shingle_count"] or 0)
        out["estimated_jaccard"], out["estimated_containment"] = round(jaccard, 4), round(containment, 4)
        short = dedup.is_short(a.get("body_key") or "")
        overlap = dedup.title_jaccard(a.get("title_key") or "", b.get("title_key") or "") if short else 1.0
        out["near_duplicate"] = dedup.is_near_duplicate(
            jaccard, containment, out["hours_apart"], short=short, title_overlap=overlap
        )
    else:
        out["shared_bands"] = out["estimated_jaccard"] = out["estimated_containment"] = None
        out["near_duplicate"] = None  # no signature on one side: only the exact rules can link them
    return out


def explain(conn: sqlite3.Connection, article_id: int, *, candidates: int = 5) -> dict[str, Any]:
    """The explanation of one article: itself, its story and canonical article, the rule, the comparison with the
    canonical article and with the nearest ``candidates`` (band candidates and story members, by estimated then
    exact Jaccard). Raises ``NotFound``."""
    row = _article(conn, article_id)
    if row is None:
        raise NotFound(f"no article with id {article_id}; `newscrawler search` shows article ids")
    stories = fetch_dicts(conn, "SELECT * FROM stories WHERE story_id = ?", [row["story_id"]])
    story = stories[0] if stories else None
    canonical = _article(conn, story["canonical_id"]) if story else None
    ids: dict[int, int] = {}  # candidate id -> shared bands
    if row.get("minhash"):
        hashes = dedup.band_hashes(dedup.deserialise(row["minhash"]))
        params = [x for pair in enumerate(hashes) for x in pair]
        ids.update(dict(conn.execute(_BAND_MATCH, [*params, article_id]).fetchall()))
    for (member,) in conn.execute(
        "SELECT id FROM articles WHERE story_id = ? AND id != ? ORDER BY id LIMIT 200", [row["story_id"], article_id]
    ):
        ids.setdefault(member, 0)
    compared = [compare(row, other) for i in sorted(ids) if (other := _article(conn, i)) is not None]
    compared.sort(key=lambda c: (-(c["estimated_jaccard"] or 0.0), -c["exact_jaccard"], c["id"]))
    public = {k: v for k, v in row.items() if k not in ("minhash", "body_key", "title_key")}
    return {
        "article": public,
        "story": story,
        "canonical": None if canonical is None else {k: canonical[k] for k in ("id", "url", "source_id", "title",
                                                                                "published_at")},
        "rule": row["dup_reason"],
        "why": RULES.get(row["dup_reason"], row["dup_reason"]),
        "against_canonical": compare(row, canonical) if canonical and canonical["id"] != article_id else None,
        "candidates": compared[:candidates],
        "candidates_total": len(compared),
    }  # fmt: skip


def render(report: dict[str, Any]) -> str:
    """The explanation as text for the terminal."""
    a, story, canon = report["article"], report["story"], report["canonical"]
    lines = [f"#{a['id']}  {a['title']}", f"    {a['source_id']}  published {a['published_at']}  "
             f"first seen {a['first_seen_at']}", f"    {a['url']}"]  # fmt: skip
    if story:
        lines.append(f"story {story['story_id']}: {story['articles']} article(s) from {story['outlets']} outlet(s) "
                     f"({story['sources']}), {story['headlines']} headline(s); first publisher "
                     f"{story['first_publisher']} at {story['first_published']}")  # fmt: skip
    if canon:
        lines.append(f"canonical article: #{canon['id']} {canon['source_id']} {canon['published_at']}  {canon['url']}")
    verdict = "duplicate of #" + str(a["duplicate_of"]) if a["duplicate_of"] else "not a duplicate"
    score = f" (dup_score {a['dup_score']})" if a.get("dup_score") is not None else ""
    lines.append(f"verdict: {verdict}{score}")
    lines.append(f"rule: {report['why']}")
    if report["against_canonical"]:
        lines.append("against the canonical article:")
        lines.append("    " + _pair(report["against_canonical"]))
    lines.append(f"nearest candidates ({len(report['candidates'])} of {report['candidates_total']} compared):")
    if not report["candidates"]:
        lines.append("    none: no stored article shares a band with it or is in its story")
    for c in report["candidates"]:
        lines.append(f"    #{c['id']} {c['source_id']} story {c['story_id']}: " + _pair(c))
    return "\n".join(lines)


def _pair(c: dict[str, Any]) -> str:
    est = (
        "no signature"
        if c["estimated_jaccard"] is None
        else f"estimated J {c['estimated_jaccard']:.2f} / containment {c['estimated_containment']:.2f}, "
        f"{c['shared_bands']}/{dedup.BANDS} bands"
    )
    hours = "time unknown" if c["hours_apart"] is None else f"{c['hours_apart']:+.1f} h"
    rule = {True: "near-duplicate rule: yes", False: "near-duplicate rule: no", None: "near-duplicate rule: n/a"}[
        c["near_duplicate"]
    ]
    exact = " same content" if c["same_content_hash"] else (" same body" if c["same_body_hash"] else "")
    return (
        f"{c['shared_shingles']} shared shingles of {c['shingles'][0]}/{c['shingles'][1]}, exact J "
        f"{c['exact_jaccard']:.2f} / containment {c['exact_containment']:.2f}, {est}, {hours}; {rule}{exact}"
    )
