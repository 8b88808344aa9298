"""`newscrawler dedup --explain ID` and `newscrawler stories --rebuild` as a user runs them (subprocess, real SQLite).

The database is built through ``Store.save_article`` / ``save_headlines`` from test_stories' articles (texts written
for the tests).
"""

from __future__ import annotations

import json
import random
import sqlite3

import pytest

from newscrawler.store import Store
from tests.test_cli import newscrawler
from tests.test_headline_stories import MEASLES, MEASLES_TITLE, headline
from tests.test_neardup import art
from tests.test_stories import ARTICLES, FLOODS_TITLE, SOURCES, at


def build(path, order: list[int]) -> None:
    with Store(path, batch_size=50, max_delay=3600) as s:
        s.upsert_sources(SOURCES)
        run = s.start_run(sources=[x["id"] for x in SOURCES])
        for i in order:
            s.save_article(dict(ARTICLES[i][0]), run_id=run)
        s.save_article(art("pub.ma/m1", MEASLES_TITLE, MEASLES, published=at("11:00")), run_id=run)
        s.save_headlines([
            headline("pub.ma/1", FLOODS_TITLE, at("09:05")),  # its article is stored
            headline("other.ma/m9", "وزير الصحة يعلن عن إطلاق حملة وطنية للتلقيح ضد الحصبة", at("12:00"), "other"),
            headline("nowhere.ma/x", "خبر لا صلة له بأي قصة مخزنة في القاعدة", at("12:00"), "other"),
        ], run_id=run)  # fmt: skip
        s.finish_run(run, status="ok")


def snapshot(path) -> tuple:
    conn = sqlite3.connect(path)
    key = dict(conn.execute("SELECT id, url_key FROM articles"))
    arts = sorted((key[i], key.get(s, s), key.get(d), r is None) for i, s, d, r in
                  conn.execute("SELECT id, story_id, duplicate_of, dup_reason FROM articles"))  # fmt: skip
    heads = sorted((k, key.get(s)) for k, s in conn.execute("SELECT url_key, story_id FROM headlines"))
    stories = sorted((key[r[0]], key[r[1]], *r[2:]) for r in conn.execute(
        "SELECT story_id, canonical_id, first_publisher, first_published, articles, duplicates, outlets, sources, "
        "headlines FROM stories"))  # fmt: skip
    conn.close()
    return arts, heads, stories


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("explain") / "news.db"
    build(path, list(range(len(ARTICLES))))
    return path


