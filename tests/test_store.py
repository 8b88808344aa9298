"""Store and dedup on a real SQLite file: schema, dedup rules, headlines, counts, FTS, WAL."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from newscrawler import dedup
from newscrawler.store import SCHEMA_VERSION, Store, StoreError, StoreReader

# 40 distinct key-like tokens: long enough for body_hash (>= 30 words)
LONG_BODY = " ".join(f"كلمه{i}" for i in range(40))
OTHER_LONG_BODY = " ".join(f"جمله{i}" for i in range(40))


def art(key: str, *, title_key: str = "عنوان", body_key: str = LONG_BODY, **extra) -> dict:
    """A normalised article dict as the pipelines hand it over; keys are already match keys."""
    row = {
        "url": f"https://{key}",
        "url_key": key,
        "fetched_url": f"https://{key}?utm_source=x",
        "fetched_url_key": key,
        "source_id": key.split(".")[0],
        "title": title_key,
        "body": body_key,
        "title_key": title_key,
        "body_key": body_key,
        "content_hash": dedup.content_hash(title_key, body_key),
        "body_hash": dedup.body_hash(body_key),
        "authors": ["كاتب"],
        "tags": [],
        "published_at": "2025-10-08T13:30:00+01:00",
        "fetched_at": "2025-10-08T13:00:00+00:00",
        "http_status": 200,
        "method": {"title": "jsonld"},
        "norm_version": 1,
    }
    row.update(extra)
    return row


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "news.db"


@pytest.fixture
def store(db_path):
    s = Store(db_path, batch_size=50, max_delay=3600)
    yield s
    s.close()


@pytest.fixture
def run(store):
    store.upsert_sources([{"id": "pub", "name": "ناشر", "kind": "publisher"}])
    return store.start_run(sources=["pub", "agg"])


def rows(store: Store, sql: str, params=()) -> list[tuple]:
    return store.db.execute(sql, params).fetchall()


# ---------------------------------------------------------------- dedup.py


def test_content_hash_is_sha1_of_title_newline_body():
    assert dedup.content_hash("a b", "c d") == hashlib.sha1(b"a b\nc d").hexdigest()
    assert dedup.content_hash("a", "b c") != dedup.content_hash("a b", "c")


def test_body_hash_none_for_short_bodies_and_whitespace_stable():
    assert dedup.body_hash(" ".join(["كلمه"] * 29)) is None
    assert dedup.body_hash("") is None
    h = dedup.body_hash(LONG_BODY)
    assert h == hashlib.sha1(LONG_BODY.encode()).hexdigest()
    assert dedup.body_hash("  " + LONG_BODY.replace(" ", "   ") + "\n") == h


# ---------------------------------------------------------------- schema, WAL, transactions


def test_schema_created_and_reopen_keeps_data_and_version(db_path):
    with Store(db_path) as s:
        run_id = s.start_run(sources=["pub"])
        first = s.save_article(art("pub.ma/1"), run_id=run_id)
        assert s.schema_version == SCHEMA_VERSION
    with Store(db_path) as s:
        names = set(s.db.table_names())
        assert {"sources", "articles", "headlines", "pages", "rejects", "crawl_runs", "articles_fts"} <= names
        assert s.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert rows(s, "SELECT id, url_key FROM articles") == [(first.article_id, "pub.ma/1")]
        assert s.get_run(run_id)["articles_new"] == 1
        indexes = {r[0] for r in rows(s, "SELECT name FROM sqlite_master WHERE type = 'index'")}
        for name in ("idx_articles_url_key", "idx_articles_content_hash", "idx_articles_body_hash",
                     "idx_articles_source_url_key", "idx_articles_source_id", "idx_articles_published_at"):  # fmt: skip
            assert name in indexes
        # the url_key index is unique: a second row with the same key is impossible
        with pytest.raises(sqlite3.IntegrityError):
            s.db.conn.execute("INSERT INTO articles (url, url_key, first_seen_at, last_seen_at) VALUES ('u', 'pub.ma/1', 'x', 'x')")
        s.rollback()


def test_newer_schema_is_refused(db_path):
    Store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store(db_path)


def test_wal_mode_and_synchronous_normal(store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_reader_reads_while_write_transaction_is_open(store, db_path, run):
    store.save_article(art("pub.ma/1"), run_id=run)
    store.commit()
    store.save_article(art("pub.ma/2", title_key="اخر", body_key=OTHER_LONG_BODY), run_id=run)
    assert store.db.conn.in_transaction  # batch not committed yet
    reader = sqlite3.connect(db_path, timeout=0.1)
    try:
        # does not block, and sees only committed data
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
        store.commit()
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
    finally:
        reader.close()


def test_batches_commit_every_batch_size_writes(db_path):
    with Store(db_path, batch_size=2, max_delay=3600) as s:
        run_id = s.start_run(sources=["pub"])
        reader = sqlite3.connect(db_path)
        s.save_article(art("pub.ma/1"), run_id=run_id)
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
        s.save_article(art("pub.ma/2", title_key="اخر", body_key=OTHER_LONG_BODY), run_id=run_id)
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
        # counts are committed with the rows they describe
        assert reader.execute("SELECT articles_new FROM crawl_runs WHERE id = ?", [run_id]).fetchone()[0] == 2
        reader.close()


def test_max_delay_commits_a_slow_trickle(db_path):
    with Store(db_path, batch_size=1000, max_delay=0) as s:
        run_id = s.start_run(sources=["pub"])
        s.save_article(art("pub.ma/1"), run_id=run_id)
        assert not s.db.conn.in_transaction


def test_failed_item_is_rolled_back_alone(store, run):
    store.save_headlines([{"source_id": "pub", "url": "https://pub.ma/1", "url_key": "pub.ma/1"}], run_id=run)
    with pytest.raises(ValueError):
        store.save_headlines(
            [
                {"source_id": "pub", "url": "https://pub.ma/2", "url_key": "pub.ma/2"},
                {"source_id": "pub", "url": "", "url_key": ""},  # invalid: the whole call is undone
            ],
            run_id=run,
        )
    store.commit()
    assert rows(store, "SELECT url_key FROM headlines") == [("pub.ma/1",)]
    assert store.run_counts(run)["headlines_new"] == 1


# ---------------------------------------------------------------- dedup rules


def test_seen_updates_last_seen_and_fills_empty_fields_never_adds_a_row(store, run):
    first = store.save_article(art("pub.ma/1", summary=""), run_id=run)
    again = store.save_article(
        art("pub.ma/1", summary="ملخص", fetched_at="2025-10-09T08:00:00+00:00", title="عنوان جديد"), run_id=run
    )
    assert first.status == "new"
    assert again.status == "seen" and again.article_id == first.article_id
    assert rows(store, "SELECT count(*) FROM articles") == [(1,)]
    row = store.db["articles"].get(first.article_id)
    assert row["first_seen_at"] == "2025-10-08T13:00:00+00:00"
    assert row["last_seen_at"] == "2025-10-09T08:00:00+00:00"
    assert row["summary"] == "ملخص"  # was empty: filled
    assert row["title"] == "عنوان"  # was set: kept
    counts = store.run_counts(run)
    assert (counts["articles_new"], counts["articles_seen"]) == (1, 1)


def test_same_content_and_same_body(store, run):
    a = store.save_article(art("pub.ma/1"), run_id=run)
    b = store.save_article(art("other.ma/9"), run_id=run)
    c = store.save_article(art("third.ma/3", title_key="عنوان مختلف"), run_id=run)
    assert (b.status, b.duplicate_of, b.dup_reason) == ("duplicate", a.article_id, "same_content")
    assert (c.status, c.duplicate_of, c.dup_reason) == ("duplicate", a.article_id, "same_body")
    assert rows(store, "SELECT count(*) FROM articles") == [(3,)]  # duplicates are rows, never dropped


def test_short_bodies_are_not_duplicates_by_body(store, run):
    stub = "اقرا المزيد على الموقع"
    a = store.save_article(art("pub.ma/1", title_key="خبر اول", body_key=stub), run_id=run)
    b = store.save_article(art("pub.ma/2", title_key="خبر ثان", body_key=stub), run_id=run)
    assert a.status == b.status == "new"
    assert store.db["articles"].get(b.article_id)["body_hash"] is None


def test_copy_of_source_when_original_is_stored_and_chains_to_root(store, run):
    a = store.save_article(art("pub.ma/1"), run_id=run)
    b = store.save_article(art("pub.ma/2", title_key="عنوان اخر"), run_id=run)  # same_body of a
    assert b.duplicate_of == a.article_id
    # an aggregator copy whose "read at the source" link is b -> root a
    c = store.save_article(
        art("agg.ma/5", body_key=OTHER_LONG_BODY, source_url="https://pub.ma/2", source_url_key="pub.ma/2"),
        run_id=run,
    )
    assert (c.status, c.duplicate_of, c.dup_reason) == ("duplicate", a.article_id, "copy_of_source")


def test_source_url_key_computed_with_url_rules_when_missing(store, run):
    from newscrawler.urls import url_key

    original = store.save_article(art(url_key("https://www.pub.ma/a/1")), run_id=run)
    copy = store.save_article(
        art("agg.ma/9", body_key=OTHER_LONG_BODY, source_url="https://www.pub.ma/a/1?utm_source=agg#top"),
        run_id=run,
    )
    assert (copy.duplicate_of, copy.dup_reason) == (original.article_id, "copy_of_source")


def test_publisher_pointing_at_itself_is_an_original(store, run):
    a = store.save_article(art("pub.ma/1", source_url="https://pub.ma/1", source_url_key="pub.ma/1"), run_id=run)
    assert (a.status, a.duplicate_of) == ("new", None)


def test_original_arriving_after_its_copies_becomes_root(store, run):
    # the outlets are known aggregators (an outlet of unknown kind without a source link counts as a publisher)
    store.upsert_sources([{"id": i, "name": i, "kind": "aggregator"} for i in ("agg", "agg2", "agg3")])
    c1 = store.save_article(art("agg.ma/1", source_url="https://pub.ma/7", source_url_key="pub.ma/7"), run_id=run)
    c2 = store.save_article(art("agg2.ma/4"), run_id=run)  # same content as c1, no source link
    assert (c1.status, c2.duplicate_of) == ("new", c1.article_id)
    original = store.save_article(art("pub.ma/7"), run_id=run)  # same content too, yet the root
    assert (original.status, original.duplicate_of) == ("new", None)
    assert original.repointed == (c1.article_id, c2.article_id)
    got = dict((r[0], r[1:]) for r in rows(store, "SELECT id, duplicate_of, dup_reason FROM articles"))
    assert got[c1.article_id] == (original.article_id, "copy_of_source")
    assert got[c2.article_id] == (original.article_id, "same_content")  # moved to the new root
    assert got[original.article_id] == (None, None)
    # a later copy of any of them lands on the publisher's row
    late = store.save_article(art("agg3.ma/2"), run_id=run)
    assert (late.duplicate_of, late.dup_reason) == (original.article_id, "same_content")


def test_verbatim_publisher_first_then_copy_then_original_keeps_one_root(store, run):
    """Publisher B ran A's text verbatim; the aggregator copies A; A arrives last: one cluster, one root."""
    b = store.save_article(art("pubb.ma/3"), run_id=run)
    copy = store.save_article(art("agg.ma/9", source_url="https://puba.ma/5", source_url_key="puba.ma/5"),
                              run_id=run)
    assert (copy.duplicate_of, copy.dup_reason) == (b.article_id, "same_content")
    a = store.save_article(art("puba.ma/5"), run_id=run)
    assert (a.duplicate_of, a.dup_reason) == (b.article_id, "same_content")
    got = dict((r[0], r[1:]) for r in rows(store, "SELECT id, duplicate_of, dup_reason FROM articles"))
    assert got[copy.article_id] == (b.article_id, "copy_of_source")
    assert [i for i, (parent, _) in got.items() if parent is None] == [b.article_id]


