"""Run counters: what each crawl saved, kept in memory and written into its ``crawl_runs`` row at every commit
(in the same transaction as the rows they count, so a crashed run still shows counts that match its rows)."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from typing import Any

from newscrawler.store.connection import fetch_dicts
from newscrawler.store.rows import int_or_none, utc_now
from newscrawler.store.schema import StoreError

COUNT_COLUMNS = (
    "articles_new", "articles_seen", "duplicates", "articles_touched", "repointed",
    "headlines_new", "headlines_seen", "pages", "rejects", "rejects_fetched",
)  # fmt: skip

# Scrapy-side numbers the pipeline passes in finish_run(stats=...), kept as columns for easy queries.
STAT_COLUMNS = ("pages_fetched", "requests", "bytes", "errors", "items_dropped", "pages_capped")


class RunCounters:
    """Per run: a Counter of ``COUNT_COLUMNS``, a Counter of reject reasons and ``{source_id: Counter}``; loaded
    from the run's row on first use, so a store reopened mid-run continues its counts."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._runs: dict[int, dict[str, Any]] = {}

    def __bool__(self) -> bool:
        return bool(self._runs)

    def _state(self, run_id: int) -> dict[str, Any]:
        state = self._runs.get(run_id)
        if state is None:
            rows = fetch_dicts(self.conn, "SELECT * FROM crawl_runs WHERE id = ?", [run_id])
            if not rows:
                raise StoreError(f"unknown run id {run_id}")
            data = rows[0]
            state = {
                "counts": Counter({c: data[c] or 0 for c in COUNT_COLUMNS}),
                "reasons": Counter(json.loads(data["rejects_by_reason"] or "{}")),
                "by_source": {k: Counter(v) for k, v in json.loads(data["by_source"] or "{}").items()},
            }
            self._runs[run_id] = state
        return state

    def count(self, run_id: int, name: str, source_id: str | None, reason: str | None = None) -> None:
        state = self._state(run_id)
        state["counts"][name] += 1
        per_source = state["by_source"].setdefault(source_id or "", Counter())
        per_source[name] += 1
        if reason is not None:
            state["reasons"][reason] += 1

    def counts(self, run_id: int) -> dict[str, Any]:
        """What was saved in the run so far.

        ``accounted = articles_new + articles_seen + duplicates + pages + rejects_fetched``: one per
        downloaded response, to compare with the crawler's ``pages_fetched``.
        """
        state = self._state(run_id)
        counts: dict[str, Any] = {c: int(state["counts"][c]) for c in COUNT_COLUMNS}
        counts["rejects_by_reason"] = dict(sorted(state["reasons"].items()))
        counts["accounted"] = (
            counts["articles_new"] + counts["articles_seen"] + counts["duplicates"]
            + counts["pages"] + counts["rejects_fetched"]
        )  # fmt: skip
        return counts

    def flush(self, run_id: int) -> None:
        """Write one run's counters into its row (inside the caller's transaction)."""
        counts = self.counts(run_id)
        state = self._runs[run_id]
        self.conn.execute(
            f"UPDATE crawl_runs SET {', '.join(f'{c} = :{c}' for c in COUNT_COLUMNS)}, "
            "rejects_by_reason = :reasons, by_source = :by_source, accounted = :accounted WHERE id = :id",
            {
                **{c: counts[c] for c in COUNT_COLUMNS},
                "reasons": json.dumps(dict(sorted(state["reasons"].items())), ensure_ascii=False),
                "by_source": json.dumps(
                    {k: dict(v) for k, v in sorted(state["by_source"].items())}, ensure_ascii=False
                ),
                "accounted": counts["accounted"],
                "id": run_id,
            },
        )

    def flush_all(self) -> None:
        for run_id in list(self._runs):
            self.flush(run_id)

    def forget(self, run_id: int) -> None:
        self._runs.pop(run_id, None)

    def clear(self) -> None:
        """Drop what is in memory (after a rollback): reloaded from the committed rows on next use."""
        self._runs.clear()


def insert_run(
    conn: sqlite3.Connection, *, sources: list[str], spider: str, settings: dict[str, Any] | None
) -> int:
    cur = conn.execute(
        "INSERT INTO crawl_runs (spider, sources, settings, started_at, status) VALUES (?, ?, ?, ?, 'running')",
        [
            spider,
            json.dumps(list(sources), ensure_ascii=False),
            json.dumps(settings or {}, ensure_ascii=False, default=str),
            utc_now(),
        ],
    )
    return int(cur.lastrowid or 0)


def close_run(
    conn: sqlite3.Connection, run_id: int, *, status: str, stats: dict[str, Any], accounted: int
) -> None:
    """End time, status and the crawler's statistics of a run (inside the caller's transaction).

    ``unaccounted = pages_fetched - accounted`` when the crawler reported ``pages_fetched``;
    0 means every downloaded page ended as exactly one record.
    """
    values: dict[str, Any] = {c: int_or_none(stats.get(c)) for c in STAT_COLUMNS}
    pages_fetched = values["pages_fetched"]
    values.update(
        id=run_id,
        status=status,
        finished_at=utc_now(),
        stats=json.dumps(stats, ensure_ascii=False, default=str, sort_keys=True),
        unaccounted=None if pages_fetched is None else pages_fetched - accounted,
    )
    conn.execute(
        "UPDATE crawl_runs SET status = :status, finished_at = :finished_at, stats = :stats, "
        "unaccounted = :unaccounted, " + ", ".join(f"{c} = :{c}" for c in STAT_COLUMNS) + " WHERE id = :id",
        values,
    )


def get_run(conn: sqlite3.Connection, run_id: int) -> dict[str, Any]:
    """The crawl_runs row with its JSON columns decoded."""
    rows = fetch_dicts(conn, "SELECT * FROM crawl_runs WHERE id = ?", [run_id])
    if not rows:
        raise StoreError(f"unknown run id {run_id}")
    row = rows[0]
    for col in ("sources", "settings", "rejects_by_reason", "by_source", "stats"):
        if row.get(col):
            row[col] = json.loads(row[col])
    return row
