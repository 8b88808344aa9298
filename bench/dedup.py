"""Labelled dedup benchmark (issue 17): precision and recall of same-story pairs for articles and headlines, and the
store's LSH against datasketch's in-memory ``MinHashLSH`` on the same signatures.

    python bench/dedup.py                                  # labelled set: 1,600 groups = 20,800 articles + headlines
    python bench/dedup.py --groups 400                     # a quick run
    python bench/dedup.py --min-jaccard 0.45               # the labelled set with another verification threshold
    nice -n 10 python bench/dedup.py --scale 100000        # throughput and peak memory at 100,000 articles

**Labelled set.** Text is generated (made-up Arabic letter strings; each story draws 60 % of its words from a topic
vocabulary of 200 words, so stories of one topic share many words). Each group is one story published by ten
outlets, one version each: the original and its variants (``VARIANTS``: a dateline added; the outlet's footer added;
a paragraph inserted; the ending trimmed to 70 %; the lead paragraph rewritten; 2 %, 5 % and 10 % of the words
changed; the title changed), published 0-2 h apart; and three near-miss articles of *other* stories that must not
merge with it (``NEAR_MISSES``: the same topic, the same lead paragraph, two shared background paragraphs),
published within the 72 h window. 1,600 groups x 13 = 20,800 articles, arriving shuffled in blocks of 520 through
the real ``Store.save_article`` (exact rules, boilerplate, MinHash/LSH, stories).

The seed page (source ``seed``) lists each block's headlines: for every group the original and two variants, whose
articles are stored ("stored" headlines), and four other outlets' headlines whose articles are never fetched
("not stored": the same title, one word added, one word replaced, a rewritten title sharing 3 words), plus the
same-topic near-miss story's headline (not stored, its title shares 3 topic words with the original's).

Pairs: two items are predicted the same story when they have the same ``story_id``; precision and recall are over all
pairs (cluster contingency counts). "Up to 5 %" leaves out the 10 % variants; the per-variant rows are the share of
groups where the variant ended in its original's story.

**Scale** (``--scale N``): N articles of the same generator are added to one new database in a child process (peak
RSS of that process), timing the dedup stage inside ``save_article`` (signature; candidate lookup and verification;
band insert measured apart) and the whole save. A second child then reads the *stored* signatures back and runs
them, in the same arrival order, through datasketch's ``MinHashLSH`` with the same banding (``dedup.BANDS`` x
``dedup.ROWS``, 32 x 4): query,
verification with the same rule, insert. Both children are this file.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newscrawler import dedup  # noqa: E402
from newscrawler.store import Store, dedup_sql  # noqa: E402
from newscrawler.text import match_key  # noqa: E402

LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
VARIANTS = ["original", "dateline", "footer", "inserted", "trimmed_70", "rewritten_lead", "words_2", "words_5",
            "words_10", "title_changed"]  # fmt: skip
NEAR_MISSES = ["same_topic", "shared_lead", "shared_background"]
HEADLINES_STORED = ["original", "dateline", "words_5"]
HEADLINES_UNSTORED = ["same_title", "word_added", "word_replaced", "title_rewritten"]
START = datetime(2025, 10, 1, 6, 0, tzinfo=UTC)


class Generator:
    """The labelled articles and headlines of group ``k`` (deterministic per seed and k)."""

    def __init__(self, seed: int = 17, *, raw_keys: bool = False) -> None:
        rng = random.Random(seed)
        self.seed = seed
        # raw_keys: the generated words are already match keys (letters only); skips match_key at 1M articles
        self.raw_keys = raw_keys
        self.vocab = ["".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 8))) for _ in range(30_000)]
        self.topics = [rng.sample(self.vocab, 200) for _ in range(40)]
        # each outlet's footer: the same closing paragraph on all its articles (boilerplate after a few)
        self.footers = {f"o{i}": [rng.choice(self.vocab) for _ in range(18)] for i in range(10)}

    def _words(self, rng: random.Random, topic: list[str], n: int) -> list[str]:
        return [rng.choice(topic) if rng.random() < 0.6 else
                self.vocab[min(int(rng.paretovariate(1.2)) - 1, len(self.vocab) - 1)] if rng.random() < 0.5
                else rng.choice(self.vocab) for _ in range(n)]  # fmt: skip

    def _paras(self, rng: random.Random, topic: list[str], n: int = 5) -> list[list[str]]:
        return [self._words(rng, topic, rng.randint(25, 40)) for _ in range(n)]

    def group(self, k: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(articles, headlines) of group k; each with ``label`` (the story) and ``kind``."""
        rng = random.Random(self.seed * 1_000_003 + k)
        topic = self.topics[k % len(self.topics)]
        title = [rng.choice(topic) for _ in range(3)] + [rng.choice(self.vocab) for _ in range(5)]
        paras = self._paras(rng, topic)
        t0 = START + timedelta(minutes=7 * k)
        arts = []
        for i, kind in enumerate(VARIANTS):
            t, p = list(title), [list(x) for x in paras]
            if kind == "dateline":
                p[0] = ["الرباط", "و", "م", "ع", *p[0]]
            elif kind == "footer":
                p.append(self.footers[f"o{i}"])
            elif kind == "inserted":
                p.insert(2, self._words(rng, topic, 30))
            elif kind == "trimmed_70":
                flat = [w for x in p for w in x]
                cut, p = len(flat) * 7 // 10, []
                for x in paras:
                    if cut <= 0:
                        break
                    p.append(x[:cut])
                    cut -= len(x)
            elif kind == "rewritten_lead":
                p[0] = self._words(rng, topic, len(p[0]))
            elif kind.startswith("words_"):
                share = int(kind.split("_")[1]) / 100
                flat = [(j, n) for j, x in enumerate(p) for n in range(len(x))]
                for j, n in rng.sample(flat, max(1, round(len(flat) * share))):
                    p[j][n] = rng.choice(self.vocab)
            elif kind == "title_changed":
                t = [rng.choice(self.vocab) for _ in range(8)]
            if kind != "footer" and rng.random() < 0.5:
                p.append(self.footers[f"o{i}"])  # half of every outlet's articles carry its footer
            arts.append(self._article(f"o{i}.ma/{k}", t, p, t0 + timedelta(minutes=13 * i), k, kind))
        near = {
            "same_topic": (title[:3] + [rng.choice(self.vocab) for _ in range(5)], self._paras(rng, topic)),
            "shared_lead": ([rng.choice(self.vocab) for _ in range(8)], [paras[0], *self._paras(rng, topic, 4)]),
            "shared_background": ([rng.choice(self.vocab) for _ in range(8)],
                                  [*self._paras(rng, topic, 3), paras[3], paras[4]]),
        }  # fmt: skip
        for i, (kind, (t, p)) in enumerate(near.items()):
            when = t0 + timedelta(minutes=rng.randint(20, 48 * 60))
            arts.append(self._article(f"o{rng.randrange(10)}.ma/n{i}-{k}", t, p, when, f"{k}:{kind}", kind))
        heads = []
        seen = t0 + timedelta(hours=2)
        for a in arts:
            if a["kind"] in HEADLINES_STORED:
                heads.append(self._headline(a["url_key"], a["title"], seen, k, a["kind"], stored=True))
        other = list(title)
        unstored = {
            "same_title": title,
            "word_added": [*title[:4], rng.choice(self.vocab), *title[4:]],
            "word_replaced": [*title[:7], rng.choice(self.vocab)],
            "title_rewritten": [title[0], title[3], title[5], *(rng.choice(self.vocab) for _ in range(5))],
        }
        for i, (kind, t) in enumerate(unstored.items()):
            heads.append(self._headline(f"x{i}.ma/{k}", " ".join(t), seen, k, kind, stored=False))
        other = near["same_topic"][0]
        heads.append(self._headline(f"x9.ma/{k}", " ".join(other), seen, f"{k}:same_topic", "near_same_topic",
                                    stored=False))  # fmt: skip
        return arts, heads

    def _article(self, key: str, title: list[str], paras: list[list[str]], when: datetime, label: Any,
                 kind: str) -> dict:  # fmt: skip
        body = "\n\n".join(" ".join(x) for x in paras)
        title_text = " ".join(title)
        if self.raw_keys:
            title_key, body_key = title_text, " ".join(body.split())
        else:
            title_key, body_key = match_key(title_text), match_key(body)
        published = when.isoformat(timespec="seconds")
        return {"url": f"https://{key}", "url_key": key, "source_id": key.split(".")[0], "title": title_text,
                "body": body, "title_key": title_key, "body_key": body_key,
                "content_hash": dedup.content_hash(title_key, body_key), "body_hash": dedup.body_hash(body_key),
                "published_at": published, "fetched_at": published, "label": label, "kind": kind}  # fmt: skip

    @staticmethod
    def _headline(key: str, title: str, seen: datetime, label: Any, kind: str, *, stored: bool) -> dict:
        return {"source_id": "seed", "url": f"https://{key}", "url_key": key, "title": title,
                "listing_url": "https://seed.ma/", "seen_at": seen.isoformat(timespec="seconds"), "label": label,
                "kind": kind, "stored": stored}  # fmt: skip


