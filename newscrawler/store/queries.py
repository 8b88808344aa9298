"""Reads: search, stats, export rows, and the crawl's known-article and page-state lookups.

Functions of a connection, so the writer (``Store``) and the read-only readers run the same SQL.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypedDict, Unpack

from newscrawler.store import revisions
from newscrawler.store.connection import ReaderError, fetch_dicts, iter_dicts, open_reader
from newscrawler.store.filters import ArticleFilter


class SearchOptions(TypedDict, total=False):
    """What ``search``, ``search_page`` and ``search_count`` take besides the query: how its terms match (``prefix``:
    every term a prefix; ``stem``: suffix stripping too) and which articles count (``source``, the ISO dates
    ``since``/``until``, ``originals_only``)."""

    source: str | None
    prefix: bool
    originals_only: bool
    since: str | None
    until: str | None
    stem: bool


def search(
    conn: sqlite3.Connection, query: str, *, limit: int = 20, snippets: bool = False, **options: Unpack[SearchOptions]
) -> list[dict[str, Any]]:
    """Full-text search over the match keys and their clitic readings; every query term must match (AND).

    The query goes through ``newscrawler.search.fts_query``: the same ``match_key`` as the stored keys (harakat,
    tatweel, alef/hamza forms, ة/ه and Arabic-Indic digits do not matter), Arabic proclitics on either side
    (``القضاء`` finds ``والقضاء``), ``"quoted phrases"`` and ``word*`` prefixes; ``stem=True`` adds suffix
    stripping. ``rank`` is bm25 with the title weighted 4x the body and the readings 0.5: lower is better.
    ``outlet`` is the name of the source the row was crawled from (``source_name``: the outlet the article
    credits, an aggregator copy's publisher). ``snippets=True`` adds ``snippet``: display text around the first hit, hits wrapped in ``**``.
    Raises ``FilterError`` for a bad date (``since``/``until``, ISO) before running anything.
    """
    return _search(conn, query, limit=limit, snippets=snippets, with_total=False, **options)[0]


def search_page(
    conn: sqlite3.Connection, query: str, *, limit: int = 20, snippets: bool = False, **options: Unpack[SearchOptions]
) -> tuple[list[dict[str, Any]], int]:
    """``search``'s rows and ``search_count``'s total together (what `newscrawler search` shows). With a filter,
    the hits are joined to ``articles`` once for both, instead of once for the rows and again for the count."""
    return _search(conn, query, limit=limit, snippets=snippets, with_total=True, **options)


def _prepare(query: str, *, source: str | None = None, prefix: bool = False, originals_only: bool = False,
             since: str | None = None, until: str | None = None, stem: bool = False) -> tuple[str, str, list[Any]]:
    """The FTS5 query ("" when nothing is left to match) and the filter's WHERE clause over ``articles a`` and its
    parameters. The filter is checked first: a bad date is an error even for a query that matches nothing."""
    from newscrawler.search import fts_query

    where, params = ArticleFilter(source=source, since=since, until=until, originals_only=originals_only).where("a")
    return fts_query(query or "", stem=stem, prefix=prefix), where, params


def _search(conn: sqlite3.Connection, query: str, *, limit: int, snippets: bool, with_total: bool,
            **options: Unpack[SearchOptions]) -> tuple[list[dict[str, Any]], int]:
    from newscrawler.search import snippet, term_matcher

    fts, where, params = _prepare(query, **options)
    if not fts:
        return [], 0
    # The top rows by bm25 come from the index (joined to articles only for the filter's columns); only then are
    # the displayed columns of those rows read. Sorting every hit with its displayed columns (and the body, for
    # snippets) read them for all 10,000 hits of a common word: 2-3x slower at 1M articles.
    hits = (
        "SELECT articles_fts.rowid AS id, bm25(articles_fts, 4.0, 1.0, 0.5) AS rank FROM articles_fts"
        + ("" if where == "1" else " CROSS JOIN articles a ON a.id = articles_fts.rowid")
        + f" WHERE articles_fts MATCH ? AND {where}"
    )
    # With a filter, the total is counted over the same join (a window over the hits; bm25 cannot be called in
    # a window query itself, hence the subquery). Without one, the index alone counts it, cheaper still.
    windowed = with_total and where != "1" and limit > 0
    top = (
        "SELECT id, rank, count(*) OVER () AS total FROM (" + hits + ")" if windowed else hits
    ) + " ORDER BY rank, id LIMIT ?"
    sql = (
        "SELECT a.id, a.url, a.source_id, a.source_url, a.source_name, a.title, a.published_at, a.first_seen_at, "
        "a.duplicate_of, a.dup_reason, a.story_id, (SELECT name FROM sources WHERE id = a.source_id) AS outlet, "
        "top.rank"
        + (", top.total" if windowed else "")
        + (", a.body, a.summary" if snippets else "")
        + " FROM (" + top + ") AS top CROSS JOIN articles a ON a.id = top.id ORDER BY top.rank, top.id"
    )
    rows = fetch_dicts(conn, sql, [fts, *params, int(limit)])
    total = 0
    if windowed:
        total = int(rows[0]["total"]) if rows else 0
        for row in rows:
            del row["total"]
    elif with_total:
        total = _count(conn, fts, where, params)
    if snippets:
        matchers = term_matcher(query or "", stem=bool(options.get("stem")))
        for row in rows:
            text = row.pop("body", None) or row.pop("summary", None) or row.get("title") or ""
            row.pop("summary", None)
            row["snippet"] = snippet(text, matchers)
    return rows, total


def search_count(conn: sqlite3.Connection, query: str, **options: Unpack[SearchOptions]) -> int:
    """How many articles ``search`` with the same arguments finds in all (without its limit)."""
    fts, where, params = _prepare(query, **options)
    return _count(conn, fts, where, params) if fts else 0


def _count(conn: sqlite3.Connection, fts: str, where: str, params: list[Any]) -> int:
    if where == "1":  # no filter: the index alone counts, without reading a row of articles
        return int(conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", [fts]).fetchone()[0])
    row = conn.execute(
        "SELECT count(*) FROM articles_fts CROSS JOIN articles a ON a.id = articles_fts.rowid "
        f"WHERE articles_fts MATCH ? AND {where}",
        [fts, *params],
    ).fetchone()
    return int(row[0])


def stats(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """One dict per source: articles, originals, duplicates, headlines, rejects (+ by reason),
    first/last seen, last run (id, started_at, status)."""
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM sources UNION SELECT source_id FROM articles WHERE source_id IS NOT NULL "
            "UNION SELECT source_id FROM headlines UNION SELECT source_id FROM rejects "
            "WHERE source_id IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]
    out = []
    for sid in ids:
        name = conn.execute("SELECT name FROM sources WHERE id = ?", [sid]).fetchone()
        a = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE duplicate_of IS NULL), "
            "count(*) FILTER (WHERE duplicate_of IS NOT NULL), min(first_seen_at), max(last_seen_at) "
            "FROM articles WHERE source_id = ?",
            [sid],
        ).fetchone()
        h = conn.execute(
            "SELECT count(*), count(article_id), min(first_seen_at), max(last_seen_at) "
            "FROM headlines WHERE source_id = ?",
            [sid],
        ).fetchone()
        reasons = dict(
            conn.execute(
                "SELECT reason, count(*) FROM rejects WHERE source_id = ? GROUP BY reason ORDER BY reason",
                [sid],
            ).fetchall()
        )
        run = conn.execute(
            "SELECT r.id, r.started_at, r.status FROM crawl_runs r, json_each(r.sources) j "
            "WHERE j.value = ? ORDER BY r.id DESC LIMIT 1",
            [sid],
        ).fetchone()
        firsts = [v for v in (a[3], h[2]) if v]
        lasts = [v for v in (a[4], h[3]) if v]
        out.append(
            {
                "source_id": sid,
                "name": name[0] if name else None,
                "articles": a[0],
                "originals": a[1],
                "duplicates": a[2],
                "headlines": h[0],
                "headlines_linked": h[1],
                "rejects": sum(reasons.values()),
                "rejects_by_reason": reasons,
                "first_seen": min(firsts) if firsts else None,
                "last_seen": max(lasts) if lasts else None,
                "last_run": run[0] if run else None,
                "last_run_started_at": run[1] if run else None,
                "last_run_status": run[2] if run else None,
            }
        )
    return out


def iter_articles(
    conn: sqlite3.Connection, where: str = "1", params: Iterable[Any] = ()
) -> Iterator[dict[str, Any]]:
    """Rows of ``articles`` (JSON columns decoded) for re-processing or export, streamed: a few hundred rows in
    memory at a time, whatever the size of the database. On a read-only connection the whole iteration is one
    read transaction, so an export is one consistent snapshot even while a crawl writes."""
    for row in iter_dicts(conn, f"SELECT * FROM articles WHERE {where} ORDER BY id", list(params)):
        for col in ("authors", "tags", "methods"):
            row[col] = json.loads(row[col]) if row.get(col) else ([] if col != "methods" else {})
        yield row


def known_article(conn: sqlite3.Connection, url_key: str) -> int | None:
    # the spider only knows the link it is about to fetch, which may differ from the canonical URL
    row = conn.execute(
        "SELECT id FROM articles WHERE url_key = ? UNION ALL SELECT id FROM articles WHERE fetched_url_key = ? LIMIT 1",
        [url_key, url_key],
    ).fetchone()
    return row[0] if row else None


def page_state(conn: sqlite3.Connection, url: str) -> dict[str, Any] | None:
    cur = conn.execute("SELECT * FROM pages WHERE url = ?", [url])
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None


def poll_state(conn: sqlite3.Connection, url: str) -> dict[str, Any] | None:
    """The poll_schedule row of a feed, sitemap or listing URL (schema v6), else None."""
    cur = conn.execute("SELECT * FROM poll_schedule WHERE url = ?", [url])
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None


def rejected_reason(conn: sqlite3.Connection, url: str) -> str | None:
    """The reject reason of an article URL an earlier run finished as a reject, else None."""
    row = conn.execute("SELECT reason FROM frontier WHERE url = ? AND state = 'done'", [url]).fetchone()
    return str(row[0]) if row and row[0] else None


def pending_urls(conn: sqlite3.Connection, source_id: str, limit: int | None = None) -> list[str]:
    """A source's frontier URLs still pending, oldest first (the next run requests them before new ones)."""
    sql = "SELECT url FROM frontier WHERE source_id = ? AND state = 'pending' ORDER BY pending_since, url"
    params: list[Any] = [source_id]
    if limit:
        sql += " LIMIT ?"
        params.append(int(limit))
    return [str(row[0]) for row in conn.execute(sql, params)]


class ReadOnlyStore:
    """The analysts' reader (``search``, ``stats``, ``export``): a ``mode=ro`` connection to an existing database.

    Opening raises ``ReaderError`` (one line for the user) when the file is missing, is not a newscrawler
    database, or has another schema version; it never creates, migrates or writes anything, so it can run
    beside a crawl (WAL: it sees what the crawl has committed and never blocks it).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.conn = open_reader(self.path)

    def search(self, query: str, **options: Any) -> list[dict[str, Any]]:
        """``queries.search`` (options: limit, source, prefix, originals_only, since, until, stem, snippets)."""
        return search(self.conn, query, **options)

    def search_count(self, query: str, **options: Any) -> int:
        return search_count(self.conn, query, **options)

    def search_page(self, query: str, **options: Any) -> tuple[list[dict[str, Any]], int]:
        """``queries.search_page``: the rows of ``search`` and the total of ``search_count`` (same options)."""
        return search_page(self.conn, query, **options)

    def check_filter(self, flt: ArticleFilter) -> None:
        """``FilterError`` for a bad date or an unknown source (one line for the user)."""
        flt.check(self.conn)

    def stats(self) -> list[dict[str, Any]]:
        return stats(self.conn)

    def iter_articles(self, where: str = "1", params: Iterable[Any] = ()) -> Iterator[dict[str, Any]]:
        return iter_articles(self.conn, where, params)

    def known_article(self, url_key: str) -> int | None:
        return known_article(self.conn, url_key)

    def page_state(self, url: str) -> dict[str, Any] | None:
        return page_state(self.conn, url)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> ReadOnlyStore:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.close()


class StoreReader:
    """Read-only lookups for the crawl (incremental decisions) while ``Store`` writes in the same run.

    Opens the file read-only on first use; sees what the writer has committed. Until the database
    exists every answer is "unknown" (None), so a first run simply fetches everything.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None

    def _connection(self) -> sqlite3.Connection | None:
        if self._conn is None:
            try:
                # check_same_thread off: Scrapy may call from its thread pool as well as the reactor thread
                self._conn = open_reader(self.path, check_same_thread=False)
            except ReaderError:
                return None  # not created (or not migrated) yet: nothing is known
        return self._conn

    def known_article(self, url_key: str) -> int | None:
        conn = self._connection()
        return known_article(conn, url_key) if conn is not None else None

    def page_state(self, url: str) -> dict[str, Any] | None:
        conn = self._connection()
        return page_state(conn, url) if conn is not None else None

    def rejected_reason(self, url: str) -> str | None:
        conn = self._connection()
        return rejected_reason(conn, url) if conn is not None else None

    def poll_state(self, url: str) -> dict[str, Any] | None:
        conn = self._connection()
        return poll_state(conn, url) if conn is not None else None

    def pending_urls(self, source_id: str, limit: int | None = None) -> list[str]:
        conn = self._connection()
        return pending_urls(conn, source_id, limit) if conn is not None else []

    def due_revisits(self, source_id: str, now: str, limit: int | None = None) -> list[tuple[int, str]]:
        conn = self._connection()
        return revisions.due_revisits(conn, source_id, now, limit) if conn is not None else []

    def next_revisit_at(self, source_ids: list[str]) -> str | None:
        conn = self._connection()
        return revisions.next_revisit_at(conn, source_ids) if conn is not None else None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
