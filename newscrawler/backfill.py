"""Backfill decisions (pure: no Scrapy, no network): the ``--since`` date and when a listing's pagination stops.

A backfill (``newscrawler crawl --since 2025-09-01``) follows each listing's next-page links until it reaches a
page whose dated entries are all older than the date. A listing page's entries are dated by the date written in
their URL (``/2025/10/07/``) or, when no URL carries one, by the publication dates of the articles fetched from
the page: ``PageWalk`` collects them and says whether to go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

__all__ = ["PageWalk", "parse_since", "since_moment"]


def parse_since(value: str | None) -> date | datetime | None:
    """The backfill start from ``--since`` / ``NEWSCRAWLER_SINCE``: an ISO date (``2025-09-01``) or date and time
    (``2025-09-01T06:00``, ``2025-09-01 06:00+01:00``); None for an empty value. Raises ``ValueError`` with a
    message fit for the user otherwise."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--since expects an ISO date such as 2025-09-01, got {text!r}") from None


def since_moment(since: date | datetime, tz: str) -> datetime:
    """``since`` as an aware datetime: a date is the start of that day in the source's time zone ``tz``; a
    datetime without offset is read in ``tz`` too."""
    zone = ZoneInfo(tz)
    if isinstance(since, datetime):
        return since if since.tzinfo is not None else since.replace(tzinfo=zone)
    return datetime.combine(since, time(0, 0), tzinfo=zone)


@dataclass
class PageWalk:
    """The evidence about one listing page, for deciding whether its next page is fetched.

    ``note(when)`` records one entry's date (None: undated); ``pending`` counts the article requests whose
    dates are still awaited. ``go_on(since)``: False only when some entries are dated and all of those are
    older than ``since``; a page with no dated entry gives no reason to stop.
    """

    source_id: str
    next_url: str
    page: int  # the number the next page will have (the listing itself is page 1)
    pending: int = 0
    dated: int = 0
    recent: int = 0
    oldest: datetime | None = field(default=None, repr=False)

    def note(self, when: datetime | None, since: datetime) -> None:
        if when is None:
            return
        self.dated += 1
        if when >= since:
            self.recent += 1
        if self.oldest is None or when < self.oldest:
            self.oldest = when

    def go_on(self) -> bool:
        return not self.dated or self.recent > 0
