"""`newscrawler serve`: Datasette on the database, read-only, with our metadata, canned queries and plugin.

Datasette is an optional extra (``pip install 'newscrawler[serve]'``). It opens the file read-only (``mode=ro``),
so serving beside a running crawl is safe; nothing here writes.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

PLUGINS_DIR = Path(__file__).resolve().parent / "serve_plugins"

_COLUMNS = {
    "title": "headline as published (display text)",
    "body": "article text, paragraphs kept (display text)",
    "source_id": "the outlet the article was crawled from",
    "source_name": "the outlet the article credits (an aggregator copy names its publisher)",
    "url": "where the crawler read the article",
    "source_url": "the original article at its publisher: follow it to read the source",
    "published_at": "publication time, UTC",
    "duplicate_of": "set on copies: the original article's id",
    "dup_reason": "why a row is a copy: copy_of_source, same_content, same_body, near_duplicate",
    "story_id": "cluster of the same story across outlets (its canonical article's id; stories table)",
    "title_key": "match key of the title (folded for search, never shown)",
    "body_key": "match key of the body (folded for search, never shown)",
    "search_variants": "clitic readings of the key words (search only)",
}

_TABLES = {
    "stories": "One row per story (copies of one text across outlets): the canonical article, who published "
               "first and when, how many outlets and articles (docs/schema.md, Stories).",
    "latest_headlines": "The 20 most recently seen headlines of each source (rank 1 is the newest).",
    "articles_per_source_day": "Articles and originals per source per UTC day (the chart: /-/chart).",
    "source_health": "Per configured source: articles, originals, the last new article, rejects, the last run.",
    "headlines": "Links listed on the sources' front and section pages, with their position.",
    "sources": "The configured outlets.",
    "crawl_runs": "One row per crawl run: when, which sources, counts and status.",
    "rejects": "Pages the crawler fetched and did not keep, with the reason.",
}

SEARCH_SQL = """SELECT a.id, a.source_id, a.published_at, a.title, a.url, a.source_url, a.duplicate_of
FROM articles_fts CROSS JOIN articles a ON a.id = articles_fts.rowid
WHERE articles_fts MATCH search_query(:q)
ORDER BY bm25(articles_fts, 4.0, 1.0, 0.5) LIMIT 100"""

TODAY_SQL = """SELECT story_id, first_source, first_published, publisher, outlets, sources, title
FROM stories WHERE first_published >= strftime('%Y-%m-%dT%H:%M:%S', 'now', '-1 day')
ORDER BY outlets DESC, first_published DESC"""  # the last 24 hours: full times compared with full times

COUNTS_SQL = """SELECT day, source_id, articles, originals FROM articles_per_source_day
ORDER BY day DESC, source_id LIMIT 1000"""


def metadata(db: Path) -> dict[str, Any]:
    """Datasette metadata: descriptions, license and source, facets, canned queries."""
    return {
        "title": "newscrawler",
        "description": "Arabic news crawled by newscrawler. Search folds spelling variants and clitics "
                       "(the 'search' query); source_url links to each article's publisher. "
                       "Chart of articles per source per day: /-/chart",
        "license": "Article text: © its publishers (source_url, source_name); for research and reference",
        "source": "newscrawler crawl of the sources in sources.toml",
        "databases": {
            db.stem: {
                "tables": {
                    "articles": {
                        "description": "One row per article URL, originals and copies (docs/schema.md).",
                        "columns": _COLUMNS,
                        "facets": ["source_id", "dup_reason", {"date": "published_at"}],
                        "sort_desc": "published_at",
                    },
                    # a view has no index of its own: its search box searches the articles' (id = rowid)
                    "originals": {"description": "Articles that are not a copy of another (no aggregator copies, "
                                                 "no duplicates). Search here for originals only.",
                                  "columns": _COLUMNS, "fts_table": "articles_fts", "fts_pk": "id",
                                  "facets": ["source_id", {"date": "published_at"}],
                                  "sort_desc": "published_at"},
                    **{name: {"description": text} for name, text in _TABLES.items()},
                },
                "queries": {
                    "search": {"title": "Search (Arabic-aware: spelling variants, clitics, \"phrases\", prefix*)",
                               "sql": SEARCH_SQL},
                    "todays_stories": {"title": "Today's stories with their outlets and who was first",
                                       "sql": TODAY_SQL},
                    "counts_over_time": {"title": "Articles per source per day", "sql": COUNTS_SQL},
                },
            }
        },
    }


def serve(db: Path, *, host: str = "127.0.0.1", port: int = 8001) -> int:
    """Run Datasette in this process (so a signal to it stops the server) until interrupted; an exit code."""
    from datasette.cli import cli

    with tempfile.TemporaryDirectory(prefix="newscrawler-serve-") as tmp:
        meta = Path(tmp) / "metadata.json"
        meta.write_text(json.dumps(metadata(db), ensure_ascii=False), encoding="utf-8")
        args = ["serve", str(db), "--host", host, "--port", str(port), "--metadata", str(meta),
                "--plugins-dir", str(PLUGINS_DIR), "--setting", "default_page_size", "50",
                # our facets are in the metadata; suggesting more runs a query per column on every table page
                # (6 s of the search box page at 1M articles)
                "--setting", "suggest_facets", "off"]
        try:
            cli.main(args=args, prog_name="datasette", standalone_mode=False)
        except KeyboardInterrupt:
            pass
    return 0
