"""Stories (schema v9): the canonical article is the earliest publisher's, whatever the crawl order; bounded band
state (store.bands) and its 32 x 4 layout (migration 11).

Real SQLite files through ``Store.save_article``; the texts are test_neardup's (written for these tests).
"""

from __future__ import annotations

import random
import sqlite3

import numpy as np
import pytest

from newscrawler import dedup
from newscrawler.store import _MIGRATIONS, SCHEMA_VERSION, Store
from newscrawler.store.connection import register_functions
from newscrawler.store.schema import migrate
from tests.test_neardup import EDITS, FLOODS, FLOODS_TITLE, INSERTED, LIBRARY, PORT, art

SOURCES = [{"id": i, "name": i, "kind": "publisher"} for i in ("pub", "other", "third", "pubb")] + [
    {"id": "agg", "name": "agg", "kind": "aggregator"}
]
PORT_TITLE = "توسيع ميناء أكادير"
LIBRARY_TITLE = "مكتبة جديدة بوجدة"


def at(hhmm: str) -> str:
    return f"2025-10-08T{hhmm}:00+00:00"


def link(key: str) -> dict:
    return {"source_url": f"https://{key}", "source_url_key": key}


# (article, the url_key of its story's canonical article). Every publication time differs, so the expected
# canonical follows from the rule alone (publisher first, then the earliest published_at).
ARTICLES = [
    # floods: pub.ma/1 published first among publishers; an aggregator copy carries an earlier time (aggregator
    # clocks are not evidence) and is still never canonical
    (art("pub.ma/1", FLOODS_TITLE, FLOODS, published=at("09:00")), "pub.ma/1"),
    (art("other.ma/2", FLOODS_TITLE, list(EDITS["dateline"]), published=at("09:30")), "pub.ma/1"),
    (art("third.ma/3", FLOODS_TITLE, list(EDITS["trimmed_70"]), published=at("10:00")), "pub.ma/1"),
    (art("pubb.ma/4", FLOODS_TITLE, FLOODS, published=at("09:45")), "pub.ma/1"),  # verbatim (exact rule)
    (art("other.ma/5", FLOODS_TITLE, list(EDITS["footer"]), published=at("11:00")), "pub.ma/1"),
    (art("agg.ma/1", FLOODS_TITLE, FLOODS, published=at("08:55"), **link("pub.ma/1")), "pub.ma/1"),
    (art("agg.ma/2", FLOODS_TITLE, list(EDITS["dateline"]), published=at("09:40"), **link("other.ma/2")),
     "pub.ma/1"),
    # port: third.ma is first; the aggregator copies pub.ma's later version
    (art("third.ma/13", PORT_TITLE, ["أكادير - " + PORT[0], *PORT[1:]], published=at("13:00")), "third.ma/13"),
    (art("pub.ma/10", PORT_TITLE, PORT, published=at("14:00")), "third.ma/13"),
    (art("other.ma/11", PORT_TITLE, [PORT[0], *INSERTED[:1], *PORT[1:]], published=at("14:30")), "third.ma/13"),
    (art("agg.ma/12", PORT_TITLE, PORT, published=at("14:10"), **link("pub.ma/10")), "third.ma/13"),
    # library: one publisher; an aggregator copy without a source link, stamped earlier
    (art("other.ma/20", LIBRARY_TITLE, LIBRARY, published=at("12:00")), "other.ma/20"),
    (art("agg.ma/21", LIBRARY_TITLE, LIBRARY, published=at("11:00")), "other.ma/20"),
]  # fmt: skip


