"""Per-source health of a crawl database (`newscrawler health`): figures and flags an operator can alert on.

Read-only: everything comes from the rows the crawls wrote (`crawl_runs.by_source`, `articles`, `rejects`,
`frontier`), through a ``mode=ro`` connection. The flags (docs/operators.md, "Health"):

- ``down``: the last ``down_after`` runs that asked the source anything got nothing from it, and not because it blocks us;
- ``blocked``: the source's last run got mostly 401/403/429 answers or challenge pages (``blocked`` rejects);
- ``layout_changed``: the share of new articles with a body or a date in the source's last run fell by at least
  ``layout_drop`` from the share in its earlier articles (the site changed its templates; extraction needs a look);
- ``stale``: no new article for longer than the source usually goes (four times its mean gap over 7 days, at
  least ``stale_min_hours``);
- ``backlog``: URLs pending for more than a day: the runs do not catch up (caps too low, runs too rare).
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from newscrawler.store.rows import parse_utc

FLAGS = ("stale", "down", "blocked", "layout_changed", "backlog")
BLOCK_REASONS = ("blocked", "http_401", "http_403", "http_429")
# counters of crawl_runs.by_source that mean the source answered with something usable
ANSWERED = ("pages", "articles_new", "articles_seen", "duplicates", "articles_touched")


@dataclass
class Thresholds:
    down_after: int = 3  # failed runs in a row
    layout_drop: float = 0.5  # fall of the body or date share (0..1)
    layout_min_articles: int = 3  # new articles in the last run needed to judge the layout
    stale_min_hours: float = 24.0
    backlog_hours: float = 24.0


@dataclass
class SourceHealth:
    source_id: str
    last_success: str | None = None
    newest_article_age_hours: float | None = None
    new_per_day: list[int] = field(default_factory=list)  # the last 7 UTC days, oldest first (today last)
    completeness: dict[str, float | None] = field(default_factory=dict)  # share of recent articles with each field
    consecutive_failures: int = 0
    pending: int = 0
    expired: int = 0
    flags: list[str] = field(default_factory=list)
    why: dict[str, str] = field(default_factory=dict)  # one line per raised flag

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _runs_of(conn: sqlite3.Connection, source_id: str) -> list[dict[str, Any]]:
    """The finished runs that asked the source something, newest first. Running and aborted runs say nothing, and
    nor does a run that made no request of it: a `crawl --due` run with nothing of the source due (most of the
    runs of a cron job every few minutes) is neither a failure nor a success. A source that does not answer still
    leaves counts: its failed requests are rejects."""
    rows = conn.execute(
        "SELECT r.id, r.started_at, r.finished_at, r.by_source FROM crawl_runs r, json_each(r.sources) j "
        "WHERE j.value = ? AND r.status NOT IN ('running', 'aborted') ORDER BY r.id DESC", [source_id]).fetchall()
    runs = [{"id": r[0], "started_at": r[1], "finished_at": r[2],
             "counts": json.loads(r[3] or "{}").get(source_id, {})} for r in rows]
    return [run for run in runs if any(int(n or 0) for n in run["counts"].values())]


def _answered(counts: dict[str, Any]) -> bool:
    return any(int(counts.get(c) or 0) for c in ANSWERED)


def _shares(conn: sqlite3.Connection, where: str, params: list[Any]) -> tuple[int, dict[str, float | None]]:
    row = conn.execute(
        "SELECT count(*), "
        "sum(CASE WHEN length(coalesce(body, '')) > 0 THEN 1 ELSE 0 END), "
        "sum(CASE WHEN published_at IS NOT NULL AND published_at != '' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN authors IS NOT NULL AND authors NOT IN ('', '[]') THEN 1 ELSE 0 END) "
        f"FROM articles WHERE {where}", params).fetchone()
    n = int(row[0] or 0)
    if not n:
        return 0, {"body": None, "date": None, "author": None}
    return n, {"body": round(row[1] / n, 3), "date": round(row[2] / n, 3), "author": round(row[3] / n, 3)}


def source_health(conn: sqlite3.Connection, source_id: str, *, now: datetime | None = None,
                  thresholds: Thresholds | None = None) -> SourceHealth:
    now = now or datetime.now(UTC)
    limits = thresholds or Thresholds()
    health = SourceHealth(source_id)
    runs = _runs_of(conn, source_id)
    for run in runs:
        if _answered(run["counts"]):
            health.last_success = run["finished_at"] or run["started_at"]
            break
        health.consecutive_failures += 1

    newest = conn.execute("SELECT max(first_seen_at), max(published_at) FROM articles WHERE source_id = ?",
                          [source_id]).fetchone()
    newest_published = parse_utc(newest[1])
    if newest_published is not None:
        health.newest_article_age_hours = round(max(0.0, (now - newest_published).total_seconds()) / 3600, 1)
    today = now.date()
    days = [(today - timedelta(days=i)).isoformat() for i in range(6, -1, -1)]
    per_day = dict(conn.execute(
        "SELECT substr(first_seen_at, 1, 10), count(*) FROM articles WHERE source_id = ? AND first_seen_at >= ? "
        "GROUP BY 1", [source_id, days[0]]).fetchall())
    health.new_per_day = [int(per_day.get(day, 0)) for day in days]
    week_ago = (now - timedelta(days=7)).isoformat(timespec="seconds")
    recent, health.completeness = _shares(conn, "source_id = ? AND first_seen_at >= ?", [source_id, week_ago])
    if not recent:  # a source that published nothing this week: its last 100 articles
        _, health.completeness = _shares(
            conn, "id IN (SELECT id FROM articles WHERE source_id = ? ORDER BY id DESC LIMIT 100)", [source_id])
    frontier = dict(conn.execute("SELECT state, count(*) FROM frontier WHERE source_id = ? GROUP BY state",
                                 [source_id]).fetchall())
    health.pending, health.expired = int(frontier.get("pending", 0)), int(frontier.get("expired", 0))

    # -- flags
    if runs:
        last = runs[0]
        placeholders = ", ".join("?" * len(BLOCK_REASONS))
        blocked = sum(int(n) for reason, n in conn.execute(
            f"SELECT reason, count(*) FROM rejects WHERE run_id = ? AND source_id = ? AND reason IN "
            f"({placeholders}) GROUP BY reason", [last["id"], source_id, *BLOCK_REASONS]))
        counts = last["counts"]
        answers = sum(int(counts.get(c) or 0) for c in ("pages", "articles_new", "articles_seen", "duplicates",
                                                           "rejects_fetched"))
        if blocked and blocked * 2 >= answers:
            health.flags.append("blocked")
            health.why["blocked"] = f"{blocked} of {answers} answers in run {last['id']} were 401/403/429 or " \
                                    "challenge pages"
        n_new, now_shares = _shares(conn, "source_id = ? AND first_run_id = ?", [source_id, last["id"]])
        n_old, old_shares = _shares(conn, "id IN (SELECT id FROM articles WHERE source_id = ? AND first_run_id < ? "
                                          "ORDER BY id DESC LIMIT 200)", [source_id, last["id"]])
        if n_new >= limits.layout_min_articles and n_old:
            drops = {name: (old_shares[name] or 0) - (now_shares[name] or 0) for name in ("body", "date")}
            fallen = [f"{name} {old_shares[name]:.0%} -> {now_shares[name]:.0%}"
                      for name, drop in drops.items() if drop >= limits.layout_drop]
            if fallen:
                health.flags.append("layout_changed")
                health.why["layout_changed"] = f"in run {last['id']} ({n_new} new articles): " + ", ".join(fallen)
    if health.consecutive_failures >= limits.down_after and "blocked" not in health.flags:
        health.flags.append("down")
        health.why["down"] = f"nothing fetched in the last {health.consecutive_failures} runs"
    newest_seen = parse_utc(newest[0])
    if newest_seen is not None:
        week = sum(health.new_per_day)
        usual_gap = timedelta(hours=max(limits.stale_min_hours, 4 * 168 / week if week else 168))
        if now - newest_seen > usual_gap:
            health.flags.append("stale")
            health.why["stale"] = (f"no new article for {(now - newest_seen).total_seconds() / 3600:.0f} h "
                                   f"(usual gap at most {usual_gap.total_seconds() / 3600:.0f} h)")
    oldest = conn.execute("SELECT min(pending_since) FROM frontier WHERE source_id = ? AND state = 'pending'",
                          [source_id]).fetchone()[0]
    oldest_pending = parse_utc(oldest)
    if oldest_pending is not None and now - oldest_pending > timedelta(hours=limits.backlog_hours):
        health.flags.append("backlog")
        health.why["backlog"] = f"{health.pending} URLs pending, the oldest since {oldest}"
    return health


def database_health(conn: sqlite3.Connection, *, sources: list[str] | None = None, now: datetime | None = None,
                    thresholds: Thresholds | None = None) -> list[SourceHealth]:
    ids = sources or [r[0] for r in conn.execute(
        "SELECT id FROM sources UNION SELECT DISTINCT source_id FROM articles WHERE source_id IS NOT NULL "
        "ORDER BY 1")]
    return [source_health(conn, sid, now=now, thresholds=thresholds) for sid in ids]


def prometheus_text(report: list[SourceHealth]) -> str:
    """The report in Prometheus' text format, for node_exporter's textfile collector."""
    lines: list[str] = []

    def metric(name: str, kind: str, doc: str, samples: list[tuple[dict[str, str], float | None]]) -> None:
        lines.append(f"# HELP newscrawler_{name} {doc}")
        lines.append(f"# TYPE newscrawler_{name} {kind}")
        for labels, value in samples:
            if value is None:
                continue
            text = ",".join(f'{k}="{v}"' for k, v in labels.items())
            lines.append(f"newscrawler_{name}{{{text}}} {value:g}")

    def ts(text: str | None) -> float | None:
        when = parse_utc(text)
        return when.timestamp() if when else None

    metric("source_last_success_timestamp_seconds", "gauge", "End of the last run that got something.",
           [({"source": h.source_id}, ts(h.last_success)) for h in report])
    metric("source_newest_article_age_seconds", "gauge", "Age of the newest article by its publication date.",
           [({"source": h.source_id}, None if h.newest_article_age_hours is None
             else h.newest_article_age_hours * 3600) for h in report])
    metric("source_articles_new_today", "gauge", "Articles first seen today (UTC).",
           [({"source": h.source_id}, float(h.new_per_day[-1] if h.new_per_day else 0)) for h in report])
    metric("source_articles_new_7d", "gauge", "Articles first seen in the last 7 days.",
           [({"source": h.source_id}, float(sum(h.new_per_day))) for h in report])
    metric("source_field_completeness_ratio", "gauge", "Share of recent articles with the field.",
           [({"source": h.source_id, "field": f}, v) for h in report for f, v in h.completeness.items()])
    metric("source_consecutive_failures", "gauge", "Runs in a row that got nothing from the source.",
           [({"source": h.source_id}, float(h.consecutive_failures)) for h in report])
    metric("source_frontier_urls", "gauge", "Article URLs in the frontier by state.",
           [({"source": h.source_id, "state": s}, float(v)) for h in report
            for s, v in (("pending", h.pending), ("expired", h.expired))])
    metric("source_flag", "gauge", "1 when the health flag is up.",
           [({"source": h.source_id, "flag": f}, float(f in h.flags)) for h in report for f in FLAGS])
    return "\n".join(lines) + "\n"


def write_atomically(path: str | Path, text: str) -> None:
    """node_exporter may read the file at any moment: write a temporary file beside it and rename it."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
