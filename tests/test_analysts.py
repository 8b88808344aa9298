"""Analysts: Arabic-aware search (clitics, phrases, prefixes, --stem), the search and export commands, the views
of schema v6, and sqlite-utils on the full-text index. Most tests run on a real crawl of the demo sites; the
expected articles come from the demo's manifest or from our own variant test set (bench/search_variants.py)."""

from __future__ import annotations

import contextlib
import csv
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.search_variants import corpus, score
from newscrawler.demo import DemoServer
from newscrawler.export import EXPORT_COLUMNS
from newscrawler.search import clitic_variants, fts_query, search_variants
from newscrawler.store import _MIGRATIONS, SCHEMA_VERSION, ReadOnlyStore, Store
from newscrawler.text import display_clean, match_key, normalise_fields
from tests.services import missing_service, require_module

ROOT = Path(__file__).resolve().parent.parent
CRAWL_SETTINGS = ["DOWNLOAD_DELAY=0", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "NEWSCRAWLER_SITEMAP_MAX_AGE_DAYS=0",
                  "LOG_LEVEL=WARNING"]


def newscrawler(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newscrawler.cli", *args], capture_output=True, text=True,
                          timeout=300, cwd=ROOT)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("analysts")
    with DemoServer(articles_per_site=12) as server:
        config = tmp / "sources.toml"
        config.write_text(server.sources_toml(), encoding="utf-8")
        db = tmp / "news.db"
        result = newscrawler("crawl", "--config", str(config), "--db", str(db),
                             *[a for s in CRAWL_SETTINGS for a in ("-s", s)])
        assert result.returncode == 0, result.stderr[-3000:]
        yield {"db": db, "manifest": server.manifest(), "server": server}


def rows(db: Path, sql: str, params: tuple = ()) -> list[dict]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


# -- the clitic rule and the variant test set ---------------------------------------------------------------


def test_clitic_readings_of_combined_proclitics():
    assert clitic_variants("والقضاء") == ["القضاء", "قضاء"]
    assert clitic_variants("بالقضاء") == ["القضاء", "قضاء"]
    assert "قضاء" in clitic_variants("للقضاء")
    assert clitic_variants("وزير") == ["زير"]  # ambiguous: both readings are kept by the index
    assert clitic_variants("ولد") == []  # too short to hold a clitic
    assert "وزير" in search_variants("الوزير")


def test_variant_set_recall_is_complete_and_precision_is_measured():
    docs, _groups, clitic_q, stem_q = corpus()
    recall, precision = score("variants", docs, clitic_q)
    assert recall == 1.0
    assert precision >= 0.99  # only و-initial words read as و + word (وزير -> زير) cost anything
    # the keys alone (before schema v5) miss most clitic forms: the set does test something
    assert score("keys", docs, clitic_q)[0] < 0.2
    stem_recall, stem_precision = score("variants+stem", docs, stem_q)
    plain_recall = score("variants", docs, stem_q)[0]
    assert stem_recall >= 0.9 > plain_recall
    assert 0.7 <= stem_precision < 1.0  # the documented cost of --stem (مدرسة finds مدرس)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('وال قضاء"*()-:^{}+ORNDAT\'.، \u064e\u0640٣a')), max_size=40)
       | st.text(max_size=40))
def test_no_user_input_breaks_the_fts_syntax(text):
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE articles_fts USING fts5(title_key, body_key, search_variants)")
    conn.execute("INSERT INTO articles_fts VALUES ('والقضاء المغربي', 'a b', 'القضاء قضاء')")
    for stem in (False, True):
        query = fts_query(text, stem=stem)
        if query:
            conn.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", [query]).fetchall()


def _store_with(tmp_path: Path, bodies: list[str]) -> Path:
    db = tmp_path / "s.db"
    store = Store(db)
    run = store.start_run(sources=["pub"], spider="test")
    for i, body in enumerate(bodies):
        store.save_article({"url": f"https://pub.example/{i}", "source_id": "pub",
                            **normalise_fields(f"خبر رقم {i}", body)}, run_id=run)
    store.commit()
    store.close()
    return db