def test_dates_stored_as_utc_with_original_kept(store, run):
    a = store.save_article(art("pub.ma/1", published_raw="الأربعاء 8 أكتوبر 2025 - 13:30"), run_id=run)
    row = store.db["articles"].get(a.article_id)
    assert row["published_at"] == "2025-10-08T12:30:00+00:00"
    assert row["published_local"] == "2025-10-08T13:30:00+01:00"
    assert row["published_raw"] == "الأربعاء 8 أكتوبر 2025 - 13:30"
    assert row["authors"] == '["كاتب"]' and row["methods"] == '{"title": "jsonld"}'


# ---------------------------------------------------------------- headlines


def headline(key: str, **extra) -> dict:
    h = {"source_id": "pub", "listing_url": "https://pub.ma/", "title": "عنوان", "title_key": "عنوان",
         "url": f"https://{key}", "url_key": key, "position": 3, "seen_at": "2025-10-08T12:00:00+00:00"}  # fmt: skip
    h.update(extra)
    return h


def test_headline_then_article_links(store, run):
    assert store.save_headlines([headline("pub.ma/1")], run_id=run) == 1
    a = store.save_article(art("pub.ma/1"), run_id=run)
    assert rows(store, "SELECT article_id FROM headlines") == [(a.article_id,)]


