"""Adaptive polling: when each feed, sitemap and listing is next due (`crawl --due`), from what its last poll found.

Media Cloud's rule: a page whose entries were mostly seen before is polled less often, one full of new entries
more often. After each poll the interval is multiplied by ``SLOWER`` when 67 % or more of its entries were
already known (a 304 counts as all known), divided by it when 33 % or less were, and kept in between; it stays
within the range (default 10 minutes to 24 hours). A failed poll backs off: the interval doubles with each failure
in a row, with +-20 % jitter so that sources that failed together do not come back together.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

SLOWER = 1.5
SEEN_MOSTLY = 0.67
SEEN_LITTLE = 0.33


@dataclass(frozen=True)
class PollRange:
    min_seconds: float = 600.0
    max_seconds: float = 86400.0

    def clamp(self, seconds: float) -> float:
        return min(self.max_seconds, max(self.min_seconds, seconds))

    @property
    def start(self) -> float:
        """A page polled for the first time: the geometric middle of the range (2 h for 10 min..24 h)."""
        return self.clamp((self.min_seconds * self.max_seconds) ** 0.5)


def next_interval(previous: float | None, seen_share: float | None, *, failures: int = 0,
                  poll_range: PollRange = PollRange(), rng: random.Random | None = None) -> float:
    """Seconds until the next poll. ``seen_share`` is the share of the poll's entries already known (None: the
    poll failed or listed nothing, the interval stays); ``failures`` counts failed polls in a row, this one
    included."""
    interval = poll_range.clamp(previous) if previous else poll_range.start
    if failures:
        jitter = (rng or random).uniform(0.8, 1.2)
        return poll_range.clamp(interval * 2 ** min(failures, 10) * jitter)
    if seen_share is None:
        return interval
    if seen_share >= SEEN_MOSTLY:
        return poll_range.clamp(interval * SLOWER)
    if seen_share <= SEEN_LITTLE:
        return poll_range.clamp(interval / SLOWER)
    return interval


def due_at(now: datetime, seconds: float) -> str:
    return (now + timedelta(seconds=seconds)).isoformat(timespec="seconds")
