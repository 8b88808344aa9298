"""End to end: the real `newscrawler crawl` command against the demo sites on 127.0.0.1, into a real SQLite file.

The expected values come from the demo's manifest (its ground truth), never from the crawler itself.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawler.demo import AGGREGATOR, DemoServer
from newscrawler.text import NORMALISER_VERSION, display_clean, match_key
from newscrawler.urls import url_key
from tests.crawl_runs import newscrawler, run_crawl

CRAWL_SETTINGS = ["DOWNLOAD_DELAY=0", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS=0",
                  "NEWSCRAWLER_PROGRESS_INTERVAL=1", "LOG_LEVEL=INFO"]


def crawl(config: Path, db: Path, *args: str) -> subprocess.CompletedProcess:
    return run_crawl(config, db, CRAWL_SETTINGS, args)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    with DemoServer(articles_per_site=12) as server:
        config = tmp / "sources.toml"
        config.write_text(server.sources_toml(), encoding="utf-8")
        db = tmp / "news.db"
        first = crawl(config, db)
        yield {"server": server, "manifest": server.manifest(), "db": db, "config": config, "first": first}


def query(db: Path, sql: str, params: tuple = ()) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def stored_articles(db: Path) -> dict[str, dict]:
    return {row["url_key"]: row for row in query(db, "SELECT * FROM articles")}


def manifest_articles(manifest: dict):
    for site_id, site in manifest["sites"].items():
        for path, article in site["articles"].items():
            yield site_id, path, article


def test_every_demo_article_is_stored_with_clean_text_and_a_source_link(demo):
    articles = stored_articles(demo["db"])
    expected = list(manifest_articles(demo["manifest"]))
    missing = [a["url"] for _, _, a in expected if url_key(a["url"]) not in articles]
    assert not missing
    for site_id, _, truth in expected:
        row = articles[url_key(truth["url"])]
        assert row["source_id"] == site_id
        assert row["title"] == display_clean(truth["title"])
        assert row["body"] == display_clean(truth["body"], multiline=True)
        # keys computed in the extraction worker are the ones match_key gives
        assert row["title_key"] == match_key(row["title"]) and row["body_key"] == match_key(row["body"])
        assert row["norm_version"] == str(NORMALISER_VERSION)
        assert row["source_url"], row["url"]
        if site_id == AGGREGATOR:
            assert url_key(row["source_url"]) == url_key(truth["source_url"])
            assert row["source_name"] == truth["source_name"]
        else:
            assert url_key(row["source_url"]) == url_key(truth["url"])


def test_published_dates_match_the_pages(demo):
    articles = stored_articles(demo["db"])
    from datetime import datetime

    for _, _, truth in manifest_articles(demo["manifest"]):
        row = articles[url_key(truth["url"])]
        assert row["published_at"], row["url"]
        stored = datetime.fromisoformat(row["published_at"])
        assert stored == datetime.fromisoformat(truth["published"]), (row["url"], row["published_raw"])


def test_nothing_but_articles_becomes_an_article(demo):
    truth_keys = {url_key(a["url"]) for _, _, a in manifest_articles(demo["manifest"])}
    extra = [row["url"] for key, row in stored_articles(demo["db"]).items() if key not in truth_keys]
    assert not extra


def test_duplicates_point_at_the_original(demo):
    manifest, articles = demo["manifest"], stored_articles(demo["db"])
    by_id = {row["id"]: row for row in articles.values()}

    def row_of(ref: dict) -> dict:
        return articles[url_key(demo["server"].url(ref["site"], ref["path"]))]

    for copy in manifest["aggregator_copies"]:
        row, original = row_of(copy["copy"]), row_of(copy["original"])
        # The original may itself be a verbatim copy of another publisher's article: point at that root.
        assert row["duplicate_of"] == (original["duplicate_of"] or original["id"]), row["url"]
        assert row["dup_reason"] == "copy_of_source"
    verbatim = [p for p in manifest["exact_duplicates"] if p["kind"] == "publisher_verbatim"]
    assert verbatim
    for pair in verbatim:
        a, b = row_of(pair["a"]), row_of(pair["b"])
        # Same cluster (the root may be a third, near-duplicate member of the story), and the later of the
        # two is flagged as an exact copy of the earlier, whatever the arrival order.
        assert (a["duplicate_of"] or a["id"]) == (b["duplicate_of"] or b["id"])
        assert {a["dup_reason"], b["dup_reason"]} & {"same_content", "same_body"}
    # Every duplicate points at a root.
    for row in articles.values():
        if row["duplicate_of"] is not None:
            assert by_id[row["duplicate_of"]]["duplicate_of"] is None


def test_rejects_are_recorded_with_reasons(demo):
    manifest, server = demo["manifest"], demo["server"]
    rejects = {url_key(r["url"]): r for r in query(demo["db"], "SELECT * FROM rejects")}
    for site_id, site in manifest["sites"].items():
        for ref in site["not_found"]:
            assert rejects[url_key(server.url(site_id, ref["path"]))]["reason"] == "http_404"
        for ref in site["server_error"]:
            assert rejects[url_key(server.url(site_id, ref["path"]))]["reason"] == "http_500"
        for ref in site["disallowed"]:
            assert rejects[url_key(server.url(site_id, ref["path"]))]["reason"] == "robots"
            # Obeying robots.txt means never asking for the page.
            assert not [r for r in server.requests_for(site_id) if r.path == ref["path"]]
        for ref in site["non_article"]:
            key = url_key(server.url(site_id, ref["path"]))
            if key in rejects:  # listing extraction may rightly never follow a tag/contact link
                assert rejects[key]["reason"] == "not_article"


def test_headlines_are_stored_and_linked(demo):
    manifest, server = demo["manifest"], demo["server"]
    headlines = {(h["source_id"], h["url_key"]): h for h in query(demo["db"], "SELECT * FROM headlines")}
    home = manifest["sites"][AGGREGATOR]["listings"]["/"]["headlines"]
    listed = [h for h in home if h["kind"] == "article"]
    assert len(listed) >= 10
    for h in listed:
        row = headlines[(AGGREGATOR, url_key(h["url"]))]
        assert row["title"] == display_clean(h["title"])
        assert row["article_id"] is not None
    assert server  # the server served every listing the headlines came from
    # docs/schema.md: 1 is the top of a listing page or feed; a sitemap entry has no position, so a headline seen
    # last in a news sitemap keeps the position its listing or feed gave it, and none is 0.
    [row] = query(demo["db"], "SELECT count(*) AS n, min(position) AS top, min(first_position) AS first_top, "
                              "sum(listing_url LIKE '%sitemap%') AS last_in_sitemap FROM headlines")
    assert row["last_in_sitemap"] > 0
    assert (row["top"], row["first_top"]) == (1, 1)


def test_run_counts_add_up(demo):
    [run] = query(demo["db"], "SELECT * FROM crawl_runs ORDER BY id LIMIT 1")
    assert run["status"] == "finished"
    assert run["pages_fetched"] > 0
    assert run["unaccounted"] == 0
    assert run["items_dropped"] == 0  # reported (Scrapy's item_dropped_count), and no pipeline drops an item
    assert run["pages_fetched"] == (run["articles_new"] + run["articles_seen"] + run["duplicates"] + run["pages"]
                                    + run["rejects_fetched"])
    total_articles = query(demo["db"], "SELECT count(*) AS n FROM articles")[0]["n"]
    assert run["articles_new"] + run["duplicates"] == total_articles
    by_reason = json.loads(run["rejects_by_reason"])
    assert sum(by_reason.values()) == query(demo["db"], "SELECT count(*) AS n FROM rejects")[0]["n"]
    assert "progress:" in demo["first"].stderr  # the progress display ran


def test_second_run_adds_no_rows_and_uses_conditional_get(demo):
    tables = ("articles", "headlines", "pages")
    before = {t: query(demo["db"], f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in tables}
    served = len(demo["server"].requests)
    crawl(demo["config"], demo["db"])
    after = {t: query(demo["db"], f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in tables}
    assert after == before
    second = query(demo["db"], "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    assert second["articles_new"] == 0 and second["duplicates"] == 0
    statuses = [r.status for r in demo["server"].requests[served:]]
    assert 304 in statuses  # feeds and listings answered "not modified"
    assert statuses.count(200) < statuses.count(304) + statuses.count(404) + statuses.count(500) + 10


def test_cli_stats_and_search(demo):
    stats = newscrawler("stats", "--db", str(demo["db"]), "--json")
    assert stats.returncode == 0, stats.stderr
    rows = {r["source_id"]: r for r in json.loads(stats.stdout)}
    assert set(rows) == set(demo["manifest"]["sites"])
    truth = next(a for _, _, a in manifest_articles(demo["manifest"]))
    words = display_clean(truth["title"]).split()[:3]
    # Search with harakat added and taa marbuta folded: the key makes them match.
    query_text = " ".join(w.replace("ة", "ه") for w in words)
    found = newscrawler("search", query_text, "--db", str(demo["db"]))
    assert found.returncode == 0, found.stderr
    assert truth["url"] in found.stdout or url_key(truth["url"]) in found.stdout.replace("http://", "")


def test_scrapy_crawl_news_from_the_repository_root(demo, tmp_path):
    """`scrapy crawl news -a sources=...` runs the same spider and pipelines as the newscrawler command."""
    root = Path(__file__).resolve().parent.parent
    db = tmp_path / "scrapy.db"
    site = "akhbar-demo"
    args = ["-a", f"config={demo['config']}", "-a", f"sources={site}", "-s", f"NEWSCRAWLER_DB={db}"]
    args += [arg for pair in CRAWL_SETTINGS for arg in ("-s", pair)]
    result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "news", *args], cwd=root,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = query(db, "SELECT source_id, count(*) AS n FROM articles GROUP BY source_id")
    assert rows == [{"source_id": site, "n": len(demo["manifest"]["sites"][site]["articles"])}]


def test_refetching_known_articles_updates_last_seen_and_adds_no_rows(demo):
    before = {r["id"]: r["last_seen_at"] for r in query(demo["db"], "SELECT id, last_seen_at FROM articles")}
    run_crawl(demo["config"], demo["db"], [*CRAWL_SETTINGS, "NEWSCRAWLER_REFETCH_KNOWN=1"])
    after = {r["id"]: r["last_seen_at"] for r in query(demo["db"], "SELECT id, last_seen_at FROM articles")}
    assert set(after) == set(before)
    assert all(after[i] >= before[i] for i in before)
    assert any(after[i] > before[i] for i in before)
    run = query(demo["db"], "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    assert run["articles_new"] == 0 and run["duplicates"] == 0
    assert run["articles_seen"] == len(before)
    assert run["unaccounted"] == 0


def test_cli_export_jsonl_and_csv(demo, tmp_path):
    import csv

    out = newscrawler("export", "--db", str(demo["db"]), "--originals")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    originals = query(demo["db"], "SELECT count(*) AS n FROM articles WHERE duplicate_of IS NULL")[0]["n"]
    assert len(rows) == originals and all(r["duplicate_of"] is None for r in rows)
    assert all(r["source_url"] and r["title"] for r in rows)
    target = tmp_path / "akhbar.csv"
    out = newscrawler("export", "--db", str(demo["db"]), "--format", "csv", "--source", "akhbar-demo",
                      "-o", str(target))
    assert out.returncode == 0, out.stderr
    with target.open(encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == len(demo["manifest"]["sites"]["akhbar-demo"]["articles"])
    assert {r["source_id"] for r in table} == {"akhbar-demo"}
    assert "\n\n" in table[0]["body"]  # paragraphs survive the CSV round trip


def test_same_story_across_outlets_is_one_cluster_and_nothing_else_is(demo):
    """Near-duplicates: each manifest group (original, dateline, footer/trimmed/exact, aggregator copy) is one
    cluster with one root; different groups, and articles in no group, never share one."""
    manifest, articles = demo["manifest"], stored_articles(demo["db"])
    by_id = {row["id"]: row for row in articles.values()}
    clusters: dict[int, set[int]] = {}
    for row in articles.values():
        root = row["duplicate_of"] or row["id"]
        assert row["story_id"] == root, row["url"]
        assert by_id[root]["duplicate_of"] is None
        clusters.setdefault(root, set()).add(row["id"])
    grouped: set[int] = set()
    for group in manifest["groups"]:
        ids = {articles[url_key(demo["server"].url(m["site"], m["path"]))]["id"] for m in group["members"]}
        roots = {by_id[i]["story_id"] for i in ids}
        assert len(roots) == 1, (group["story"], [(m["site"], m["edit"]) for m in group["members"]])
        assert clusters[roots.pop()] == ids, group["story"]  # exactly the group: no other article joined it
        grouped |= ids
    for ids in clusters.values():
        assert len(ids) == 1 or ids <= grouped
    near = [r for r in articles.values() if r["dup_reason"] == "near_duplicate"]
    assert near and all(r["dup_score"] is not None and 0 < r["dup_score"] <= 1 for r in near)


def _doc_queries() -> list[tuple[str, str]]:
    """(where, SQL) of every example query in docs/schema.md (```sql blocks) and docs/operators.md (sqlite3 "...")."""
    docs = Path(__file__).resolve().parent.parent / "docs"
    schema = (docs / "schema.md").read_text(encoding="utf-8")
    operators = (docs / "operators.md").read_text(encoding="utf-8")
    found = [("schema.md", sql) for sql in re.findall(r"```sql\n(.*?)```", schema, re.S)]
    found += [("operators.md", sql) for sql in re.findall(r'sqlite3 data/news\.db "(.*?)"', operators, re.S)]
    return found


def test_the_documented_example_queries_run_on_a_crawled_database(demo):
    queries = _doc_queries()
    assert len(queries) >= 10
    conn = sqlite3.connect(f"file:{demo['db']}?mode=ro", uri=True)
    try:
        for where, sql in queries:
            try:
                conn.execute(sql).fetchall()
            except sqlite3.Error as exc:
                pytest.fail(f"{where}: {exc}\n{sql}")
        # the rejects of the last week are this run's rejects: the time filter compares like with like
        [rejects_query] = [sql for _, sql in queries if "FROM rejects WHERE at >=" in sql]
        assert sum(row[2] for row in conn.execute(rejects_query)) == conn.execute(
            "SELECT count(*) FROM rejects").fetchone()[0]
    finally:
        conn.close()


def test_documented_time_filters_compare_iso_text_with_iso_text():
    # Stored times are ISO 8601 with a `T`; datetime('now', ...) writes a space, which is off by up to a day.
    assert [(where, sql) for where, sql in _doc_queries() if "datetime('now'" in sql] == []


def test_stories_are_led_by_the_first_publisher_whatever_the_crawl_order(demo):
    """Schema v7: no publisher's original is a duplicate of a later-published copy, no duplicate was published
    before its canonical article (aggregator copies aside: never canonical), and each shared story of the manifest
    is led by the publisher the demo published first (ground truth: the manifest's dates, not the crawler's)."""
    articles = stored_articles(demo["db"])
    by_id = {row["id"]: row for row in articles.values()}
    kind = {r["id"]: r["kind"] for r in query(demo["db"], "SELECT id, kind FROM sources")}
    for row in articles.values():
        if row["duplicate_of"] is None:
            continue
        canonical = by_id[row["duplicate_of"]]
        if kind[row["source_id"]] == "publisher":
            assert kind[canonical["source_id"]] == "publisher", row["url"]
            assert row["published_at"] >= canonical["published_at"], (row["url"], canonical["url"])
    stories = {s["story_id"]: s for s in query(demo["db"], "SELECT * FROM stories")}
    assert set(stories) == {row["story_id"] for row in articles.values()}
    for group in demo["manifest"]["groups"]:
        members = [articles[url_key(demo["server"].url(m["site"], m["path"]))] for m in group["members"]]
        publishers = [m for m in members if kind[m["source_id"]] == "publisher"]
        first = min(publishers, key=lambda m: m["published_at"])
        story = stories[first["story_id"]]
        assert (story["canonical_id"], story["first_publisher"]) == (first["id"], first["source_id"])
        assert (story["articles"], story["outlets"]) == (len(members), len({m["source_id"] for m in members}))
        assert story["first_published"] == first["published_at"]
    # a headline whose URL is a stored article is in that article's story; stories.headlines counts them
    headlines = query(demo["db"], "SELECT h.story_id, a.story_id AS article_story FROM headlines h "
                                  "LEFT JOIN articles a ON a.id = h.article_id")
    assert headlines and all(h["story_id"] == h["article_story"] for h in headlines)
    joined = sum(1 for h in headlines if h["story_id"] is not None)
    assert joined and sum(s["headlines"] for s in stories.values()) == joined