def test_article_then_headline_links_also_by_fetched_url(store, run):
    # canonical pub.ma/1 was fetched as pub.ma/1/amp: a headline with the fetched link still links
    a = store.save_article(art("pub.ma/1", fetched_url_key="pub.ma/1/amp"), run_id=run)
    assert store.save_headlines([headline("pub.ma/1"), headline("pub.ma/1/amp")], run_id=run) == 2
    assert rows(store, "SELECT url_key, article_id FROM headlines ORDER BY url_key") == [
        ("pub.ma/1", a.article_id),
        ("pub.ma/1/amp", a.article_id),
    ]


def test_reseen_headline_updates_and_is_unique_per_source(store, run):
    assert store.save_headlines([headline("pub.ma/1")], run_id=run) == 1
    run2 = store.start_run(sources=["pub"])
    new = store.save_headlines(
        [
            headline("pub.ma/1", position=1, listing_url="https://pub.ma/politique", seen_at="2025-10-09T09:00:00Z"),
            headline("pub.ma/1", source_id="agg"),  # another source listing the same link: its own row
        ],
        run_id=run2,
    )
    assert new == 1
    row = rows(
        store,
        "SELECT position, first_position, listing_url, first_seen_at, last_seen_at, last_run_id "
        "FROM headlines WHERE source_id = 'pub'",
    )
    assert row == [(1, 3, "https://pub.ma/politique", "2025-10-08T12:00:00+00:00", "2025-10-09T09:00:00+00:00", run2)]
    assert rows(store, "SELECT count(*) FROM headlines") == [(2,)]
    counts = store.run_counts(run2)
    assert (counts["headlines_new"], counts["headlines_seen"]) == (1, 1)