def crawl_in_order(path, order: list[int]) -> tuple[dict, list]:
    """Save ARTICLES in ``order``; return ({url_key: (story canonical key, duplicate_of key)}, stories rows)."""
    with Store(path, batch_size=50, max_delay=3600) as s:
        s.upsert_sources(SOURCES)
        run = s.start_run(sources=[x["id"] for x in SOURCES])
        for i in order:
            s.save_article(dict(ARTICLES[i][0]), run_id=run)
        s.commit()
        key = dict(s.db.execute("SELECT id, url_key FROM articles").fetchall())
        links = {
            key[i]: (key[story], key.get(dup))
            for i, story, dup in s.db.execute("SELECT id, story_id, duplicate_of FROM articles").fetchall()
        }
        stories = sorted(
            (key[r[0]], key[r[1]], *r[2:])
            for r in s.db.execute(
                "SELECT story_id, canonical_id, first_publisher, first_published, articles, duplicates, outlets, "
                "sources FROM stories"
            ).fetchall()
        )
    return links, stories


def test_five_shuffled_orders_give_the_same_stories_canonicals_and_duplicate_links(tmp_path):
    rng = random.Random(17)
    orders = []
    for _ in range(5):
        order = list(range(len(ARTICLES)))
        rng.shuffle(order)
        orders.append(order)
    assert len({tuple(o) for o in orders}) == 5
    results = [crawl_in_order(tmp_path / f"order{n}.db", order) for n, order in enumerate(orders)]
    links, stories = results[0]
    for other in results[1:]:
        assert other == results[0]
    # ... and what they agree on is the rule's answer, not a shared mistake
    expected = {a["url_key"]: canonical for a, canonical in ARTICLES}
    assert {k: story for k, (story, _) in links.items()} == expected
    for k, (story, dup) in links.items():
        assert dup == (None if k == story else story), k  # every copy points at its story's canonical article
    published = {a["url_key"]: a["published_at"] for a, _ in ARTICLES}
    for k, (story, _) in links.items():  # no publisher's article is published before its canonical
        if not k.startswith("agg."):
            assert published[k] >= published[story], k
    by_canonical = {row[1]: row for row in stories}
    assert set(by_canonical) == {"pub.ma/1", "third.ma/13", "other.ma/20"}
    assert by_canonical["pub.ma/1"][2:] == ("pub", at("09:00"), 7, 6, 5, "agg,other,pub,pubb,third")
    assert by_canonical["third.ma/13"][2:] == ("third", at("13:00"), 4, 3, 4, "agg,other,pub,third")
    assert by_canonical["other.ma/20"][2:] == ("other", at("12:00"), 2, 1, 2, "agg,other")


def test_the_original_arriving_last_takes_over_the_story_and_its_headlines(tmp_path):
    with Store(tmp_path / "news.db") as s:
        s.upsert_sources(SOURCES)
        run = s.start_run(sources=["pub", "other", "agg"])
        # the seed page lists both outlets' versions before either article is stored
        s.save_headlines(
            [{"source_id": "agg", "url": f"https://{k}", "url_key": k, "title": FLOODS_TITLE,
              "listing_url": "https://agg.ma/", "position": n} for n, k in enumerate(("other.ma/2", "pub.ma/1"))],
            run_id=run,
        )  # fmt: skip
        copy = s.save_article(art("other.ma/2", FLOODS_TITLE, list(EDITS["dateline"]), published=at("09:30")),
                              run_id=run)  # fmt: skip
        assert (copy.status, copy.duplicate_of) == ("new", None)
        original = s.save_article(art("pub.ma/1", FLOODS_TITLE, FLOODS, published=at("09:00")), run_id=run)
        assert (original.status, original.duplicate_of, original.repointed) == ("new", None, (copy.article_id,))
        got = s.db.execute("SELECT duplicate_of, dup_reason, story_id FROM articles WHERE id = ?",
                           [copy.article_id]).fetchone()  # fmt: skip
        assert got == (original.article_id, "near_duplicate", original.article_id)
        # both headlines of the seed page are one story with two outlets
        per_story = s.db.execute(
            "SELECT h.story_id, count(*), count(DISTINCT a.source_id) FROM headlines h JOIN articles a "
            "ON a.id = h.article_id WHERE h.listing_url = 'https://agg.ma/' GROUP BY h.story_id"
        ).fetchall()
        assert per_story == [(original.article_id, 2, 2)]
        row = s.db.execute("SELECT canonical_id, first_publisher, articles, outlets, headlines FROM stories").fetchall()
        assert row == [(original.article_id, "pub", 2, 2, 2)]


