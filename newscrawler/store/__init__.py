"""SQLite storage: the single source of truth (schema in docs/schema.md).

One writer, ``Store``, in WAL mode with batched transactions; readers open the file read-only and see what
was committed. One module per concern:

- ``schema``: the numbered migrations and ``SCHEMA_VERSION`` (append a step to change the schema);
- ``connection``: the writer's pragmas and savepoint, the readers' ``mode=ro`` connection;
- ``rows``: items to rows, pure;
- ``dedup_sql``: the exact dedup rules, the near-duplicate band lookup, boilerplate counts, re-pointing
  (the decisions are in ``newscrawler.dedup``);
- ``stories``: the canonical article of each story (by rank, not arrival) and its ``stories`` row;
- ``headline_stories``: headlines whose article is not stored join a story by title (``newscrawler.title_match``);
- ``rebuild``: ``stories --rebuild``, the window's stories recomputed; ``explain``: ``dedup --explain``;
- ``runs``: the per-run counters and the ``crawl_runs`` row;
- ``writer``: ``Store`` and its thin ``save_*`` methods;
- ``item_writer``: ``ItemWriter``, one crawl item to its ``save_*`` call (the store pipeline's and the ingest's);
- ``queries``: search, stats, export rows, known-article and page-state lookups.

Public API (pipelines and the CLI rely on these names)::

    store = Store("data/news.db", batch_size=200)
    store.upsert_sources([...])
    run_id = store.start_run(sources=["hespress"], spider="news")
    store.known_article(url_key) -> int | None;  store.touch_article(article_id, run_id=run_id)
    store.save_article(article, run_id=run_id) -> SaveResult(article_id, status, duplicate_of, dup_reason)
    store.save_headlines(headlines, run_id=run_id) -> int        # number of new headlines
    store.save_page(page, run_id=run_id);  store.page_state(url) -> dict | None
    store.save_reject(reject, run_id=run_id)
    store.run_counts(run_id) -> dict;  store.finish_run(run_id, status="ok", stats={...}) -> dict
    store.search("وزير الصحة", limit=20, source=None, prefix=False) -> list[dict]
    store.stats() -> list[dict]
    store.close()

    ReadOnlyStore(path).search(q, since=..., until=..., stem=..., snippets=...) / .search_count(q, ...)
    ReadOnlyStore(path).stats() / .iter_articles(...) / .check_filter(ArticleFilter(...))  # mode=ro, ReaderError
    StoreReader(path).known_article(url_key) / .page_state(url)      # the crawl's lookups: None until it exists

Dedup (see docs/schema.md "Dedup rules"): an article is ``seen`` when its url_key is stored, otherwise
it is inserted and possibly marked ``duplicate_of`` the root of an earlier row, with ``dup_reason``
``copy_of_source`` / ``same_content`` / ``same_body`` (exact, first level) or ``near_duplicate`` (second
level: the same story with small edits, ``dup_score`` = estimated Jaccard). ``duplicate_of`` always points
at a root (a row whose own ``duplicate_of`` is NULL); ``story_id`` is that root for every row of a cluster.
The root is the story's canonical article, chosen by rank (``stories``: publisher first, earliest published),
not by arrival; ``stories`` also keeps the one-row-per-story table.
Options: ``Store(path, near_duplicates=True, near_dup_window_days=7, boilerplate_min_articles=5)``.
"""

from newscrawler.store.connection import ReaderError
from newscrawler.store.dedup_sql import SaveResult
from newscrawler.store.queries import ReadOnlyStore, StoreReader
from newscrawler.store.rows import NOT_FETCHED_REASONS
from newscrawler.store.schema import MIGRATIONS, SCHEMA_VERSION, StoreError
from newscrawler.store.writer import Store

# the SQL of each step, in order (tests build old databases from it)
_MIGRATIONS: list[str] = [m.sql for m in MIGRATIONS]

__all__ = [
    "MIGRATIONS", "NOT_FETCHED_REASONS", "SCHEMA_VERSION", "ReadOnlyStore", "ReaderError", "SaveResult", "Store",
    "StoreError", "StoreReader",
]  # fmt: skip