# ---------------------------------------------------------------- pages, rejects, counts


def test_page_state_keeps_validators_on_304(store, run):
    store.save_page({"url": "https://pub.ma/rss", "source_id": "pub", "kind": "feed", "http_status": 200,
                     "etag": '"abc"', "last_modified": "Wed, 08 Oct 2025 10:00:00 GMT", "content_hash": "h1",
                     "items": 20, "fetched_at": "2025-10-08T10:00:00+00:00"}, run_id=run)  # fmt: skip
    store.save_page({"url": "https://pub.ma/rss", "source_id": "pub", "kind": "feed", "http_status": 304,
                     "items": None, "fetched_at": "2025-10-08T11:00:00+00:00"}, run_id=run)  # fmt: skip
    state = store.page_state("https://pub.ma/rss")
    assert (state["http_status"], state["etag"], state["content_hash"], state["items"]) == (304, '"abc"', "h1", 20)
    assert (state["fetch_count"], state["fetched_at"], state["changed_at"]) == (
        2, "2025-10-08T11:00:00+00:00", "2025-10-08T10:00:00+00:00")  # fmt: skip
    assert store.page_state("https://nowhere/") is None


def test_rejects_and_run_counts_add_up(store, run):
    store.save_article(art("pub.ma/1"), run_id=run)  # new
    store.save_article(art("pub.ma/2", title_key="ب", body_key=OTHER_LONG_BODY), run_id=run)  # new
    store.save_article(art("pub.ma/1"), run_id=run)  # seen
    store.save_article(art("agg.ma/1"), run_id=run)  # duplicate
    store.save_page({"url": "https://pub.ma/rss", "source_id": "pub", "kind": "feed", "http_status": 200}, run_id=run)
    store.save_page({"url": "https://pub.ma/", "source_id": "pub", "kind": "listing", "http_status": 200}, run_id=run)
    store.save_headlines([headline("pub.ma/1"), headline("pub.ma/3")], run_id=run)
    store.save_reject({"url": "https://pub.ma/x", "source_id": "pub", "reason": "http_404", "http_status": 404}, run_id=run)
    store.save_reject({"url": "https://pub.ma/tag/a", "source_id": "pub", "reason": "not_article: listing"}, run_id=run)
    store.save_reject({"url": "https://pub.ma/admin", "source_id": "pub", "reason": "robots"}, run_id=run)
    store.save_reject({"url": "https://gone.ma/", "source_id": "pub", "reason": "dns", "fetched": False}, run_id=run)
    store.touch_article(1, run_id=run)  # known, not re-fetched: outside the page accounting

    counts = store.run_counts(run)
    assert counts["rejects_by_reason"] == {"dns": 1, "http_404": 1, "not_article": 1, "robots": 1}
    assert (counts["rejects"], counts["rejects_fetched"]) == (4, 2)
    assert counts["accounted"] == 2 + 1 + 1 + 2 + 2
    assert counts["articles_touched"] == 1

    row = store.finish_run(run, status="finished", stats={"pages_fetched": 8, "requests": 11, "bytes": 12345})
    assert (row["status"], row["articles_new"], row["articles_seen"], row["duplicates"]) == ("finished", 2, 1, 1)
    assert (row["headlines_new"], row["pages"], row["accounted"], row["unaccounted"]) == (2, 2, 8, 0)
    assert row["rejects_by_reason"]["not_article"] == 1
    assert (row["pages_fetched"], row["requests"], row["bytes"]) == (8, 11, 12345)
    assert row["stats"]["bytes"] == 12345 and row["finished_at"]
    assert row["by_source"]["agg"] == {"duplicates": 1}
    assert rows(store, "SELECT reason, detail, fetched FROM rejects WHERE url LIKE '%tag%'") == [
        ("not_article", "listing", 1)
    ]
    stats = {s["source_id"]: s for s in store.stats()}
    assert (stats["pub"]["articles"], stats["pub"]["originals"], stats["pub"]["rejects"]) == (2, 2, 4)
    assert stats["pub"]["name"] == "ناشر" and stats["pub"]["last_run"] == run
    assert (stats["agg"]["articles"], stats["agg"]["duplicates"]) == (1, 1)


