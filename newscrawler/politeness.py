"""Reading what a server says about our pace: ``Retry-After``, and who we are (the User-Agent's contact URL)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def retry_after_seconds(value: str | bytes | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delay-seconds or an HTTP-date (RFC 9110 10.2.3); None when
    absent or unreadable (then the ordinary retry rules apply). A date in the past means 0."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def user_agent(base: str, contact_url: str) -> str:
    """The User-Agent with ``+contact_url`` first in its comment, where site operators look for it
    (``name/1.0 (+https://example.org/bot; ...)``, as Googlebot and most crawlers write it)."""
    contact_url = contact_url.strip()
    if not contact_url or contact_url in base:
        return base
    name, sep, comment = base.partition(" (")
    if sep:
        return f"{name} (+{contact_url}; {comment}"
    return f"{base} (+{contact_url})"
