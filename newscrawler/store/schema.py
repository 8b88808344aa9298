"""The schema: numbered migrations and the version they bring a database to (docs/schema.md).

The version is ``PRAGMA user_version``. Each step migrates from version ``n - 1`` to ``n`` and is applied once, in
one transaction with its version bump, by the writer only (readers never migrate: ``connection.open_reader``).
Never edit a released step: append a new one (``ALTER TABLE ADD COLUMN``, ``CREATE INDEX``, a new table), e.g.::

    Migration(7, "articles.lang", "ALTER TABLE articles ADD COLUMN lang TEXT;"),

Like sqlite-utils' ``sqlite-migrate`` (named steps applied in order), but recorded in ``user_version``, which every
SQLite tool shows and which needs no table of its own.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from newscrawler.store import schema_sql as sql


class StoreError(Exception):
    """The database cannot be used by this version of the code."""


@dataclass(frozen=True)
class Migration:
    version: int  # the schema version after this step
    name: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial", sql.V1),
    Migration(2, "near_duplicates", sql.V2),
    Migration(3, "frontier", sql.V3),
    # requests a per-source cap kept the crawler from making (docs/schema.md, crawl_runs)
    Migration(4, "crawl_runs.pages_capped", "ALTER TABLE crawl_runs ADD COLUMN pages_capped INTEGER;"),
    Migration(5, "search_variants_fts", sql.V5),
    Migration(6, "analyst_views", sql.V6),
    # the pending frontier across runs (docs/schema.md, frontier): since when a URL waits, why it expired
    Migration(7, "frontier.pending_since", sql.V7),
    Migration(8, "poll_schedule", sql.V8),
    Migration(9, "stories_table", sql.V9),
    # revisits of young articles and the revisions they find (docs/schema.md, article_revisions)
    Migration(10, "article_revisions", sql.V10),
    # article_bands rebuilt for the 32 x 4 LSH layout (docs/schema.md, article_bands)
    Migration(11, "article_bands_32x4", sql.V11),
)

SCHEMA_VERSION = MIGRATIONS[-1].version


def _check_numbering() -> None:
    # a step numbered out of order would skip or repeat DDL on existing databases
    if [m.version for m in MIGRATIONS] != list(range(1, len(MIGRATIONS) + 1)):
        raise StoreError("schema migrations must be numbered 1..n in order")


_check_numbering()


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, name: str) -> None:
    """Apply the missing steps in order; refuse a database newer than this code (``name`` is for messages)."""
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"{name}: schema version {current} is newer than this code ({SCHEMA_VERSION}); "
            "upgrade newscrawler instead of writing to it"
        )
    for step in MIGRATIONS[current:]:
        # BEGIN/COMMIT inside the script: the DDL and the version bump land together or not at all
        script = f"BEGIN;\n{step.sql}\nPRAGMA user_version = {step.version};\nCOMMIT;"
        try:
            conn.executescript(script)
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