def test_counts_survive_a_reopen_mid_run(db_path):
    s = Store(db_path)
    run_id = s.start_run(sources=["pub"])
    s.save_article(art("pub.ma/1"), run_id=run_id)
    s.close()
    with Store(db_path) as s:
        s.save_reject({"url": "u", "source_id": "pub", "reason": "timeout"}, run_id=run_id)
        counts = s.run_counts(run_id)
        assert (counts["articles_new"], counts["rejects"], counts["rejects_fetched"]) == (1, 1, 0)


def test_store_reader_known_article_and_missing_file(tmp_path, store, db_path, run):
    assert StoreReader(tmp_path / "absent.db").known_article("pub.ma/1") is None
    a = store.save_article(art("pub.ma/1", fetched_url_key="m.pub.ma/1"), run_id=run)
    store.commit()
    reader = StoreReader(db_path)
    assert reader.known_article("pub.ma/1") == a.article_id
    assert reader.known_article("m.pub.ma/1") == a.article_id  # the link as the spider sees it
    assert reader.known_article("pub.ma/2") is None
    assert store.known_article("m.pub.ma/1") == a.article_id
    reader.close()


# ---------------------------------------------------------------- search


def test_fts_search_finds_arabic_spelling_variants(store, run):
    from newscrawler.text import match_key  # the same key function the pipelines use

    def save(key: str, title: str, body: str, source: str = "pub") -> int:
        tk, bk = match_key(title), match_key(body)
        return store.save_article(
            art(key, title_key=tk, body_key=bk, title=title, body=body, source_id=source), run_id=run
        ).article_id

    vocalised = save("pub.ma/1", "وَزِيرُ الصِّحَّةِ يَزُورُ مُسْتَشْفَى أَكَادِيرَ", "زيارة تفقدية في إطار برنامج سنة ٢٠٢٥")
    tatweel = save("pub.ma/2", "وزيـــر الصحـة يعلن خطة جديدة", "الخطة تشمل ۱۲ مستشفى جهويا", source="agg")
    plain = save("pub.ma/3", "اصلاح التعليم في المغرب", "وزير التربيه يقدم الاصلاح امام البرلمان")
    unrelated = save("pub.ma/4", "مباراة الرجاء والوداد", "انتهت المباراة بالتعادل")

    def ids(q: str, **kw) -> list[int]:
        return sorted(r["id"] for r in store.search(q, **kw))

    assert ids("وزير الصحة") == [vocalised, tatweel]  # harakat + tatweel in stored text, ة in query
    assert ids("وزير الصحه") == [vocalised, tatweel]  # ه spelling in the query
    assert ids("وَزِيرِ") == [vocalised, tatweel, plain]  # harakat in the query
    assert ids("أكادير") == [vocalised] == ids("اكادير")  # hamza on alef
    assert ids("إصلاح") == [plain]
    assert ids("2025") == [vocalised] == ids("٢٠٢٥")  # Arabic-Indic digits both ways
    assert ids("12") == [tatweel]  # Persian digits ۱۲ stored
    assert ids("وزير المغرب") == [plain]  # AND of tokens
    assert ids("وزي") == []
    assert ids("وزي", prefix=True) == [vocalised, tatweel, plain]
    assert ids("وزير", source="agg") == [tatweel]
    assert ids('وزير" OR "الرجاء') == [] and ids("*") == []  # FTS5 syntax in input is just text
    assert unrelated not in ids("الصحة")
    hit = store.search("الرجاء")[0]
    assert (hit["id"], hit["url"], hit["source_id"]) == (unrelated, "https://pub.ma/4", "pub")
    assert isinstance(hit["rank"], float) and "published_at" in hit and "title" in hit
    # title matches rank before body-only matches
    assert [r["id"] for r in store.search("وزير")][-1] == plain