def ids(path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    out = {k: i for i, k in conn.execute("SELECT id, url_key FROM articles")}
    conn.close()
    return out


# ---------------------------------------------------------------- dedup --explain


def test_explain_a_near_duplicate_names_its_story_rule_figures_and_candidates(db):
    by_key = ids(db)
    copy, original = by_key["other.ma/2"], by_key["pub.ma/1"]
    result = newscrawler("dedup", "--explain", str(copy), "--db", str(db), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["article"]["id"] == copy and report["rule"] == "near_duplicate"
    assert report["canonical"]["id"] == original and report["story"]["story_id"] == original
    pair = report["against_canonical"]
    assert pair["id"] == original and pair["near_duplicate"] is True
    assert pair["hours_apart"] == -0.5  # the canonical was published 30 minutes earlier
    assert pair["shared_shingles"] > 20 and 0.5 <= pair["exact_jaccard"] < 1.0
    assert pair["exact_containment"] >= pair["exact_jaccard"]
    assert abs(pair["estimated_jaccard"] - pair["exact_jaccard"]) < 0.2  # 128 permutations: sd ~ 0.04
    assert pair["shared_bands"] >= 1
    near = {c["id"]: c for c in report["candidates"]}
    assert original in near and all(c["story_id"] == original for c in near.values())
    # the unrelated stories are not candidates: they share no band and are in other stories
    assert by_key["third.ma/13"] not in near and by_key["other.ma/20"] not in near
    text = newscrawler("dedup", "--explain", str(copy), "--db", str(db))
    assert text.returncode == 0, text.stderr
    assert f"canonical article: #{original}" in text.stdout
    assert f"verdict: duplicate of #{original}" in text.stdout
    assert "near-duplicate: a candidate sharing an LSH band" in text.stdout
    assert "shared shingles" in text.stdout and "exact J" in text.stdout and "estimated J" in text.stdout


def test_explain_the_canonical_and_an_exact_copy(db):
    by_key = ids(db)
    canonical = newscrawler("dedup", "--explain", str(by_key["pub.ma/1"]), "--db", str(db), "--json")
    report = json.loads(canonical.stdout)
    assert report["rule"] is None and report["against_canonical"] is None
    assert report["why"].startswith("not a duplicate")
    assert report["story"]["articles"] == 7 and report["candidates_total"] >= 6
    verbatim = json.loads(newscrawler("dedup", "--explain", str(by_key["agg.ma/21"]), "--db", str(db), "--json").stdout)
    assert verbatim["rule"] in ("same_content", "same_body")
    assert verbatim["against_canonical"]["same_content_hash"] is True
    assert verbatim["against_canonical"]["exact_jaccard"] == 1.0


def test_explain_errors_are_one_line(db, tmp_path):
    missing = newscrawler("dedup", "--explain", "99999", "--db", str(db))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "no article with id 99999" in missing.stderr
    nodb = newscrawler("dedup", "--explain", "1", "--db", str(tmp_path / "none.db"))
    assert nodb.returncode == 2 and "Traceback" not in nodb.stderr and nodb.stderr.count("\n") == 1
    assert not (tmp_path / "none.db").exists()  # a reader never creates the file
    bad = newscrawler("dedup", "--explain", "x", "--db", str(db))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


# ---------------------------------------------------------------- stories --rebuild


def test_rebuild_equals_the_inline_result_and_repairs_a_damaged_database(tmp_path):
    path = tmp_path / "news.db"
    order = list(range(len(ARTICLES)))
    random.Random(5).shuffle(order)
    build(path, order)
    inline = snapshot(path)
    assert inline[1] == [("nowhere.ma/x", None), ("other.ma/m9", "pub.ma/m1"), ("pub.ma/1", "pub.ma/1")]
    result = newscrawler("stories", "--rebuild", "--db", str(path))
    assert result.returncode == 0, result.stderr
    assert "0 articles moved" in result.stdout
    assert snapshot(path) == inline
    # damage: every article its own story, a lost stories table, an aggregator copy made canonical, headlines lost
    conn = sqlite3.connect(path)
    agg = conn.execute("SELECT id FROM articles WHERE url_key = 'agg.ma/1'").fetchone()[0]
    conn.execute("UPDATE articles SET story_id = id, duplicate_of = NULL, dup_reason = NULL WHERE id % 2 = 0")
    conn.execute("UPDATE articles SET story_id = ?, duplicate_of = ? WHERE url_key LIKE 'pub.ma/%'", [agg, agg])
    conn.execute("DELETE FROM stories")
    conn.execute("UPDATE headlines SET story_id = NULL")
    conn.commit()
    conn.close()
    assert snapshot(path) != inline
    fixed = newscrawler("stories", "--rebuild", "--db", str(path))
    assert fixed.returncode == 0, fixed.stderr
    assert snapshot(path) == inline


def test_rebuild_since_touches_only_the_window_and_its_stories(tmp_path):
    path = tmp_path / "news.db"
    build(path, list(range(len(ARTICLES))))
    with Store(path) as s:  # an article from another month, damaged on purpose
        run = s.start_run(sources=["pub"])
        old = s.save_article(art("pub.ma/old", "خبر قديم عن معرض الكتاب", MEASLES[:1] * 3, published="2025-09-01T08:00:00+00:00"),
                             run_id=run)  # fmt: skip
        s.finish_run(run, status="ok")
    conn = sqlite3.connect(path)
    conn.execute("UPDATE articles SET story_id = 424242 WHERE id = ?", [old.article_id])
    conn.commit()
    conn.close()
    inline = snapshot(path)
    result = newscrawler("stories", "--rebuild", "--since", "2025-10-01", "--db", str(path))
    assert result.returncode == 0, result.stderr
    assert snapshot(path) == inline  # the old article's (damaged) row is outside the window: untouched
    whole = newscrawler("stories", "--rebuild", "--db", str(path))
    assert whole.returncode == 0 and "1 articles moved" in whole.stdout


def test_rebuild_errors_are_one_line(tmp_path):
    nodb = newscrawler("stories", "--rebuild", "--db", str(tmp_path / "none.db"))
    assert nodb.returncode == 2 and nodb.stderr.count("\n") == 1 and not (tmp_path / "none.db").exists()
    path = tmp_path / "news.db"
    Store(path).close()
    bad = newscrawler("stories", "--rebuild", "--since", "yesterday", "--db", str(path))
    assert bad.returncode == 2 and "--since expects an ISO date" in bad.stderr and bad.stderr.count("\n") == 1
