"""The crawl state's writes (docs/schema.md: ``frontier``, ``poll_schedule``, ``crawl_runs``): the SQL behind
``Store.mark_frontier``, ``save_poll``, ``expire_frontier`` and ``abort_stale_runs``. The ``Store`` keeps the
transaction; these only run their statements on its connection."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from newscrawler.store.rows import utc, utc_now


def mark_frontier(db: Database, url: str, source_id: str | None, state: str, *, run_id: int,
                  reason: str | None = None) -> None:
    """A URL done in this run stays done when it is scheduled again (the scheduler drops the repeat, which would
    then stay pending for ever). ``pending_since`` is when the URL started waiting: kept while it stays pending
    across runs, so ``expire_frontier`` can tell a URL that has waited a week from one listed this morning.
    ``reason`` is the reject reason of a URL done as a reject (None for a stored article)."""
    if state not in ("pending", "done"):
        raise ValueError(f"frontier state must be pending or done, not {state!r}")
    now = utc_now()
    db.execute(
        "INSERT INTO frontier (url, source_id, state, run_id, updated_at, pending_since, reason) "
        "VALUES (:url, :source, :state, :run, :at, CASE WHEN :state = 'pending' THEN :at END, :reason) "
        "ON CONFLICT(url) DO UPDATE SET state = excluded.state, source_id = coalesce(excluded.source_id, source_id), "
        "run_id = excluded.run_id, updated_at = excluded.updated_at, reason = excluded.reason, "
        "pending_since = CASE WHEN frontier.state = 'pending' THEN frontier.pending_since "
        "ELSE excluded.pending_since END "
        "WHERE excluded.state = 'done' OR NOT (frontier.state = 'done' AND frontier.run_id IS excluded.run_id)",
        {"url": url, "source": source_id, "state": state, "run": run_id, "at": now,
         "reason": reason if state == "done" else None},
    )


def save_poll(db: Database, poll: dict[str, Any]) -> None:
    """One row per URL: when it is next due (newscrawler.polling)."""
    db.execute(
        "INSERT INTO poll_schedule (url, source_id, kind, interval_seconds, next_due_at, failures, seen_share, "
        "polled_at) VALUES (:url, :source_id, :kind, :interval_seconds, :next_due_at, :failures, :seen_share, "
        ":polled_at) ON CONFLICT(url) DO UPDATE SET source_id = excluded.source_id, kind = excluded.kind, "
        "interval_seconds = excluded.interval_seconds, next_due_at = excluded.next_due_at, "
        "failures = excluded.failures, seen_share = excluded.seen_share, polled_at = excluded.polled_at",
        {"url": poll["url"], "source_id": poll.get("source_id"), "kind": poll.get("kind"),
         "interval_seconds": float(poll["interval_seconds"]), "next_due_at": utc(poll["next_due_at"]),
         "failures": int(poll.get("failures") or 0), "seen_share": poll.get("seen_share"),
         "polled_at": utc(poll.get("polled_at")) or utc_now()},
    )


def expire_frontier(db: Database, before: str | datetime, *, run_id: int, reason: str) -> int:
    cur = db.execute(
        "UPDATE frontier SET state = 'expired', reason = ?, run_id = ?, updated_at = ? "
        "WHERE state = 'pending' AND pending_since < ?",
        [reason, run_id, utc_now(), utc(before) if isinstance(before, datetime) else before],
    )
    return int(cur.rowcount or 0)


def abort_stale_runs(db: Database, *, except_run: int | None) -> list[int]:
    ids = [int(r[0]) for r in db.execute(
        "SELECT id FROM crawl_runs WHERE status = 'running' AND id IS NOT ?", [except_run]).fetchall()]
    if ids:
        placeholders = ", ".join("?" * len(ids))
        db.execute(
            f"UPDATE crawl_runs SET status = 'aborted', finished_at = coalesce(finished_at, ?) "
            f"WHERE id IN ({placeholders})", [utc_now(), *ids])
    return ids