def test_migration_to_v4_adds_pages_capped(tmp_path):
    """A v3 database keeps its runs and gains crawl_runs.pages_capped, filled by finish_run."""
    from newscrawler.store import _MIGRATIONS

    path = tmp_path / "v2.db"
    conn = sqlite3.connect(path)
    conn.executescript(_MIGRATIONS[0] + _MIGRATIONS[1] + _MIGRATIONS[2] + "\nPRAGMA user_version = 3;")
    conn.execute("INSERT INTO crawl_runs (id, started_at, status) VALUES (1, 'x', 'finished')")
    conn.commit()
    conn.close()
    with Store(path) as s:
        assert s.schema_version == SCHEMA_VERSION >= 4
        assert s.get_run(1)["pages_capped"] is None  # an old run: not measured
        run = s.start_run(sources=["pub"])
        row = s.finish_run(run, status="finished", stats={"pages_fetched": 0, "pages_capped": 7})
        assert row["pages_capped"] == 7 and row["stats"]["pages_capped"] == 7


def test_touch_articles_by_key_moves_last_seen_and_counts(store, run):
    a = store.save_article(art("pub.ma/1", fetched_url_key="pub.ma/print/1"), run_id=run)
    b = store.save_article(art("pub.ma/2", title_key="اخر", body_key=OTHER_LONG_BODY), run_id=run)
    run2 = store.start_run(sources=["pub"])
    n = store.touch_articles(["pub.ma/print/1", "pub.ma/2", "pub.ma/404"], run_id=run2, at="2025-10-10T09:00:00Z")
    assert n == 2
    got = rows(store, "SELECT id, last_seen_at, last_run_id, first_seen_at FROM articles ORDER BY id")
    assert got == [(a.article_id, "2025-10-10T09:00:00+00:00", run2, "2025-10-08T13:00:00+00:00"),
                   (b.article_id, "2025-10-10T09:00:00+00:00", run2, "2025-10-08T13:00:00+00:00")]
    store.touch_articles(["pub.ma/1"], run_id=run2, at="2025-10-09T00:00:00Z")  # an older time never moves it back
    assert rows(store, "SELECT last_seen_at FROM articles WHERE id = ?", [a.article_id]) == [
        ("2025-10-10T09:00:00+00:00",)]
    counts = store.run_counts(run2)
    assert counts["articles_touched"] == 3 and counts["accounted"] == 0
    assert store.touch_articles([], run_id=run2) == 0