def test_headline_saved_after_its_article_joins_the_story(tmp_path):
    with Store(tmp_path / "news.db") as s:
        s.upsert_sources(SOURCES)
        run = s.start_run(sources=["pub", "agg"])
        a = s.save_article(art("pub.ma/10", PORT_TITLE, PORT, published=at("14:00")), run_id=run)
        s.save_headlines([{"source_id": "agg", "url": "https://pub.ma/10", "url_key": "pub.ma/10",
                           "title": PORT_TITLE, "listing_url": "https://agg.ma/"},
                          {"source_id": "agg", "url": "https://nowhere.ma/1", "url_key": "nowhere.ma/1",
                           "title": "خبر آخر", "listing_url": "https://agg.ma/"}], run_id=run)  # fmt: skip
        got = dict(s.db.execute("SELECT url_key, story_id FROM headlines").fetchall())
        assert got == {"pub.ma/10": a.article_id, "nowhere.ma/1": None}
        assert s.db.execute("SELECT headlines FROM stories").fetchall() == [(1,)]


def test_migration_to_v9_moves_each_story_to_its_publisher_original(tmp_path):
    path = tmp_path / "v6.db"
    conn = sqlite3.connect(path)
    conn.create_function("newscrawler_search_variants", 2, lambda *_: None)
    conn.executescript("".join(_MIGRATIONS[:6]) + "\nPRAGMA user_version = 6;")
    conn.executemany("INSERT INTO sources (id, kind) VALUES (?, ?)", [("agg", "aggregator"), ("pub", "publisher"),
                                                                      ("other", "publisher")])  # fmt: skip
    # v6 made the first stored row the root: here an aggregator copy, crawled before the publisher's original
    rows = [(1, "agg", at("10:00"), None, None, None), (2, "pub", at("09:00"), 1, "near_duplicate", 0.8),
            (3, "other", at("10:30"), 1, "same_body", None), (4, "other", at("12:00"), None, None, None)]
    for i, src, pub, dup, reason, score in rows:
        conn.execute("INSERT INTO articles (id, url, url_key, source_id, published_at, duplicate_of, dup_reason, "
                     "dup_score, story_id, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'x', 'x')",
                     [i, f"u{i}", f"k{i}", src, pub, dup, reason, score, dup or i])  # fmt: skip
    conn.execute("INSERT INTO headlines (source_id, url, url_key, first_seen_at, last_seen_at, article_id) "
                 "VALUES ('agg', 'u3', 'k3', 'x', 'x', 3)")  # fmt: skip
    conn.commit()
    conn.close()
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION >= 9
        got = s.db.execute("SELECT id, duplicate_of, dup_reason, dup_score, story_id FROM articles").fetchall()
        assert got == [(1, 2, "near_duplicate", 0.8, 2), (2, None, None, None, 2), (3, 2, "same_body", None, 2),
                       (4, None, None, None, 4)]  # fmt: skip
        assert s.db.execute("SELECT story_id FROM headlines").fetchall() == [(2,)]
        stories = s.db.execute("SELECT story_id, canonical_id, first_publisher, first_published, articles, "
                               "outlets, sources, headlines FROM stories ORDER BY story_id").fetchall()  # fmt: skip
        assert stories == [(2, 2, "pub", at("09:00"), 3, 3, "agg,other,pub", 1),
                           (4, 4, "other", at("12:00"), 1, 1, "other", 0)]  # fmt: skip


# ---------------------------------------------------------------- bounded state (store.bands)