def sources() -> list[dict[str, str]]:
    return [{"id": f"o{i}", "name": f"o{i}", "kind": "publisher"} for i in range(10)] + [
        {"id": "seed", "name": "seed", "kind": "aggregator"}]  # fmt: skip


def arrivals(gen: Generator, groups: int, block: int, rng: random.Random) -> Iterator[tuple[list, list]]:
    """Blocks of groups: their articles shuffled together, then their headlines (one seed-page poll)."""
    per = max(1, block // (len(VARIANTS) + len(NEAR_MISSES)))
    for start in range(0, groups, per):
        arts: list[dict] = []
        heads: list[dict] = []
        for k in range(start, min(groups, start + per)):
            a, h = gen.group(k)
            arts += a
            heads += h
        rng.shuffle(arts)
        yield arts, heads


# ---------------------------------------------------------------- precision and recall


def pair_scores(items: list[tuple[Any, Any]]) -> tuple[float, float, int, int]:
    """(precision, recall, true pairs, predicted pairs) of (label, predicted cluster or None) items."""

    def pairs(counter: Counter) -> int:
        return sum(n * (n - 1) // 2 for n in counter.values())

    truth = pairs(Counter(label for label, _ in items))
    predicted = pairs(Counter(p for _, p in items if p is not None))
    both = pairs(Counter((label, p) for label, p in items if p is not None))
    return (both / predicted if predicted else 1.0), (both / truth if truth else 1.0), truth, predicted


def labelled(args: argparse.Namespace) -> dict[str, Any]:
    if args.min_jaccard is not None:
        dedup.MIN_JACCARD = args.min_jaccard  # a what-if: is_near_duplicate reads the module's value on each call
    gen = Generator(args.seed)
    path = Path(args.db or tempfile.mkdtemp(prefix="bench-dedup-")) / "labelled.db"
    path.unlink(missing_ok=True)
    labels: dict[str, tuple[Any, str]] = {}
    head_labels: dict[str, tuple[Any, str, bool]] = {}
    t = time.perf_counter()
    n = 0
    with Store(path, batch_size=500, max_delay=3600) as s:
        s.upsert_sources(sources())
        run = s.start_run(sources=[x["id"] for x in sources()])
        for arts, heads in arrivals(gen, args.groups, args.block, random.Random(args.seed)):
            for a in arts:
                labels[a["url_key"]] = (a.pop("label"), a.pop("kind"))
                s.save_article(a, run_id=run)
                n += 1
            for h in heads:
                head_labels[h["url_key"]] = (h.pop("label"), h.pop("kind"), h.pop("stored"))
            s.save_headlines(heads, run_id=run)
        s.finish_run(run, status="ok")
        elapsed = time.perf_counter() - t
        story = dict(s.db.execute("SELECT url_key, story_id FROM articles").fetchall())
        head_story = dict(s.db.execute("SELECT url_key, story_id FROM headlines").fetchall())
        canonical = {r[0] for r in s.db.execute("SELECT a.url_key FROM stories s JOIN articles a ON a.id = s.canonical_id")}
        t = time.perf_counter()
        rebuilt = s.rebuild_stories()
        rebuild_s = time.perf_counter() - t
    out: dict[str, Any] = {"min_jaccard": dedup.MIN_JACCARD, "layout": f"{dedup.BANDS}x{dedup.ROWS}",
                           "articles": n, "groups": args.groups, "seconds": round(elapsed, 1),
                           "articles_per_s": round(n / elapsed), "rebuild": rebuilt,
                           "rebuild_seconds": round(rebuild_s, 1)}  # fmt: skip
    # articles: up to 5 % (10 % variants left out), then all
    items = [(label, story[k]) for k, (label, kind) in labels.items() if kind != "words_10"]
    out["articles_up_to_5"] = pair_scores(items)
    out["articles_all"] = pair_scores([(label, story[k]) for k, (label, _) in labels.items()])
    by_group: dict[Any, dict[str, int]] = {}
    for k, (label, kind) in labels.items():
        by_group.setdefault(str(label).split(":")[0], {})[kind] = story[k]
    rows = {}
    for kind in VARIANTS[1:]:
        rows[kind] = sum(g[kind] == g["original"] for g in by_group.values()) / len(by_group)
    for kind in NEAR_MISSES:
        rows[f"near-miss {kind} merged"] = sum(g[kind] == g["original"] for g in by_group.values()) / len(by_group)
    out["per_variant"] = rows
    orig = {label: k for k, (label, kind) in labels.items() if kind == "original"}
    out["original_is_canonical"] = sum(k in canonical for k in orig.values()) / len(orig)
    stored = [(label, head_story[k]) for k, (label, _, st) in head_labels.items() if st]
    out["headlines_stored"] = pair_scores(stored)
    # not stored: pairs of a not-stored headline with any headline (stored or not) of the seed page
    every = [(label, head_story[k]) for k, (label, _, _) in head_labels.items()]
    p_all, r_all, truth_all, pred_all = pair_scores(every)
    p_s, r_s, truth_s, pred_s = out["headlines_stored"]
    both_all, both_s = round(p_all * pred_all), round(p_s * pred_s)
    truth_u, pred_u, both_u = truth_all - truth_s, pred_all - pred_s, both_all - both_s
    out["headlines_not_stored"] = (both_u / pred_u if pred_u else 1.0, both_u / truth_u if truth_u else 1.0,
                                   truth_u, pred_u)  # fmt: skip
    hrows = {}
    for kind in [*HEADLINES_UNSTORED, "near_same_topic"]:
        hits = [(head_story[k], story.get(f"o0.ma/{str(label).split(':')[0]}")) for k, (label, kd, _) in
                head_labels.items() if kd == kind]  # fmt: skip
        hrows[kind] = sum(h is not None and h == o for h, o in hits) / len(hits)
    out["headline_rows"] = hrows
    out["banding"] = banding(path, labels)
    return out


# What-if thresholds for the rule's estimated Jaccard (dedup.MIN_JACCARD is the rule's; containment stays 0.8)
WHAT_IF_JACCARD = (0.45, 0.4)


def banding(path: Path, labels: dict[str, tuple[Any, str]]) -> dict[str, dict[str, float]]:
    """Per variant and near-miss kind, over the (original, variant) pairs that both have a signature: the share the
    verification rule accepts (estimate), and the share that is also an LSH candidate with the store's banding
    (``dedup.BANDS`` x ``dedup.ROWS``, 32 x 4) and with the earlier 25 x 5 (the same 128 values); then the share
    verified, and verified and a candidate (32 x 4), if the rule's Jaccard threshold were each of
    ``WHAT_IF_JACCARD``. Direct pairs only: a variant can still join through another member."""
    import numpy as np

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    sig = {k: (dedup.deserialise(b), n) for k, b, n in
           conn.execute("SELECT url_key, minhash, shingle_count FROM articles WHERE minhash IS NOT NULL")}  # fmt: skip
    conn.close()

    def candidate(a: np.ndarray, b: np.ndarray, bands: int, rows: int) -> bool:
        eq = (a[: bands * rows] == b[: bands * rows]).reshape(bands, rows)
        return bool(eq.all(axis=1).any())

    out: dict[str, dict[str, float]] = {}
    originals = {str(label): k for k, (label, kind) in labels.items() if kind == "original"}
    for kind in [*VARIANTS[1:], *NEAR_MISSES]:
        counts = Counter()
        for k, (label, kd) in labels.items():
            orig = originals[str(label).split(":")[0]]
            if kd != kind or k not in sig or orig not in sig:
                continue
            (a, na), (b, nb) = sig[orig], sig[k]
            j, c = dedup.estimate_similarity(a, b, na, nb)
            ok = dedup.is_near_duplicate(j, c, None)
            counts["pairs"] += 1
            counts["verified"] += ok
            counts["candidate_25x5"] += ok and candidate(a, b, 25, 5)
            counts["candidate_32x4"] += ok and candidate(a, b, 32, 4)
            counts["any_candidate_32x4"] += candidate(a, b, 32, 4)
            counts["any_candidate_25x5"] += candidate(a, b, 25, 5)
            for t in WHAT_IF_JACCARD:
                ok_t = j >= t or c >= dedup.MIN_CONTAINMENT
                counts[f"verified_j{t}"] += ok_t
                counts[f"candidate_32x4_j{t}"] += ok_t and candidate(a, b, 32, 4)
        if counts["pairs"]:
            names = ["verified", "candidate_25x5", "candidate_32x4", "any_candidate_25x5", "any_candidate_32x4",
                     *(f"{x}_j{t}" for t in WHAT_IF_JACCARD for x in ("verified", "candidate_32x4"))]  # fmt: skip
            out[kind] = {"pairs": counts["pairs"], **{x: round(counts[x] / counts["pairs"], 4) for x in names}}
    return out


# ---------------------------------------------------------------- scale: the store and datasketch


def scale_store(args: argparse.Namespace) -> dict[str, Any]:
    """Child process: add ``args.scale`` articles to one new database, timing the dedup stage."""
    gen = Generator(args.seed)
    path = Path(args.db)
    path.unlink(missing_ok=True)
    timers = {"sketch": 0.0, "near": 0.0}
    sketch, near = dedup_sql.Deduplicator._sketch, dedup_sql.Deduplicator._near_duplicate

    def timed_sketch(self: Any, row: Any) -> Any:
        t = time.perf_counter()
        try:
            return sketch(self, row)
        finally:
            timers["sketch"] += time.perf_counter() - t

    def timed_near(self: Any, *a: Any, **kw: Any) -> Any:
        t = time.perf_counter()
        try:
            return near(self, *a, **kw)
        finally:
            timers["near"] += time.perf_counter() - t

    dedup_sql.Deduplicator._sketch = timed_sketch  # type: ignore[method-assign]
    dedup_sql.Deduplicator._near_duplicate = timed_near  # type: ignore[method-assign]
    groups = -(-args.scale // (len(VARIANTS) + len(NEAR_MISSES)))
    n, save_s, checkpoints = 0, 0.0, []
    rng = random.Random(args.seed)
    with Store(path, batch_size=500, max_delay=3600) as s:
        s.upsert_sources(sources())
        run = s.start_run(sources=[x["id"] for x in sources()])
        for arts, _ in arrivals(gen, groups, args.block, rng):
            for a in arts:
                if n >= args.scale:
                    break
                a.pop("label"), a.pop("kind")
                t = time.perf_counter()
                s.save_article(a, run_id=run)
                save_s += time.perf_counter() - t
                n += 1
                if n % 20_000 == 0:
                    checkpoints.append((n, round(save_s, 1), round(timers["sketch"] + timers["near"], 1)))
        s.commit()
        signed = s.db.execute("SELECT count(*) FROM articles WHERE minhash IS NOT NULL").fetchone()[0]
        # the band insert (inside the article INSERT's statement sequence), measured apart on a scratch table
        sigs = [dedup.deserialise(r[0]) for r in s.db.execute("SELECT minhash FROM articles WHERE minhash IS NOT NULL "
                                                              "LIMIT 10000")]  # fmt: skip
        s.db.execute("CREATE TEMP TABLE bench_bands (band INTEGER, hash INTEGER, article_id INTEGER, "
                     "PRIMARY KEY (band, hash, article_id)) WITHOUT ROWID")  # fmt: skip
        t = time.perf_counter()
        for i, sig in enumerate(sigs):
            s.db.execute(dedup_sql._BAND_INSERT.replace("article_bands", "temp.bench_bands"),
                         [x for band, h in enumerate(dedup.band_hashes(sig)) for x in (band, h, i)])  # fmt: skip
        band_s = (time.perf_counter() - t) / max(1, len(sigs))
        s.rollback()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"articles": n, "signed": signed, "save_s": round(save_s, 1), "sketch_s": round(timers["sketch"], 1),
            "near_s": round(timers["near"], 1), "band_insert_ms": round(band_s * 1000, 4),
            "peak_rss_mb": round(rss), "db_mb": round(path.stat().st_size / 2**20),
            "checkpoints": checkpoints}  # fmt: skip


def scale_state(args: argparse.Namespace) -> dict[str, Any]:
    """Child process: the dedup state alone at ``args.scale`` articles: signature, candidates (the store's band
    query) and verification, then the article's row (signature columns only) and its band rows, in one database
    created by ``Store``; committed every 500 articles. Timed per stage."""
    from newscrawler.store.rows import parse_utc

    gen = Generator(args.seed, raw_keys=True)
    path = Path(args.db)
    path.unlink(missing_ok=True)
    with Store(path) as s:
        s.upsert_sources(sources())
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("BEGIN")
    groups = -(-args.scale // (len(VARIANTS) + len(NEAR_MISSES)))
    n, t_sig, t_cand, t_ins, matched, checkpoints = 0, 0.0, 0.0, 0.0, 0, []
    window = timedelta(days=7)
    hours = timedelta(hours=dedup.MAX_HOURS_APART)
    for arts, _ in arrivals(gen, groups, args.block, random.Random(args.seed)):
        for a in arts:
            if n >= args.scale:
                break
            t0 = time.perf_counter()
            sh = dedup.shingles(a["body_key"], title_key=a["title_key"])
            if len(sh) < dedup.MIN_SHINGLES:
                continue
            sig = dedup.signature(sh)
            bands = dedup.band_hashes(sig)
            t1 = time.perf_counter()
            when = parse_utc(a["published_at"])
            assert when is not None
            params = [x for pair in enumerate(bands) for x in pair]
            found = None
            for _cid, croot, blob, size, c_pub, _c_seen, _ in conn.execute(dedup_sql._BAND_QUERY, [
                    *params, (when - window).isoformat(timespec="seconds"), (when - hours).isoformat(timespec="seconds"),
                    (when + hours).isoformat(timespec="seconds")]):  # fmt: skip
                j, c = dedup.estimate_similarity(sig, dedup.deserialise(blob), len(sh), size or 0)
                c_when = parse_utc(c_pub)
                if dedup.is_near_duplicate(j, c, None if c_when is None else (when - c_when).total_seconds() / 3600):
                    found = croot
                    break
            t2 = time.perf_counter()
            cur = conn.execute(
                "INSERT INTO articles (url, url_key, source_id, published_at, first_seen_at, last_seen_at, minhash, "
                "shingle_count, bands, duplicate_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
                [a["url"], a["url_key"], a["source_id"], a["published_at"], a["published_at"], a["published_at"],
                 dedup.serialise(sig), len(sh), found],
            )  # fmt: skip
            article_id = cur.lastrowid
            conn.execute(dedup_sql._BAND_INSERT, [x for band, h in enumerate(bands) for x in (band, h, article_id)])
            t_ins += time.perf_counter() - t2
            t_sig += t1 - t0
            t_cand += t2 - t1
            matched += found is not None
            n += 1
            if n % 500 == 0:
                conn.execute("COMMIT")
                conn.execute("BEGIN")
            if n % 100_000 == 0:
                checkpoints.append((n, round(t_sig + t_cand, 1), round(t_ins, 1)))
                print(json.dumps({"progress": n}), file=sys.stderr, flush=True)
        if n >= args.scale:
            break
    conn.execute("COMMIT")
    conn.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"articles": n, "matched": matched, "signature_s": round(t_sig, 1), "candidates_verify_s": round(t_cand, 1),
            "insert_s": round(t_ins, 1), "peak_rss_mb": round(rss), "db_mb": round(path.stat().st_size / 2**20),
            "checkpoints": checkpoints}  # fmt: skip


def scale_datasketch(args: argparse.Namespace) -> dict[str, Any]:
    """Child process: the stored signatures, in arrival order, through datasketch's in-memory MinHashLSH."""
    import numpy as np
    from datasketch import LeanMinHash, MinHashLSH

    from newscrawler.store.rows import parse_utc

    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    rows = conn.execute("SELECT id, minhash, shingle_count, published_at, first_seen_at FROM articles "
                        "WHERE minhash IS NOT NULL ORDER BY id").fetchall()  # fmt: skip
    conn.close()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lsh = MinHashLSH(num_perm=dedup.NUM_PERM, params=(dedup.BANDS, dedup.ROWS))
    kept: dict[int, tuple[Any, int, Any]] = {}
    matched = 0
    t = time.perf_counter()
    for article_id, blob, size, published, seen in rows:
        sig = dedup.deserialise(blob)
        m = LeanMinHash(seed=1, hashvalues=sig.astype(np.uint64), scheme="affine32")
        when = parse_utc(published) or parse_utc(seen)
        for other in lsh.query(m):
            o_sig, o_size, o_when = kept[other]
            j, c = dedup.estimate_similarity(sig, o_sig, size, o_size)
            hours = None if when is None or o_when is None else (when - o_when).total_seconds() / 3600
            if dedup.is_near_duplicate(j, c, hours):
                matched += 1
                break
        lsh.insert(article_id, m)
        kept[article_id] = (sig, size, when)
    elapsed = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"signed": len(rows), "seconds": round(elapsed, 1), "matched": matched, "peak_rss_mb": round(rss),
            "rss_before_mb": round(base)}  # fmt: skip


def scale(args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(args.db or tempfile.mkdtemp(prefix="bench-dedup-"))
    db = folder / f"scale{args.scale}.db"
    out = {}
    for child in ("state" if args.state_only else "store", "datasketch"):
        cmd = [sys.executable, __file__, "--child", child, "--scale", str(args.scale), "--db", str(db),
               "--seed", str(args.seed), "--block", str(args.block)]  # fmt: skip
        print(f"running the {child} child ...", file=sys.stderr, flush=True)
        result = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
        out[child] = json.loads(result.stdout)
    # a new crawl's start on this database: opening the writer (schema check, pragmas), a lookup, the first save
    t = time.perf_counter()
    with Store(db) as s:
        s.known_article("o0.ma/0")
        out["open_s"] = round(time.perf_counter() - t, 3)
        a, _ = Generator(args.seed + 1).group(10**6)
        first = {k: v for k, v in a[0].items() if k not in ("label", "kind")}
        run = s.start_run(sources=["o0"])
        t = time.perf_counter()
        s.save_article(first, run_id=run)
        s.commit()
        out["first_save_s"] = round(time.perf_counter() - t, 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=1600, help="labelled groups (13 articles each)")
    parser.add_argument("--scale", type=int, help="instead: add this many articles, store vs datasketch")
    parser.add_argument("--block", type=int, default=520, help="articles shuffled together")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--min-jaccard", type=float,
                        help="labelled set: run with the verification rule's estimated-Jaccard threshold set to this "
                        f"(default: the rule's, {dedup.MIN_JACCARD}), to measure another threshold's precision and "
                        "recall")  # fmt: skip
    parser.add_argument("--db", help="folder for the databases (default: a temporary one); with --child: the file")
    parser.add_argument("--state-only", action="store_true",
                        help="with --scale: time the dedup state alone (signature, band query, verification, band "
                        "insert) instead of the whole Store.save_article (for 1,000,000 articles)")
    parser.add_argument("--child", choices=["store", "state", "datasketch"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child = {"store": scale_store, "state": scale_state, "datasketch": scale_datasketch}[args.child]
        print(json.dumps(child(args)))
        return
    print(json.dumps(scale(args) if args.scale else labelled(args), indent=2, default=str))


if __name__ == "__main__":
    main()
