"""The analysts' article filters (search and export share them): source, date window, originals only.

Dates are validated before any query runs: an ISO date (``2025-10-01``) or date and time (``2025-10-01T08:00``,
``2025-10-01T08:00+01:00``); anything else, ``07/10/2025`` included (day or month first?), is refused with a
message for the user. Stored times are ISO text in UTC (``2025-10-08T12:30:00+00:00``), so a bound is turned into
the same form and compared as text, like with like: a date is the whole UTC day, ``--until`` included.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any


class FilterError(ValueError):
    """A filter the user gave that cannot be applied; the message is one line for the user."""


def date_bound(value: str, option: str, *, end: bool = False) -> str:
    """The stored-text form of a ``--since`` (``end=False``: first instant included) or ``--until`` (``end=True``:
    first instant excluded) value."""
    text = (value or "").strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            if end:
                day += timedelta(days=1)
            return day.isoformat()  # 'YYYY-MM-DD' sorts before every time of that day
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise FilterError(
            f"{option} expects an ISO date (YYYY-MM-DD, e.g. 2025-10-01) or date and time "
            f"(2025-10-01T08:00), got {value!r}"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    if end:  # --until with a time: that instant is included
        moment += timedelta(seconds=1)
    return moment.isoformat(timespec="seconds")


@dataclass(frozen=True)
class ArticleFilter:
    source: str | None = None
    since: str | None = None
    until: str | None = None
    originals_only: bool = False

    def where(self, alias: str = "") -> tuple[str, list[Any]]:
        """A WHERE clause over ``articles`` (columns prefixed with ``alias.``) and its parameters. The date is
        the publication date when known, else when the crawler first saw the article."""
        p = f"{alias}." if alias else ""
        clauses: list[str] = ["1"]
        params: list[Any] = []
        if self.source:
            clauses.append(f"{p}source_id = ?")
            params.append(self.source)
        if self.since:
            clauses.append(f"coalesce({p}published_at, {p}first_seen_at) >= ?")
            params.append(date_bound(self.since, "--since"))
        if self.until:
            clauses.append(f"coalesce({p}published_at, {p}first_seen_at) < ?")
            params.append(date_bound(self.until, "--until", end=True))
        if self.originals_only:
            clauses.append(f"{p}duplicate_of IS NULL")
        return " AND ".join(clauses), params

    def check(self, conn: sqlite3.Connection) -> None:
        """Raise ``FilterError`` for a bad date or a source the database has never heard of."""
        self.where()  # validates the dates
        if self.source:
            known = conn.execute(
                "SELECT 1 FROM sources WHERE id = ? UNION ALL SELECT 1 FROM articles WHERE source_id = ? LIMIT 1",
                [self.source, self.source],
            ).fetchone()
            if not known:
                names = [r[0] for r in conn.execute("SELECT id FROM sources ORDER BY id LIMIT 30")]
                raise FilterError(
                    f"unknown source {self.source!r}" + (f" (known: {', '.join(names)})" if names else "")
                )
