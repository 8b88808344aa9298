"""Connections: the one writer's (pragmas, migrations, savepoints) and the readers' (``mode=ro``, never a write).

As in Datasette, reads and the single write path use different connections: readers open the file with
SQLite's ``?mode=ro`` URI, so the library itself refuses any write, the file is never created and its folder is
never made; only the writer migrates.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

from newscrawler.store.schema import SCHEMA_VERSION, StoreError, migrate, schema_version

# analysts' readers and a second tool may hold locks briefly; wait instead of failing
BUSY_TIMEOUT_MS = 10000
# The WAL bound of the writer's checkpoint policy (Store._bound_wal, docs/reliability.md).
WAL_LIMIT_BYTES = 64 * 1024 * 1024


class ReaderError(StoreError):
    """A database a reader cannot use: missing, not a database, or a schema it does not match. The message is
    one line for the user."""


def register_functions(conn: sqlite3.Connection) -> None:
    """SQL functions of ours on every connection the package opens: ``match_key(text)`` (fold a spelling as the
    index does), ``search_query(text)`` (the whole Arabic-aware FTS5 query, for ``articles_fts MATCH``) and the
    writer's ``newscrawler_search_variants(title_key, body_key)`` (migration 5's backfill) and
    ``newscrawler_band_count()`` and ``newscrawler_band_hash(minhash, band)`` (migration 11's rebuild of
    ``article_bands`` in the code's band layout)."""
    from newscrawler import dedup
    from newscrawler.search import fts_query, search_variants
    from newscrawler.store.bands import stored_band_hash
    from newscrawler.text import match_key

    conn.create_function("match_key", 1, lambda s: None if s is None else match_key(str(s)), deterministic=True)
    conn.create_function("search_query", 1, lambda s: fts_query("" if s is None else str(s)), deterministic=True)
    conn.create_function("newscrawler_search_variants", 2, search_variants, deterministic=True)
    conn.create_function("newscrawler_band_count", 0, lambda: dedup.BANDS, deterministic=True)
    conn.create_function("newscrawler_band_hash", 2, stored_band_hash, deterministic=True)


def open_writer(path: Path) -> sqlite_utils.Database:
    """The writer's connection: creates the file (and its folder), WAL, ``synchronous=NORMAL``, migrated."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    conn = db.conn
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.enable_wal()
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = OFF")  # duplicate_of is re-pointed in place; keep it cheap
    register_functions(conn)
    migrate(conn, path.name)
    return db


@contextmanager
def savepoint(conn: sqlite3.Connection) -> Iterator[None]:
    """One save_* call as a unit inside the batch transaction: on an error its own writes are undone and the
    batch's earlier rows are kept. Unlike ``sqlite_utils.Database.atomic`` (a random savepoint name per call: an
    ``os.urandom`` call and a statement SQLite compiles anew for every item), the name is fixed; SQLite releases
    or rolls back the innermost savepoint of that name, so nesting still works. The caller has begun the batch
    transaction."""
    conn.execute("SAVEPOINT newscrawler_save")
    try:
        yield
    except BaseException:
        # an error that already ended the transaction (RAISE(ROLLBACK), disk full) left no savepoint
        if conn.in_transaction:
            conn.execute("ROLLBACK TO newscrawler_save")
            conn.execute("RELEASE newscrawler_save")
        raise
    conn.execute("RELEASE newscrawler_save")


def open_reader(path: str | Path, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """A read-only connection to an existing, current newscrawler database, else ``ReaderError``.

    Never creates the file or its folder and never migrates: a database older than the code is reported
    (a crawl, the writer, migrates it), not upgraded behind the analyst's back.
    """
    path = Path(path)
    if not path.is_file():
        raise ReaderError(f"no database at {path} (run a crawl first)")
    conn = _connect_ro(path, "", check_same_thread)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        try:
            version = schema_version(conn)  # the first read: a file that is not SQLite fails here
        except sqlite3.OperationalError as exc:
            # A WAL database in a folder nobody may write to (a read-only mount, an archive, chattr +i): SQLite
            # cannot create the -shm file a WAL reader needs. With no -wal file beside it no writer is alive (a
            # writer could not create one there either), so the file is opened as immutable (sqlite.org/wal.html,
            # "Read-Only Databases").
            if "unable to open" not in str(exc) or Path(f"{path}-wal").exists():
                raise
            conn.close()
            conn = _connect_ro(path, "&immutable=1", check_same_thread)
            version = schema_version(conn)
        if version == 0:
            raise ReaderError(f"{path} holds no newscrawler tables (run a crawl first)")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise ReaderError(f"{path} is not a newscrawler database ({exc})") from None
    except ReaderError:
        conn.close()
        raise
    if version < SCHEMA_VERSION:
        conn.close()
        raise ReaderError(
            f"{path} has schema version {version}, this newscrawler reads version {SCHEMA_VERSION}: "
            "run a crawl on it to migrate it (readers never change the database)"
        )
    if version > SCHEMA_VERSION:
        conn.close()
        raise ReaderError(
            f"{path} has schema version {version}, newer than this newscrawler ({SCHEMA_VERSION}): upgrade newscrawler"
        )
    register_functions(conn)
    return conn


def _connect_ro(path: Path, extra: str, check_same_thread: bool) -> sqlite3.Connection:
    try:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro{extra}", uri=True,
                               check_same_thread=check_same_thread)
    except sqlite3.Error as exc:
        raise ReaderError(f"cannot open {path}: {exc}") from None


def fetch_dicts(conn: sqlite3.Connection, sql: str, params: Any = ()) -> list[dict[str, Any]]:
    """Rows as dicts (plain cursor reads: no savepoint round-trips on the hot path)."""
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def iter_dicts(
    conn: sqlite3.Connection, sql: str, params: Any = (), *, chunk: int = 500
) -> Iterator[dict[str, Any]]:
    """Rows as dicts, ``chunk`` at a time: memory stays flat however many rows the query returns."""
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    try:
        while rows := cur.fetchmany(chunk):
            for r in rows:
                yield dict(zip(names, r, strict=True))
    finally:
        cur.close()