def test_bands_outside_the_window_are_pruned_and_then_find_nothing(tmp_path):
    from datetime import UTC, datetime, timedelta

    from newscrawler.store import bands

    with Store(tmp_path / "news.db", near_dup_window_days=7) as s:
        run = s.start_run(sources=["pub", "other"])
        now = datetime.now(UTC).isoformat(timespec="seconds")  # fetched now (first_seen_at), published in 2025
        old = s.save_article(art("pub.ma/1", FLOODS_TITLE, FLOODS, fetched=now), run_id=run)
        kept = s.save_article(art("pub.ma/2", PORT_TITLE, PORT, published=at("13:00"), fetched=now), run_id=run)
        s.commit()
        assert s.maintain_bands() == {"pruned": 0, "backfilled": 0}  # first seen just now: inside the window
        assert s.db.execute("SELECT count(*) FROM article_bands").fetchone()[0] == 2 * dedup.BANDS
        # eight days on, both were first seen and published outside a 7-day window
        later = datetime.now(UTC) + timedelta(days=8)
        assert bands.prune_bands(s.db.conn, window_days=7, now=later, limit=1) == 1  # bounded steps
        assert bands.prune_bands(s.db.conn, window_days=7, now=later) == 1
        assert bands.prune_bands(s.db.conn, window_days=7, now=later) == 0
        assert s.db.execute("SELECT count(*) FROM article_bands").fetchone()[0] == 0
        got = s.db.execute("SELECT bands, minhash IS NOT NULL FROM articles ORDER BY id").fetchall()
        assert got == [(0, 1), (0, 1)]  # signatures are kept
        copy = s.save_article(art("other.ma/3", FLOODS_TITLE, list(EDITS["footer"]), fetched=now), run_id=run)
        assert copy.status == "new" and old.article_id != kept.article_id  # no candidate left


