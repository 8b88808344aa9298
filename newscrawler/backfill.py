"""Backfill decisions (pure: no Scrapy, no network): the ``--since`` date and when a listing's pagination stops.

A backfill (``newscrawler crawl --since 2025-09-01``) follows each listing's next-page links until it reaches a
page whose dated entries are all older than the date. A listing page's entries are dated by the date written in
their URL (``/2025/10/07/``) or, when no URL carries one, by the publication dates of the articles fetched from
the page: ``PageWalk`` collects them and says whether to go on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

__all__ = ["PageWalk", "archive_period_end", "parse_since", "since_moment"]

_YEAR = r"(?<!\d)((?:19|20)\d\d)"
_SEP = r"[-_/.]?"
_PERIOD_RES = (
    re.compile(_YEAR + _SEP + r"(0[1-9]|1[0-2])" + _SEP + r"(0[1-9]|[12]\d|3[01])(?!\d)"),
    re.compile(_YEAR + _SEP + r"(0[1-9]|1[0-2])(?!\d)"),
    re.compile(_YEAR + r"(?!\d)"),
)


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


def archive_period_end(url: str, tz: str) -> datetime | None:
    """The end of the period an archive sitemap's URL names, for a child sitemap without ``<lastmod>``:
    ``sitemap-2019-05.xml``, ``/sitemaps/2019/05/``, ``news-201905.xml`` (the month), ``sitemap-2019-05-14.xml``
    (the day), ``sitemap-2019.xml`` (the year); None when the path names no date. The end is the first moment
    after the period, in the source's time zone ``tz``: nothing in the sitemap is newer."""
    path = unquote(urlsplit(url).path)
    zone = ZoneInfo(tz)
    for rank, pattern in enumerate(_PERIOD_RES):
        m = pattern.search(path)
        if not m:
            continue
        try:
            if rank == 0:
                start = datetime(int(m[1]), int(m[2]), int(m[3]), tzinfo=zone)
                return start + timedelta(days=1)
            if rank == 1:
                year, month = int(m[1]), int(m[2])
                return datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
            return datetime(int(m[1]) + 1, 1, 1, tzinfo=zone)
        except ValueError:  # 2019-02-30
            return None
    return None


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