def test_a_replayed_reject_or_page_adds_no_row_and_no_count_but_a_later_one_does(store, run):
    # the distributed ingest may get an item twice (it died between its commit and its acknowledgement)
    reject = {"url": "https://pub.ma/x", "source_id": "pub", "reason": "http_404", "http_status": 404,
              "at": "2025-10-08T13:00:00+00:00"}
    page = {"url": "https://pub.ma/rss", "source_id": "pub", "kind": "feed", "http_status": 200, "etag": '"a"',
            "fetched_at": "2025-10-08T13:00:00+00:00"}
    assert store.save_reject(reject, run_id=run) and store.save_page(page, run_id=run)
    assert not store.save_reject(dict(reject), run_id=run)
    assert not store.save_page(dict(page), run_id=run)
    counts = store.run_counts(run)
    assert (counts["rejects"], counts["pages"]) == (1, 1)
    assert rows(store, "SELECT count(*) FROM rejects") == [(1,)]
    assert store.page_state(page["url"])["fetch_count"] == 1
    # the same URL rejected again later, or fetched again later, is a new fact
    assert store.save_reject({**reject, "at": "2025-10-09T13:00:00+00:00"}, run_id=run)
    assert store.save_page({**page, "fetched_at": "2025-10-09T13:00:00+00:00"}, run_id=run)
    assert rows(store, "SELECT count(*) FROM rejects") == [(2,)]
    assert store.page_state(page["url"])["fetch_count"] == 2
    assert (store.run_counts(run)["rejects"], store.run_counts(run)["pages"]) == (2, 2)