def test_rows_from_before_v2_get_a_signature_and_become_candidates(tmp_path):
    path = tmp_path / "v1.db"
    conn = sqlite3.connect(path)
    conn.executescript(_MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    old = art("pub.ma/1", FLOODS_TITLE, FLOODS)
    conn.execute("INSERT INTO articles (url, url_key, source_id, title_key, body_key, published_at, first_seen_at, "
                 "last_seen_at) VALUES (?, ?, 'pub', ?, ?, ?, ?, ?)",
                 [old["url"], old["url_key"], old["title_key"], old["body_key"], old["published_at"],
                  old["published_at"], old["published_at"]])  # fmt: skip
    conn.execute("INSERT INTO articles (url, url_key, source_id, body_key, first_seen_at, last_seen_at) "
                 "VALUES ('https://pub.ma/stub', 'pub.ma/stub', 'pub', 'قصير', 'x', 'x')")  # fmt: skip
    conn.commit()
    conn.close()
    with Store(path) as s:
        assert s.db.execute("SELECT count(*) FROM articles WHERE bands IS NULL").fetchone()[0] == 2
        assert s.maintain_bands() == {"pruned": 0, "backfilled": 2}
        assert s.db.execute("SELECT bands, minhash IS NOT NULL FROM articles ORDER BY id").fetchall() == [
            (1, 1), (0, 0)]  # fmt: skip
        run = s.start_run(sources=["other"])
        copy = s.save_article(art("other.ma/2", FLOODS_TITLE, list(EDITS["dateline"])), run_id=run)
        assert (copy.duplicate_of, copy.dup_reason) == (1, "near_duplicate")
        assert s.maintain_bands()["backfilled"] == 0


# ---------------------------------------------------------------- migration 11: article_bands in the 32 x 4 layout


def bands_25x5(sig: np.ndarray) -> list[int]:
    """The band hashes schema v10 stored (25 bands x 5 rows of the same signature, the same salted hash)."""
    rows = np.asarray(sig, dtype=np.uint32)[:125].astype(np.uint64).reshape(25, 5)
    mul, salt = dedup._params("band-mul", 5) | np.uint64(1), dedup._params("band-salt", 25)
    return dedup._fmix64((rows * mul).sum(axis=1, dtype=np.uint64) ^ salt).view(np.int64).tolist()


def band_rows(conn) -> set[tuple[int, int, int]]:
    return set(conn.execute("SELECT band, hash, article_id FROM article_bands").fetchall())


def v10_file(path) -> set[tuple[int, int, int]]:
    """A database as schema v10 left it: articles saved (stories, signatures), one pruned outside the window, one
    unsigned row from before v2; ``article_bands`` in the 25 x 5 layout. Returns the rows this code stores for the
    same articles in a new database (the answer the migration must give)."""
    from datetime import UTC, datetime, timedelta

    from newscrawler.store import bands

    now = datetime.now(UTC).isoformat(timespec="seconds")
    with Store(path, near_dup_window_days=7) as s:
        run = s.start_run(sources=["pub", "other"])
        s.save_article(art("pub.ma/1", FLOODS_TITLE, FLOODS, fetched=now), run_id=run)
        s.save_article(art("pub.ma/2", PORT_TITLE, PORT, published=at("13:00"), fetched=now), run_id=run)
        s.save_article(art("other.ma/3", LIBRARY_TITLE, LIBRARY, published=at("12:00")), run_id=run)  # old: pruned
        s.commit()
        later = datetime.now(UTC) + timedelta(days=1)
        assert bands.prune_bands(s.db.conn, window_days=7, now=later) == 1
        s.db.execute("INSERT INTO articles (url, url_key, source_id, body_key, first_seen_at, last_seen_at) "
                     "VALUES ('https://pub.ma/old', 'pub.ma/old', 'pub', 'نص قديم', 'x', 'x')")  # fmt: skip
        s.commit()
        fresh = band_rows(s.db.conn)
        assert len(fresh) == 2 * dedup.BANDS
        old = [(band, h, i) for i, blob in s.db.execute("SELECT id, minhash FROM articles WHERE bands = 1")
               for band, h in enumerate(bands_25x5(dedup.deserialise(blob)))]  # fmt: skip
        s.db.execute("DELETE FROM article_bands")
        s.db.conn.executemany("INSERT INTO article_bands (band, hash, article_id) VALUES (?, ?, ?)", old)
        s.commit()
        s.db.execute("PRAGMA user_version = 10")
    return fresh


def test_migration_to_v11_rebuilds_bands_as_a_new_database_has_them(tmp_path):
    path = tmp_path / "v10.db"
    fresh = v10_file(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 10
    assert len(band_rows(conn)) == 2 * 25 and band_rows(conn).isdisjoint(fresh)
    conn.close()
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION >= 11
        assert band_rows(s.db.conn) == fresh  # no 25 x 5 row left, the pruned and unsigned rows still without
        assert s.db.execute("SELECT bands FROM articles ORDER BY id").fetchall() == [(1,), (1,), (0,), (None,)]
        # and it answers as a new database does: an edited copy finds its original through the rebuilt bands
        run = s.start_run(sources=["other"])
        copy = s.save_article(art("other.ma/4", FLOODS_TITLE, list(EDITS["dateline"]), published=at("10:30")),
                              run_id=run)
        assert (copy.duplicate_of, copy.dup_reason) == (1, "near_duplicate")


def test_migration_to_v11_is_one_transaction(tmp_path):
    path = tmp_path / "v10.db"
    v10_file(path)
    conn = sqlite3.connect(path, isolation_level=None)
    before = band_rows(conn)
    calls = []

    def failing(blob, band):  # the band function failing part-way, after the DELETE
        calls.append(band)
        if len(calls) > dedup.BANDS + 3:
            raise ValueError("disk on fire")
        return len(calls)

    register_functions(conn)  # the writer's functions, then a failing band hash
    conn.create_function("newscrawler_band_hash", 2, failing)
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, "v10.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 10
    assert band_rows(conn) == before and not conn.in_transaction
    conn.close()
    with Store(path) as s:  # the writer opens it afterwards and migrates it for good
        assert s.schema_version == SCHEMA_VERSION