def test_phrases_prefixes_and_stem_through_the_store(tmp_path):
    db = _store_with(tmp_path, ["قال وزير الصحة إن", "الصحة والوزير", "المنتخب المغربي فاز", "المدرسة الجديدة",
                                "مدرس اللغة"])
    with ReadOnlyStore(db) as store:
        def ids(q: str, **kw) -> list[int]:
            return sorted(r["id"] for r in store.search(q, **kw))

        assert ids('"وزير الصحة"') == [1]  # a phrase: adjacent words only
        assert ids("وزير الصحة") == [1, 2]  # words: both anywhere (الوزير has وزير in it)
        assert ids('"لوزير الصحة"') == [1]  # the query word's own clitic is taken off
        assert ids("المغرب") == [] and ids("المغرب*") == [3] and ids("المغرب", stem=True) == [3]
        assert ids("مدرسة") == [4] and ids("مدرسة", stem=True) == [4, 5]  # the precision cost of --stem
        assert store.search_count("الصحة") == 2


def test_an_older_database_is_migrated_and_its_articles_become_searchable_by_clitic_forms(tmp_path):
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.executescript("".join(_MIGRATIONS[:4]) + "\nPRAGMA user_version = 4;")
    keys = normalise_fields("عنوان", "أكد والقضاء المغربي")
    conn.execute("INSERT INTO articles (url, url_key, title, body, title_key, body_key, first_seen_at, last_seen_at)"
                 " VALUES ('https://p.example/1', 'p.example/1', ?, ?, ?, ?, '2025-10-01', '2025-10-01')",
                 [keys["title"], keys["body"], keys["title_key"], keys["body_key"]])
    conn.commit()
    conn.close()
    Store(db).close()  # the writer migrates
    with ReadOnlyStore(db) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert [r["id"] for r in store.search("القضاء")] == [1]
        assert [r["id"] for r in store.search("بقضاء")] == [1]


# -- the search command on a crawled database ---------------------------------------------------------------


def _article_with_definite_title_word(demo) -> tuple[dict, str]:
    """A demo article (manifest truth) and an ال-word of its title at least 5 letters long."""
    for site in demo["manifest"]["sites"].values():
        for article in site["articles"].values():
            for word in match_key(article["title"]).split():
                if word.startswith("ال") and len(word) >= 6 and word[2] not in "وفبكل":
                    return article, word
    raise AssertionError("no demo title has an ال-word")


def search_json(demo, *args: str) -> dict:
    result = newscrawler("search", *args, "--db", str(demo["db"]), "--json", "--limit", "200")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("form", ["bare", "wa", "bi", "wal", "harakat"])
def test_search_finds_the_article_by_any_clitic_form_of_a_title_word(demo, form):
    article, word = _article_with_definite_title_word(demo)
    bare = word[2:]
    query = {"bare": bare, "wa": "و" + word, "bi": "ب" + word, "wal": "وب" + bare,
             "harakat": "وَ" + word[:3] + "\u0651" + word[3:]}[form]
    found = search_json(demo, query)
    assert article["url"] in {r["url"] for r in found["results"]}, (query, article["title"])


def test_search_output_has_outlet_date_link_snippet_and_total(demo):
    article, word = _article_with_definite_title_word(demo)
    body_word = next(w for w in display_clean(article["body"]).split()[5:] if len(match_key(w)) >= 5)
    result = newscrawler("search", match_key(body_word), "--db", str(demo["db"]), "--limit", "1")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    total = int(re.match(r"(\d+) result\(s\) in all", lines[-1]).group(1))
    assert total == search_json(demo, match_key(body_word))["total"] >= 1
    assert (", showing the first 1" in lines[-1]) == (total > 1)
    assert any("**" in line for line in lines), lines  # the hit is marked in the display text
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", result.stdout)


