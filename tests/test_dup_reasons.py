"""``dup_reason`` names a link that exists, whatever the crawl order: when a story moves to an earlier-published
member, the other members' reasons are their strongest links to the group (as ``stories --rebuild`` names them).

Found by the demo crawl (tests/test_crawl_demo.py), where the order depends on scheduling: an aggregator copy, a
verbatim republication and a near-duplicate stored before the original left the verbatim copy "near_duplicate"
and the near-duplicate "same_content". Real SQLite files through ``Store.save_article``; texts of test_neardup.
"""

from __future__ import annotations

import itertools
import sqlite3

from newscrawler.store import Store
from tests.test_neardup import EDITS, FLOODS, FLOODS_TITLE, art
from tests.test_stories import SOURCES, at, link

STORY = [
    art("pub.ma/1", FLOODS_TITLE, FLOODS, published=at("09:00")),  # the original
    art("pubb.ma/4", FLOODS_TITLE, FLOODS, published=at("09:45")),  # verbatim republication
    art("other.ma/2", FLOODS_TITLE, list(EDITS["dateline"]), published=at("09:30")),  # near-duplicate
    art("agg.ma/1", FLOODS_TITLE, FLOODS, published=at("10:10"), **link("pub.ma/1")),  # aggregator copy
]


def reasons(db: sqlite3.Connection) -> dict[str, tuple]:
    """{url_key: (canonical url_key or None, dup_reason, dup_score)}"""
    key = dict(db.execute("SELECT id, url_key FROM articles").fetchall())
    return {key[i]: (key.get(dup), why, score)
            for i, dup, why, score in db.execute("SELECT id, duplicate_of, dup_reason, dup_score FROM articles")}


def test_every_arrival_order_names_the_true_link(tmp_path):
    seen = []
    for n, order in enumerate(itertools.permutations(range(len(STORY)))):
        with Store(tmp_path / f"order{n}.db", batch_size=50, max_delay=3600) as s:
            s.upsert_sources(SOURCES)
            run = s.start_run(sources=[x["id"] for x in SOURCES])
            for i in order:
                s.save_article(dict(STORY[i]), run_id=run)
            s.commit()
            got = reasons(s.db.conn)
            # the batch rebuild, deciding from all the evidence at once, names the same links
            s.rebuild_stories()
            s.commit()
            assert reasons(s.db.conn) == got, order
        assert got["pub.ma/1"] == (None, None, None), order
        assert got["pubb.ma/4"] == ("pub.ma/1", "same_content", None), order
        assert got["agg.ma/1"] == ("pub.ma/1", "copy_of_source", None), order
        canonical, why, score = got["other.ma/2"]
        assert (canonical, why) == ("pub.ma/1", "near_duplicate") and 0 < score <= 1, order
        seen.append(got)
    assert len(seen) == 24 and all(got == seen[0] for got in seen)  # the scores too
