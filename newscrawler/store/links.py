"""The links that tie articles into one story, decided from the stored evidence, and each article's strongest one.

Used by ``rebuild`` (the whole window at once) and by ``stories.settle`` when a story moves to a new canonical
article (that story's members only), so both name a duplicate's reason the same way: its strongest link to the
group (copy of source, then same content, same body, near-duplicate with ``dup_score`` = its best estimated Jaccard
in the group).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from newscrawler import dedup
from newscrawler.store.rows import parse_utc

# The columns ``strongest_links`` reads from each row.
LINK_COLUMNS = (
    "id, url_key, fetched_url_key, source_url_key, content_hash, body_hash, minhash, shingle_count, published_at, "
    "first_seen_at, title_key, body_key, story_id"
)


class Groups:
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


def _hours(a: dict[str, Any], b: dict[str, Any]) -> float | None:
    # as the writer: publication times when the article has one, else first-seen times
    ta = parse_utc(a["published_at"])
    tb = parse_utc(b["published_at"]) if ta is not None else None
    if ta is None or tb is None:
        ta, tb = ta or parse_utc(a["first_seen_at"]), tb or parse_utc(b["first_seen_at"])
    return None if ta is None or tb is None else (ta - tb).total_seconds() / 3600


def strongest_links(rows: dict[int, dict[str, Any]]) -> tuple[Groups, dict[int, dict[str, Any]]]:
    """The groups, and per article its strongest link (``reason``, ``score``)."""
    groups = Groups()
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