def test_search_originals_since_until_and_source(demo):
    everything = search_json(demo, "في")
    assert everything["total"] > len({r["source_id"] for r in everything["results"]})
    originals = search_json(demo, "في", "--originals")
    assert all(r["duplicate_of"] is None for r in originals["results"])
    assert originals["total"] == sum(r["duplicate_of"] is None for r in everything["results"])
    days = sorted({(r["published_at"] or r["first_seen_at"])[:10] for r in everything["results"]})
    mid = days[len(days) // 2]
    since = search_json(demo, "في", "--since", mid)["results"]
    until = search_json(demo, "في", "--until", mid)["results"]
    assert all((r["published_at"] or r["first_seen_at"])[:10] >= mid for r in since)
    assert all((r["published_at"] or r["first_seen_at"])[:10] <= mid for r in until)
    on_mid = sum((r["published_at"] or r["first_seen_at"])[:10] == mid for r in everything["results"])
    assert len(since) + len(until) == everything["total"] + on_mid  # the day itself is in both
    source = everything["results"][0]["source_id"]
    assert {r["source_id"] for r in search_json(demo, "في", "--source", source)["results"]} == {source}


def test_search_page_is_search_and_search_count_in_one(demo):
    article, word = _article_with_definite_title_word(demo)
    everything = search_json(demo, "في")["results"]
    day = sorted((r["published_at"] or r["first_seen_at"])[:10] for r in everything)[len(everything) // 2]
    sources = sorted({r["source_id"] for r in everything})
    cases = [{}, {"source": sources[0]}, {"since": day}, {"until": day, "originals_only": True},
             {"stem": True, "source": sources[-1]}, {"limit": 3, "originals_only": True}, {"limit": 0, "since": day}]
    with ReadOnlyStore(demo["db"]) as store:
        for query in ("في", "و" + word, word[2:] + "*", "زززززز"):
            for options in cases:
                rows, total = store.search_page(query, snippets=True, **options)
                count_options = {k: v for k, v in options.items() if k != "limit"}
                assert rows == store.search(query, snippets=True, **options), (query, options)
                assert total == store.search_count(query, **count_options), (query, options)
        assert store.search_page("في", originals_only=True, limit=2)[1] > 2  # the total is not the page


@pytest.mark.parametrize("args", [["--since", "notadate"], ["--since", "2025-13-45"], ["--until", "07/10/2025"],
                                  ["--source", "nosuch"]])
@pytest.mark.parametrize("command", ["search", "export"])
def test_bad_dates_and_unknown_sources_are_one_line_exit_2(demo, tmp_path, command, args):
    out = tmp_path / "out.csv"
    extra = ["في"] if command == "search" else ["-o", str(out)]
    result = newscrawler(command, *extra, "--db", str(demo["db"]), *args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr, result.stderr
    assert args[1] in result.stderr
    assert not out.exists()


# -- exports ------------------------------------------------------------------------------------------------


def test_export_has_every_analyst_column_and_honours_the_filters(demo, tmp_path):
    result = newscrawler("export", "--db", str(demo["db"]))
    assert result.returncode == 0, result.stderr
    exported = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(exported) == rows(demo["db"], "SELECT count(*) AS n FROM articles")[0]["n"]
    assert all(list(r) == list(EXPORT_COLUMNS) for r in exported)
    for column in ("tags", "image_url", "story_id", "modified_at", "dup_score"):
        assert column in EXPORT_COLUMNS
    assert any(r["dup_score"] is not None for r in exported) and all(r["story_id"] for r in exported)

    day = sorted((r["published_at"] or r["first_seen_at"])[:10] for r in exported)[len(exported) // 2]
    expected = rows(demo["db"], "SELECT count(*) AS n FROM articles WHERE duplicate_of IS NULL AND "
                                "substr(coalesce(published_at, first_seen_at), 1, 10) <= ?", (day,))[0]["n"]
    target = tmp_path / "x.csv"
    result = newscrawler("export", "--db", str(demo["db"]), "--format", "csv", "--until", day, "--originals",
                         "--fields", "id,title,tags,published_at", "--bom", "-o", str(target))
    assert result.returncode == 0, result.stderr
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with target.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == expected and list(table[0]) == ["id", "title", "tags", "published_at"]
    limited = newscrawler("export", "--db", str(demo["db"]), "--limit", "3", "--fields", "id")
    assert [json.loads(line) for line in limited.stdout.splitlines()] == [{"id": r["id"]} for r in exported[:3]]
    bad = newscrawler("export", "--db", str(demo["db"]), "--fields", "id,nosuch")
    assert bad.returncode == 2 and "nosuch" in bad.stderr


def test_parquet_export_round_trips_the_arabic_text_and_the_jsonl_columns(demo, tmp_path):
    pq = require_module("pyarrow.parquet")
    db = str(demo["db"])
    jsonl = [json.loads(line) for line in newscrawler("export", "--db", db).stdout.splitlines()]
    target = tmp_path / "all.parquet"
    result = newscrawler("export", "--db", db, "--format", "parquet", "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert f"{len(jsonl)} articles exported" in result.stderr
    table = pq.read_table(target)
    assert table.column_names == list(EXPORT_COLUMNS)
    assert table.to_pylist() == jsonl  # every value, lists and Arabic text included
    assert any(re.search("[\u0600-\u06ff]", r["body"] or "") for r in table.to_pylist())
    assert str(table.schema.field("tags").type) == "list<element: string>"
    assert str(table.schema.field("story_id").type) == "int64"
    # the filters and --fields apply as to the other formats; standard output works too
    args = ("--originals", "--fields", "id,title,tags,published_at", "--limit", "5")
    piped = subprocess.run([sys.executable, "-m", "newscrawler.cli", "export", "--db", db, "--format", "parquet",
                            *args], capture_output=True, timeout=300, cwd=ROOT)
    assert piped.returncode == 0, piped.stderr
    (tmp_path / "five.parquet").write_bytes(piped.stdout)
    expected = [json.loads(line) for line in newscrawler("export", "--db", db, *args).stdout.splitlines()]
    assert pq.read_table(tmp_path / "five.parquet").to_pylist() == expected and len(expected) == 5


def test_parquet_is_written_a_row_group_at_a_time():
    import io

    pq = require_module("pyarrow.parquet")
    from newscrawler.export import write_parquet

    pulled = []

    def rows():  # a generator: the writer must not need the whole export at once
        for i in range(5001):
            pulled.append(i)
            yield {"id": i, "title": f"خبر {i}", "tags": ["سياسة", str(i)], "dup_score": i / 7, "story_id": None}

    out = io.BytesIO()
    assert write_parquet(rows(), out, fields=("id", "title", "tags", "dup_score", "story_id")) == 5001
    parquet = pq.ParquetFile(io.BytesIO(out.getvalue()))
    assert parquet.metadata.num_row_groups == 3  # 2,000 + 2,000 + 1
    table = parquet.read().to_pylist()
    assert table[4321] == {"id": 4321, "title": "خبر 4321", "tags": ["سياسة", "4321"], "dup_score": 4321 / 7,
                           "story_id": None}
    assert len(pulled) == 5001


def test_parquet_without_pyarrow_is_one_line_exit_2(demo, tmp_path):
    target = tmp_path / "x.parquet"
    # pyarrow made unimportable in this process only (None in sys.modules makes `import pyarrow` fail)
    code = ("import sys; sys.modules['pyarrow'] = None; from newscrawler.cli import main; "
            f"sys.exit(main(['export', '--db', {str(demo['db'])!r}, '--format', 'parquet', '-o', {str(target)!r}]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 2
    assert result.stderr.strip() == "newscrawler: --format parquet needs pyarrow: pip install 'newscrawler[parquet]'"
    assert not target.exists()


# -- views and the documented examples ----------------------------------------------------------------------


def _analyst_examples() -> list[str]:
    text = (ROOT / "docs" / "analysts.md").read_text(encoding="utf-8")
    return re.findall(r"```sql\n(.*?)```", text, re.S)


def test_every_example_in_docs_analysts_runs_in_a_plain_sqlite_connection(demo):
    examples = _analyst_examples()
    assert len(examples) >= 6
    conn = sqlite3.connect(f"file:{demo['db']}?mode=ro", uri=True)  # no functions of ours: the sqlite3 shell
    try:
        for sql in examples:
            if "match_key(" in sql or "search_query(" in sql:
                continue  # run below, on our connection
            try:
                conn.execute(sql).fetchall()
            except sqlite3.Error as exc:
                pytest.fail(f"{exc}\n{sql}")
    finally:
        conn.close()
    with ReadOnlyStore(demo["db"]) as store:  # our connections register match_key() and search_query()
        for sql in examples:
            if "match_key(" in sql or "search_query(" in sql:
                assert store.conn.execute(sql).fetchall(), sql


def test_every_example_runs_in_the_sqlite3_shell_itself(demo):
    import shutil

    shell = shutil.which("sqlite3")
    if not shell:
        missing_service("sqlite3")
    for sql in _analyst_examples():
        if "match_key(" in sql or "search_query(" in sql:
            continue  # our functions: documented as needing our connections (or Datasette with our plugin)
        result = subprocess.run([shell, "-readonly", "-bail", "-json", str(demo["db"])], input=sql,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and not result.stderr, (result.stderr, sql)
        if "'now'" not in sql:  # the demo's articles have fixed dates, long past
            assert result.stdout.strip(), f"no rows from the example on a crawled database:\n{sql}"


def test_the_python_examples_in_docs_analysts_run(demo, capsys):
    text = (ROOT / "docs" / "analysts.md").read_text(encoding="utf-8")
    examples = [code for code in re.findall(r"```python\n(.*?)```", text, re.S) if "import pandas" not in code]
    assert examples  # pandas is not a dependency of ours: its example is the documented one-liner
    for code in examples:
        exec(compile(code.replace('"data/news.db"', repr(str(demo["db"]))), "docs/analysts.md", "exec"), {})
    assert re.search(r"^\d+ in all$", capsys.readouterr().out, re.M)


def test_views_agree_with_the_articles(demo):
    db = demo["db"]
    assert rows(db, "SELECT count(*) AS n FROM originals")[0]["n"] == rows(
        db, "SELECT count(*) AS n FROM articles WHERE duplicate_of IS NULL")[0]["n"]
    per_day = rows(db, "SELECT sum(articles) AS n FROM articles_per_source_day")[0]["n"]
    assert per_day == rows(db, "SELECT count(*) AS n FROM articles")[0]["n"]
    health = {r["source_id"]: r for r in rows(db, "SELECT * FROM source_health")}
    assert set(health) == set(demo["manifest"]["sites"])
    assert all(r["articles"] > 0 and r["last_run_id"] == 1 for r in health.values())
    stories = rows(db, "SELECT * FROM stories WHERE outlets > 1")
    assert stories and all({s["first_source"], s["publisher"]} <= set(s["sources"].split(",")) for s in stories)
    for s in stories:  # first_source published first
        dates = rows(db, "SELECT source_id, coalesce(published_at, first_seen_at) AS d FROM articles "
                         "WHERE story_id = ? ORDER BY d, id", (s["story_id"],))
        assert (dates[0]["source_id"], dates[0]["d"]) == (s["first_source"], s["first_published"])
    latest = rows(db, "SELECT source_id, count(*) AS n FROM latest_headlines GROUP BY source_id")
    assert latest and all(r["n"] <= 20 for r in latest)


# -- sqlite-utils and the SQL functions ----------------------------------------------------------------------


def test_sqlite_utils_detects_and_searches_the_full_text_index(demo):
    import sqlite_utils

    article, word = _article_with_definite_title_word(demo)
    db = sqlite_utils.Database(demo["db"])
    table = db["articles"]
    assert table.detect_fts() == "articles_fts"
    assert {"originals", "latest_headlines", "articles_per_source_day", "source_health"} <= set(
        db.view_names()) and "stories" in db.table_names()  # stories: a table since schema v7
    # a plain word finds its clitic forms through the readings column, no function of ours needed
    hits = list(table.search(word[2:], columns=["url"], limit=200))
    assert article["url"] in {h["url"] for h in hits}
    # match_key() and search_query() on our connections fold spelling like the CLI
    with ReadOnlyStore(demo["db"]) as store:
        got = store.conn.execute("SELECT a.url FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
                                 "WHERE articles_fts MATCH search_query(?)", ["وَ" + word]).fetchall()
        assert article["url"] in {g[0] for g in got}
        assert store.conn.execute("SELECT match_key('الإدارةُ')").fetchone() == (match_key("الإدارةُ"),)


# -- newscrawler serve (Datasette, optional extra) -----------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(db: Path):
    """`newscrawler serve` on a free loopback port; yields (base URL, GET function); stopped by its pid."""
    import time
    import urllib.request

    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "newscrawler.cli", "serve", "--db", str(db), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"

    def get(path: str) -> str:
        with urllib.request.urlopen(base + path, timeout=30) as response:  # noqa: S310 - our loopback server
            return response.read().decode("utf-8")

    try:
        for _ in range(150):
            try:
                get("/-/versions.json")
                break
            except OSError:
                assert proc.poll() is None, proc.communicate()[1][-3000:]
                time.sleep(0.2)
        yield base, get
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def test_serve_runs_datasette_read_only_with_arabic_search_and_rtl(demo):
    require_module("datasette")
    import urllib.parse

    article, word = _article_with_definite_title_word(demo)
    db = demo["db"]
    before = rows(db, "SELECT count(*) AS n, max(last_seen_at) AS t FROM articles")
    with served(db) as (_base, get):
        name = db.stem
        # the canned query folds spelling and clitics through our plugin's search_query()
        query = urllib.parse.quote("وَ" + word)
        hits = json.loads(get(f"/{name}/search.json?q={query}&_shape=array"))
        assert article["url"] in {h["url"] for h in hits}
        # Datasette's own search box (?_search=) searches like the CLI: a bare word, a clitic form and a spelling
        # variant with clitics all find the article, and give the CLI's total
        for typed in (word[2:], "وب" + word[2:], "وَ" + word[:3] + "\u0651" + word[3:], f'"{word}"'):
            page = json.loads(get(f"/{name}/articles.json?_search={urllib.parse.quote(typed)}&_shape=objects"
                                  "&_col=url&_size=max"))
            assert article["url"] in {h["url"] for h in page["rows"]}, typed
            assert page["filtered_table_rows_count"] == search_json(demo, typed)["total"], typed
        # Datasette's own quoting (what the box did before) misses the variant: the plugin is what finds it
        plain = json.loads(get(f"/{name}/articles.json?_search={urllib.parse.quote(chr(34) + 'وَ' + word + chr(34))}"
                               "&_searchmode=raw&_shape=array&_col=url&_size=max"))
        assert article["url"] not in {h["url"] for h in plain}
        # the originals view searches the articles' index too: originals only
        typed = urllib.parse.quote("وَ" + word)
        originals = json.loads(get(f"/{name}/originals.json?_search={typed}&_shape=objects&_size=max"))
        everything = json.loads(get(f"/{name}/articles.json?_search={typed}&_shape=objects&_size=max"))
        assert originals["filtered_table_rows_count"] == search_json(demo, "وَ" + word, "--originals")["total"] > 0
        assert {r["url"] for r in originals["rows"]} == {
            r["url"] for r in everything["rows"] if r["duplicate_of"] is None}
        nothing = json.loads(get(f"/{name}/articles.json?_search=%2A%22-&_shape=array"))  # nothing searchable
        assert nothing == []
        page = get(f"/{name}/articles?_search={urllib.parse.quote(word[2:])}")
        assert "unicode-bidi:plaintext" in page and 'href="http://127.0.0.1' in page
        chart = get("/-/chart")  # articles per source per day, drawn server-side
        assert "<svg" in chart and all(f">{site}</text>" in chart for site in demo["manifest"]["sites"])
        assert chart.count("<polyline") == len(demo["manifest"]["sites"])
        facets = json.loads(get(f"/{name}/articles.json"))["facet_results"]
        assert all(f in json.dumps(facets) for f in ('"source_id"', '"dup_reason"', '"published_at"')), facets
        assert json.loads(get("/-/settings.json"))["suggest_facets"] is False  # a query per column per page
        meta = json.loads(get("/-/metadata.json"))
        assert "publishers" in meta["license"] and meta["databases"][name]["queries"]["search"]
        tables = meta["databases"][name]["tables"]
        views = {r["name"] for r in rows(db, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        assert {"stories", "originals", "source_health", "articles_per_source_day"} <= set(tables) and set(
            tables) <= views  # described, and every description is of a table or view that exists
    assert rows(db, "SELECT count(*) AS n, max(last_seen_at) AS t FROM articles") == before


def test_todays_stories_are_those_of_the_last_24_hours(tmp_path):
    from datetime import UTC, datetime, timedelta

    from newscrawler.serve import TODAY_SQL

    db = tmp_path / "today.db"
    store = Store(db)
    run = store.start_run(sources=["pub"], spider="test")
    now = datetime.now(UTC)
    for i, hours in enumerate((2, 23, 26, 50)):
        published = (now - timedelta(hours=hours)).isoformat(timespec="seconds")
        store.save_article({"url": f"https://pub.example/{i}", "source_id": "pub", "published_at": published,
                            **normalise_fields(f"عنوان الخبر {hours} ساعة", f"نص مختلف رقم {hours} " * 20)},
                           run_id=run)
    store.commit()
    store.close()
    titles = {r["title"] for r in rows(db, TODAY_SQL)}  # plain sqlite3, as Datasette runs it
    assert titles == {"عنوان الخبر 2 ساعة", "عنوان الخبر 23 ساعة"}


# Screenshots of the browser test are kept here (CI can upload the folder).
ARTIFACTS = ROOT / "build" / "test-artifacts"


def test_browser_search_finds_a_variant_reads_rtl_and_follows_the_source_link(demo):
    """Headless Chromium (Debian's, through Playwright) against `newscrawler serve`."""
    import shutil
    import urllib.parse

    require_module("datasette")
    playwright = require_module("playwright.sync_api")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        missing_service("chromium")
    article, word = _article_with_definite_title_word(demo)
    title = display_clean(article["title"])
    # a spelling variant (harakat, shadda) with a clitic glued on
    variant = "وَبِ" + word[:3] + "\u0651" + word[3:]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with served(demo["db"]) as (base, _get), playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page(locale="ar")
            page.goto(f"{base}/{demo['db'].stem}/search?q={urllib.parse.quote(variant)}")
            cell = page.locator("td.col-title", has_text=title).first
            cell.wait_for(timeout=15000)
            assert cell.evaluate("e => getComputedStyle(e).direction") == "rtl"
            assert page.locator("td.col-url").first.evaluate("e => getComputedStyle(e).direction") == "ltr"
            page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)
            # Datasette's own search box on the articles table: the variant typed there finds the article too
            page.goto(f"{base}/{demo['db'].stem}/articles")
            page.fill("input#_search", variant)
            page.press("input#_search", "Enter")
            page.wait_for_url("**_search=**", timeout=15000)
            page.locator("td.col-title", has_text=title).first.wait_for(timeout=15000)
            assert page.input_value("input#_search") == variant  # the box still shows what was typed
            page.screenshot(path=str(ARTIFACTS / "search-box.png"), full_page=True)
            page.goto(f"{base}/{demo['db'].stem}/search?q={urllib.parse.quote(variant)}")
            # the original and an aggregator's copy share the title and link to the same source_url
            page.locator(f'td.col-source_url a[href="{article["source_url"]}"]').first.click()
            page.wait_for_url(article["source_url"], timeout=15000)
            assert title.split()[2] in display_clean(page.inner_text("body"))
        finally:
            browser.close()
    assert (ARTIFACTS / "search.png").stat().st_size > 10_000
    assert (ARTIFACTS / "search-box.png").stat().st_size > 10_000


def test_serve_without_a_database_is_one_line_exit_2(tmp_path):
    result = newscrawler("serve", "--db", str(tmp_path / "none.db"))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "no database" in result.stderr
