"""Revisits of young articles: when a stored article is fetched again to catch edits (issue 18).

A news article is most often corrected in its first hours: a title sharpened, a paragraph added, a name fixed.
Each original article (not a duplicate) gets revisit times at fixed offsets after it was first seen (default 1 h,
6 h and 24 h, ``NEWSCRAWLER_REVISIT_HOURS``) while it is young: an offset is used only when it falls within
``NEWSCRAWLER_REVISIT_WINDOW_HOURS`` (default 48) of its publication (of its first sighting when undated). An
article found older than that when first seen (a backfill, an archive sitemap) is not revisited at all. A
revisit whose title or body differs is stored as a revision row (``article_revisions``); the article keeps its id
and carries the new text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_HOURS = (1.0, 6.0, 24.0)


def parse_hours(value: object) -> tuple[float, ...]:
    """``"1,6,24"`` (or a list) -> (1.0, 6.0, 24.0), sorted; empty = no revisits. ValueError on a bad value."""
    if value is None:
        return ()
    parts = value if isinstance(value, (list, tuple)) else str(value).split(",")
    hours = sorted(float(str(p).strip()) for p in parts if str(p).strip())
    if any(h <= 0 for h in hours):
        raise ValueError(f"revisit hours must be positive: {value!r}")
    return tuple(hours)


@dataclass(frozen=True)
class RevisitPlan:
    hours: tuple[float, ...] = DEFAULT_HOURS
    window_hours: float = 48.0

    def due(self, first_seen: datetime, done: int, published: datetime | None) -> datetime | None:
        """When revisit number ``done + 1`` is due, or None when there is none (all done, or past the window)."""
        if done >= len(self.hours):
            return None
        when = first_seen + timedelta(hours=self.hours[done])
        young_until = (published if published is not None and published <= first_seen else first_seen) \
            + timedelta(hours=self.window_hours)
        return when if when <= young_until else None
